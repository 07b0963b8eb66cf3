import FlexMapCore
import Foundation
import Testing

@testable import FlexMapIO

/// Captured requests through the engine: authenticated against a real registry, one
/// outcome per request, reports that name each one and hold no key.
@Suite struct CaptureImportTests {
    let folder = TemporaryFolder()

    struct Setup {
        let store: Store
        let org: String
        let key: String
        let map: String
    }

    func setup() throws -> Setup {
        let store = try Store.create(path: folder.path + "/store.db")
        let registry = Registry(store: store)
        let org = try registry.createOrganisation(name: "Acme").id
        let key = try registry.createKey(org: org).apiKey
        let map = try registry.createMapping(org: org, mapping: try simpleMapping()).id
        return Setup(store: store, org: org, key: key, map: map)
    }

    func line(
        _ s: Setup, query: String = "", headers: [(String, String)] = [("Content-Type", "application/json")],
        body: String, method: String = "POST"
    ) -> String {
        CaptureFormat.encode(
            CaptureFormat.Entry(
                timestamp: "2026-01-05T10:00:00.000Z", method: method, path: "/api/contacts/flex", rawQuery: query,
                headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8)))
    }

    func lines(_ s: Setup) -> [String] {
        [
            line(
                s, query: "orgId=\(s.org)&apiKey=\(s.key)&mapId=\(s.map)",
                body: #"{"phone":"+12015550101","name":"Query"}"#),
            line(
                s,
                headers: [
                    ("Content-Type", "application/json; charset=utf-8"), ("X-Org-Id", s.org), ("X-Api-Key", s.key),
                    ("X-Map-Id", s.map),
                ],
                body: #"{"phone":"+12015550102"}"#),
            line(s, body: #"{"orgId":"\#(s.org)","apiKey":"\#(s.key)","mapId":"\#(s.map)","phone":"+12015550103"}"#),
            line(
                s, query: "mapId=\(s.map)", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "orgId=\(s.org)&apiKey=\(s.key)&phone=%2B12015550104&name=Form+Body"),
            line(
                s, query: "orgId=\(s.org)&apiKey=fmk_wrongwrongwrongwrong&mapId=\(s.map)",
                body: #"{"phone":"+12015550105"}"#),
            line(
                s, query: "orgId=\(s.org)&apiKey=\(s.key)&mapId=\(s.map)",
                headers: [("Content-Type", "application/json"), ("X-Api-Key", "fmk_someoneelsesomeoneelse")],
                body: #"{"phone":"+12015550106"}"#),
            line(s, query: "orgId=\(s.org)&apiKey=\(s.key)&mapId=\(s.map)", headers: [], body: "", method: "GET"),
            #"{"method":"POST","path":"/api/contacts/flex?apiKey=\#(s.key)","body":"{\"pho"#,
            line(s, query: "orgId=\(s.org)&apiKey=\(s.key)&mapId=\(s.map)", body: #"{"phone":"+12015550101"}"#),
            line(
                s, query: "orgId=\(s.org)&apiKey=\(s.key)&mapId=\(s.map)", headers: [("Content-Type", "text/plain")],
                body: "hi"),
        ]
    }

    static let expected: [Int: Reason] = [
        5: .authInvalid, 6: .credentialsAmbiguous, 7: .notAWebhookRequest, 8: .invalidJSON, 9: .duplicate,
        10: .unsupportedMediaType,
    ]

    /// `_line` → `_reason` of rejected.ndjson, plus line → reason of skipped.csv.
    func reasons(_ directory: String) throws -> [Int: Reason] {
        var found: [Int: Reason] = [:]
        let rejected = try String(contentsOfFile: directory + "/rejected.ndjson", encoding: .utf8)
        for text in rejected.split(separator: "\n") {
            let object = try #require(try JSONParser().parse(String(text)).objectValue)
            guard case .int(let line)? = object["_line"], case .string(let reason)? = object["_reason"] else {
                Issue.record("no _line/_reason: \(text)")
                continue
            }
            found[Int(line)] = Reason(rawValue: reason)
        }
        let skipped = try String(contentsOfFile: directory + "/skipped.csv", encoding: .utf8)
        for text in skipped.split(separator: "\n").dropFirst() {
            let cells = text.split(separator: ",", maxSplits: 2)
            found[Int(cells[0])!] = Reason(rawValue: String(cells[1]))
        }
        return found
    }

    func everyFile(under path: String) -> [(String, Data)] {
        let enumerator = FileManager.default.enumerator(atPath: path)
        var files: [(String, Data)] = []
        while let name = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: path + "/" + name) { files.append((name, data)) }
        }
        return files
    }

    @Test func eachRequestGetsTheEndpointsOutcome() throws {
        let s = try setup()
        let input = folder.file("in.capture.ndjson", lines(s).joined(separator: "\n") + "\n")
        let processor = WebhookProcessor(directory: try RegistrySnapshot.load(from: s.store))
        let result = try ImportEngine(store: s.store).run(
            ImportRequest(
                input: input, format: .capture, processor: processor, workers: 2, batchSize: 3,
                reportDirectory: folder.path + "/report"))
        #expect(result.summary.total == 10)
        #expect(result.summary.created == 4)
        #expect(try reasons(folder.path + "/report") == Self.expected)
        let names = try s.store.database.prepare(
            "SELECT first_name FROM contacts WHERE first_name IS NOT NULL ORDER BY phone"
        )
        .query { $0.text(0) ?? "" }
        #expect(names == ["Query", "Form Body"])
        // Every report file and the store (with its WAL); the input itself holds the keys.
        for (name, data) in everyFile(under: folder.path) where !name.hasPrefix("in.") {
            for secret in [s.key, "fmk_wrongwrongwrongwrong", "fmk_someoneelsesomeoneelse"] {
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret.prefix(8))… found in \(name)")
            }
        }
        // The rejected lines import again as captures.
        let again = try readAll(
            try CaptureReader(source: try ByteSource(path: folder.path + "/report/rejected.ndjson")))
        #expect(again.count == 5)
        #expect(again.filter { $0.request != nil }.count == 4)
    }

    @Test func authOverrideReplacesOrgAndKey() throws {
        let s = try setup()
        let foreign = line(
            s, query: "orgId=org_staging&apiKey=fmk_stagingstagingstaging&mapId=\(s.map)",
            body: #"{"phone":"+12015550111"}"#)
        let input = folder.file("staging.capture.ndjson", foreign + "\n")
        let directory = try RegistrySnapshot.load(from: s.store)
        let plain = try ImportEngine(store: s.store).run(
            ImportRequest(
                input: input, format: .capture, processor: WebhookProcessor(directory: directory), dryRun: true,
                reportDirectory: folder.path + "/a"))
        #expect(plain.summary.reasons == [.authInvalid: 1])
        let overridden = try ImportEngine(store: s.store).run(
            ImportRequest(
                input: input, format: .capture,
                processor: WebhookProcessor(directory: directory, override: [.orgId: s.org, .apiKey: s.key]),
                reportDirectory: folder.path + "/b"))
        #expect(overridden.summary.created == 1)
        #expect(try s.store.count("SELECT count(*) FROM contacts WHERE org_id = '\(s.org)'") == 1)
    }

    @Test func aMappingFileChecksTheBodiesOnly() throws {
        let s = try setup()
        let input = folder.file("in.capture.ndjson", lines(s).joined(separator: "\n"))
        let result = try ImportEngine(store: s.store).run(
            ImportRequest(
                input: input, format: .capture, mapping: try simpleMapping(), orgId: s.org, mappingId: "file:m.json",
                dryRun: true, reportDirectory: folder.path + "/r"))
        // Credentials play no part: the wrong key and the ambiguous request map too.
        #expect(result.summary.created == 6)
        let found = try reasons(folder.path + "/r")
        #expect(found == [7: .notAWebhookRequest, 8: .invalidJSON, 9: .duplicate, 10: .unsupportedMediaType])
    }

    @Test func resumedGorImportEqualsAnUninterruptedOne() throws {
        let s = try setup()
        var records: [String] = []
        for index in 0..<40 {
            let body = #"{"phone":"+1201555\#(String(format: "%04d", index))"}"#
            records.append(
                "1 id\(index) \(1_767_607_200_000_000_000 + index)\nPOST /api/contacts/flex?orgId=\(s.org)&apiKey=\(s.key)&mapId=\(s.map) HTTP/1.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count + (index % 9 == 4 ? 5 : 0))\r\n\r\n\(body)\n🐵🙈🙉\n"
            )
            records.append("2 id\(index) 1 1\nHTTP/1.1 201 Created\r\n\r\n\n🐵🙈🙉\n")
        }
        let input = folder.file("t.gor", records.joined())
        let processor = WebhookProcessor(directory: try RegistrySnapshot.load(from: s.store))
        func request(_ report: String, resume: Bool = false) -> ImportRequest {
            ImportRequest(
                input: input, format: .gor, processor: processor, workers: 2, batchSize: 7,
                reportDirectory: folder.path + "/" + report, resume: resume)
        }
        let cancel = CancellationFlag()
        var batches = 0
        let first = try ImportEngine(store: s.store).run(request("r"), cancel: cancel) { _ in
            batches += 1
            if batches == 2 { cancel.cancel() }
        }
        #expect(first.interrupted)
        let second = try ImportEngine(store: s.store).run(request("r", resume: true))
        #expect(second.summary.total == 40)
        #expect(second.summary.reasons == [.malformedRequest: 4])

        // The same records in one go, as a dry run.
        let whole = try ImportEngine(store: s.store).run(
            ImportRequest(
                input: input, format: .gor, processor: processor, dryRun: true, reportDirectory: folder.path + "/whole")
        )
        #expect(whole.summary.reasons[.malformedRequest] == 4)
        #expect(
            try String(contentsOfFile: folder.path + "/r/rejected.ndjson", encoding: .utf8)
                == String(contentsOfFile: folder.path + "/whole/rejected.ndjson", encoding: .utf8))
    }
}
