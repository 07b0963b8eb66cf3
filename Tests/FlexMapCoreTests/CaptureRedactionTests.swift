import Testing

@testable import FlexMapCore

@Suite struct CaptureRedactionTests {
    let key = "fmk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD"
    let other = "fmk_otherotherotherother"

    func entry(
        query: String = "", headers: [(String, String)] = [], body: String = "", path: String = "/api/contacts/flex"
    )
        -> CaptureFormat.Entry
    {
        CaptureFormat.Entry(
            timestamp: "2026-01-05T10:00:00.000Z", method: "POST", path: path, rawQuery: query,
            headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
    }

    func line(_ entry: CaptureFormat.Entry) -> String { CaptureFormat.encode(CaptureRedaction.redact(entry)) }

    @Test func queryHeaderAndBodyKeysAreReplacedOrgAndMapStay() {
        let text = line(
            entry(
                query: "orgId=org_1&apiKey=\(key)&mapId=map_1&x=1",
                headers: [
                    ("Content-Type", "application/json"), ("X-Api-Key", other),
                    ("Referer", "https://f.example/?k=\(key)"),
                ],
                body: #"{"api_key":"\#(key)","nested":{"ApiKey":12345},"phone":"+12015550123"}"#))
        #expect(!text.contains(key))
        #expect(!text.contains(other))
        #expect(!text.contains("12345"))
        #expect(text.contains("orgId=org_1&apiKey=REDACTED&mapId=map_1&x=1"))
        #expect(text.contains(#"["X-Api-Key","REDACTED"]"#))
        #expect(text.contains("https://f.example/?k=REDACTED"))
        #expect(text.contains(#"\"phone\":\"+12015550123\""#))
    }

    @Test func authorizationCookiesAndFormBodies() {
        let redacted = CaptureRedaction.redact(
            entry(
                headers: [
                    ("Authorization", "Bearer \(key)"), ("Cookie", "session=abc"),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body: "first=Ada&api_key=\(key)&orgId=org_1&note=see+\(key)"))
        #expect(redacted.headers[0].value == "REDACTED")
        #expect(redacted.headers[1].value == "REDACTED")
        #expect(
            String(decoding: redacted.body, as: UTF8.self) == "first=Ada&api_key=REDACTED&orgId=org_1&note=see+REDACTED"
        )
    }

    @Test func untouchedRequestsKeepTheirBytes() {
        let body = "{ \"phone\" : \"+12015550123\" }"
        let original = entry(query: "mapId=map_1&orgId=org_1", headers: [("X-Org-Id", "org_1")], body: body)
        #expect(CaptureRedaction.redact(original) == original)
    }

    @Test func shortValuesAreReplacedWhereTheyStandOnly() {
        let redacted = CaptureRedaction.redact(entry(query: "apiKey=abc&name=abcdef", body: "{\"x\":\"abc\"}"))
        #expect(redacted.rawQuery == "apiKey=REDACTED&name=abcdef")
        #expect(redacted.body == Array("{\"x\":\"abc\"}".utf8))
    }

    @Test func freeTextOfDamagedRecords() {
        let text = """
            1 8d0c 1700000000000000000
            POST /api/contacts/flex?orgId=org_1&apiKey=\(key) HTTP/1.1
            X-API-Key: \(other)
            Authorization: Basic dXNlcjpwYXNz
            Content-Length: 500

            {"apiKey": "\(key)", "api_key":"\(other)", "note": "Bearer \(other)"}
            """
        let scrubbed = CaptureRedaction.scrub(text)
        #expect(!scrubbed.contains(key))
        #expect(!scrubbed.contains(other))
        #expect(!scrubbed.contains("dXNlcjpwYXNz"))
        #expect(scrubbed.contains("orgId=org_1&apiKey=REDACTED HTTP/1.1"))
        #expect(scrubbed.contains("X-API-Key: REDACTED"))
        #expect(scrubbed.contains(#""apiKey": "REDACTED""#))
        // Escaped JSON inside JSON (a capture line's body).
        #expect(
            CaptureRedaction.scrub(#"{"body":"{\"apiKey\":\"\#(key)\"}"}"#) == #"{"body":"{\"apiKey\":\"REDACTED\"}"}"#)
        #expect(CaptureRedaction.scrub("a=1&api_key[]=abc&b=2") == "a=1&api_key[]=REDACTED&b=2")
        #expect(CaptureRedaction.redact(entry(headers: [("apikey", "abc")])).headers[0].value == "REDACTED")
        // Words that only look alike stay.
        #expect(
            CaptureRedaction.scrub("apikeys are secret; the cookie jar; authorization pending")
                == "apikeys are secret; the cookie jar; authorization pending")
    }

    @Test func jsonValuesOfHARAndCaptureShapes() throws {
        let har = try JSONParser().parse(
            #"{"request":{"url":"https://h/api/contacts/flex?apiKey=\#(key)","headers":[{"name":"x-api-key","value":"\#(other)"},{"name":"Referer","value":"https://h/?q=\#(other)"}],"queryString":[{"name":"apiKey","value":"\#(key)"}]},"capture":{"headers":[["X-Api-Key","\#(other)"]]}}"#
        )
        let text = JSONText.encode(CaptureRedaction.redact(har))
        #expect(!text.contains(key))
        #expect(!text.contains(other))
        #expect(text.contains(#"{"name":"x-api-key","value":"REDACTED"}"#))
        #expect(text.contains(#"["X-Api-Key","REDACTED"]"#))
    }

    @Test func malformedRequestIsA400Rejection() {
        #expect(Reason.malformedRequest.kind == .rejected)
        #expect(Reason.malformedRequest.httpStatus == 400)
        #expect(Reason(rawValue: "malformed-request") == .malformedRequest)
    }
}
