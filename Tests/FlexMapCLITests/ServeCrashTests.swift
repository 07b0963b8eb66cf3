import FlexMapIO
import Foundation
import Testing

/// kill -9 of `flexmap serve` under load, several times, restarting it after each: the
/// store passes `PRAGMA integrity_check`, holds every contact it answered 201 or 200
/// for, and no duplicate; clients that retry what got no answer end with every contact
/// stored exactly once.
@Suite(.serialized) struct ServeCrashTests {
    let scratch = Scratch()

    func prepare() throws -> (String, String, String) {
        try scratch.liveStore(
            mappingJSON: #"{"name":"t","defaultRegion":"US","fields":[{"source":"phone","target":"phone"}]}"#)
    }

    func start() throws -> (Process, String) {
        let server = try scratch.runner.startServe(["serve", "--db", "s.db", "--port", "0"])
        return (server.process, server.url)
    }

    static func phone(_ index: Int) -> String { "+1201\(4_000_000 + index)" }

    /// Sends one request per index with curl (16 at a time); returns index → status (0:
    /// no answer).
    func send(_ indexes: [Int], to url: String, _ credentials: (String, String, String), name: String) throws -> [Int:
        Int]
    {
        let (org, key, map) = credentials
        var config = ""
        for (position, index) in indexes.enumerated() {
            config += "url = \"\(url)/api/contacts/flex?orgId=\(org)&apiKey=\(key)&mapId=\(map)&n=\(index)\"\n"
            config += "data = \"{\\\"phone\\\":\\\"\(Self.phone(index))\\\"}\"\n"
            config += "header = \"Content-Type: application/json\"\noutput = \"/dev/null\"\n"
            config += "write-out = \"%{http_code} %{url_effective}\\n\"\n"
            if position < indexes.count - 1 { config += "next\n" }
        }
        scratch.file(name, config)
        let load = Process()
        load.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        load.arguments = ["-s", "-Z", "--parallel-max", "16", "--max-time", "20", "-K", name]
        load.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let codes = Pipe()
        load.standardOutput = codes
        load.standardError = FileHandle.nullDevice
        try load.run()
        let text = String(decoding: codes.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        load.waitUntilExit()
        var statuses: [Int: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let status = Int(parts[0]), let mark = parts[1].range(of: "&n="),
                let index = Int(parts[1][mark.upperBound...])
            else { continue }
            statuses[index] = status
        }
        return statuses
    }

    func storedPhones() throws -> [String] {
        let db = try SQLiteDatabase(path: scratch.path + "/s.db")
        return try db.prepare("SELECT phone FROM contacts").query { $0.text(0) ?? "" }
    }

    func integrity() throws -> [String] {
        try SQLiteDatabase(path: scratch.path + "/s.db").prepare("PRAGMA integrity_check").query { $0.text(0) ?? "" }
    }

    @Test func killNineUnderLoadLosesNoAnsweredContactAndDoublesNone() throws {
        let credentials = try prepare()
        let perRound = 3_000
        var acknowledged: Set<Int> = []
        var unanswered: [Int] = []
        var killsThatLanded = 0
        let seed =
            UInt64(ProcessInfo.processInfo.environment["FLEXMAP_KILL_SEED"] ?? "") ?? UInt64.random(in: 1...1_000_000)
        var random = SeededGenerator(seed: seed)
        for round in 0..<4 {
            let (server, url) = try start()
            let indexes = unanswered + Array((round * perRound)..<((round + 1) * perRound))
            // Kill it while curl is sending: once a random share of this round is stored.
            let before = try storedPhones().count
            let target = before + Int.random(in: (perRound / 10)...(perRound * 8 / 10), using: &random)
            let path = scratch.path + "/s.db"
            let killer = Thread {
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline {
                    let count = (try? SQLiteDatabase(path: path).scalarInt("SELECT count(*) FROM contacts")) ?? 0
                    if count >= target { break }
                    usleep(10_000)
                }
                kill(server.processIdentifier, SIGKILL)
            }
            killer.start()
            let statuses = try send(indexes, to: url, credentials, name: "load\(round).curl")
            server.waitUntilExit()
            for index in indexes {
                switch statuses[index] ?? 0 {
                case 201, 200: acknowledged.insert(index)
                default: break
                }
            }
            unanswered = indexes.filter { !acknowledged.contains($0) }
            if !unanswered.isEmpty { killsThatLanded += 1 }
            print("serve kill round \(round) (seed \(seed)): \(indexes.count) sent, \(unanswered.count) unanswered")

            #expect(try integrity() == ["ok"], "round \(round)")
            let stored = try storedPhones()
            #expect(Set(stored).count == stored.count, "round \(round): a contact is stored twice")
            let storedSet = Set(stored)
            let lost = acknowledged.filter { !storedSet.contains(Self.phone($0)) }
            #expect(lost.isEmpty, "round \(round): \(lost.count) contacts answered 201/200 are not in the store")
        }
        #expect(killsThatLanded >= 3, "seed \(seed): \(killsThatLanded) kills landed while requests were in flight")

        // The clients retry everything once more: each contact ends stored exactly once.
        let (server, url) = try start()
        let all = Array(0..<(4 * perRound))
        let statuses = try send(all, to: url, credentials, name: "retry.curl")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let bad = all.filter { ![200, 201].contains(statuses[$0] ?? 0) }
        #expect(bad.isEmpty, "\(bad.count) retries not answered 200 or 201")
        let stored = try storedPhones()
        #expect(stored.count == all.count)
        #expect(Set(stored) == Set(all.map(Self.phone)))
        #expect(try integrity() == ["ok"])
    }
}
