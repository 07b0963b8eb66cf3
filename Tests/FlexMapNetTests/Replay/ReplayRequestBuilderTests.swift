import FlexMapCore
import FlexMapIO
import Testing

@testable import FlexMapNet

@Suite struct ReplayRequestBuilderTests {
    let target = try! ReplayTarget(parsing: "http://127.0.0.1:8080")
    let given: [CredentialResolver.Field: String] = [.orgId: "org_A", .apiKey: "fmk_secret", .mapId: "map_M"]

    func record(_ payload: InputRecord.Payload, raw: String = "raw", capturedAt: Double? = nil) -> InputRecord {
        InputRecord(number: 1, line: 2, raw: Array(raw.utf8), endOffset: 0, payload: payload, capturedAt: capturedAt)
    }

    func build(_ builder: ReplayRequestBuilder, _ record: InputRecord, header: [String]? = nil) throws -> WireRequest {
        try builder.build(record, header: header, parser: JSONParser()).get()
    }

    @Test func aCSVRowBecomesTheDocsJSONBodyWithHeaderNamesAsWritten() throws {
        let builder = ReplayRequestBuilder(target: target, credentials: ReplayCredentials(flags: given))
        let fields = CSVFields(["100", "Ada", "+12015550123", "leaked"])
        let request = try build(
            builder, record(.csv(fields)), header: ["Record ID", "First Name", "Phone Number", "apiKey"])
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:8080/api/contacts/flex")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"Record ID":"100","First Name":"Ada","Phone Number":"+12015550123"}"#)
        #expect(request.usesCommonHeaders)
        #expect(builder.commonHeaders.map(\.name) == ["Content-Type", "x-org-id", "x-api-key", "x-map-id"])
        #expect(request.headers.map(\.name) == ["Idempotency-Key"])
    }

    @Test func credentialsGoWhereAuthSays() throws {
        let row = record(.csv(CSVFields(["+12015550123"])))
        let query = ReplayRequestBuilder(
            target: target, credentials: ReplayCredentials(flags: given, placement: .query))
        let inQuery = try build(query, row, header: ["phone"])
        #expect(inQuery.target == "/api/contacts/flex?orgId=org_A&apiKey=fmk_secret&mapId=map_M")
        #expect(query.commonHeaders.map(\.name) == ["Content-Type"])
        let body = ReplayRequestBuilder(target: target, credentials: ReplayCredentials(flags: given, placement: .body))
        let inBody = try build(body, row, header: ["phone"])
        #expect(
            String(decoding: inBody.body, as: UTF8.self)
                == #"{"orgId":"org_A","apiKey":"fmk_secret","mapId":"map_M","phone":"+12015550123"}"#)
        #expect(inBody.target == "/api/contacts/flex")
        // Each way authenticates the same with the endpoint's own resolver.
        for (builder, request) in [(query, inQuery), (body, inBody)] {
            let webhook = request.webhookRequest(common: builder.commonHeaders)
            let body = try WebhookProcessor.decodeBody(webhook).get()
            let sources = CredentialSources(
                query: webhook.query, headers: webhook.headers, body: CredentialResolver.bodyFields(body))
            #expect(
                try CredentialResolver.resolve(sources).get()
                    == Credentials(orgId: "org_A", apiKey: "fmk_secret", mapId: "map_M"))
        }
    }

    @Test func anNDJSONLineIsSentAsItIsUnlessItCarriesCredentials() throws {
        let builder = ReplayRequestBuilder(target: target, credentials: ReplayCredentials(flags: given))
        let line = #"{"b": 1,  "phone":"+12015550123"}"#
        let untouched = try build(builder, record(.json, raw: line))
        #expect(String(decoding: untouched.body, as: UTF8.self) == line)
        let carrying = #"{"ORGID":"other","phone":"+12015550123","nested":{"apiKey":"stays"}}"#
        let rewritten = try build(builder, record(.json, raw: carrying))
        #expect(
            String(decoding: rewritten.body, as: UTF8.self) == #"{"phone":"+12015550123","nested":{"apiKey":"stays"}}"#)
        // Not JSON at all: sent as it is (the endpoint answers invalid-json).
        let broken = try build(builder, record(.json, raw: "{nope"))
        #expect(String(decoding: broken.body, as: UTF8.self) == "{nope")
    }

    @Test func recordsTheReaderRefusedAreNotSent() {
        let builder = ReplayRequestBuilder(target: target, credentials: ReplayCredentials(flags: given))
        let result = builder.build(record(.problem(.unterminatedQuote, detail: "x")), header: nil, parser: JSONParser())
        #expect(throws: NotSent.self) { try result.get() }
    }

    @Test func aCapturedRequestGoesAsCapturedWithTheGivenCredentialsInstead() throws {
        let captured = WebhookRequest(
            method: "PUT", target: "/api/contacts/flex?orgId=org_old&apiKey=REDACTED&mapId=map_old&utm=spring",
            headers: [
                ("Host", "old.example"), ("Content-Length", "99"), (":authority", "old.example"),
                ("X-Api-Key", "REDACTED"),
                ("Authorization", "Bearer REDACTED"), ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept-Encoding", "gzip"), ("User-Agent", "Zapier"), ("Idempotency-Key", "theirs"),
            ],
            body: Array("apiKey=REDACTED&phone=%2B12015550123&name=A+B".utf8))
        let builder = ReplayRequestBuilder(
            target: try ReplayTarget(parsing: "https://new.example:8443"),
            credentials: ReplayCredentials(flags: [.orgId: "org_A", .apiKey: "fmk_secret"], placement: .body))
        let request = try build(builder, record(.request(captured)))
        #expect(request.method == "PUT")
        #expect(request.url == "https://new.example:8443/api/contacts/flex?mapId=map_old&utm=spring")
        #expect(
            request.headers.map(\.name) == ["Content-Type", "User-Agent", "Idempotency-Key"], "in the captured order")
        #expect(request.headers.first { $0.name == "Idempotency-Key" }?.value == "theirs")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "phone=%2B12015550123&name=A%20B&orgId=org_A&apiKey=fmk_secret")
        #expect(!request.usesCommonHeaders)
        #expect(request.suppressed.isEmpty)
    }

    @Test func aCapturedRequestWithoutContentTypeKeepsLibcurlsOutAndGetsAKey() throws {
        let captured = WebhookRequest(method: "POST", target: "/hook", headers: [], body: Array(#"{"phone":"1"}"#.utf8))
        let builder = ReplayRequestBuilder(target: target, credentials: ReplayCredentials(flags: given))
        let request = try build(builder, record(.request(captured)))
        #expect(request.url == "http://127.0.0.1:8080/hook")
        #expect(request.suppressed == ["Content-Type"])
        #expect(request.headers.map(\.name) == ["x-org-id", "x-api-key", "x-map-id", "Idempotency-Key"])
    }

    @Test func idempotencyKeysFollowTheRecordNotTheKey() throws {
        let one = ReplayRequestBuilder(target: target, credentials: ReplayCredentials(flags: given))
        var other = given
        other[.apiKey] = "fmk_another"
        let two = ReplayRequestBuilder(target: target, credentials: ReplayCredentials(flags: other))
        let a = one.idempotencyKey(record(.json, raw: "a"))
        #expect(a == two.idempotencyKey(record(.json, raw: "a")), "the same record and mapping: the same key")
        #expect(a != one.idempotencyKey(record(.json, raw: "b")))
        #expect(a.hasPrefix("fm-") && a.count == 35)
        #expect(ReplayRequestBuilder.fallbackDigest(Array("x".utf8)).count == 16)
        let none = ReplayRequestBuilder(
            target: target, credentials: ReplayCredentials(flags: given), idempotencyKeys: false)
        #expect(try build(none, record(.json, raw: "{}")).headers.isEmpty)
    }

    @Test func targetURLs() throws {
        let webhook = try ReplayTarget(
            parsing: "HTTP://Example.com:8080/api/contacts/flex?mapId=map_1&apiKey=fmk_x&x=1#frag")
        #expect(webhook.origin == "http://Example.com:8080")
        #expect(webhook.path == "/api/contacts/flex")
        #expect(webhook.credentials == [.mapId: "map_1", .apiKey: "fmk_x"])
        #expect(webhook.query.map(\.name) == ["x"])
        #expect(webhook.display == "http://Example.com:8080/api/contacts/flex?x=1&apiKey=REDACTED&mapId=map_1")
        #expect(try ReplayTarget(parsing: "https://h").path == nil)
        #expect(try ReplayTarget(parsing: "https://h/").path == nil)
        #expect(throws: ReplayTarget.Invalid.self) { try ReplayTarget(parsing: "ftp://h") }
        #expect(throws: ReplayTarget.Invalid.self) { try ReplayTarget(parsing: "http://user:pw@h") }
        #expect(throws: ReplayTarget.Invalid.self) { try ReplayTarget(parsing: "http:///path") }
        // A flag replaces the URL's credential; the URL's others stay in its query.
        let credentials = ReplayCredentials(
            flags: [.apiKey: "fmk_flag"], placement: .header, target: webhook.credentials)
        #expect(credentials.placed(.query).map(\.field) == [.mapId])
        #expect(credentials.placed(.header).map(\.value) == ["fmk_flag"])
    }

    @Test func credentialNamesAreFoundInAnyCase() {
        #expect(ReplayRequestBuilder.mentionsCredential(Array(#"{"ORG_ID":1}"#.utf8)))
        #expect(ReplayRequestBuilder.mentionsCredential(Array("x=1&ApiKey=2".utf8)))
        #expect(ReplayRequestBuilder.mentionsCredential(Array("mapid".utf8)))
        #expect(!ReplayRequestBuilder.mentionsCredential(Array(#"{"organisation":"map"}"#.utf8)))
        #expect(ReplayRequestBuilder.encodePath("/a b/ü") == "/a%20b/%C3%BC")
    }
}
