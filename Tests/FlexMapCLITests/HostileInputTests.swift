import FlexMapIO
import Foundation
import Testing

/// Issue 8's hostile inputs, one test per kind, through the built binary: each ends in a
/// clear error (exit 1, the file and what to do) or in rejected rows (exit 0), never in a
/// crash, a hang or a partial store. Big inputs are written streaming into the scratch
/// folder (the 100 MB line takes about 6 s in a debug build).
@Suite struct HostileInputTests {
    let scratch = Scratch()

    static let mapping =
        #"{"name":"m","defaultRegion":"US","fields":[{"source":"phone","target":"phone"},{"source":"name","target":"first_name"},{"source":"notes","target":"variables.notes"}]}"#

    /// A store and the mapping file; returns the runner.
    func prepare() throws -> CLIRunner {
        let cli = scratch.runner
        #expect(try cli.run(["init", "--db", "s.db"]).status == 0)
        scratch.file("m.json", Self.mapping)
        return cli
    }

    func importing(_ input: String, _ extra: [String] = [], report: String = "r") throws -> CLIRunner.Result {
        try scratch.runner.run(
            ["import", "--db", "s.db", "--input", input, "--mapping", "m.json", "--report", report, "--json"] + extra)
    }

    /// The --json summary of a run that completed.
    func summary(_ result: CLIRunner.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(jsonObject(result.stdout), "\(result.stdout) \(result.stderr)")
    }

    func reasons(_ summary: [String: Any]) -> [String: Int] { summary["reasons"] as? [String: Int] ?? [:] }

    func store() throws -> SQLiteDatabase { try SQLiteDatabase(path: scratch.path + "/s.db") }

    func contactCount() throws -> Int { Int(try store().scalarInt("SELECT count(*) FROM contacts") ?? -1) }

    func integrity() throws -> [String] {
        try store().prepare("PRAGMA integrity_check").query { $0.text(0) ?? "" }
    }

    /// Writes a file piece by piece (memory stays small whatever its size).
    @discardableResult
    func stream(_ name: String, _ next: () -> [UInt8]?) -> String {
        let path = scratch.path + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        while let piece = next() { handle.write(Data(piece)) }
        try? handle.close()
        return path
    }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = scratch.path + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Deterministic bytes that look like nothing: every value, NULs and line breaks included.
    static func binary(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    // MARK: - Binary files

    @Test(arguments: ["csv", "ndjson", "har", "gor", "capture"])
    func aBinaryFileIsRejectedRowByRowOrRefusedWhole(format: String) throws {
        _ = try prepare()
        let input = write("blob.bin", Self.binary(256 << 10, seed: 8))
        let result = try importing(input, ["--format", format])
        #expect(result.stderr.contains("Fatal") == false && result.status != 2)
        if result.status == 0 {
            let counts = try summary(result)
            #expect(counts["created"] as? Int == 0, "\(format): \(counts)")
            #expect((counts["total"] as? Int ?? 0) > 0)
        } else {
            // Refused whole: exit 1 with the file named and a reason.
            #expect(result.status == 1, "\(format): \(result.stderr)")
            #expect(result.stderr.contains("blob.bin"), "\(format): \(result.stderr)")
        }
        #expect(try contactCount() == 0)
        #expect(try integrity() == ["ok"])
    }

    // MARK: - Size

    @Test func aHundredMegabyteLineIsOneRejectedRecord() throws {
        _ = try prepare()
        let megabytes = 100
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        var step = 0
        let input = stream("long.ndjson") {
            defer { step += 1 }
            switch step {
            case 0: return Array(#"{"phone":"+12015550101"}"#.utf8) + [0x0A] + Array(#"{"notes":""#.utf8)
            case 1...megabytes: return chunk
            case megabytes + 1: return Array(#""}"#.utf8) + [0x0A] + Array(#"{"phone":"+12015550102"}"#.utf8) + [0x0A]
            default: return nil
            }
        }
        let counts = try summary(try importing(input))
        #expect(counts["total"] as? Int == 3)
        #expect(counts["created"] as? Int == 2)
        #expect(reasons(counts) == ["record-too-large": 1])
        // The report keeps a bounded prefix of the line, not 100 MB.
        let size = try FileManager.default.attributesOfItem(atPath: scratch.path + "/r/rejected.ndjson")[.size] as? Int
        #expect((size ?? 0) < 1 << 20)
    }

    @Test func aMillionColumns() throws {
        _ = try prepare()
        let columns = 1_000_000
        var step = 0
        let input = stream("wide.csv") {
            defer { step += 1 }
            switch step {
            case 0: return Array("phone,name".utf8) + Array((2..<columns).map { ",c\($0)" }.joined().utf8) + [0x0A]
            case 1:
                return Array("+12015550101,Ann".utf8) + [UInt8](repeating: UInt8(ascii: ","), count: columns - 2) + [
                    0x0A
                ]
            case 2:
                return Array("+12015550102,Bob".utf8) + [UInt8](repeating: UInt8(ascii: ","), count: columns) + [0x0A]
            default: return nil
            }
        }
        let counts = try summary(try importing(input))
        #expect(counts["created"] as? Int == 1)
        #expect(reasons(counts) == ["too-many-fields": 1])
    }

    /// Requests that name hundreds of thousands of fields or keys cost time in proportion
    /// to their size: form decoding and key redaction used to be quadratic in them.
    @Test func requestsWithVeryManyFieldsAndKeysStayLinear() throws {
        _ = try prepare()
        let form = (0..<200_000).map { "f\($0)=v" }.joined(separator: "&")
        let keys = (0..<200_000).map { "apiKey=k\(String(format: "%010d", $0))" }.joined(separator: "&")
        let json =
            "{" + (0..<100_000).map { #""apiKey":"key\#(String(format: "%012d", $0))""# }.joined(separator: ",") + "}"
        var text = ""
        for (type, body) in [
            ("application/x-www-form-urlencoded", form), ("application/x-www-form-urlencoded", keys),
            ("application/json", json),
        ] {
            let line: [String: Any] = [
                "method": "POST", "path": "/api/contacts/flex", "query": "orgId=o&mapId=m",
                "headers": [["Content-Type", type]], "body": body,
            ]
            text += String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self) + "\n"
        }
        scratch.file("many.capture.ndjson", text)
        let started = Date()
        let result = try scratch.runner.run([
            "import", "--db", "s.db", "--input", "many.capture.ndjson", "--report", "r", "--json",
        ])
        #expect(Date().timeIntervalSince(started) < 60)
        let counts = try summary(result)
        #expect(counts["rejected"] as? Int == 3)
        // Not one of the keys is in the report.
        let rejected = try String(contentsOfFile: scratch.path + "/r/rejected.ndjson", encoding: .utf8)
        #expect(!rejected.contains("k0000012345") && !rejected.contains("key000000012345"))
    }

    // MARK: - Structure

    @Test func deeplyNestedJSON() throws {
        _ = try prepare()
        let deep = 100_000
        let lines = [
            String(repeating: "[", count: deep) + String(repeating: "]", count: deep),
            String(repeating: #"{"a":"#, count: deep) + "1" + String(repeating: "}", count: deep),
            #"{"phone":"+12015550101","name":"#  // the nesting a parser accepts, in a mapped field
                + String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000) + "}",
            #"{"phone":"+12015550102","notes":"#
                + String(repeating: #"{"a":"#, count: 1000) + "1" + String(repeating: "}", count: 1000) + "}",
            #"{"phone":"+12015550103"}"#,
        ]
        scratch.file("deep.ndjson", lines.joined(separator: "\n") + "\n")
        let counts = try summary(try importing("deep.ndjson"))
        #expect(counts["total"] as? Int == 5)
        #expect(counts["created"] as? Int == 1)
        #expect(reasons(counts)["invalid-json"] == 2)
        #expect(reasons(counts)["unsupported-value"] == 2)

        // A HAR document and a capture line nested as deep.
        scratch.file("deep.har", #"{"log":{"entries":["# + String(repeating: "[", count: deep) + "]}}")
        let har = try scratch.runner.run(["import", "--db", "s.db", "--input", "deep.har", "--report", "rh"])
        #expect(har.status == 1)
        #expect(har.stderr.contains("deep.har: not a HAR file: the JSON is not valid"), "\(har.stderr)")
        scratch.file(
            "deep.capture.ndjson",
            #"{"method":"POST","path":"/api/contacts/flex","body":"# + String(repeating: "[", count: deep) + "}\n")
        let capture = try summary(
            try scratch.runner.run([
                "import", "--db", "s.db", "--input", "deep.capture.ndjson", "--report", "rc", "--json",
            ]))
        #expect(reasons(capture) == ["invalid-json": 1])
    }

    // MARK: - Encoding

    @Test func invalidUTF8InHeadersAndValues() throws {
        _ = try prepare()
        let csv =
            Array("phone,name,notes,".utf8) + [0x6E, 0xE9, 0x0A]  // a header name in Latin-1
            + Array("+12015550101,Jos".utf8) + [0xE9] + Array(",x,y\n".utf8)  // a mapped value in Latin-1
            + Array("+12015550102,Ann,x,".utf8) + [0xFF, 0xFE] + [0x0A]  // an unmapped one
        let counts = try summary(try importing(write("latin1.csv", csv)))
        #expect(counts["created"] as? Int == 1)
        #expect(reasons(counts) == ["invalid-utf8": 1])
        #expect(
            (counts["warnings"] as? [String])?.contains { $0.contains("column 4's name is not valid UTF-8") } == true)

        let ndjson =
            Array(#"{"phone":"+12015550103","name":"Jos"#.utf8) + [0xE9] + Array("\"}\n".utf8)
            + Array(#"{"phone":"+12015550104"}"#.utf8) + [0x0A]
        let json = try summary(try importing(write("latin1.ndjson", ndjson), report: "r2"))
        #expect(json["created"] as? Int == 1)
        #expect(reasons(json) == ["invalid-json": 1])
        // The bad line is kept byte for byte (base64, as it is not UTF-8).
        let kept = try String(contentsOfFile: scratch.path + "/r2/rejected.ndjson", encoding: .utf8)
        #expect(kept.contains(#""_rawBase64":""#))
    }

    @Test func nulBytesRejectTheRowNamingTheField() throws {
        _ = try prepare()
        let csv = Array("phone,name\n+12015550101,Cy".utf8) + [0] + Array("z\n+12015550102,Ann\n".utf8)
        let counts = try summary(try importing(write("nul.csv", csv)))
        #expect(counts["created"] as? Int == 1)
        #expect(reasons(counts) == ["field-invalid": 1])
        let rejected = try String(contentsOfFile: scratch.path + "/r/rejected.csv", encoding: .utf8)
        #expect(rejected.contains("first_name (from 'name') holds a NUL byte"))

        let ndjson =
            #"{"phone":"+12015550103","name":"a\u0000b"}"# + "\n" + #"{"phone":"+1201555"# + "\u{0}" + #"0104"}"# + "\n"
            + #"{"phone":"+12015550105","notes":"ok"}"# + "\n"
        let json = try summary(try importing(write("nul.ndjson", Array(ndjson.utf8)), report: "r2"))
        #expect(json["created"] as? Int == 1)
        #expect(reasons(json) == ["field-invalid": 1, "invalid-json": 1])
        let stored = try store().prepare("SELECT count(*) FROM contacts WHERE instr(first_name, char(0)) > 0").query {
            $0.int(0)
        }
        #expect(stored == [0])
    }

    @Test func aByteOrderMarkInTheMiddle() throws {
        _ = try prepare()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        // Two NDJSON files joined: the second one's mark is skipped like the first's.
        let ndjson =
            bom + Array(#"{"phone":"+12015550101"}"#.utf8) + [0x0A] + bom + Array(#"{"phone":"+12015550102"}"#.utf8)
            + [0x0A]
        let json = try summary(try importing(write("joined.ndjson", ndjson)))
        #expect(json["created"] as? Int == 2)
        // Two CSV exports joined: the second header is a row without a phone, and says so.
        let csv =
            bom + Array("phone,name\n+12015550103,Ann\n".utf8) + bom + Array("phone,name\n+12015550104,Bob\n".utf8)
        let counts = try summary(try importing(write("joined.csv", csv), report: "r2"))
        #expect(counts["created"] as? Int == 2)
        #expect(reasons(counts) == ["phone-not-a-number": 1])
    }

    // MARK: - What values may hold

    @Test func csvInjectionIsNeutralisedAndTheRejectedFileImportsAgain() throws {
        _ = try prepare()
        let csv = """
            phone,name,notes
            555-01,=cmd|' /C calc'!A0,@SUM(1+1)*cmd|' /C calc'!A0
            +1 415 555,-2+3+cmd|' /C calc'!A0,"=HYPERLINK(""http://evil.example"",""x"")"
            +1 201 555 0101,Ann,fine

            """
        scratch.file("inject.csv", csv)
        let counts = try summary(try importing("inject.csv"))
        #expect(counts["created"] as? Int == 1)
        #expect(counts["invalidPhone"] as? Int == 2)
        let rejected = try String(contentsOfFile: scratch.path + "/r/rejected.csv", encoding: .utf8)
        let rows = rejected.split(separator: "\n").map(String.init)
        #expect(rows[1].hasPrefix("555-01,'=cmd|' /C calc'!A0,'@SUM(1+1)*cmd|' /C calc'!A0,phone-too-short,"))
        #expect(
            rows[2].hasPrefix(
                #"+1 415 555,'-2+3+cmd|' /C calc'!A0,"'=HYPERLINK(""http://evil.example"",""x"")",phone-too-short,"#))

        // As is, it imports again with the same outcomes; with the phones fixed, both rows are created.
        let again = try summary(try importing(scratch.path + "/r/rejected.csv", report: "r2"))
        #expect(again["invalidPhone"] as? Int == 2 && reasons(again) == reasons(counts).filter { $0.key != "created" })
        let fixed = rejected.replacingOccurrences(of: "555-01,", with: "+1 201 555 0102,")
            .replacingOccurrences(of: "+1 415 555,", with: "+1 201 555 0103,")
        scratch.file("fixed.csv", fixed)
        #expect(try summary(try importing("fixed.csv", report: "r3"))["created"] as? Int == 2)
        let names = try store().prepare(
            "SELECT first_name FROM contacts WHERE phone IN ('+12015550102', '+12015550103') ORDER BY phone"
        )
        .query { $0.text(0) ?? "" }
        #expect(names == ["'=cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"])
    }

    @Test func sqlLookingValuesAreStoredVerbatim() throws {
        _ = try prepare()
        let values = [
            "Robert'); DROP TABLE contacts;--", "' OR '1'='1", "\"; DELETE FROM contacts WHERE 1=1; --",
            "x'||(SELECT sqlite_version())||'", "%_\\",
        ]
        var text = ""
        for (index, value) in values.enumerated() {
            let quoted = jsonString(value)
            text += #"{"phone":"+1201555010\#(index)","name":\#(quoted),"notes":\#(quoted)}"# + "\n"
        }
        scratch.file("sql.ndjson", text)
        #expect(try summary(try importing("sql.ndjson"))["created"] as? Int == values.count)
        let stored = try store().prepare("SELECT first_name, contact_variables FROM contacts ORDER BY phone").query {
            ($0.text(0) ?? "", $0.text(1) ?? "")
        }
        #expect(stored.map(\.0) == values)
        for (index, value) in values.enumerated() {
            let variables = try #require(jsonObject(stored[index].1))
            #expect(variables["notes"] as? String == value)
        }
        #expect(try integrity() == ["ok"])
    }

    // MARK: - Where the output goes

    @Test func aReportDirectoryThatIsAFileIsAClearErrorAndStoresNothing() throws {
        _ = try prepare()
        scratch.file("in.ndjson", #"{"phone":"+12015550101"}"# + "\n")
        scratch.file("taken", "a file")
        for report in ["taken", "taken/below"] {
            let result = try importing("in.ndjson", report: report)
            #expect(result.status == 1)
            #expect(result.stderr.contains("taken: is a file"), "\(result.stderr)")
            #expect(result.stderr.contains("give --report the path of a directory"))
        }
        #expect(try contactCount() == 0)
    }

    @Test func anUnwritableReportDirectoryIsAClearErrorAndStoresNothing() throws {
        _ = try prepare()
        scratch.file("in.ndjson", #"{"phone":"+12015550101"}"# + "\n")
        guard let mount = ReadOnlyFolder(scratch.path + "/ro") else { return }
        defer { mount.remove() }
        for report in ["ro", "ro/below"] {
            let result = try importing("in.ndjson", report: report)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("Read-only file system"), "\(result.stderr)")
        }
        #expect(try contactCount() == 0)
    }

    // MARK: - The store

    @Test func aReadOnlyStoreIsAClearErrorAndStaysAsItWas() throws {
        let cli = try prepare()
        scratch.file("in.ndjson", #"{"phone":"+12015550101"}"# + "\n")
        guard let mount = ReadOnlyFolder(scratch.path + "/ro", with: ["s.db": scratch.path + "/s.db"]) else { return }
        defer { mount.remove() }
        let result = try cli.run([
            "import", "--db", "ro/s.db", "--input", "in.ndjson", "--mapping", "m.json", "--report", "r",
        ])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("ro/s.db: the store is read-only: it is on a read-only file system"),
            "\(result.stderr)")
        let listed = try cli.run(["org", "list", "--db", "ro/s.db"])
        #expect(listed.status == 1)
        #expect(listed.stderr.contains("the store is read-only"), "\(listed.stderr)")
        // Nothing was written to it: it is byte for byte the store it was.
        #expect(
            FileManager.default.contents(atPath: scratch.path + "/ro/s.db")
                == FileManager.default.contents(atPath: scratch.path + "/s.db"))
    }

    @Test func aStoreLockedByAnotherProcessIsAClearErrorAndNothingIsStored() throws {
        _ = try prepare()
        scratch.file(
            "in.ndjson",
            (1...50).map { #"{"phone":"+120155501\#(String(format: "%02d", $0))"}"# }.joined(separator: "\n"))
        // sqlite3 holds the write lock until its input closes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [scratch.path + "/s.db"]
        let input = Pipe()
        let output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        input.fileHandleForWriting.write(
            Data(
                "BEGIN IMMEDIATE; INSERT INTO orgs (id, name, created_at) VALUES ('lock', 'l', 'now'); SELECT 'locked';\n"
                    .utf8))
        var seen = Data()
        while !seen.contains(UInt8(ascii: "\n")) { seen.append(output.fileHandleForReading.availableData) }
        let started = Date()
        let result = try importing("in.ndjson")
        #expect(result.status == 1)
        #expect(result.stderr.contains("another process is using the store"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
        input.fileHandleForWriting.write(Data("ROLLBACK;\n".utf8))
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        #expect(try contactCount() == 0)
        // Once the lock is gone, the same command runs.
        #expect(try summary(try importing("in.ndjson", report: "r2"))["created"] as? Int == 50)
    }

    @Test func aFullDiskStopsTheImportCleanlyAndResumeFinishesIt() throws {
        let cli = try prepare()
        guard let disk = TmpfsFolder(scratch.path + "/disk", size: "600k") else { return }
        defer { disk.remove() }
        try FileManager.default.copyItem(atPath: scratch.path + "/s.db", toPath: disk.path + "/s.db")
        let rows = 12_000
        var text = ""
        for index in 0..<rows {
            text += #"{"phone":"+1201\#(2_000_000 + index)","name":"name \#(index) padding padding padding"}"# + "\n"
        }
        scratch.file("many.ndjson", text)
        let arguments = [
            "import", "--db", "disk/s.db", "--input", "many.ndjson", "--mapping", "m.json", "--batch-size", "500",
            "--json",
        ]
        let full = try cli.run(arguments + ["--report", "r"])
        #expect(full.status == 1, "\(full.stdout) \(full.stderr)")
        #expect(full.stderr.contains("the disk is full"), "\(full.stderr)")
        #expect(full.stderr.contains("--resume"), "\(full.stderr)")
        // Whole batches only: what is stored is exactly what the run's checkpoint says.
        let db = try SQLiteDatabase(path: disk.path + "/s.db")
        #expect(try db.prepare("PRAGMA integrity_check").query { $0.text(0) ?? "" } == ["ok"])
        let stored = try db.scalarInt("SELECT count(*) FROM contacts") ?? -1
        let committed = try db.scalarInt("SELECT max(records_read) FROM runs") ?? -1
        #expect(stored == committed && stored % 500 == 0 && stored < rows, "\(stored) stored, \(committed) committed")

        disk.grow(to: "64m")
        let resumed = try cli.run(arguments + ["--report", "r", "--resume"])
        let counts = try summary(resumed)
        #expect(counts["created"] as? Int == rows)
        #expect(try db.scalarInt("SELECT count(*) FROM contacts") == Int64(rows))
        #expect(try db.scalarInt("SELECT count(DISTINCT phone) FROM contacts") == Int64(rows))
    }

    @Test func aFullDiskForTheReportIsAClearError() throws {
        let cli = try prepare()
        guard let disk = TmpfsFolder(scratch.path + "/disk", size: "64k") else { return }
        defer { disk.remove() }
        var text = ""
        for index in 0..<5_000 { text += #"{"phone":"555","name":"\#(index) not a phone at all"}"# + "\n" }
        scratch.file("bad.ndjson", text)
        let result = try cli.run([
            "import", "--db", "s.db", "--input", "bad.ndjson", "--mapping", "m.json", "--report", "disk/r",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the disk is full"), "\(result.stderr)")
        #expect(try integrity() == ["ok"])
    }
}

/// A JSON string literal for `text`.
func jsonString(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
    let array = String(decoding: data, as: UTF8.self)
    return String(array.dropFirst().dropLast())
}

/// A tmpfs of a given size mounted on a new folder, for disk-full tests. Nil (the test
/// then passes without checking) where mounting is not allowed: not root, or a container
/// without CAP_SYS_ADMIN.
struct TmpfsFolder {
    let path: String

    init?(_ path: String, size: String, readOnly: Bool = false) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard getuid() == 0, Self.shell(["mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]) == 0 else {
            print("note: cannot mount a tmpfs at \(path); the disk-full case is not checked here")
            return nil
        }
    }

    func grow(to size: String) {
        _ = Self.shell(["mount", "-o", "remount,size=\(size)", path])
    }

    func remove() {
        _ = Self.shell(["umount", "-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    @discardableResult
    static func shell(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A read-only folder (a tmpfs remounted read-only, so root cannot write either), holding
/// copies of `files` (name → source path).
struct ReadOnlyFolder {
    let disk: TmpfsFolder

    init?(_ path: String, with files: [String: String] = [:]) {
        guard let disk = TmpfsFolder(path, size: "16m") else { return nil }
        for (name, source) in files { try? FileManager.default.copyItem(atPath: source, toPath: path + "/" + name) }
        guard TmpfsFolder.shell(["mount", "-o", "remount,ro", path]) == 0 else {
            disk.remove()
            return nil
        }
        self.disk = disk
    }

    func remove() { disk.remove() }
}
