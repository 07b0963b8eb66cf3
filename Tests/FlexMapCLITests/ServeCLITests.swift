import Foundation
import Testing

/// `flexmap serve` as users run it: the built binary, curl, and signals.
@Suite(.serialized) struct ServeCLITests {
    let scratch = Scratch()

    /// A store with one organisation, key and mapping: (orgId, apiKey, mapId).
    func prepare() throws -> (String, String, String) {
        try scratch.liveStore(
            mappingJSON:
                #"{"name":"t","defaultRegion":"US","fields":[{"source":"phone","target":"phone"},{"source":"name","target":"first_name"}]}"#
        )
    }

    /// Starts `flexmap serve --port 0` and reads the URL from its first line.
    func start(_ extra: [String] = []) throws -> ServeProcess {
        let running = try scratch.runner.startServe(
            ["serve", "--db", "s.db", "--port", "0"] + extra,
            standardError: FileHandle(forWritingAtPath: "/dev/null") as Any)
        #expect(running.firstLine.hasPrefix("Listening on http://127.0.0.1:"), "\(running.firstLine)")
        return running
    }

    func stop(_ running: ServeProcess, signal: Int32 = SIGTERM) -> (status: Int32, output: String) {
        kill(running.process.processIdentifier, signal)
        let rest = running.output.fileHandleForReading.readDataToEndOfFile()
        running.process.waitUntilExit()
        return (running.process.terminationStatus, String(decoding: rest, as: UTF8.self))
    }

    func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "20", "-w", "\n%{http_code}"] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(parts.last ?? "") ?? 0, parts.dropLast().joined(separator: "\n"))
    }

    func storedCount() throws -> Int {
        let result = try scratch.runner.run(["mapping", "list", "--db", "s.db", "--json"])
        let mappings = try #require(jsonObject(result.stdout)?["mappings"] as? [[String: Any]])
        return mappings.compactMap { $0["contacts"] as? Int }.reduce(0, +)
    }

    /// When the organisation's keys were last used, as `key list --json` says (nil: never).
    func keysLastUsed(org: String) throws -> [String?] {
        let result = try scratch.runner.run(["key", "list", "--org", org, "--db", "s.db", "--json"])
        let keys = try #require(jsonObject(result.stdout)?["keys"] as? [[String: Any]])
        return keys.map { $0["lastUsedAt"] as? String }
    }

    @Test func curlWithCredentialsInEachPlacementThenSIGTERM() throws {
        let (org, key, map) = try prepare()
        #expect(try keysLastUsed(org: org) == [nil])
        let running = try start(["--capture", "traffic.ndjson", "--capture-redact"])
        let flex = running.url + "/api/contacts/flex"
        let json = ["-H", "Content-Type: application/json"]
        #expect(try curl([running.url + "/healthz"]) == (200, #"{"status":"ok"}"#))
        let answers = [
            try curl(
                [flex + "?orgId=\(org)&apiKey=\(key)&mapId=\(map)"] + json + ["-d", #"{"phone":"+12015550101"}"#]),
            try curl(
                [flex] + json + [
                    "-d", #"{"orgId":"\#(org)","apiKey":"\#(key)","mapId":"\#(map)","phone":"+12015550102"}"#,
                ]),
            try curl([
                flex, "-d", "orgId=\(org)", "-d", "apiKey=\(key)", "-d", "mapId=\(map)", "--data-urlencode",
                "phone=+12015550103",
            ]),
            try curl(
                [flex, "-H", "x-org-id: \(org)", "-H", "x-api-key: \(key)", "-H", "x-map-id: \(map)"] + json + [
                    "-d", #"{"phone":"+12015550104"}"#,
                ]),
            try curl(
                [flex + "?orgId=\(org)&apiKey=\(key)&mapId=\(map)"] + json + ["-d", #"{"phone":"+12015550104"}"#]),
            try curl([flex + "?orgId=\(org)&apiKey=nope&mapId=\(map)"] + json + ["-d", #"{"phone":"+12015550105"}"#]),
        ]
        #expect(answers.map(\.status) == [201, 201, 201, 201, 200, 401])
        let (status, output) = stop(running)
        #expect(status == 0)
        #expect(output.contains("Stopped: 7 requests answered (200: 2 · 201: 4 · 401: 1)"), "\(output)")
        #expect(output.contains("Capture: 6 requests appended to traffic.ndjson"), "\(output)")
        #expect(try storedCount() == 4)
        // The key that authenticated the requests is recorded as used.
        #expect(try keysLastUsed(org: org).map { $0?.hasPrefix("20") } == [true])
        let capture = try String(contentsOfFile: scratch.path + "/traffic.ndjson", encoding: .utf8)
        #expect(capture.split(separator: "\n").count == 6)
        #expect(!capture.contains(key))
    }

    @Test func sigtermUnderLoadLosesNothing() throws {
        let (org, key, map) = try prepare()
        let running = try start()
        var config = ""
        for index in 0..<20_000 {
            config += "url = \"\(running.url)/api/contacts/flex?orgId=\(org)&apiKey=\(key)&mapId=\(map)\"\n"
            config += "data = \"{\\\"phone\\\":\\\"+1201\(3_000_000 + index % 15_000)\\\"}\"\n"
            config +=
                "header = \"Content-Type: application/json\"\noutput = \"/dev/null\"\nwrite-out = \"%{http_code}\\n\"\n"
            if index < 19_999 { config += "next\n" }
        }
        scratch.file("load.curl", config)
        let load = Process()
        load.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        load.arguments = ["-s", "-Z", "--parallel-max", "16", "-K", "load.curl"]
        load.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let codes = Pipe()
        load.standardOutput = codes
        try load.run()
        Thread.sleep(forTimeInterval: 0.7)
        let (status, output) = stop(running)
        let text = String(decoding: codes.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        load.waitUntilExit()
        let statuses = text.split(separator: "\n")
        let created = statuses.filter { $0 == "201" }.count
        #expect(status == 0)
        #expect(created > 0, "\(output)")
        #expect(output.contains("201: \(Format.count(created))"), "\(output)")
        #expect(try storedCount() == created)
    }

    @Test func usageAndStartErrors() throws {
        let cli = scratch.runner
        for (arguments, message) in [
            (["serve", "--capture-redact"], "--capture-redact goes with --capture FILE"),
            (["serve", "--max-body", "0"], "--max-body needs a size"),
            (["serve", "--port", "70000"], "--port must be between 0 and 65535"),
            (["serve", "--threads", "0"], "--threads must be between 1 and 64"),
        ] {
            let result = try cli.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let missing = try cli.run(["serve", "--db", "none.db", "--port", "0"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("flexmap init"))
        try cli.run(["init", "--db", "s.db"])
        let badHost = try cli.run(["serve", "--db", "s.db", "--host", "example.com"])
        #expect(badHost.status == 1)
        #expect(badHost.stderr.contains("numeric IPv4 or IPv6 address"))
    }
}

/// The CLI's number format, for matching its output.
enum Format {
    static func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return out
    }
}
