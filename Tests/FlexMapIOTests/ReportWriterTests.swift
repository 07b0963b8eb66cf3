import FlexMapCore
import Foundation
import Testing

@testable import FlexMapIO

/// A fresh directory under the system's temporary directory, removed afterwards.
private final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "flexmap-report-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func text(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }
    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name))))
    }
}

private func issue(_ line: Int, _ reason: Reason, _ detail: String = "detail", raw: String) -> RowIssue {
    RowIssue(recordNumber: line - 1, line: line, reason: reason, detail: detail, raw: Array(raw.utf8))
}

private let csvFormat = ReportInputFormat.csv(header: Array("id,name,phone".utf8), delimiter: UInt8(ascii: ","))

/// Splits CSV text into records of fields (RFC 4180: quotes, doubled quotes, line
/// breaks inside quotes).
private func parseCSV(_ text: String, delimiter: Character = ",") -> [[String]] {
    var records: [[String]] = []
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var index = text.startIndex
    while index < text.endIndex {
        let character = text[index]
        index = text.index(after: index)
        if inQuotes {
            if character == "\"" {
                if index < text.endIndex && text[index] == "\"" {
                    field.append("\"")
                    index = text.index(after: index)
                } else {
                    inQuotes = false
                }
            } else {
                field.append(character)
            }
        } else if character == "\"" {
            inQuotes = true
        } else if character == delimiter {
            fields.append(field)
            field = ""
        } else if character == "\n" {
            fields.append(field)
            records.append(fields)
            fields = []
            field = ""
        } else {
            field.append(character)
        }
    }
    if !field.isEmpty || !fields.isEmpty {
        fields.append(field)
        records.append(fields)
    }
    return records
}

private func jsonObject(_ line: Substring) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

private func sampleSummary() -> RunSummary {
    var summary = RunSummary()
    summary.input = "contacts.csv"
    summary.format = "csv"
    summary.mappingName = "HubSpot contacts export"
    summary.mappingId = "map_123"
    summary.orgId = "org_9"
    summary.workers = 2
    summary.startedAt = "2025-03-01T10:00:00Z"
    summary.durationSeconds = 2.5
    summary.blankLines = 1
    summary.warnings = ["the source \"Fax\" matches no column"]
    for _ in 0..<6 { summary.count(.created, reason: nil) }
    summary.count(.skipped, reason: .duplicate)
    summary.count(.skipped, reason: .duplicateUpdated)
    summary.count(.invalidPhone, reason: .phoneTooShort)
    summary.count(.rejected, reason: .fieldTooLong)
    return summary
}

@Suite("Report writer")
struct ReportWriterTests {
    @Test func summaryJSONHoldsCountsReasonsAndFacts() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        try writer.add(issue(2, .duplicate, raw: "1,Ann,+14155550101"))
        try writer.finish(sampleSummary())

        let text = try dir.text("summary.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["total"] as? Int == 10)
        #expect(json["created"] as? Int == 6)
        #expect(json["skipped"] as? Int == 2)
        #expect(json["invalidPhone"] as? Int == 1)
        #expect(json["rejected"] as? Int == 1)
        #expect(json["updated"] as? Int == 1)
        #expect(json["blankLines"] as? Int == 1)
        let reasons = try #require(json["reasons"] as? [String: Int])
        #expect(reasons == ["duplicate": 1, "duplicate-updated": 1, "phone-too-short": 1, "field-too-long": 1])
        #expect(json["durationSeconds"] as? Double == 2.5)
        #expect(json["rowsPerSecond"] as? Double == 4)
        #expect(json["command"] as? String == "import")
        #expect(json["input"] as? String == "contacts.csv")
        #expect(json["format"] as? String == "csv")
        #expect(json["mapping"] as? [String: String] == ["name": "HubSpot contacts export", "id": "map_123"])
        #expect(json["orgId"] as? String == "org_9")
        #expect(json["dryRun"] as? Bool == false)
        #expect(json["workers"] as? Int == 2)
        #expect(json["startedAt"] as? String == "2025-03-01T10:00:00Z")
        #expect(json["resumed"] as? Bool == false)
        #expect(json["warnings"] as? [String] == ["the source \"Fax\" matches no column"])
        #expect(
            json["files"] as? [String] == ["summary.json", "summary.md", "report.html", "rejected.csv", "skipped.csv"])
        for file in json["files"] as? [String] ?? [] {
            #expect(FileManager.default.fileExists(atPath: dir.file(file)), "\(file) is listed but missing")
        }

        // Stable, pretty-printed key order: counts first.
        let keys = [
            "total", "created", "skipped", "invalidPhone", "rejected", "updated", "blankLines", "reasons",
            "durationSeconds", "rowsPerSecond", "command", "input", "format", "mapping", "orgId", "dryRun",
            "workers", "startedAt", "resumed", "warnings", "files",
        ]
        let positions = keys.map { text.range(of: "\n  \"\($0)\": ")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(text.hasSuffix("}\n"))
    }

    @Test func rejectedCSVKeepsRowsVerbatimAndAddsReasonDetailLine() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        let multiLine = "3,\"Bo, \"\"the\"\" builder\nsecond line\",+1 415"
        try writer.add(issue(2, .phoneTooShort, "too short: 7 digits for US", raw: "1,Ann,555-0101"))
        try writer.add(issue(3, .fieldTooLong, "last_name is 130 characters, \"limit\" 100, see row", raw: multiLine))
        try writer.add(issue(5, .duplicate, "already exists", raw: "4,Cy,+14155550101"))
        try writer.add(issue(6, .invalidJSON, "=HYPERLINK(\"http://x\")", raw: "5,Di,+1\r"))
        try writer.finish(RunSummary())

        let bytes = try dir.bytes("rejected.csv")
        let expected =
            "id,name,phone,reason,detail,line\n"
            + "1,Ann,555-0101,phone-too-short,too short: 7 digits for US,2\n"
            + multiLine + ",field-too-long,\"last_name is 130 characters, \"\"limit\"\" 100, see row\",3\n"
            + "5,Di,+1,invalid-json,\"'=HYPERLINK(\"\"http://x\"\")\",6\n"
        #expect(bytes == Array(expected.utf8))

        let records = parseCSV(try dir.text("rejected.csv"))
        #expect(records.count == 4)
        #expect(records[0] == ["id", "name", "phone", "reason", "detail", "line"])
        #expect(
            records[2] == [
                "3", "Bo, \"the\" builder\nsecond line", "+1 415", "field-too-long",
                "last_name is 130 characters, \"limit\" 100, see row", "3",
            ])
        #expect(records[3][4] == "'=HYPERLINK(\"http://x\")")

        let skipped = parseCSV(try dir.text("skipped.csv"))
        #expect(
            skipped == [
                ["id", "name", "phone", "reason", "detail", "line"],
                ["4", "Cy", "+14155550101", "duplicate", "already exists", "5"],
            ])
    }

    @Test func csvCellsThatLookLikeFormulasAreNeutralised() {
        for formula in ["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "+1+1", "-(", "－1", "＝1"] {
            #expect(ReportCSV.neutralised(formula) == "'" + formula, "\(formula)")
            #expect(ReportCSV.neutralised(" \t\r\n" + formula) == " \t\r\n'" + formula, "\(formula)")
        }
        // Phone numbers and negative numbers stay importable; so do a lone sign and text.
        for text in [
            "+1 415 555 0100", "+1 (415) 555-0100", "-5", "-1.5", "+44/20 7946 0958", "-", "+ ", "phone 555", "", "a=b",
            "'=x",
        ] {
            #expect(ReportCSV.neutralised(text) == text, "\(text)")
        }
    }

    @Test func rawCSVRecordsGetAQuoteBeforeEachFormulaCell() {
        let comma = UInt8(ascii: ",")
        func check(_ raw: String, _ expected: String) {
            #expect(
                String(decoding: ReportCSV.neutralisedRecord(Array(raw.utf8), delimiter: comma), as: UTF8.self)
                    == expected, "\(raw)")
        }
        check("1,=cmd|' /C calc'!A0,+1 415 555 0100", "1,'=cmd|' /C calc'!A0,+1 415 555 0100")
        check("\"=HYPERLINK(\"\"http://x\"\")\",@x", "\"'=HYPERLINK(\"\"http://x\"\")\",'@x")
        check("  =a, \"  -b\" ,c", "  '=a, \"  '-b\" ,c")
        check("a,b,", "a,b,")
        check("=a", "'=a")
        check(",,=", ",,'=")
        check("\"=unterminated,x", "\"'=unterminated,x")
        check("a;=b", "a;=b")  // one cell for a comma delimiter: it starts with a
        #expect(ReportCSV.neutralisedRecord(Array("a;=b".utf8), delimiter: UInt8(ascii: ";")) == Array("a;'=b".utf8))
    }

    @Test func neutralisedRowsReadBackAsTheSameCellsWithTheirQuote() throws {
        let dir = TemporaryDirectory()
        let header = "id,=name,phone"
        let writer = try ReportWriter(
            directory: dir.path, format: .csv(header: Array(header.utf8), delimiter: UInt8(ascii: ",")))
        try writer.add(issue(2, .phoneTooShort, "-too short", raw: "1,=cmd|' /C calc'!A0,+1 415"))
        try writer.add(issue(3, .duplicate, "@dup", raw: "2,\"@SUM(1,2)\",+1 415 555 0100"))
        try writer.finish(RunSummary())
        #expect(
            parseCSV(try dir.text("rejected.csv")) == [
                ["id", "'=name", "phone", "reason", "detail", "line"],
                ["1", "'=cmd|' /C calc'!A0", "+1 415", "phone-too-short", "'-too short", "2"],
            ])
        #expect(
            parseCSV(try dir.text("skipped.csv")) == [
                ["id", "'=name", "phone", "reason", "detail", "line"],
                ["2", "'@SUM(1,2)", "+1 415 555 0100", "duplicate", "'@dup", "3"],
            ])
    }

    @Test func jsonRecordsInSkippedCSVAreNeutralisedToo() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: .json)
        try writer.add(issue(1, .duplicate, "d", raw: "=cmd|x"))
        try writer.finish(RunSummary())
        #expect(
            parseCSV(try dir.text("skipped.csv")) == [
                ["line", "reason", "detail", "record"], ["1", "duplicate", "d", "'=cmd|x"],
            ])
    }

    @Test func otherDelimitersQuoteForThatDelimiter() throws {
        let dir = TemporaryDirectory()
        let format = ReportInputFormat.csv(header: Array("id;phone\r\n".utf8), delimiter: UInt8(ascii: ";"))
        let writer = try ReportWriter(directory: dir.path, format: format)
        try writer.add(issue(2, .phoneNotANumber, "phone; not a number, at all", raw: "1;abc"))
        try writer.finish(RunSummary())
        #expect(
            try dir.text("rejected.csv")
                == "id;phone;reason;detail;line\n1;abc;phone-not-a-number;\"phone; not a number, at all\";2\n")
        #expect(try dir.text("skipped.csv") == "id;phone;reason;detail;line\n")
    }

    @Test func anUnterminatedQuoteIsClosedSoLaterRowsStayReadable() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        try writer.add(issue(2, .unterminatedQuote, "a quoted field is never closed", raw: "1,\"Ann,+1415"))
        try writer.add(issue(3, .phoneTooLong, "too long", raw: "2,Bo,+1415555010199"))
        try writer.finish(RunSummary())
        let records = parseCSV(try dir.text("rejected.csv"))
        #expect(records.count == 3)
        #expect(records[1][0...2] == ["1", "Ann,+1415", "unterminated-quote"])
        #expect(records[1][3].hasSuffix("flexmap closed the quote left open at the end of this row"))
        #expect(records[2] == ["2", "Bo", "+1415555010199", "phone-too-long", "too long", "3"])

        #expect(ReportCSV.endsInsideQuotes(Array("a,\"b\"\"c\",d".utf8), delimiter: UInt8(ascii: ",")) == false)
        #expect(ReportCSV.endsInsideQuotes(Array("a, \"b,c".utf8), delimiter: UInt8(ascii: ",")) == true)
        #expect(ReportCSV.endsInsideQuotes(Array("a,b\"c".utf8), delimiter: UInt8(ascii: ",")) == false)
    }

    @Test func ndjsonSplicesObjectsAndWrapsEverythingElse() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: .json)
        try writer.add(issue(1, .phoneMissing, "no \"phone\"", raw: #"{"name":"Ann","n":[1,{"a":2}]}"#))
        try writer.add(issue(2, .phoneMissing, "empty", raw: "{}"))
        try writer.add(issue(3, .phoneMissing, "spaces", raw: "  {  }\r"))
        try writer.add(issue(4, .notAnObject, "an array", raw: "[1,2]"))
        try writer.add(issue(5, .invalidJSON, "cut short", raw: #"{"name":"Ann""#))
        var latin1 = issue(6, .invalidJSON, "not UTF-8", raw: "")
        latin1.raw = [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xE9, 0x22, 0x7D]  // {"n":"<0xE9>"}
        try writer.add(latin1)
        try writer.add(issue(7, .fieldTooLong, "pretty", raw: "{\n  \"a\": 1\n}"))
        try writer.add(issue(8, .duplicate, "already, there", raw: #"{"phone":"+14155550101"}"#))
        try writer.finish(RunSummary())

        let lines = try dir.text("rejected.ndjson").split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 8)
        #expect(lines[7] == "")
        #expect(
            lines[0] == #"{"_line":1,"_reason":"phone-missing","_detail":"no \"phone\"","name":"Ann","n":[1,{"a":2}]}"#)
        #expect(lines[1] == #"{"_line":2,"_reason":"phone-missing","_detail":"empty"}"#)
        #expect(lines[2] == #"  {"_line":3,"_reason":"phone-missing","_detail":"spaces"  }"#)
        #expect(lines[3] == #"{"_line":4,"_reason":"not-an-object","_detail":"an array","_raw":"[1,2]"}"#)
        #expect(lines[4] == #"{"_line":5,"_reason":"invalid-json","_detail":"cut short","_raw":"{\"name\":\"Ann\""}"#)
        #expect(lines[5] == #"{"_line":6,"_reason":"invalid-json","_detail":"not UTF-8","_rawBase64":"eyJuIjoi6SJ9"}"#)
        #expect(lines[6] == #"{"_line":7,"_reason":"field-too-long","_detail":"pretty",   "a": 1 }"#)
        for line in lines.dropLast() {
            let object = try jsonObject(line)
            #expect(object["_line"] is Int)
            #expect(object["_reason"] is String)
        }
        #expect(try jsonObject(lines[0])["name"] as? String == "Ann")

        let skipped = parseCSV(try dir.text("skipped.csv"))
        #expect(
            skipped == [
                ["line", "reason", "detail", "record"],
                ["8", "duplicate", "already, there", #"{"phone":"+14155550101"}"#],
            ])
    }

    @Test func aRejectedLineImportedAgainKeepsOneSetOfMarkers() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: .json)
        try writer.add(issue(4, .phoneTooShort, "old \\\"quoted\\\" detail", raw: #"{"a":1}"#))
        try writer.add(issue(5, .phoneTooShort, "old", raw: #"{}"#))
        try writer.finish(RunSummary())
        let first = try dir.text("rejected.ndjson").split(separator: "\n")

        let again = TemporaryDirectory()
        let second = try ReportWriter(directory: again.path, format: .json)
        try second.add(issue(1, .phoneNotAssigned, "new", raw: String(first[0])))
        try second.add(issue(2, .phoneNotAssigned, "new", raw: String(first[1])))
        try second.finish(RunSummary())
        let lines = try again.text("rejected.ndjson").split(separator: "\n")
        #expect(lines[0] == #"{"_line":1,"_reason":"phone-not-assigned","_detail":"new","a":1}"#)
        #expect(lines[1] == #"{"_line":2,"_reason":"phone-not-assigned","_detail":"new"}"#)
    }

    @Test func resumeCutsRowFilesBackToTheCheckpoint() throws {
        let dir = TemporaryDirectory()
        var checkpoint: ReportCheckpoint
        do {
            let writer = try ReportWriter(directory: dir.path, format: csvFormat)
            for line in 2...11 { try writer.add(issue(line, .phoneTooShort, raw: "\(line),A,1")) }
            try writer.add(issue(12, .duplicate, raw: "12,B,+14155550101"))
            checkpoint = try writer.checkpoint()
            for line in 13...17 { try writer.add(issue(line, .phoneTooShort, raw: "\(line),A,1")) }
            try writer.add(issue(18, .duplicate, raw: "18,B,+14155550101"))
            _ = try writer.checkpoint()  // written, but never committed: the run dies here
        }
        #expect(parseCSV(try dir.text("rejected.csv")).count == 1 + 15)
        #expect(checkpoint.sizes.keys.sorted() == ["rejected.csv", "skipped.csv"])

        let resumed = try ReportWriter(directory: dir.path, format: csvFormat, resume: checkpoint)
        for line in 13...15 { try resumed.add(issue(line, .phoneTooShort, raw: "\(line),A,1")) }
        var summary = RunSummary()
        summary.resumed = true
        try resumed.finish(summary)

        let records = parseCSV(try dir.text("rejected.csv"))
        #expect(records.count == 1 + 13)
        #expect(records.dropFirst().map { $0[5] } == (2...11).map(String.init) + ["13", "14", "15"])
        #expect(parseCSV(try dir.text("skipped.csv")).map { $0.last } == ["line", "12"])
    }

    @Test func resumeOfNDJSONAndAnEmptyCheckpoint() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: .json)
        let empty = try writer.checkpoint()
        #expect(empty.sizes == ["rejected.ndjson": 0, "skipped.csv": Int64("line,reason,detail,record\n".utf8.count)])
        for line in 1...4 { try writer.add(issue(line, .phoneMissing, raw: "{\"n\":\(line)}")) }
        _ = try writer.checkpoint()

        let resumed = try ReportWriter(directory: dir.path, format: .json, resume: empty)
        try resumed.add(issue(5, .phoneMissing, raw: "{\"n\":5}"))
        try resumed.finish(RunSummary())
        #expect(
            try dir.text("rejected.ndjson") == #"{"_line":5,"_reason":"phone-missing","_detail":"detail","n":5}"# + "\n"
        )
    }

    @Test func resumeRefusesFilesThatDoNotMatchTheCheckpoint() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        try writer.add(issue(2, .phoneTooShort, raw: "1,A,1"))
        let checkpoint = try writer.checkpoint()
        try writer.finish(RunSummary())

        // Shorter than the checkpoint: rows were lost.
        try Data("id,name,phone,reason,detail,line\n".utf8).write(to: URL(fileURLWithPath: dir.file("rejected.csv")))
        #expect(throws: ReportError.self) {
            _ = try ReportWriter(directory: dir.path, format: csvFormat, resume: checkpoint)
        }
        // Another run's header.
        try Data(String(repeating: "x", count: 100).utf8).write(to: URL(fileURLWithPath: dir.file("rejected.csv")))
        #expect(throws: ReportError.self) {
            _ = try ReportWriter(directory: dir.path, format: csvFormat, resume: checkpoint)
        }
        // A checkpoint of another format.
        #expect(throws: ReportError.self) {
            _ = try ReportWriter(directory: dir.path, format: .json, resume: checkpoint)
        }
    }

    @Test func aFileInTheWayIsAClearError() throws {
        let dir = TemporaryDirectory()
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: dir.file("report")))

        let error = try #require(throws: ReportError.self) {
            _ = try ReportWriter(directory: dir.file("report"), format: csvFormat)
        }
        #expect(error.path == dir.file("report"))
        #expect(error.message.contains("is a file, not a directory"))

        let below = try #require(throws: ReportError.self) {
            _ = try ReportWriter(directory: dir.file("report") + "/nested/deeper", format: csvFormat)
        }
        #expect(below.path == dir.file("report"))
        #expect(below.message.contains("is a file"))
    }

    @Test func aNewRunRemovesTheLastRunsSummaryUntilItFinishes() throws {
        let dir = TemporaryDirectory()
        try ReportWriter(directory: dir.path, format: csvFormat).finish(RunSummary())
        #expect(FileManager.default.fileExists(atPath: dir.file("summary.json")))
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        for name in ["summary.json", "summary.md", "report.html"] {
            #expect(!FileManager.default.fileExists(atPath: dir.file(name)))
        }
        try writer.finish(RunSummary())
        #expect(FileManager.default.fileExists(atPath: dir.file("summary.json")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("summary.json.partial")))
    }

    @Test func missingParentsAreCreated() throws {
        let dir = TemporaryDirectory()
        let nested = dir.file("a/b/c/")
        let writer = try ReportWriter(directory: nested, format: csvFormat)
        try writer.finish(RunSummary())
        #expect(FileManager.default.fileExists(atPath: dir.file("a/b/c/summary.json")))
    }

    @Test func anUnwritableDirectoryIsAClearError() throws {
        if geteuid() == 0 {
            // Root writes anywhere permissions allow nothing; these refuse even root.
            let cannotMake = try #require(throws: ReportError.self) {
                _ = try ReportWriter(directory: "/proc/flexmap-report", format: csvFormat)
            }
            #expect(cannotMake.message.contains("cannot create the report directory"))
            let cannotWrite = try #require(throws: ReportError.self) {
                _ = try ReportWriter(directory: "/proc", format: csvFormat)
            }
            #expect(cannotWrite.path == "/proc/rejected.csv")
            #expect(cannotWrite.message.contains("cannot create the file"))
        } else {
            let dir = TemporaryDirectory()
            let locked = dir.file("locked")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            chmod(locked, 0o500)
            defer { chmod(locked, 0o700) }
            let cannotWrite = try #require(throws: ReportError.self) {
                _ = try ReportWriter(directory: locked, format: csvFormat)
            }
            #expect(cannotWrite.message.contains("writable"))
            #expect(throws: ReportError.self) {
                _ = try ReportWriter(directory: locked + "/inner", format: csvFormat)
            }
        }
    }

    @Test func anEmptyRunStillWritesEveryFile() throws {
        for format in [csvFormat, .json] {
            let dir = TemporaryDirectory()
            let writer = try ReportWriter(directory: dir.path, format: format)
            try writer.finish(RunSummary())
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(try dir.text("summary.json").utf8)) as? [String: Any])
            #expect(json["total"] as? Int == 0)
            #expect(json["rowsPerSecond"] as? Double == 0)
            #expect((json["reasons"] as? [String: Int])?.isEmpty == true)
            for file in json["files"] as? [String] ?? [] {
                #expect(FileManager.default.fileExists(atPath: dir.file(file)))
            }
            if format == .json {
                #expect(try dir.bytes("rejected.ndjson").isEmpty)
                #expect(try dir.text("skipped.csv") == "line,reason,detail,record\n")
            } else {
                #expect(try dir.text("rejected.csv") == "id,name,phone,reason,detail,line\n")
            }
            #expect(try dir.text("report.html").contains("</html>"))
        }
    }

    @Test func htmlEscapesEverythingItShows() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        try writer.add(issue(2, .fieldInvalid, "<script>alert('x')</script> & \"more\"", raw: "1,A,1"))
        var summary = RunSummary()
        summary.input = "<img src=x onerror=alert(1)>.csv"
        summary.mappingName = "A & B <b>"
        summary.warnings = ["<script>warn()</script>"]
        summary.count(.rejected, reason: .fieldInvalid)
        try writer.finish(summary)

        let html = try dir.text("report.html")
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;.csv"))
        // Self-contained: no external resources.
        #expect(
            !html.contains("http://") && !html.contains("https://") && !html.contains("<link")
                && !html.contains("@import"))
        let markdown = try dir.text("summary.md")
        #expect(!markdown.contains("<script>"))
    }

    @Test func examplesAreBoundedPerReason() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        var summary = RunSummary()
        for line in 2...1001 {
            try writer.add(issue(line, .phoneTooShort, "example-\(line)-end", raw: "\(line),A,1"))
            summary.count(.invalidPhone, reason: .phoneTooShort)
        }
        try writer.add(issue(1002, .fieldTooLong, String(repeating: "y", count: 10_000), raw: "x,A,1"))
        summary.count(.rejected, reason: .fieldTooLong)
        try writer.finish(summary)

        let html = try dir.text("report.html")
        let markdown = try dir.text("summary.md")
        for text in [html, markdown] {
            #expect(text.contains("example-2-end"))
            #expect(text.contains("example-6-end"))
            #expect(!text.contains("example-7-end"))
            #expect(!text.contains(String(repeating: "y", count: ReportExamples.detailLimit + 1)))
        }
        #expect(parseCSV(try dir.text("rejected.csv")).count == 1 + 1001)
    }

    @Test func summaryMarkdownTellsCountsReasonsAndWhatToDo() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        try writer.add(issue(9, .phoneTooShort, "7 digits for US", raw: "1,A,5550101"))
        try writer.finish(sampleSummary())
        let markdown = try dir.text("summary.md")
        #expect(markdown.contains("| Created | 6 | 60.0% |"))
        #expect(markdown.contains("| Invalid phone | 1 | 10.0% |"))
        #expect(markdown.contains(Reason.phoneTooShort.explanation))
        #expect(markdown.contains("line 9: 7 digits for US"))
        #expect(markdown.contains("flexmap import --input \(dir.path)/rejected.csv --map map_123 --format csv"))
    }

    @Test func addAfterFinishIsAnError() throws {
        let dir = TemporaryDirectory()
        let writer = try ReportWriter(directory: dir.path, format: csvFormat)
        try writer.finish(RunSummary())
        #expect(throws: ReportError.self) { try writer.add(issue(2, .duplicate, raw: "1,A,1")) }
        #expect(throws: ReportError.self) { try writer.finish(RunSummary()) }
    }

    @Test func textFormatting() {
        #expect(ReportText.count(0) == "0")
        #expect(ReportText.count(999) == "999")
        #expect(ReportText.count(1000) == "1,000")
        #expect(ReportText.count(1_234_567) == "1,234,567")
        #expect(ReportText.percent(1, of: 3) == "33.3%")
        #expect(ReportText.percent(1, of: 10_000) == "<0.1%")
        #expect(ReportText.percent(9_999, of: 10_000) == ">99.9%")
        #expect(ReportText.percent(0, of: 0) == "0%")
        #expect(ReportText.fixed(0.05, decimals: 2) == "0.05")
        #expect(ReportText.fixed(12.345, decimals: 1) == "12.3")
        #expect(ReportText.duration(125) == "2 min 5 s")
        #expect(ReportText.shellWord("a b'c") == "'a b'\\''c'")
        #expect(ReportText.shellWord("reports/x.csv") == "reports/x.csv")
    }
}
