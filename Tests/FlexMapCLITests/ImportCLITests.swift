import Foundation
import Testing

/// `flexmap import` as a user runs it: fixtures, standard input, dry runs, reports.
@Suite struct ImportCLITests {
    let scratch = Scratch()

    func lines(_ path: String) -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init) ?? []
    }

    @Test func csvFixtureAccountsForEveryRowAndKeepsBadRowsVerbatim() throws {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let input = fixture("demo/hubspot-contacts.csv")
        let result = try cli.run([
            "import", "--db", "s.db", "--input", input, "--mapping", fixture("mappings/hubspot.json"), "--report", "r",
            "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(jsonObject(result.stdout))
        let total = try #require(summary["total"] as? Int)
        let parts = ["created", "skipped", "invalidPhone", "rejected"].compactMap { summary[$0] as? Int }
        #expect(parts.reduce(0, +) == total)
        let reasons = try #require(summary["reasons"] as? [String: Int])
        for reason in [
            "too-few-fields", "too-many-fields", "invalid-utf8", "field-too-long", "unterminated-quote", "duplicate",
            "empty-row",
        ] {
            #expect(reasons[reason] ?? 0 >= 1, "\(reason)")
        }

        // summary.json agrees with the --json line.
        let file = try #require(
            jsonObject(try String(contentsOfFile: scratch.path + "/r/summary.json", encoding: .utf8)))
        #expect(file["total"] as? Int == total)
        #expect(file["reasons"] as? [String: Int] == reasons)

        // Every rejected or invalid-phone row is in rejected.csv, its original bytes first.
        let inputBytes = try Data(contentsOf: URL(fileURLWithPath: input))
        let rejected = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/r/rejected.csv"))
        let rows = (summary["rejected"] as? Int ?? 0) + (summary["invalidPhone"] as? Int ?? 0)
        let rejectedLines = rejected.split(separator: UInt8(ascii: "\n")).map { Data($0) }
        #expect(rejectedLines.count >= rows + 1)
        #expect(rejectedLines[0].starts(with: Data("Record ID,First Name".utf8)))
        // A row with the invalid UTF-8 byte is kept byte for byte.
        let latin1 = Data([0x4A, 0x6F, 0x73, 0xE9, 0x2C, 0x4C, 0x61, 0x74, 0x69, 0x6E, 0x31])  // "Jos\xE9,Latin1"
        #expect(inputBytes.range(of: latin1) != nil)
        #expect(rejected.range(of: latin1) != nil)
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/r/skipped.csv"))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/r/report.html"))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/r/summary.md"))
    }

    @Test func excelExportWithSepLineBomAndCRLF() throws {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let result = try cli.run([
            "import", "--db", "s.db", "--input", fixture("demo/excel-export-de.csv"), "--mapping",
            fixture("mappings/excel-de.json"), "--report", "r", "--json",
        ])
        let summary = try #require(jsonObject(result.stdout))
        #expect(summary["total"] as? Int == 30)
        #expect(summary["rejected"] as? Int == 0)
        #expect((summary["warnings"] as? [String])?.isEmpty == true)
    }

    @Test func standardInputIsReadWhenAskedFor() throws {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("demo/hubspot-contacts.csv")))
        let piped = try cli.run(
            [
                "import", "--db", "s.db", "--input", "-", "--format", "csv", "--mapping",
                fixture("mappings/hubspot.json"), "--report", "r", "--json",
            ],
            stdin: data)
        #expect(piped.status == 0, "\(piped.stderr)")
        let fromFile = try cli.run([
            "import", "--db", "other.db", "--input", fixture("demo/hubspot-contacts.csv"), "--mapping",
            fixture("mappings/hubspot.json"), "--report", "r2", "--json", "--dry-run",
        ])
        #expect(fromFile.status == 1)  // other.db does not exist: a clear error, not a new store
        try cli.run(["init", "--db", "other.db"])
        let again = try cli.run([
            "import", "--db", "other.db", "--input", fixture("demo/hubspot-contacts.csv"), "--mapping",
            fixture("mappings/hubspot.json"), "--report", "r3", "--json",
        ])
        for key in ["total", "created", "skipped", "invalidPhone", "rejected"] {
            #expect(jsonObject(piped.stdout)?[key] as? Int == jsonObject(again.stdout)?[key] as? Int, "\(key)")
        }
    }

    @Test func dryRunLeavesTheStoreUntouched() throws {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        try cli.run([
            "import", "--db", "s.db", "--input", fixture("demo/excel-export-de.csv"), "--mapping",
            fixture("mappings/excel-de.json"),
            "--report", "first", "--quiet",
        ])
        func snapshot() -> [Data?] {
            ["s.db", "s.db-wal"].map { FileManager.default.contents(atPath: scratch.path + "/" + $0) }
        }
        let before = snapshot()
        let dry = try cli.run([
            "import", "--db", "s.db", "--input", fixture("demo/hubspot-contacts.csv"), "--mapping",
            fixture("mappings/hubspot.json"),
            "--report", "dry", "--dry-run", "--json",
        ])
        #expect(dry.status == 0)
        #expect(snapshot() == before)
        let real = try cli.run([
            "import", "--db", "s.db", "--input", fixture("demo/hubspot-contacts.csv"), "--mapping",
            fixture("mappings/hubspot.json"),
            "--report", "real", "--json",
        ])
        for key in ["total", "created", "skipped", "invalidPhone", "rejected"] {
            #expect(jsonObject(dry.stdout)?[key] as? Int == jsonObject(real.stdout)?[key] as? Int, "\(key)")
        }
        // The same report rows.
        for file in ["rejected.csv", "skipped.csv"] {
            #expect(
                FileManager.default.contents(atPath: scratch.path + "/dry/" + file)
                    == FileManager.default.contents(atPath: scratch.path + "/real/" + file), "\(file)")
        }
    }

    @Test func defaultReportFolderIsUnderReports() throws {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let result = try cli.run([
            "import", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--mapping",
            fixture("mappings/form-leads.json"),
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Report: reports/"))
        #expect(result.stdout.contains("total"))
        let folders = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/reports")
        #expect(folders.count == 1)
        #expect(folders.first?.hasSuffix("-import") == true)
    }
}

/// The progress line appears on a terminal's stderr only, and never with --quiet.
@Suite struct ProgressLineTests {
    let scratch = Scratch()

    /// Runs the command under `script`, which gives it a pseudo-terminal.
    func onTerminal(_ arguments: [String]) throws -> String {
        let command = ([CLIRunner.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func shownOnATerminalOnly() throws {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let arguments = [
            "import", "--db", "s.db", "--input", fixture("demo/hubspot-contacts.csv"), "--mapping",
            fixture("mappings/hubspot.json"),
            "--batch-size", "10", "--dry-run",
        ]
        let terminal = try onTerminal(arguments + ["--report", "t"])
        #expect(terminal.contains("rows/s · "))
        #expect(terminal.contains("\u{1B}[2K"))
        let quiet = try onTerminal(arguments + ["--report", "q", "--quiet"])
        #expect(!quiet.contains("rows/s"))
        let piped = try cli.run(arguments + ["--report", "p"])
        #expect(!piped.stderr.contains("\u{1B}[2K"))
        #expect(!piped.stdout.contains("\u{1B}[2K"))
    }
}
