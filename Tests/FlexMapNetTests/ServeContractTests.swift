import FlexMapCore
import Foundation
import Testing

@testable import FlexMapNet

/// The endpoint's contract, through curl against a real server on a free loopback port.
@Suite(.serialized) struct ServeContractTests {
    struct Case {
        let name: String
        let arguments: (ServeFixture) -> [String]
        let status: Int
        let reason: String?
    }

    @Test func everyStatusCodeOfTheContract() throws {
        let fixture = try ServeFixture { $0.maxBodyBytes = 4096 }
        let url = fixture.url
        let flex = url + WebhookRequest.flexPath
        let json = ["-H", "Content-Type: application/json"]
        let cases: [Case] = [
            Case(
                name: "created",
                arguments: { [url + $0.target()] + json + ["-d", #"{"phone":"+12015550123","name":"Ada"}"#] },
                status: 201, reason: nil),
            Case(
                name: "duplicate", arguments: { [url + $0.target()] + json + ["-d", #"{"phone":"(201) 555-0123"}"#] },
                status: 200, reason: "duplicate"),
            Case(
                name: "invalid phone", arguments: { [url + $0.target()] + json + ["-d", #"{"phone":"12"}"#] },
                status: 422, reason: "phone-too-short"),
            Case(
                name: "missing phone", arguments: { [url + $0.target()] + json + ["-d", #"{"name":"Ada"}"#] },
                status: 422, reason: "phone-missing"),
            Case(
                name: "field too long",
                arguments: {
                    [url + $0.target()] + json + [
                        "-d", #"{"phone":"+12015550124","name":"\#(String(repeating: "x", count: 101))"}"#,
                    ]
                },
                status: 422, reason: "field-too-long"),
            Case(
                name: "malformed JSON", arguments: { [url + $0.target()] + json + ["-d", #"{"phone":"#] }, status: 400,
                reason: "invalid-json"),
            Case(
                name: "not an object", arguments: { [url + $0.target()] + json + ["-d", "[1,2]"] }, status: 400,
                reason: "not-an-object"),
            Case(
                name: "ambiguous",
                arguments: { [url + $0.target()] + json + ["-d", #"{"phone":"+12015550125","mapId":"map_other"}"#] },
                status: 400, reason: "credentials-ambiguous"),
            Case(
                name: "no credentials", arguments: { _ in [flex] + json + ["-d", #"{"phone":"+12015550126"}"#] },
                status: 401, reason: "auth-missing"),
            Case(
                name: "wrong key",
                arguments: {
                    [flex + "?orgId=\($0.orgId)&apiKey=fmk_wrong&mapId=\($0.mapId)"] + json + [
                        "-d", #"{"phone":"+12015550127"}"#,
                    ]
                },
                status: 401, reason: "auth-invalid"),
            Case(
                name: "inactive mapping",
                arguments: {
                    [url + $0.target(mapId: $0.inactiveMapId)] + json + ["-d", #"{"phone":"+12015550128"}"#]
                },
                status: 403, reason: "mapping-inactive"),
            Case(
                name: "unknown mapping",
                arguments: { [url + $0.target(mapId: "map_nope")] + json + ["-d", #"{"phone":"+12015550129"}"#] },
                status: 404, reason: "mapping-unknown"),
            Case(
                name: "another organisation's mapping",
                arguments: {
                    [url + $0.target(mapId: $0.otherOrgMapId)] + json + ["-d", #"{"phone":"+12015550130"}"#]
                },
                status: 404, reason: "mapping-other-org"),
            Case(
                name: "unknown path", arguments: { _ in [url + "/api/contacts"] + json + ["-d", "{}"] }, status: 404,
                reason: "not-a-webhook-request"),
            Case(
                name: "GET on the webhook", arguments: { [url + $0.target()] }, status: 405,
                reason: "not-a-webhook-request"),
            Case(
                name: "PUT on the webhook", arguments: { [url + $0.target(), "-X", "PUT"] + json + ["-d", "{}"] },
                status: 405, reason: "not-a-webhook-request"),
            Case(
                name: "too large",
                arguments: {
                    [url + $0.target()] + json + [
                        "-d", #"{"phone":"+12015550131","name":"\#(String(repeating: "y", count: 5000))"}"#,
                    ]
                },
                status: 413, reason: "record-too-large"),
            Case(
                name: "text/plain",
                arguments: { [url + $0.target(), "-H", "Content-Type: text/plain", "-d", "phone=1"] }, status: 415,
                reason: "unsupported-media-type"),
            Case(
                name: "latin-1",
                arguments: {
                    [url + $0.target(), "-H", "Content-Type: application/json; charset=iso-8859-1", "-d", "{}"]
                },
                status: 415, reason: "unsupported-media-type"),
        ]
        for item in cases {
            let answer = try Curl.run(item.arguments(fixture))
            #expect(answer.status == item.status, "\(item.name): \(answer.body)")
            let body = try #require(answer.json, "\(item.name): \(answer.body)")
            #expect(body["reason"] as? String == item.reason, "\(item.name)")
            #expect(body["detail"] is String, "\(item.name)")
            #expect(Set(body.keys).isSuperset(of: ["outcome", "reason", "detail", "mapId"]), "\(item.name)")
            #expect(!answer.body.contains(fixture.apiKey), "\(item.name) echoes the key")
        }
        let health = try Curl.run([url + "/healthz"])
        #expect(health.status == 200)
        #expect(health.body == #"{"status":"ok"}"#)
        #expect(try Curl.run([url + "/healthz", "-X", "POST"]).status == 405)

        // Outcome names, and only the created contact is stored.
        let created = try Curl.run([url + fixture.target()] + json + ["-d", #"{"phone":"+12015550140"}"#])
        #expect(created.json?["outcome"] as? String == "created")
        #expect(created.json?["mapId"] as? String == fixture.mapId)
        #expect(
            try Curl.run([url + fixture.target()] + json + ["-d", #"{"phone":"1"}"#]).json?["outcome"] as? String
                == "invalidPhone")
        #expect(try fixture.contacts().count == 2)
        let stats = fixture.server.shutdown().statistics
        #expect(stats.byStatus[201] == 2)
        #expect(stats.byStatus[413] == 1)
    }

    @Test func credentialsInEveryPlacement() throws {
        let fixture = try ServeFixture()
        let flex = fixture.url + WebhookRequest.flexPath
        let (org, key, map) = (fixture.orgId, fixture.apiKey, fixture.mapId)
        let json = ["-H", "Content-Type: application/json"]
        let placements: [(String, [String])] = [
            (
                "query",
                [flex + "?orgId=\(org)&apiKey=\(key)&mapId=\(map)"] + json + ["-d", #"{"phone":"\#(phone(1))"}"#]
            ),
            (
                "JSON body",
                [flex] + json + [
                    "-d", #"{"orgId":"\#(org)","apiKey":"\#(key)","mapId":"\#(map)","phone":"\#(phone(2))"}"#,
                ]
            ),
            (
                "form body",
                [
                    flex, "--data-urlencode", "org_id=\(org)", "--data-urlencode", "api_key=\(key)", "--data-urlencode",
                    "map_id=\(map)",
                    "--data-urlencode", "phone=\(phone(3))",
                ]
            ),
            (
                "headers",
                [flex, "-H", "x-org-id: \(org)", "-H", "x-api-key: \(key)", "-H", "x-map-id: \(map)"] + json + [
                    "-d", #"{"phone":"\#(phone(4))"}"#,
                ]
            ),
            (
                "bearer and x-organization-id",
                [flex + "?mapId=\(map)", "-H", "Authorization: Bearer \(key)", "-H", "X-Organization-Id: \(org)"]
                    + json + ["-d", #"{"phone":"\#(phone(5))"}"#]
            ),
            (
                "mixed",
                [flex + "?mapId=\(map)", "-H", "x-api-key: \(key)"] + json + [
                    "-d", #"{"orgId":"\#(org)","phone":"\#(phone(6))"}"#,
                ]
            ),
        ]
        for (name, arguments) in placements {
            let answer = try Curl.run(arguments)
            #expect(answer.status == 201, "\(name): \(answer.body)")
        }
        // Credentials never reach a contact.
        let stored = try fixture.contacts()
        #expect(stored.count == placements.count)
        for (_, columns) in stored {
            let text = columns.compactMap { $0 }.joined(separator: " ")
            #expect(!text.contains(key) && !text.contains(org), "\(text)")
        }
    }

    @Test func formBodiesMapLikeJSON() throws {
        let fixture = try ServeFixture()
        let answer = try Curl.run([
            fixture.url + fixture.target(), "--data-urlencode", "phone=(201) 555-0199", "--data-urlencode",
            "name=Grace Hopper",
            "--data-urlencode", "email=grace@example.com", "--data-urlencode", "tags[]=navy", "--data-urlencode",
            "tags[]=cobol",
            "--data-urlencode", "plan=pro",
        ])
        #expect(answer.status == 201, "\(answer.body)")
        let id = try #require(answer.json?["contactId"] as? Int)
        let row = try #require(try fixture.contacts()[Int64(id)])
        #expect(row[0] == "+12015550199")
        #expect(row[1] == "Grace Hopper")
        #expect(row[2] == fixture.mapId)
        #expect(row[3] == #"["navy","cobol","web"]"#)
        #expect(row[4] == #"{"plan":"pro"}"#)
        #expect(row[5] == "grace@example.com")
        // A broken escape is a 400, not a crash.
        let broken = try fixture.client.send(
            "POST", fixture.target(), headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("phone=%zz".utf8))
        #expect(broken.status == 400)
        #expect(broken.json?["reason"] as? String == "invalid-utf8")
    }

    @Test func oversizedBodiesAre413AndTheServerCarriesOn() throws {
        let fixture = try ServeFixture { $0.maxBodyBytes = 1024 }
        let big = #"{"phone":"+12015550150","name":""# + String(repeating: "z", count: 4000) + #""}"#
        // Declared by Content-Length: refused before the body is read.
        let declared = try fixture.client.post(fixture.target(), json: big)
        #expect(declared.status == 413)
        #expect(declared.json?["reason"] as? String == "record-too-large")
        // Chunked, so only counting tells: refused once past the limit.
        let chunked = try fixture.client.send(
            "POST", fixture.target(), headers: [("Content-Type", "application/json")], body: Array(big.utf8),
            chunked: true)
        #expect(chunked.status == 413)
        // Just under the limit is fine.
        let fits = try fixture.client.post(fixture.target(), json: #"{"phone":"+12015550151"}"#)
        #expect(fits.status == 201)
        #expect(try fixture.contacts().count == 1)
    }

    @Test func aSlowClientSendingItsBodyByteByByteIsServed() throws {
        let fixture = try ServeFixture { $0.http.connectionTimeoutSeconds = 2 }
        let body = Array(#"{"phone":"+12015550160","name":"Slow"}"#.utf8)
        let answer = try fixture.client.send(
            "POST", fixture.target(), headers: [("Content-Type", "application/json")], body: body, pieceSize: 1,
            pause: 0.02)
        #expect(answer.status == 201, "\(answer.body)")
        #expect(try fixture.contacts().values.contains { $0[0] == "+12015550160" })
    }

    @Test func requestAndConnectionTimeoutsCloseStalledClients() throws {
        let fixture = try ServeFixture {
            $0.requestTimeoutSeconds = 0.5
            $0.http.connectionTimeoutSeconds = 1
        }
        // Bytes keep coming, but the request takes longer than the request timeout.
        let body = Array(String(repeating: " ", count: 40).utf8) + Array(#"{"phone":"+12015550161"}"#.utf8)
        let started = Date()
        #expect(throws: (any Error).self) {
            try fixture.client.send(
                "POST", fixture.target(), headers: [("Content-Type", "application/json")], body: body, pieceSize: 1,
                pause: 0.05)
        }
        // Headers then silence: the idle timeout closes the connection.
        #expect(throws: (any Error).self) {
            try fixture.client.send(
                "POST", fixture.target(), headers: [("Content-Type", "application/json"), ("Content-Length", "100")],
                body: [],
                pieceSize: 1, pause: 0)
        }
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try fixture.contacts().isEmpty)
        #expect(fixture.server.currentStatistics.unanswered == 2)
    }
}
