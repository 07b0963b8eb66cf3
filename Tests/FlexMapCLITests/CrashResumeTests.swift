import FlexMapIO
import Foundation
import Testing

/// A real SIGKILL of the real binary mid-import, then --resume: the store and counts must
/// equal those of an uninterrupted run.
@Suite(.serialized) struct CrashResumeTests {
    let scratch = Scratch()

    /// NDJSON with duplicates, bad lines and invalid phones spread through it.
    func writeInput(lines: Int) -> String {
        var text = ""
        text.reserveCapacity(lines * 60)
        let areaCodes = ["201", "212", "213", "312", "415", "617", "646", "718", "202", "305"]
        for index in 0..<lines {
            switch index % 50 {
            case 7: text += "not json \(index)\n"
            case 13: text += #"{"phone":"555-12","name":"short \#(index)"}"# + "\n"
            case 21:
                text +=
                    #"{"phone":"+1 \#(areaCodes[(index / 10) % 10]) 555 \#(String(format: "%04d", (index / 100) % 10000))","name":"dup \#(index)"}"#
                    + "\n"
            default:
                let area = areaCodes[index % 10]
                text +=
                    #"{"phone":"+1 \#(area) 555 \#(String(format: "%04d", (index / 10) % 10000))","name":"n\#(index)"}"#
                    + "\n"
            }
        }
        return scratch.file("big.ndjson", text)
    }

    func store(_ name: String) throws -> SQLiteDatabase {
        try SQLiteDatabase(path: scratch.path + "/" + name)
    }

    func dump(_ name: String) throws -> [String] {
        try store(name).prepare("SELECT org_id, phone, first_name, mapping_id FROM contacts ORDER BY id").query {
            "\($0.text(0) ?? "")|\($0.text(1) ?? "")|\($0.text(2) ?? "")|\($0.text(3) ?? "")"
        }
    }

    @Test func killNineThenResumeEqualsAnUninterruptedRun() throws {
        let cli = scratch.runner
        let input = writeInput(lines: 60_000)
        scratch.file(
            "m.json",
            #"{"name":"m","defaultRegion":"US","fields":[{"source":"phone","target":"phone"},{"source":"name","target":"first_name"}]}"#
        )
        for db in ["a.db", "b.db"] { #expect(try cli.run(["init", "--db", db]).status == 0) }
        let arguments = [
            "import", "--input", input, "--mapping", "m.json", "--batch-size", "250", "--workers", "2", "--json",
        ]

        let reference = try cli.run(arguments + ["--db", "a.db", "--report", "ra"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try #require(jsonObject(reference.stdout))

        // Start, wait until some batches are committed, kill -9.
        let process = try cli.start(arguments + ["--db", "b.db", "--report", "rb"])
        let deadline = Date().addingTimeInterval(60)
        var committed: Int64 = 0
        while Date() < deadline, process.isRunning {
            committed = (try? store("b.db").scalarInt("SELECT max(records_read) FROM runs")) ?? 0
            if committed >= 3_000 { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "the import finished before it could be killed; make the input larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let atKill = try dump("b.db").count
        #expect(atKill > 0 && atKill < (expected["created"] as? Int ?? 0))

        let resumed = try cli.run(arguments + ["--db", "b.db", "--report", "rb", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let got = try #require(jsonObject(resumed.stdout))
        for key in ["total", "created", "skipped", "invalidPhone", "rejected"] {
            #expect(got[key] as? Int == expected[key] as? Int, "\(key)")
        }
        #expect(got["reasons"] as? [String: Int] == expected["reasons"] as? [String: Int])
        #expect(got["resumed"] as? Bool == true)
        #expect(try dump("b.db") == dump("a.db"))
        // The report's row files hold every bad row exactly once, as in the uninterrupted run.
        for file in ["rejected.ndjson", "skipped.csv"] {
            let reference = FileManager.default.contents(atPath: scratch.path + "/ra/" + file)
            let afterResume = FileManager.default.contents(atPath: scratch.path + "/rb/" + file)
            #expect(reference != nil && reference == afterResume, "\(file)")
        }
        // The examples of each reason are those of the uninterrupted run too, also the ones
        // from before the kill.
        let examples = try ["ra", "rb"].map { folder in
            let markdown = try String(contentsOfFile: scratch.path + "/\(folder)/summary.md", encoding: .utf8)
            let start = try #require(markdown.range(of: "## Examples"))
            let end = try #require(markdown.range(of: "## Files"))
            return markdown[start.lowerBound..<end.lowerBound]
        }
        #expect(examples[0].contains("- line 8:"))
        #expect(examples[0] == examples[1])
        let integrity = try store("b.db").prepare("PRAGMA integrity_check").query { $0.text(0) ?? "" }
        #expect(integrity == ["ok"])
    }

    /// SIGKILL at several random points of one import (before its first commit, mid-batch,
    /// during a resume, near the end), resuming after each: at every kill the store passes
    /// `PRAGMA integrity_check` and holds exactly the contacts its last commit counted; at
    /// the end it equals an uninterrupted run's, report files included.
    @Test func killNineAtRandomPointsThenResumeEqualsAnUninterruptedRun() throws {
        let cli = scratch.runner
        let input = writeInput(lines: 40_000)
        scratch.file(
            "m.json",
            #"{"name":"m","defaultRegion":"US","fields":[{"source":"phone","target":"phone"},{"source":"name","target":"first_name"}]}"#
        )
        for db in ["a.db", "b.db"] { #expect(try cli.run(["init", "--db", db]).status == 0) }
        let arguments = [
            "import", "--input", input, "--mapping", "m.json", "--batch-size", "200", "--workers", "2", "--json",
        ]
        let started = Date()
        let reference = try cli.run(arguments + ["--db", "a.db", "--report", "ra"])
        let seconds = Date().timeIntervalSince(started)
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try #require(jsonObject(reference.stdout))

        let seed =
            UInt64(ProcessInfo.processInfo.environment["FLEXMAP_KILL_SEED"] ?? "") ?? UInt64.random(in: 1...1_000_000)
        var random = SeededGenerator(seed: seed)
        var kills = 0
        var finished: [String: Any]?
        for round in 0..<12 {
            let unfinished =
                (try? store("b.db").scalarInt("SELECT count(*) FROM runs WHERE status != 'completed'")) ?? 0
            let resume = unfinished > 0 ? ["--resume"] : []
            if round >= 6 || kills >= 5 {
                let last = try cli.run(arguments + ["--db", "b.db", "--report", "rb"] + resume)
                #expect(last.status == 0, "seed \(seed): \(last.stderr)")
                finished = jsonObject(last.stdout)
                break
            }
            // A point in what is left of the run, from its very start (before its first commit).
            let read =
                (try? store("b.db").scalarInt("SELECT max(records_read) FROM runs WHERE status != 'completed'")) ?? 0
            let left = max(0.05, 1 - Double(read) / 40_000)
            let delay = Double.random(in: 0...(seconds * left * 0.9), using: &random)
            let process = try cli.start(arguments + ["--db", "b.db", "--report", "rb"] + resume)
            Thread.sleep(forTimeInterval: delay)
            guard process.isRunning else {
                process.waitUntilExit()
                finished = [:]
                break
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            let db = try store("b.db")
            #expect(try db.prepare("PRAGMA integrity_check").query { $0.text(0) ?? "" } == ["ok"], "seed \(seed)")
            let stored = try db.scalarInt("SELECT count(*) FROM contacts") ?? -1
            let counted = try db.prepare("SELECT counts FROM runs ORDER BY id DESC LIMIT 1").query {
                jsonObject($0.text(0) ?? "")?["created"] as? Int
            }
            #expect(
                stored == Int64(counted.first.flatMap { $0 } ?? 0),
                "seed \(seed), kill \(kills) after \(delay) s: \(stored) stored")
            #expect(try db.scalarInt("SELECT count(*) - count(DISTINCT org_id || phone) FROM contacts") == 0)
        }
        #expect(kills >= 1, "seed \(seed): no kill landed")
        print("kill loop: seed \(seed), \(kills) kills")
        let got = try #require(finished, "seed \(seed)")
        if !got.isEmpty {
            for key in ["total", "created", "skipped", "invalidPhone", "rejected"] {
                #expect(got[key] as? Int == expected[key] as? Int, "seed \(seed): \(key)")
            }
        }
        #expect(try dump("b.db") == dump("a.db"), "seed \(seed)")
        for file in ["rejected.ndjson", "skipped.csv"] {
            let reference = FileManager.default.contents(atPath: scratch.path + "/ra/" + file)
            let afterKills = FileManager.default.contents(atPath: scratch.path + "/rb/" + file)
            #expect(reference != nil && reference == afterKills, "seed \(seed): \(file)")
        }
        #expect(try store("b.db").prepare("PRAGMA integrity_check").query { $0.text(0) ?? "" } == ["ok"])
    }

    @Test func sigintStopsAfterTheBatchAndSaysHowToResume() throws {
        let cli = scratch.runner
        let input = writeInput(lines: 60_000)
        scratch.file("m.json", #"{"name":"m","defaultRegion":"US","fields":[{"source":"phone","target":"phone"}]}"#)
        #expect(try cli.run(["init", "--db", "s.db"]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = [
            "import", "--input", input, "--mapping", "m.json", "--db", "s.db", "--batch-size", "250", "--report", "r",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if ((try? store("s.db").scalarInt("SELECT max(records_read) FROM runs")) ?? 0) >= 2_000 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGINT)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(message.contains("--resume"))
        let status = try store("s.db").prepare("SELECT status FROM runs").query { $0.text(0) ?? "" }
        #expect(status == ["interrupted"])
        let resumed = try cli.run([
            "import", "--input", input, "--mapping", "m.json", "--db", "s.db", "--batch-size", "250", "--resume",
            "--json",
        ])
        #expect(resumed.status == 0)
        #expect(jsonObject(resumed.stdout)?["total"] as? Int == 60_000)
    }
}

/// A small deterministic generator (SplitMix64), so a failing kill sequence can be run again
/// with FLEXMAP_KILL_SEED.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
