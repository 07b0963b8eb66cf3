import Foundation
import Testing
import FlexMapIO

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
            case 21: text += #"{"phone":"+1 \#(areaCodes[(index / 10) % 10]) 555 \#(String(format: "%04d", (index / 100) % 10000))","name":"dup \#(index)"}"# + "\n"
            default:
                let area = areaCodes[index % 10]
                text += #"{"phone":"+1 \#(area) 555 \#(String(format: "%04d", (index / 10) % 10000))","name":"n\#(index)"}"# + "\n"
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
        scratch.file("m.json", #"{"name":"m","defaultRegion":"US","fields":[{"source":"phone","target":"phone"},{"source":"name","target":"first_name"}]}"#)
        for db in ["a.db", "b.db"] { #expect(try cli.run(["init", "--db", db]).status == 0) }
        let arguments = ["import", "--input", input, "--mapping", "m.json", "--batch-size", "250", "--workers", "2", "--json"]

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
        let integrity = try store("b.db").prepare("PRAGMA integrity_check").query { $0.text(0) ?? "" }
        #expect(integrity == ["ok"])
    }

    @Test func sigintStopsAfterTheBatchAndSaysHowToResume() throws {
        let cli = scratch.runner
        let input = writeInput(lines: 60_000)
        scratch.file("m.json", #"{"name":"m","defaultRegion":"US","fields":[{"source":"phone","target":"phone"}]}"#)
        #expect(try cli.run(["init", "--db", "s.db"]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["import", "--input", input, "--mapping", "m.json", "--db", "s.db", "--batch-size", "250", "--report", "r"]
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
        let resumed = try cli.run(["import", "--input", input, "--mapping", "m.json", "--db", "s.db", "--batch-size", "250", "--resume", "--json"])
        #expect(resumed.status == 0)
        #expect(jsonObject(resumed.stdout)?["total"] as? Int == 60_000)
    }
}
