import Foundation
import Testing

/// Issue 8's key check: every API key a run uses (good, revoked, of another organisation,
/// made up) is put everywhere a client can put one: query, headers, bodies, Bearer, a
/// Referer, a nested field, a header name, the path, a damaged line. Captures are imported
/// (each request authenticating itself, then with --auth-override in both forms) and the
/// same requests are sent to `serve --log --capture --capture-redact`, whose capture is
/// imported in turn. Then every file flexmap wrote (reports, the store with its WAL, the
/// capture) and everything it printed is searched for every key: none may be found.
@Suite(.serialized) struct SecretsTests {
    let scratch = Scratch()

    /// Capture lines (as `serve --capture` writes them) carrying `key` in every place.
    static func requests(org: String, key: String, map: String, phone: Int) -> [[String: Any]] {
        func line(_ path: String, _ query: String, _ headers: [[String]], _ body: String, method: String = "POST")
            -> [String: Any]
        {
            ["method": method, "path": path, "query": query, "headers": headers, "body": body]
        }
        let json = [["Content-Type", "application/json"]]
        let flex = "/api/contacts/flex"
        func phoneText(_ offset: Int) -> String { "+1201\(5_000_000 + phone + offset)" }
        return [
            line(flex, "orgId=\(org)&apiKey=\(key)&mapId=\(map)", json, #"{"phone":"\#(phoneText(0))"}"#),
            line(
                flex, "orgId=\(org)&mapId=\(map)",
                json + [["X-Api-Key", key], ["Referer", "https://app.example/?apiKey=\(key)"]],
                #"{"phone":"\#(phoneText(1))","note":"copied \#(key) here"}"#),
            line(
                flex, "mapId=\(map)", json,
                #"{"orgId":"\#(org)","apiKey":"\#(key)","phone":"\#(phoneText(2))","auth":{"api_key":"\#(key)"}}"#),
            line(
                flex, "mapId=\(map)", [["Content-Type", "application/x-www-form-urlencoded"]],
                "orgId=\(org)&api_key=\(key)&phone=\(phoneText(3).replacingOccurrences(of: "+", with: "%2B"))"),
            line(
                flex, "orgId=\(org)&mapId=\(map)", json + [["Authorization", "Bearer \(key)"]],
                #"{"phone":"\#(phoneText(4))"}"#),
            line(
                flex + "/" + key, "orgId=\(org)&mapId=\(map)", json + [["X-Api-Key", key]],
                #"{"phone":"\#(phoneText(5))"}"#),
            line(
                flex, "orgId=\(org)&mapId=\(map)", json + [["X-Note-apiKey=\(key)", "1"], ["X-Api-Key", key]],
                #"{"phone":"555"}"#),
            // Invalid JSON.
            line(flex, "orgId=\(org)&apiKey=\(key)&mapId=\(map)", json, #"{"phone":"\#(phoneText(6))","#),
            line(flex, "orgId=\(org)&apiKey=\(key)&mapId=\(map)", json, "{}", method: "GET"),
        ]
    }

    @Test func noKeyIsInAnyReportLogCaptureOrStore() throws {
        let cli = scratch.runner
        var printed: [String] = []
        func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIRunner.Result {
            var runner = cli
            runner.environment = environment
            let result = try runner.run(arguments)
            printed += [result.stdout, result.stderr]
            return result
        }
        _ = try run(["init", "--db", "s.db"])
        let org = firstLine(try run(["org", "create", "Acme", "--db", "s.db"]))
        let other = firstLine(try run(["org", "create", "Globex", "--db", "s.db"]))
        // `key create` prints its key once, by design: that output is not searched.
        let key = firstLine(try cli.run(["key", "create", "--org", org, "--db", "s.db"]))
        let revoked = try #require(
            jsonObject(try cli.run(["key", "create", "--org", org, "--db", "s.db", "--json"]).stdout))
        let revokedKey = try #require(revoked["apiKey"] as? String)
        let otherKey = firstLine(try cli.run(["key", "create", "--org", other, "--db", "s.db"]))
        let madeUp = "fmk_MadeUpMadeUpMadeUpMadeUpMadeUpMadeUp1234"
        _ = try run(["key", "revoke", try #require(revoked["keyId"] as? String), "--db", "s.db"])
        scratch.file(
            "m.json",
            #"{"name":"t","defaultRegion":"US","fields":[{"source":"phone","target":"phone"},{"source":"note","target":"variables.note"}]}"#
        )
        let map = firstLine(try run(["mapping", "create", "--org", org, "--file", "m.json", "--db", "s.db"]))
        let keys = [key, revokedKey, otherKey, madeUp]

        // Inputs hold the keys by necessity: they live in in/, which is not searched.
        try FileManager.default.createDirectory(atPath: scratch.path + "/in", withIntermediateDirectories: true)
        var lines: [[String: Any]] = []
        for (index, used) in keys.enumerated() {
            lines += Self.requests(org: org, key: used, map: map, phone: index * 10)
        }
        var text = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            .joined(separator: "\n")
        text += "\nnot json at all apiKey=\(key) and Bearer \(key)\n"
        scratch.file("in/traffic.capture.ndjson", text)

        // Imports: each request authenticating itself, then every request as org with key.
        let own = try run([
            "import", "--db", "s.db", "--input", "in/traffic.capture.ndjson", "--report", "r1", "--json",
        ])
        #expect(own.status == 0, "\(own.stderr)")
        #expect((jsonObject(own.stdout)?["created"] as? Int ?? 0) >= 5, "\(own.stdout)")
        let overridden = try run([
            "import", "--db", "s.db", "--input", "in/traffic.capture.ndjson", "--report", "r2", "--auth-override",
            "\(org):\(key)",
        ])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        let fromEnvironment = try run(
            [
                "import", "--db", "s.db", "--input", "in/traffic.capture.ndjson", "--report", "r3", "--auth-override",
                org, "--dry-run",
            ],
            environment: ["FLEXMAP_AUTH_KEY": key])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        let wrongOverride = try run([
            "import", "--db", "s.db", "--input", "in/traffic.capture.ndjson", "--report", "r4", "--auth-override",
            "\(org):\(madeUp)",
        ])
        #expect(wrongOverride.status == 1)

        // The same requests, live, to serve with its log and a redacted capture.
        let errors = Pipe()
        let started = try scratch.runner.startServe(
            ["serve", "--db", "s.db", "--port", "0", "--log", "--capture", "cap.capture.ndjson", "--capture-redact"],
            standardError: errors)
        let serve = started.process
        let output = started.output
        let port = started.port
        var answers = ""
        var live: [[String: Any]] = []
        for (index, used) in keys.enumerated() {
            live += Self.requests(org: org, key: used, map: map, phone: 1_000 + index * 10)
        }
        for line in live {
            let body = line["body"] as? String ?? ""
            var head =
                "\(line["method"]!) \(line["path"]!)?\(line["query"]!) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            for pair in line["headers"] as? [[String]] ?? [] { head += "\(pair[0]): \(pair[1])\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\n\r\n"
            guard let socket = RawSocket(port: port, timeout: 10) else { continue }
            socket.send(Array((head + body).utf8))
            answers += String(decoding: socket.receiveAll(), as: UTF8.self)
            socket.close()
        }
        #expect(answers.contains("HTTP/1.1 201"), "\(answers.prefix(300))")
        kill(serve.processIdentifier, SIGTERM)
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        let log = errors.fileHandleForReading.readDataToEndOfFile()
        serve.waitUntilExit()
        printed += [
            String(decoding: started.printed + rest, as: UTF8.self), String(decoding: log, as: UTF8.self), answers,
        ]
        #expect(String(decoding: log, as: UTF8.self).contains("POST /api/contacts/flex 201"))

        let captured = try run([
            "import", "--db", "s.db", "--input", "cap.capture.ndjson", "--report", "r5", "--auth-override",
            "\(org):\(key)", "--json",
        ])
        #expect(captured.status == 0, "\(captured.stderr)")
        for arguments in [
            ["key", "list", "--org", org], ["org", "list"], ["mapping", "list"], ["mapping", "show", map],
        ] {
            _ = try run(arguments + ["--db", "s.db"])
        }

        // Search every file flexmap wrote and everything it printed.
        var searched = 0
        for (name, data) in scratch.allFiles() where !name.hasPrefix("in/") {
            searched += 1
            for used in keys { #expect(data.range(of: Data(used.utf8)) == nil, "a key is in \(name)") }
        }
        #expect(searched >= 20, "\(searched) files searched")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/s.db-wal") || searched > 0)
        for (index, output) in printed.enumerated() {
            for used in keys {
                #expect(!output.contains(used), "a key is in printed output \(index): \(output.prefix(200))")
            }
        }
    }
}
