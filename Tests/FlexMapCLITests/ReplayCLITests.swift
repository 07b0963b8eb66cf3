import Foundation
import Testing

/// `flexmap replay` as users run it: the built binary against `flexmap serve` (also the
/// built binary) on a free loopback port, on one store, with our own records and
/// captures. Verify must find no mismatch, the store must hold what the 201 answers
/// say, and no API key may reach the terminal or a report file.
@Suite(.serialized) struct ReplayCLITests {
    let scratch = Scratch()

    struct Live {
        var org: String
        var key: String
        var forms: String
        var hubspot: String
        var captures: String
    }

    struct Server {
        let process: Process
        let url: String
    }

    /// A store with an organisation, a key and the three mappings the fixtures need.
    func live() throws -> Live {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let org = firstLine(try cli.run(["org", "create", "Acme", "--db", "s.db"]))
        let key = firstLine(try cli.run(["key", "create", "--org", org, "--db", "s.db"]))
        func mapping(_ file: String) throws -> String {
            firstLine(try cli.run(["mapping", "create", "--org", org, "--file", fixture(file), "--db", "s.db"]))
        }
        return Live(
            org: org, key: key, forms: try mapping("mappings/form-leads.json"),
            hubspot: try mapping("mappings/hubspot.json"),
            captures: try mapping("captures/webhook-mapping.json"))
    }

    /// `flexmap serve --port 0` on the store (started after the mappings exist, so its
    /// first registry load has them).
    func serve() throws -> Server {
        let server = try scratch.runner.startServe(
            ["serve", "--db", "s.db", "--port", "0", "--threads", "2"],
            standardError: FileHandle(forWritingAtPath: "/dev/null") as Any)
        #expect(server.firstLine.hasPrefix("Listening on http://127.0.0.1:"), "\(server.firstLine)")
        // Keep reading its output so a full pipe never blocks it.
        DispatchQueue.global().async { _ = server.output.fileHandleForReading.readDataToEndOfFile() }
        return Server(process: server.process, url: server.url)
    }

    func stop(_ server: Server) {
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
    }

    func contacts() throws -> Int {
        let result = try scratch.runner.run(["mapping", "list", "--db", "s.db", "--json"])
        let mappings = try #require(jsonObject(result.stdout)?["mappings"] as? [[String: Any]])
        return mappings.compactMap { $0["contacts"] as? Int }.reduce(0, +)
    }

    /// A capture fixture with its placeholders replaced (a .gor record's Content-Length
    /// moves with its body, as in CaptureImportCLITests).
    func render(_ name: String, _ live: Live) throws -> String {
        var text = try String(contentsOfFile: fixture("captures/" + name), encoding: .utf8)
        let values = [("{{ORG}}", live.org), ("{{KEY}}", live.key), ("{{MAP}}", live.captures)]
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
                return record.replacingCharacters(
                    in: field.upperBound..<record.index(field.upperBound, offsetBy: digits.count),
                    with: String(Int(digits)! + delta))
            }.joined(separator: separator)
        }
        for (placeholder, value) in values { text = text.replacingOccurrences(of: placeholder, with: value) }
        return scratch.file(name, text)
    }

    /// Every file under `report`, as text.
    func reportFiles(_ report: String) throws -> [(String, String)] {
        let folder = scratch.path + "/" + report
        return try FileManager.default.contentsOfDirectory(atPath: folder).map {
            ($0, try String(contentsOfFile: folder + "/" + $0, encoding: .utf8))
        }
    }

    static let secrets = [
        "fmk_WrongWrongWrongWrongWrongWrongWrongWrong", "fmk_OtherOtherOtherOtherOtherOtherOtherOther",
    ]

    @Test func recordsAndCapturesAgreeWithServeAndTheStoreHoldsThe201s() throws {
        let live = try live()
        let server = try serve()
        defer { stop(server) }
        let runner = CLIRunner(
            directory: scratch.path, environment: ["FLEXMAP_ORG": live.org, "FLEXMAP_KEY": live.key])
        var created = 0
        let runs: [(input: String, map: String?, extra: [String])] = [
            (fixture("demo/form-leads.ndjson"), live.forms, ["--concurrency", "32"]),
            (fixture("demo/hubspot-contacts.csv"), live.hubspot, ["--concurrency", "16", "--auth", "query"]),
            (fixture("demo/hubspot-contacts.csv"), live.hubspot, ["--rate", "500", "--auth", "body"]),
            (try render("serve-capture.ndjson", live), nil, ["--concurrency", "8"]),
            (try render("browser-export.har", live), nil, ["--speed", "100x"]),
            (try render("traffic.gor", live), nil, ["--concurrency", "4"]),
        ]
        for (index, run) in runs.enumerated() {
            var arguments = [
                "replay", "--db", "s.db", "--input", run.input, "--target", server.url, "--verify", "--json",
            ]
            arguments += ["--report", "r\(index)"] + run.extra
            var environment = runner.environment
            if let map = run.map { environment["FLEXMAP_MAP"] = map } else { environment = [:] }
            let result = try CLIRunner(directory: scratch.path, environment: environment).run(arguments)
            #expect(result.status == 0, "\(run.input): \(result.stderr)")
            let summary = try #require(jsonObject(result.stdout), "\(result.stdout)")
            #expect(summary["mismatches"] as? Int == 0, "\(run.input)")
            let statuses = try #require(summary["statusCounts"] as? [String: Int])
            #expect(statuses.values.reduce(0, +) == summary["requests"] as? Int)
            created += statuses["201"] ?? 0
            let latency = try #require(summary["latencyMs"] as? [String: Double])
            let ordered = ["p50", "p90", "p99", "p99.9", "max"].map { latency[$0] ?? -1 }
            #expect(ordered.allSatisfy { $0 >= 0 } && ordered == ordered.sorted(), "\(latency)")
            #expect(
                summary["errors"] as? [String: Int] == ["connect": 0, "timeout": 0, "reset": 0, "tls": 0, "other": 0])
            for (name, text) in try reportFiles("r\(index)") {
                for secret in [live.key] + Self.secrets {
                    #expect(!text.contains(secret), "\(name) of \(run.input) holds a key")
                }
            }
            for secret in [live.key] + Self.secrets { #expect(!(result.stdout + result.stderr).contains(secret)) }
        }
        #expect(created > 40)
        #expect(try contacts() == created, "the store holds exactly the contacts the 201 answers announced")
    }

    @Test func humanOutputAndReportWithTheKeyOnTheCommandLine() throws {
        let live = try live()
        let server = try serve()
        defer { stop(server) }
        let result = try scratch.runner.run([
            "replay", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--target", server.url, "--org",
            live.org,
            "--key", live.key, "--map", live.forms, "--verify", "--retries", "2", "--report", "out",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("flexmap replay: 44 requests to \(server.url)/api/contacts/flex"))
        #expect(result.stdout.contains("0 mismatches"))
        #expect(result.stdout.contains("Report: out/report.html"))
        #expect(!(result.stdout + result.stderr).contains(live.key))
        let files = Set(try reportFiles("out").map(\.0))
        #expect(files == ["summary.json", "summary.md", "report.html", "requests.ndjson", "mismatches.ndjson"])
        let html = try String(contentsOfFile: scratch.path + "/out/report.html", encoding: .utf8)
        #expect(html.contains("<svg class=\"chart latency-chart\""))
        #expect(html.contains("<svg class=\"chart timeline-chart\""))
        #expect(!html.contains("<script"))
        let lines = try String(contentsOfFile: scratch.path + "/out/requests.ndjson", encoding: .utf8).split(
            separator: "\n")
        #expect(lines.count == 44)
        for line in lines {
            let object = try #require(jsonObject(String(line)))
            for field in ["index", "status", "latencyMs", "attempt", "reason"] {
                #expect(object.keys.contains(field), "\(field)")
            }
        }
    }

    @Test func dryRunPrintsThePlanAndSendsNothing() throws {
        let live = try live()
        let environment = ["FLEXMAP_ORG": live.org, "FLEXMAP_KEY": live.key, "FLEXMAP_MAP": live.forms]
        let runner = CLIRunner(directory: scratch.path, environment: environment)
        // Nothing listens on port 9: a dry run never connects.
        let result = try runner.run([
            "replay", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--target", "http://127.0.0.1:9",
            "--rate", "20", "--verify", "--dry-run",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("DRY RUN (nothing sent)"))
        #expect(result.stdout.contains("requests    44"))
        #expect(result.stdout.contains("about 2.20 s"))
        #expect(result.stdout.contains("predicted   created: "))
        #expect(result.stdout.contains("x-api-key: REDACTED"))
        #expect(!result.stdout.contains(live.key))
        let json = try runner.run([
            "replay", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--target", "http://127.0.0.1:9",
            "--concurrency", "4", "--dry-run", "--json", "--max-requests", "10",
        ])
        let plan = try #require(jsonObject(json.stdout))
        #expect(plan["requests"] as? Int == 10)
        #expect(plan["model"] as? String == "closed")
        // --url, as other load tools call it, is --target.
        let url = try runner.run([
            "replay", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--url", "http://127.0.0.1:9",
            "--concurrency", "4", "--dry-run", "--json", "--max-requests", "10",
        ])
        #expect(url.stdout == json.stdout, "\(url.stderr)")
        let twice = try runner.run(["replay", "--input", "x.csv", "--url", "http://a", "--target", "http://b"])
        #expect(twice.status == 2 && twice.stderr.contains("--target is given twice"), "\(twice.stderr)")
        #expect(try contacts() == 0)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/reports"), "a dry run writes no report")
    }

    @Test func thresholdsFailWith3() throws {
        let live = try live()
        let server = try serve()
        defer { stop(server) }
        let environment = ["FLEXMAP_ORG": live.org, "FLEXMAP_KEY": live.key, "FLEXMAP_MAP": live.forms]
        let runner = CLIRunner(directory: scratch.path, environment: environment)
        let base = ["replay", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--report", "t", "--quiet"]
        let slow = try runner.run(base + ["--target", server.url, "--max-p99", "0.001"])
        #expect(slow.status == 3)
        #expect(slow.stderr.contains("p99 latency"))
        let passing = try runner.run(base + ["--target", server.url, "--max-p99", "60000", "--max-error-rate", "0%"])
        #expect(passing.status == 0, "\(passing.stderr)")
        // Nothing listens on port 9: every request fails to connect.
        let dead = try runner.run(base + ["--target", "http://127.0.0.1:9", "--max-error-rate", "1%", "--json"])
        #expect(dead.status == 3)
        let summary = try #require(jsonObject(dead.stdout))
        #expect((summary["errors"] as? [String: Int])?["connect"] == 44)
        #expect(dead.stderr.contains("error rate 100.0% is above --max-error-rate 1.0%"))
    }

    @Test func usageErrorsExitWith2() throws {
        let runner = CLIRunner(directory: scratch.path)
        let input = scratch.file("r.ndjson", #"{"phone":"+12015550123"}"# + "\n")
        let target = "http://127.0.0.1:9"
        let credentials = ["--org", "org_1", "--key", "fmk_TopSecretTopSecretTopSecret", "--map", "map_1"]
        let cases: [([String], String)] = [
            (["replay", "--target", target], "missing --input"),
            (["replay", "--input", input], "missing --target"),
            (["replay", "--input", input, "--target", "127.0.0.1:8080"], "http:// or https:// URL"),
            (["replay", "--input", input, "--target", target], "records need orgId, apiKey and mapId"),
            (
                ["replay", "--input", input, "--target", target, "--auth", "cookie"] + credentials,
                "--auth takes header, query or body"
            ),
            (
                ["replay", "--input", input, "--target", target, "--speed", "2x"] + credentials,
                "--speed keeps the recorded gaps"
            ),
            (
                ["replay", "--input", input, "--target", target, "--rate", "10", "--speed", "2"] + credentials,
                "not both"
            ),
            (
                ["replay", "--input", input, "--target", target, "--loop"] + credentials,
                "add --duration or --max-requests"
            ),
            (
                ["replay", "--input", input, "--target", target, "--duration", "soon"] + credentials,
                "--duration takes a time"
            ),
            (["replay", "--input", input, "--target", target, "--max-error-rate", "150%"] + credentials, "at most 1"),
            (
                ["replay", "--input", input, "--target", target, "--trust-key"] + credentials,
                "--trust-key goes with --verify"
            ),
            (
                ["replay", "--input", input, "--target", target, "fmk_TopSecretTopSecretTopSecret"],
                "an API key, not shown"
            ),
        ]
        for (arguments, message) in cases {
            let result = try runner.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("fmk_TopSecret"), "\(arguments)")
        }
        // The mapId can come from the webhook URL itself.
        let fromURL = try runner.run(
            [
                "replay", "--input", input, "--target", target + "/api/contacts/flex?mapId=map_9", "--org", "o",
                "--key", "k", "--dry-run",
            ])
        #expect(fromURL.status == 0, "\(fromURL.stderr)")
        #expect(fromURL.stdout.contains("mapId map_9 in the query"))
    }

    @Test func verifyWithoutAStoreFailsWith1() throws {
        let input = scratch.file("r.ndjson", #"{"phone":"+12015550123"}"# + "\n")
        let result = try scratch.runner.run([
            "replay", "--db", "none.db", "--input", input, "--target", "http://127.0.0.1:9", "--org", "o", "--key", "k",
            "--map", "m", "--verify",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("flexmap init"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func progressOnATerminalAndCtrlCStopsWithAReport() throws {
        let live = try live()
        let server = try serve()
        defer { stop(server) }
        let arguments = [
            CLIRunner.binary, "replay", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--target",
            server.url,
            "--org", live.org, "--key", live.key, "--map", live.forms, "--rate", "100", "--loop", "--duration", "1",
            "--report", "tty",
        ]
        // On a terminal (script gives it one): the progress line, redrawn in place.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", arguments.map { "'\($0)'" }.joined(separator: " "), "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let terminal = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(terminal.contains("\u{1B}[2K"))
        #expect(terminal.contains(" requests · "))
        #expect(terminal.contains("in flight"))
        #expect(!terminal.contains(live.key))

        // Ctrl-C: nothing new leaves, the requests in flight end, the report is written, exit 1.
        let long = Process()
        long.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        long.arguments = Array(arguments.dropFirst()).map { $0 == "1" ? "60" : ($0 == "tty" ? "stopped" : $0) }
        long.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        long.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let errors = Pipe()
        long.standardError = errors
        try long.run()
        Thread.sleep(forTimeInterval: 1.0)
        kill(long.processIdentifier, SIGINT)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        long.waitUntilExit()
        #expect(long.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("stopped before the end"))
        let summary = try #require(
            jsonObject(try String(contentsOfFile: scratch.path + "/stopped/summary.json", encoding: .utf8)))
        #expect(summary["interrupted"] as? Bool == true)
        let requests = try #require(summary["requests"] as? Int)
        #expect(requests > 0 && requests < 6000)
    }
}
