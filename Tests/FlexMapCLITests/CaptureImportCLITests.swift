import Foundation
import Testing

/// Issue 4's check through the built binary: the capture fixtures (a browser's HAR, a
/// GoReplay recording, serve's capture NDJSON), made live with an organisation, key and
/// mapping created through the CLI, give a known outcome per request, and no API key
/// reaches a report file, the store or the terminal.
@Suite struct CaptureImportCLITests {
    let scratch = Scratch()

    static let wrongKey = "fmk_WrongWrongWrongWrongWrongWrongWrongWrong"
    static let otherKey = "fmk_OtherOtherOtherOtherOtherOtherOtherOther"

    struct Live {
        var org: String
        var key: String
        var map: String
    }

    /// A store with one organisation, its key and the fixtures' mapping.
    func live() throws -> Live {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let org = firstLine(try cli.run(["org", "create", "Acme Forms", "--db", "s.db"]))
        let key = firstLine(try cli.run(["key", "create", "--org", org, "--db", "s.db"]))
        let map = firstLine(
            try cli.run([
                "mapping", "create", "--org", org, "--file", fixture("captures/webhook-mapping.json"), "--db", "s.db",
            ]))
        #expect(org.hasPrefix("org_") && key.hasPrefix("fmk_") && map.hasPrefix("map_"))
        return Live(org: org, key: key, map: map)
    }

    /// A copy of a fixture with its placeholders replaced. In a .gor file a body that
    /// holds a placeholder gets its Content-Length moved by the change in size, so a
    /// record stays exactly as whole (or as damaged) as the fixture has it.
    @discardableResult
    func render(_ name: String, _ live: Live, as target: String? = nil) throws -> String {
        var text = try String(contentsOfFile: fixture("captures/" + name), encoding: .utf8)
        let values = [("{{ORG}}", live.org), ("{{KEY}}", live.key), ("{{MAP}}", live.map)]
        if name.hasSuffix(".gor") {
            let separator = "\n🐵🙈🙉\n"
            text = text.components(separatedBy: separator).map { record in
                guard let blank = record.range(of: "\r\n\r\n") else { return record }
                let body = record[blank.upperBound...]
                let delta = values.reduce(0) { sum, pair in
                    sum + (body.components(separatedBy: pair.0).count - 1) * (pair.1.utf8.count - pair.0.utf8.count)
                }
                guard delta != 0, let field = record.range(of: "Content-Length: ") else { return record }
                let digits = record[field.upperBound...].prefix { $0.isNumber }
                let length = Int(digits)! + delta
                return record.replacingCharacters(
                    in: field.upperBound..<record.index(field.upperBound, offsetBy: digits.count), with: String(length))
            }.joined(separator: separator)
        }
        for (placeholder, value) in values { text = text.replacingOccurrences(of: placeholder, with: value) }
        return scratch.file(target ?? name, text)
    }

    /// The report's reason for each request it lists, by line (HAR: entry number).
    func reasons(_ report: String) throws -> [Int: String] {
        var found: [Int: String] = [:]
        let rejected = try String(contentsOfFile: scratch.path + "/" + report + "/rejected.ndjson", encoding: .utf8)
        for line in rejected.split(separator: "\n") {
            let object = try #require(jsonObject(String(line)), "not JSON: \(line)")
            let number = try #require(object["_line"] as? Int)
            #expect(found[number] == nil, "line \(number) twice")
            found[number] = object["_reason"] as? String
        }
        let skipped = try String(contentsOfFile: scratch.path + "/" + report + "/skipped.csv", encoding: .utf8)
        for line in skipped.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", maxSplits: 2)
            found[Int(cells[0])!] = String(cells[1])
        }
        return found
    }

    /// No key in any report file, the store (with its WAL) or what the command printed.
    func expectNoKeys(_ live: Live, printed: [CLIRunner.Result], inputs: Set<String>) {
        let secrets = [live.key, Self.wrongKey, Self.otherKey]
        for (name, data) in scratch.allFiles() where !inputs.contains(name) {
            for secret in secrets {
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret.prefix(8))… found in \(name)")
            }
        }
        for result in printed {
            for secret in secrets {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
            }
        }
    }

    func summary(_ result: CLIRunner.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(jsonObject(result.stdout), "\(result.stdout)\n\(result.stderr)")
    }

    @Test func browserHARExport() throws {
        let live = try live()
        try render("browser-export.har", live)
        let result = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "browser-export.har", "--report", "r", "--json",
        ])
        let counts = try summary(result)
        #expect(counts["total"] as? Int == 13)
        #expect(counts["created"] as? Int == 5)  // entries 2, 3, 4, 5 and 11
        #expect(
            try reasons("r") == [
                1: "not-a-webhook-request", 6: "auth-invalid", 7: "credentials-ambiguous", 8: "malformed-request",
                9: "unsupported-media-type", 10: "duplicate", 12: "phone-too-short", 13: "not-a-webhook-request",
            ])
        let rejected = try String(contentsOfFile: scratch.path + "/r/rejected.ndjson", encoding: .utf8)
        #expect(rejected.contains(#""_detail":"entry 7: orgId is given in the body and the header x-org-id"#))
        // Contacts carry the mapping; the form and the base64 body came through.
        let contacts = try scratch.runner.run(["mapping", "list", "--org", live.org, "--db", "s.db", "--json"])
        #expect(contacts.stdout.contains(#""contacts":5"#))
        // Saved as .json, it is still taken for a HAR.
        try render("browser-export.har", live, as: "export.har.json")
        let json = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "export.har.json", "--dry-run", "--report", "r2", "--json",
        ])
        #expect(try summary(json)["total"] as? Int == 13)
        expectNoKeys(live, printed: [result, json], inputs: ["browser-export.har", "export.har.json"])
    }

    @Test func goReplayRecording() throws {
        let live = try live()
        try render("traffic.gor", live)
        let result = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "traffic.gor", "--report", "r", "--json",
        ])
        let counts = try summary(result)
        #expect(counts["total"] as? Int == 11)  // 10 requests and a damaged record; 11 responses passed over
        #expect(counts["created"] as? Int == 4)
        #expect(
            try reasons("r") == [
                90: "auth-invalid", 108: "credentials-ambiguous", 127: "not-a-webhook-request",
                144: "malformed-request",
                150: "malformed-request", 160: "unsupported-media-type", 178: "duplicate",
            ])
        let rejected = try String(contentsOfFile: scratch.path + "/r/rejected.ndjson", encoding: .utf8)
        #expect(
            rejected.contains(
                #""_detail":"gor id 5f2a9c000008c0ffee000008: the body has 40 bytes but Content-Length says 137"#))
        #expect(rejected.contains(#""gorId":"5f2a9c000005c0ffee000005""#))
        let markdown = try String(contentsOfFile: scratch.path + "/r/summary.md", encoding: .utf8)
        #expect(markdown.contains("--format capture --auth-override ORG:YOUR_API_KEY"))
        expectNoKeys(live, printed: [result], inputs: ["traffic.gor"])

        // The same recording from standard input.
        let data = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/traffic.gor"))
        let piped = try scratch.runner.run(
            ["import", "--db", "s.db", "--input", "-", "--format", "gor", "--report", "r2", "--json", "--dry-run"],
            stdin: data)
        #expect(try summary(piped)["total"] as? Int == 11)
    }

    static let captureReasons: [Int: String] = [
        5: "auth-invalid", 6: "credentials-ambiguous", 7: "not-a-webhook-request", 8: "invalid-json",
        9: "mapping-unknown", 10: "auth-missing", 11: "phone-too-short", 12: "unsupported-media-type",
        13: "unsupported-media-type", 14: "duplicate",
    ]

    @Test func serveCaptureFile() throws {
        let live = try live()
        try render("serve-capture.ndjson", live)
        // An .ndjson file of capture lines, no mapping given: read as a capture.
        let result = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--report", "r", "--json",
        ])
        let counts = try summary(result)
        #expect(counts["total"] as? Int == 14)
        #expect(counts["created"] as? Int == 4)
        #expect(try reasons("r") == Self.captureReasons)

        // rejected.ndjson imports again as a capture: the REDACTED keys now fail as keys.
        let again = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "r/rejected.ndjson", "--format", "capture", "--report", "r2", "--json",
        ])
        let againCounts = try summary(again)
        #expect(againCounts["total"] as? Int == 9)
        expectNoKeys(live, printed: [result, again], inputs: ["serve-capture.ndjson"])
    }

    @Test func keyListShowsWhenACaptureImportLastUsedTheKey() throws {
        let live = try live()
        try render("serve-capture.ndjson", live)
        let lastUsed = {
            let result = try self.scratch.runner.run(["key", "list", "--org", live.org, "--db", "s.db", "--json"])
            let keys = try #require(jsonObject(result.stdout)?["keys"] as? [[String: Any]])
            return keys.map { $0["lastUsedAt"] as? String }
        }
        #expect(try lastUsed() == [nil])
        let input = ["--db", "s.db", "--input", "serve-capture.ndjson", "--format", "capture", "--json"]
        _ = try summary(try scratch.runner.run(["import", "--dry-run"] + input))
        #expect(try lastUsed() == [nil], "a dry run writes nothing, not even a key's last use")
        _ = try summary(try scratch.runner.run(["import"] + input))
        let used = try lastUsed()
        #expect(used.count == 1 && used[0]?.hasPrefix("20") == true, "\(used)")
        #expect(
            try scratch.runner.run(["key", "list", "--org", live.org, "--db", "s.db"]).stdout.contains(used[0] ?? "?"))
    }

    @Test func mappingFileChecksCapturedBodies() throws {
        let live = try live()
        try render("serve-capture.ndjson", live)
        let result = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--format", "capture", "--mapping",
            fixture("captures/webhook-mapping.json"), "--dry-run", "--report", "r", "--json",
        ])
        let counts = try summary(result)
        #expect(counts["created"] as? Int == 8)  // credentials play no part
        #expect(
            try reasons("r") == [
                7: "not-a-webhook-request", 8: "invalid-json", 11: "phone-too-short", 12: "unsupported-media-type",
                13: "unsupported-media-type", 14: "duplicate",
            ])
        expectNoKeys(live, printed: [result], inputs: ["serve-capture.ndjson"])
    }

    @Test func authOverrideForTrafficFromAnotherEnvironment() throws {
        let live = try live()
        // Captured in staging: another organisation and key, the same mapping.
        let staging = Live(
            org: "org_StagingStaging00", key: "fmk_StagingStagingStagingStagingStagingStag", map: live.map)
        try render("serve-capture.ndjson", staging)
        let cli = scratch.runner
        let plain = try summary(
            try cli.run([
                "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--dry-run", "--report", "r0", "--json",
            ]))
        #expect(plain["created"] as? Int == 0)

        let result = try cli.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--auth-override", "\(live.org):\(live.key)",
            "--report", "r", "--json",
        ])
        let counts = try summary(result)
        // The wrong key, the ambiguous key and the missing key are all replaced.
        #expect(counts["created"] as? Int == 7)
        #expect(
            try reasons("r") == [
                7: "not-a-webhook-request", 8: "invalid-json", 9: "mapping-unknown", 11: "phone-too-short",
                12: "unsupported-media-type", 13: "unsupported-media-type", 14: "duplicate",
            ])

        // ORG alone takes the key from the environment.
        var withEnvironment = cli
        withEnvironment.environment["FLEXMAP_AUTH_KEY"] = live.key
        let fromEnvironment = try withEnvironment.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--auth-override", live.org, "--dry-run",
            "--report", "r2", "--json",
        ])
        #expect(try summary(fromEnvironment)["skipped"] as? Int == 8)  // all stored by the run before

        // A key that is not the organisation's stops the run before it reads anything.
        let bad = try cli.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--auth-override",
            "\(live.org):\(Self.wrongKey)",
        ])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("not a live key of organisation \(live.org)"))
        expectNoKeys(live, printed: [result, fromEnvironment, bad], inputs: ["serve-capture.ndjson"])
        for (name, data) in scratch.allFiles() where name != "serve-capture.ndjson" {
            #expect(data.range(of: Data(staging.key.utf8)) == nil, "staging key found in \(name)")
        }
    }

    @Test func mapOverrideSendsEveryRequestToOneMapping() throws {
        let live = try live()
        try render("serve-capture.ndjson", live)
        // With a mapping, .ndjson means records unless --format says capture; a hint says so.
        let records = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--map", live.map, "--dry-run", "--report",
            "r0",
        ])
        #expect(records.stderr.contains("add --format capture"))
        let result = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--format", "capture", "--map", live.map,
            "--dry-run", "--report", "r", "--json",
        ])
        #expect(try summary(result)["created"] as? Int == 5)
        var expected = Self.captureReasons
        expected[9] = nil  // its unknown mapId is replaced: created
        #expect(try reasons("r") == expected)
        let unknown = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "serve-capture.ndjson", "--format", "capture", "--map", "map_nope",
        ])
        #expect(unknown.status == 1)
    }

    @Test func usageErrors() throws {
        let cases: [([String], String)] = [
            (
                ["import", "--input", "x.csv", "--mapping", "m.json", "--auth-override", "org_a:fmk_b"],
                "applies to captured requests"
            ),
            (
                ["import", "--input", "x.har", "--mapping", "m.json", "--auth-override", "org_a:fmk_b"],
                "does not go with --mapping"
            ),
            (["import", "--input", "x.har", "--auth-override", ":fmk_b"], "needs ORG:KEY"),
            (["import", "--input", "x.har", "--auth-override", "org_a:"], "the key after the colon is empty"),
            (["import", "--input", "x.gor", "--org", "org_a"], "--org goes with --mapping"),
            (["import", "--input", "x.csv"], "missing the mapping"),
            (["import", "--input", "-"], "--format csv, ndjson, har, gor or capture"),
            (["import", "--input", "x.bin"], "add --format csv, ndjson, har, gor or capture"),
            (["import", "--input", "x.har", "--auth-override", "org_a", "fmk_b"], "an API key, not shown"),
        ]
        for (arguments, message) in cases {
            let result = try scratch.runner.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("fmk_b"), "\(arguments)")
        }
    }
}
