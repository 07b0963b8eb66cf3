import FlexMapCore
import FlexMapIO
import Foundation
import Testing

@testable import FlexMapNet

/// `--capture`: every request as a CaptureFormat line; `--capture-redact` hides keys.
@Suite(.serialized) struct ServeCaptureTests {
    func send(_ fixture: ServeFixture) throws -> [HTTPTestClient.Answer] {
        let client = fixture.client
        let flex = WebhookRequest.flexPath
        var answers: [HTTPTestClient.Answer] = []
        answers.append(try client.post(fixture.target(), json: #"{"phone":"\#(phone(1))","name":"Q"}"#))
        answers.append(
            try client.post(
                flex + "?mapId=\(fixture.mapId)", json: #"{"phone":"\#(phone(2))"}"#,
                headers: [("x-org-id", fixture.orgId), ("x-api-key", fixture.apiKey)]))
        answers.append(
            try client.post(
                flex,
                json:
                    #"{"orgId":"\#(fixture.orgId)","apiKey":"\#(fixture.apiKey)","mapId":"\#(fixture.mapId)","phone":"555"}"#
            ))
        answers.append(
            try client.send(
                "POST", flex + "?mapId=\(fixture.mapId)&orgId=\(fixture.orgId)",
                headers: [
                    ("Authorization", "Bearer \(fixture.apiKey)"),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body: Array("phone=\(phone(1))&api_key=\(fixture.apiKey)".utf8)))
        answers.append(try client.send("GET", flex + "?apiKey=\(fixture.apiKey)"))
        _ = try client.send("GET", "/healthz")
        return answers
    }

    func lines(_ path: String) throws -> [CaptureFormat.Entry] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try CaptureFormat.decode(try JSONParser().parse(Array(line.utf8))).get()
        }
    }

    @Test func captureHoldsEveryRequestAndPredictsEveryAnswer() throws {
        let path = NSTemporaryDirectory() + "capture-\(UUID().uuidString).ndjson"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fixture = try ServeFixture { $0.capturePath = path }
        let answers = try send(fixture)
        #expect(answers.map(\.status) == [201, 201, 422, 200, 405])
        let summary = fixture.server.shutdown()
        #expect(summary.captureLines == 5)

        let entries = try lines(path)
        #expect(entries.count == 5)  // /healthz is not captured
        #expect(entries[0].path == WebhookRequest.flexPath)
        #expect(entries[0].rawQuery.contains("apiKey=\(fixture.apiKey)"))
        #expect(entries[1].headers.contains { $0.name.lowercased() == "x-api-key" })
        #expect(!entries[0].timestamp.isEmpty)
        // Offline, the core predicts what the server answered (the store decides only
        // between created and duplicate).
        let snapshot = try RegistrySnapshot.load(from: Store.open(path: fixture.storePath))
        let processor = WebhookProcessor(directory: snapshot)
        for (entry, answer) in zip(entries, answers) {
            let predicted: Int
            switch processor.process(entry.request).mapped {
            case .contact: predicted = 201
            case .problem(let reason, _):
                predicted = reason == .notAWebhookRequest && entry.method == "GET" ? 405 : reason.httpStatus
            }
            #expect(
                predicted == answer.status || (predicted == 201 && answer.status == 200),
                "\(entry.method) \(entry.path)")
        }
    }

    @Test func redactedCaptureHasNoKeyButKeepsTheRest() throws {
        let path = NSTemporaryDirectory() + "capture-\(UUID().uuidString).ndjson"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fixture = try ServeFixture {
            $0.capturePath = path
            $0.captureRedact = true
        }
        _ = try send(fixture)
        fixture.server.shutdown()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(fixture.apiKey))
        #expect(text.contains(fixture.mapId) && text.contains(fixture.orgId))
        let entries = try lines(path)
        #expect(entries.count == 5)
        #expect(entries[0].rawQuery == "orgId=\(fixture.orgId)&apiKey=REDACTED&mapId=\(fixture.mapId)")
        #expect(entries[1].headers.first { $0.name.lowercased() == "x-api-key" }?.value == "REDACTED")
        #expect(
            String(decoding: entries[3].body, as: UTF8.self)
                == "phone=%2B12012000001&api_key=REDACTED".replacingOccurrences(of: "%2B", with: "+"))
        #expect(entries[3].headers.first { $0.name == "Authorization" }?.value == "Bearer REDACTED")
        // Replayed with the key given again, the redacted lines still authenticate.
        let snapshot = try RegistrySnapshot.load(from: Store.open(path: fixture.storePath))
        let processor = WebhookProcessor(directory: snapshot, override: [.apiKey: fixture.apiKey])
        if case .contact = processor.process(entries[1].request).mapped {} else { Issue.record("line 2 does not map") }
    }

    @Test func logLinesNeverHoldTheKeyOrTheQuery() throws {
        let fixture = try ServeFixture { $0.logRequests = true }
        _ = try send(fixture)
        fixture.server.shutdown()
        let lines = fixture.events.all.compactMap { event -> String? in
            if case .request(let entry) = event { return entry.line }
            return nil
        }
        #expect(lines.count == 6)
        for line in lines {
            #expect(!line.contains(fixture.apiKey))
            #expect(!line.contains("?"))
        }
        #expect(lines[0].contains("POST /api/contacts/flex 201 created - \(fixture.mapId)"))
    }
}
