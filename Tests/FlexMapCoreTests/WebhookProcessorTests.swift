import Testing

@testable import FlexMapCore

/// A directory with one organisation, one key and two mappings (one inactive), plus a
/// mapping of another organisation.
struct FakeDirectory: MappingDirectory {
    let pipelines: [String: (orgId: String, pipeline: Pipeline)]

    init() throws {
        func make(_ json: String, org: String, id: String) throws -> (String, Pipeline) {
            let mapping = try MappingLoader().load(json: json)
            return (org, Pipeline(bound: BoundMapping(mapping: mapping, orgId: org, mappingId: id)))
        }
        let base =
            #"{"name":"m","defaultRegion":"US","fields":[{"source":"phone","target":"phone"},{"source":"firstName","target":"first_name"}]"#
        pipelines = [
            "map_a": try make(base + "}", org: "org_1", id: "map_a"),
            "map_off": try make(base + #","active":false}"#, org: "org_1", id: "map_off"),
            "map_other": try make(base + "}", org: "org_2", id: "map_other"),
        ]
    }

    func isValidKey(orgId: String, apiKey: String) -> Bool { orgId == "org_1" && apiKey == "fmk_good" }
    func pipeline(mapId: String) -> (orgId: String, pipeline: Pipeline)? { pipelines[mapId] }
}

@Suite struct WebhookProcessorTests {
    let processor = WebhookProcessor(directory: try! FakeDirectory())
    let json = [("Content-Type", "application/json")]

    func post(_ target: String, headers: [(String, String)]? = nil, body: String) -> WebhookOutcome {
        processor.process(
            WebhookRequest(
                method: "POST", target: target, headers: (headers ?? json).map { (name: $0.0, value: $0.1) },
                body: Array(body.utf8)))
    }

    func reason(_ outcome: WebhookOutcome) -> Reason? {
        if case .problem(let reason, _) = outcome.mapped { return reason }
        return nil
    }

    @Test func queryCredentialsAndJSONBody() {
        let outcome = post(
            "/api/contacts/flex?orgId=org_1&apiKey=fmk_good&mapId=map_a",
            body: #"{"firstName":"John","phone":"+12015550123"}"#)
        guard case .contact(let contact) = outcome.mapped else {
            Issue.record("expected a contact: \(outcome)")
            return
        }
        #expect(contact.phone == "+12015550123")
        #expect(contact.orgId == "org_1")
        #expect(contact.mappingId == "map_a")
        #expect(outcome.mapId == "map_a")
    }

    @Test func bodyCredentialsAreStrippedBeforeMapping() {
        let outcome = post(
            "https://api.example.com/api/contacts/flex",
            body:
                #"{"orgId":"org_1","apiKey":"fmk_good","mapId":"map_a","phone":"+12015550123","firstName":"fmk_good"}"#)
        guard case .contact(let contact) = outcome.mapped else {
            Issue.record("expected a contact: \(outcome)")
            return
        }
        // The credential field is gone, and a copy of the key in another field is replaced:
        // a key never reaches a contact (issue 8).
        #expect(contact.firstName == "REDACTED")
    }

    @Test func formBodyWithHeaderCredentials() {
        let headers = [
            ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"), ("x-org-id", "org_1"),
            ("x-api-key", "fmk_good"), ("x-map-id", "map_a"),
        ]
        let outcome = post("/api/contacts/flex", headers: headers, body: "firstName=John+Smith&phone=%2B1+201+555+0123")
        guard case .contact(let contact) = outcome.mapped else {
            Issue.record("expected a contact: \(outcome)")
            return
        }
        #expect(contact.firstName == "John Smith")
        #expect(contact.phone == "+12015550123")
    }

    @Test func refusals() {
        let good = "orgId=org_1&apiKey=fmk_good&mapId=map_a"
        let body = #"{"phone":"+12015550123"}"#
        #expect(reason(post("/api/contacts/flex?orgId=org_1&mapId=map_a", body: body)) == .authMissing)
        #expect(reason(post("/api/contacts/flex?orgId=org_1&apiKey=fmk_bad&mapId=map_a", body: body)) == .authInvalid)
        #expect(
            reason(post("/api/contacts/flex?orgId=org_1&apiKey=fmk_good&mapId=map_x", body: body)) == .mappingUnknown)
        #expect(
            reason(post("/api/contacts/flex?orgId=org_1&apiKey=fmk_good&mapId=map_other", body: body))
                == .mappingOtherOrg)
        #expect(
            reason(post("/api/contacts/flex?orgId=org_1&apiKey=fmk_good&mapId=map_off", body: body)) == .mappingInactive
        )
        #expect(
            reason(post("/api/contacts/flex?\(good)", headers: json + [("x-map-id", "map_other")], body: body))
                == .credentialsAmbiguous)
        #expect(
            reason(post("/api/contacts/flex?\(good)", headers: [("Content-Type", "text/plain")], body: "hi"))
                == .unsupportedMediaType)
        #expect(
            reason(
                post(
                    "/api/contacts/flex?\(good)", headers: [("Content-Type", "application/json; charset=latin1")],
                    body: body))
                == .unsupportedMediaType)
        #expect(reason(post("/api/contacts/flex?\(good)", body: "{oops")) == .invalidJSON)
        #expect(reason(post("/api/contacts/flex?\(good)", body: "[1]")) == .notAnObject)
        #expect(reason(post("/api/other?\(good)", body: body)) == .notAWebhookRequest)
        let get = processor.process(WebhookRequest(method: "GET", target: "/api/contacts/flex?\(good)"))
        #expect(reason(get) == .notAWebhookRequest)
    }

    @Test func contentTypeIsSniffedWhenMissing() {
        let good = "/api/contacts/flex?orgId=org_1&apiKey=fmk_good&mapId=map_a"
        guard case .contact = post(good, headers: [], body: #" {"phone":"+12015550123"}"#).mapped else {
            Issue.record("JSON not sniffed")
            return
        }
        guard case .contact = post(good, headers: [], body: "phone=%2B12015550123").mapped else {
            Issue.record("form not sniffed")
            return
        }
    }

    @Test func statusCodesFollowTheContract() {
        #expect(Reason.duplicate.httpStatus == 200)
        #expect(Reason.phoneTooShort.httpStatus == 422)
        #expect(Reason.fieldTooLong.httpStatus == 422)
        #expect(Reason.invalidJSON.httpStatus == 400)
        #expect(Reason.credentialsAmbiguous.httpStatus == 400)
        #expect(Reason.authInvalid.httpStatus == 401)
        #expect(Reason.mappingInactive.httpStatus == 403)
        #expect(Reason.mappingUnknown.httpStatus == 404)
        #expect(Reason.recordTooLarge.httpStatus == 413)
        #expect(Reason.unsupportedMediaType.httpStatus == 415)
        let get = WebhookRequest(method: "GET", target: "/api/contacts/flex")
        #expect(WebhookProcessor.httpStatus(for: .notAWebhookRequest, request: get) == 405)
        #expect(
            WebhookProcessor.httpStatus(for: .notAWebhookRequest, request: WebhookRequest(method: "POST", target: "/x"))
                == 404)
        #expect(WebhookProcessor.httpStatus(for: nil, request: get) == 201)
    }

    @Test func formsAndTargets() {
        let request = WebhookRequest(
            method: "post", target: "http://h:1/api/contacts/flex?a=1&b=x%20y&c=%E2%82%AC#frag")
        #expect(request.path == "/api/contacts/flex")
        #expect(request.query.map(\.value) == ["1", "x y", "€"])
        #expect(FormDecoding.pairs(Array("a=%ZZ".utf8)) == nil)
        let object = FormDecoding.object(FormDecoding.pairs(Array("tags=a&tags=b&one=1&list[]=x".utf8))!)
        #expect(object["tags"] == .array([.string("a"), .string("b")]))
        #expect(object["list"] == .array([.string("x")]))
        #expect(PercentDecoding.encode("a b&€") == "a%20b%26%E2%82%AC")
    }
}

@Suite struct CaptureFormatTests {
    @Test func roundTripsTextAndBinaryBodies() throws {
        for body in [Array(#"{"phone":"+12015550123"}"#.utf8), [0xFF, 0x00, 0x41], []] {
            let entry = CaptureFormat.Entry(
                timestamp: "2026-12-04T20:00:00.000Z", method: "POST", path: "/api/contacts/flex",
                rawQuery: "mapId=m&x=%20",
                headers: [("Content-Type", "application/json"), ("X-Dup", "1"), ("X-Dup", "2")], body: body)
            let line = CaptureFormat.encode(entry)
            #expect(!line.contains("\n"))
            let decoded = try CaptureFormat.decode(try JSONParser().parse(line)).get()
            #expect(decoded == entry)
            #expect(decoded.request.query.first?.value == "m")
        }
    }

    @Test func acceptsHandWrittenForms() throws {
        let line =
            #"{"method":"POST","path":"/api/contacts/flex?mapId=m","headers":{"content-type":"application/json"},"body":{"phone":"1"}}"#
        let entry = try CaptureFormat.decode(try JSONParser().parse(line)).get()
        #expect(entry.rawQuery == "mapId=m")
        #expect(entry.request.header("Content-Type") == "application/json")
        #expect(entry.body == Array(#"{"phone":"1"}"#.utf8))
        #expect(throws: CaptureFormat.DecodeError.self) {
            try CaptureFormat.decode(try JSONParser().parse(#"{"path":"/"}"#)).get()
        }
    }

    @Test func base64MatchesTheRFC() {
        let cases = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in cases {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.decode("Zm9v!") == nil)
    }
}

/// Request targets are split at their ASCII delimiters byte by byte (issue 8: a `?`
/// followed by a combining mark is one Character, and the query was taken for the path).
@Suite struct RequestTargetTests {
    @Test func aCombiningMarkAfterTheQuestionMarkStillStartsTheQuery() {
        let request = WebhookRequest(method: "POST", target: "/api/contacts/flex?\u{301}x=1&apiKey=k&mapId=m#frag")
        #expect(request.path == "/api/contacts/flex")
        #expect(request.query.map(\.name) == ["\u{301}x", "apiKey", "mapId"])
        #expect(RequestTarget.split("https://h.example/p\u{301}?\u{301}q=1#f") == ("/p\u{301}", "\u{301}q=1"))
        #expect(RequestTarget.split("https://h.example?q") == ("/", "q"))
        #expect(RequestTarget.split("") == ("/", ""))
        #expect(RequestTarget.splitAtQuery("a?\u{301}b?c") == ("a", "\u{301}b?c"))
    }
}
