import FlexMapCore
import Foundation
import Testing

@testable import FlexMapIO

// Every test reads a real file (a fixture under Fixtures/csv or a temporary file)
// through ByteSource, LineReader and the real libcsv.

private let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/csv")

private func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

/// A file in the temporary directory, removed when the value goes away.
private final class TempFile {
    let path: String
    init(_ bytes: [UInt8]) {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("flexmap-csv-\(UUID().uuidString).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
    convenience init(_ text: String) { self.init(Array(text.utf8)) }
    /// Writes `chunks()` until it returns nil, without holding the whole file.
    init(streaming chunks: () -> [UInt8]?) {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("flexmap-csv-\(UUID().uuidString).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        while let chunk = chunks() { handle.write(Data(chunk)) }
        try? handle.close()
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    var bytes: [UInt8] { Array(FileManager.default.contents(atPath: path)!) }
}

private func readAll(_ reader: CSVReader) throws -> [CSVRecord] {
    var records: [CSVRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

/// The InputError `body` throws (nil when it throws none, or another error).
private func inputError(_ body: () throws -> Void) -> InputError? {
    do { try body() } catch { return error as? InputError }
    return nil
}

extension CSVRecord {
    fileprivate var rawText: String { String(decoding: raw, as: UTF8.self) }
    fileprivate var reason: Reason? {
        if case .problem(let reason, _) = content { return reason }
        return nil
    }
    fileprivate var detail: String {
        if case .problem(_, let detail) = content { return detail }
        return ""
    }
    fileprivate var values: [String?] {
        guard let fields else { return [] }
        return (0..<fields.count).map { fields.string(at: $0) }
    }
}

/// Checks that the records and blank lines account for every byte after the header:
/// each record's raw bytes are the input between the previous record and its
/// `endOffset` (blank lines and the final line ending aside).
private func checkCoverage(_ reader: CSVReader, _ records: [CSVRecord], file: [UInt8], blankBeforeHeader: Int = 0) {
    var offset = Int(reader.dataStart.offset)
    var line = reader.dataStart.line
    var blank = 0
    func skipBlankLines(upTo end: Int) {
        while offset < end, let newline = file[offset..<end].firstIndex(of: 0x0A),
            file[offset..<newline].allSatisfy({ $0 == 0x0D })
        {
            offset = newline + 1
            line += 1
            blank += 1
        }
    }
    for record in records {
        let end = Int(record.endOffset)
        skipBlankLines(upTo: end)
        #expect(record.line == line, "record \(record.number)")
        let expected = Array(CSVDialect.content(of: file[offset..<end]))
        if record.reason == .recordTooLarge, record.lineCount == 1 {
            #expect(expected.starts(with: record.raw), "record \(record.number)")  // a bounded prefix
        } else {
            #expect(expected == record.raw, "record \(record.number)")
        }
        #expect(file[offset..<end].filter { $0 == 0x0A }.count == record.lineCount - (file[end - 1] == 0x0A ? 0 : 1))
        offset = end
        line += record.lineCount
    }
    skipBlankLines(upTo: file.count)
    if offset < file.count, file[offset...].allSatisfy({ $0 == 0x0D }) {
        offset = file.count  // a last blank line without a line feed
        blank += 1
    }
    #expect(offset == file.count, "bytes after the last record are not blank lines")
    #expect(blank + blankBeforeHeader == reader.blankLines)
}

@Suite("CSVReader")
struct CSVReaderTests {
    // MARK: - Realistic exports

    @Test func hubSpotExportWithMultiLineNotes() throws {
        let path = fixture("hubspot-contacts.csv")
        let reader = try CSVReader(path: path)
        #expect(reader.delimiter == UInt8(ascii: ","))
        #expect(!reader.hasByteOrderMark && !reader.hasSepLine)
        #expect(
            reader.header == [
                "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name",
                "Lifecycle Stage", "Notes",
            ])
        #expect(reader.headerWarnings.isEmpty)
        #expect(reader.column(named: "Mobile Phone Number") == 5)
        let records = try readAll(reader)
        #expect(records.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(records.map(\.line) == [2, 3, 5, 6, 10, 11])
        #expect(records.map(\.lineCount) == [1, 2, 1, 4, 1, 1])
        #expect(records.allSatisfy { $0.fields?.count == 9 })

        let jose = records[1].values
        #expect(jose[1] == "José")
        #expect(jose[6] == "García, Hermanos y Cía")
        #expect(jose[8] == "Met at trade show, Madrid.\nFollow up in Q3: \"very interested\" in the premium plan.")
        #expect(records[1].rawText.hasPrefix("\"1002\",\"José\""))
        #expect(records[1].rawText.hasSuffix("premium plan.\""))
        #expect(records[1].rawText.contains("Madrid.\nFollow up"))
        #expect(records[3].values[8] == "Called twice:\n- 2024-03-02 no answer\n- 2024-03-09 left voicemail\n")
        #expect(records[4].values[1] == "山田")
        #expect(records[4].values[5] == "+81 90-1234-5678")
        #expect(records[4].values[8] == "Speaks English; prefers \"LINE\" over e-mail")
        #expect(records[2].fields!.isBlank(at: 8))
        #expect(records[1].fields!.isBlank(at: 5))

        let file = try #require(FileManager.default.contents(atPath: path))
        #expect(records.last?.endOffset == Int64(file.count))
        checkCoverage(reader, records, file: Array(file))
        #expect(try reader.next() == nil)
    }

    @Test func excelSemicolonExportWithBOMSepLineAndCRLF() throws {
        let path = fixture("excel-semicolon.csv")
        let reader = try CSVReader(path: path)
        #expect(reader.hasByteOrderMark)
        #expect(reader.hasSepLine)
        #expect(reader.delimiter == UInt8(ascii: ";"))
        // The comma in the first name does not make it a comma file: sep= decides.
        #expect(reader.header == ["Nachname, Vorname", "Telefon", "E-Mail", "Firma", "Umsatz"])
        #expect(reader.headerRaw == Array("Nachname, Vorname;Telefon;E-Mail;Firma;Umsatz".utf8))
        #expect(reader.dataStart.line == 3)
        let records = try readAll(reader)
        #expect(records.map(\.line) == [3, 4, 6, 7])
        #expect(
            records[0].values == [
                "Schmidt, Anna", "+49 (0)30 1234567", "anna.schmidt@example.de", "Schmidt GmbH", "1234,50",
            ])
        #expect(records[0].rawText == "Schmidt, Anna;+49 (0)30 1234567;anna.schmidt@example.de;Schmidt GmbH;1234,50")
        #expect(records[1].values[3] == "Weber; Partner")
        #expect(records[2].values[3] == "Fischer \"Bau\" AG")
        #expect(records.allSatisfy { $0.values.allSatisfy { !($0?.contains("\r") ?? true) } })
        // Excel's trailing all-empty row is a record the pipeline skips; the empty line is not.
        #expect(records[3].fields?.allBlank == true)
        #expect(records[3].rawText == ";;;;")
        #expect(!records[0].fields!.allBlank)
        #expect(reader.blankLines == 1)
        checkCoverage(reader, records, file: Array(FileManager.default.contents(atPath: path)!))
    }

    @Test func explicitDelimiterWinsOverSepLine() throws {
        let reader = try CSVReader(
            path: fixture("excel-semicolon.csv"), options: CSVOptions(delimiter: UInt8(ascii: ",")))
        #expect(reader.hasSepLine)  // still not a record
        #expect(reader.delimiter == UInt8(ascii: ","))
        #expect(reader.header == ["Nachname", " Vorname;Telefon;E-Mail;Firma;Umsatz"])
    }

    // MARK: - Bad rows

    @Test func badRowsAreRejectedOneByOneAndReadingGoesOn() throws {
        let path = fixture("bad-rows.csv")
        let reader = try CSVReader(path: path)
        let records = try readAll(reader)
        #expect(records.map(\.number) == Array(1...12))
        #expect(records.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15])
        #expect(
            records.map(\.reason) == [
                nil, .unterminatedQuote, nil, nil, .tooManyFields, .tooFewFields, .unterminatedQuote, nil, nil, nil,
                .unterminatedQuote, nil,
            ])
        // The stray opening quote on line 3 costs line 3 only: lines 4 and 5 are records.
        #expect(records[1].rawText == "2,\"Bob,+1 415 555 0101,quote opened and never closed")
        #expect(records[1].lineCount == 1)
        #expect(records[1].detail.contains("opened on line 3"))
        #expect(records[2].values == ["3", "Cid", "+1 415 555 0102", "ok"])
        #expect(records[3].values == ["4", "Dee", "+1 415 555 0103", "quoted"])
        #expect(records[4].detail == "line 6 has 5 fields; the header has 4")
        #expect(records[5].detail == "line 7 has 3 fields; the header has 4")
        #expect(records[6].detail.contains("line 8, field 2 (\"name\")"))
        #expect(records[6].rawText == "7,Gus \"the bus\",+1 415 555 0104,stray quote")
        // Invalid UTF-8 is kept; only that field has no string.
        #expect(records[7].values == ["8", nil, "+33 1 42 68 53 00", "latin-1 name"])
        #expect(records[7].raw.contains(0xE9))
        #expect(records[8].fields?.allBlank == true)
        #expect(records[9].values[1] == "Ivy \"Iv\" Chen")
        #expect(records[9].values[3] == "line one\nline two")
        #expect(records[9].lineCount == 2)
        // A quote still open at the end of the input costs its first line only.
        #expect(records[10].rawText == "10,\"Jo,+1 415 555 0106,open at the end of the file")
        #expect(records[10].detail.contains("never closed"))
        #expect(records[11].values == ["11", "Kim", "+1 415 555 0107", "last"])
        #expect(reader.blankLines == 1)
        checkCoverage(reader, records, file: Array(FileManager.default.contents(atPath: path)!))
    }

    @Test func quoteErrorAfterAClosedMultiLineFieldRejectsTheWholeRecord() throws {
        let file = TempFile("id,notes,x\n1,\"a\nb\",x\"y\n2,ok,3\n")
        let reader = try CSVReader(path: file.path)
        let records = try readAll(reader)
        #expect(records.map(\.reason) == [.unterminatedQuote, nil])
        #expect(records[0].lineCount == 2)
        #expect(records[0].rawText == "1,\"a\nb\",x\"y")
        #expect(records[1].values == ["2", "ok", "3"])
        checkCoverage(reader, records, file: file.bytes)
    }

    @Test func textAfterAClosingQuoteIsRejected() throws {
        let file = TempFile("a,b\n1,\"x\" y\n2,z\n")
        let records = try readAll(CSVReader(path: file.path))
        #expect(records.map(\.reason) == [.unterminatedQuote, nil])
        #expect(records[0].detail.contains("text follows the closing quote"))
    }

    @Test func unterminatedQuoteOnTheLastLine() throws {
        let file = TempFile("a,b\n1,\"x\n")
        let reader = try CSVReader(path: file.path)
        let records = try readAll(reader)
        #expect(records.count == 1)
        #expect(records[0].reason == .unterminatedQuote)
        #expect(records[0].rawText == "1,\"x")
        #expect(records[0].endOffset == 9)
        checkCoverage(reader, records, file: file.bytes)
    }

    @Test func openQuotePastTheSizeLimitRejectsItsFirstLineOnly() throws {
        var text = "id,notes\n1,\"never closed\n"
        for number in 2...12 { text += "\(number),fine\n" }
        let file = TempFile(text)
        let reader = try CSVReader(path: file.path, options: CSVOptions(maxRecordBytes: 64))
        let records = try readAll(reader)
        #expect(records.count == 12)
        #expect(records[0].reason == .recordTooLarge)
        #expect(records[0].rawText == "1,\"never closed")
        #expect(records[0].detail.contains("opened on line 2"))
        #expect(records.dropFirst().allSatisfy { $0.reason == nil })
        #expect(records[11].values == ["12", "fine"])
        checkCoverage(reader, records, file: file.bytes)
    }

    @Test func overlongLineIsRejectedWithABoundedPrefix() throws {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 300_000)
        let file = TempFile(Array("id,notes\n1,".utf8) + long + Array("\n2,ok\n".utf8))
        let reader = try CSVReader(path: file.path, options: CSVOptions(maxRecordBytes: 1000))
        let records = try readAll(reader)
        #expect(records.count == 2)
        #expect(records[0].reason == .recordTooLarge)
        #expect(records[0].raw.count == 1000)
        #expect(records[0].raw.starts(with: Array("1,xxx".utf8)))
        #expect(records[0].detail.contains("line 2 is 300003 bytes long"))
        #expect(records[0].detail.contains("only its first 1000 bytes"))
        #expect(records[0].endOffset == Int64(9 + 300_003))
        #expect(records[1].values == ["2", "ok"])
        #expect(records[1].line == 3)
        #expect(reader.retainedBytes < 64 << 10)
    }

    @Test func overlongLineInsideAnOpenQuote() throws {
        let long = [UInt8](repeating: UInt8(ascii: "y"), count: 500)
        let file = TempFile(Array("id,notes\n1,\"open\n".utf8) + long + Array("\n2,ok\n".utf8))
        let reader = try CSVReader(path: file.path, options: CSVOptions(maxRecordBytes: 100))
        let records = try readAll(reader)
        #expect(records.map(\.reason) == [.recordTooLarge, .recordTooLarge, nil])
        #expect(records.map(\.line) == [2, 3, 4])
        #expect(records[0].rawText == "1,\"open")
        #expect(records[1].raw.count == 100)
        #expect(records[1].endOffset == Int64(17 + 501))
        #expect(records[2].values == ["2", "ok"])
    }

    /// A line longer than the default 16 MiB limit. 100 MB takes about 20 s in a debug
    /// build (the LineReader's scan is not specialized there), so it runs with
    /// FLEXMAP_LARGE_TESTS=1; 20 MB always.
    @Test(arguments: ProcessInfo.processInfo.environment["FLEXMAP_LARGE_TESTS"] == nil ? [20] : [20, 100])
    func hugeLineWithDefaultOptions(megabytes: Int) throws {
        let chunk = [UInt8](repeating: UInt8(ascii: "z"), count: 1 << 20)
        var step = 0
        let file = TempFile(streaming: {
            defer { step += 1 }
            switch step {
            case 0: return Array("id,notes\n1,".utf8)
            case 1...megabytes: return chunk
            case megabytes + 1: return Array("\n2,after\n".utf8)
            default: return nil
            }
        })
        let reader = try CSVReader(path: file.path)
        let first = try #require(try reader.next())
        #expect(first.reason == .recordTooLarge)
        #expect(first.raw.count == 64 << 10)
        #expect(first.detail.contains("line 2 is \(megabytes << 20 + 3) bytes long"))
        #expect(first.detail.contains("only its first 65536 bytes"))
        #expect(reader.retainedBytes < 1 << 20)
        let second = try #require(try reader.next())
        #expect(second.values == ["2", "after"])
        #expect(second.line == 3)
        #expect(try reader.next() == nil)
    }

    @Test func sizeLimitIsInclusive() throws {
        // "1234567,8\n" is 10 bytes: at the limit; one more byte is over it.
        let file = TempFile("a,b\n1234567,8\n12345678,9\n")
        let records = try readAll(CSVReader(path: file.path, options: CSVOptions(maxRecordBytes: 10)))
        #expect(records.map(\.reason) == [nil, .recordTooLarge])
        #expect(records[1].rawText == "12345678,9")
    }

    // MARK: - Line endings, quoting, blank lines

    @Test func crlfEndingsInsideAndOutsideQuotes() throws {
        let file = TempFile("a,b\r\n1,\"x\r\ny\"\r\n2,\"\"\r\n3,\"q,\"\"r\"\"\"\r\n")
        let reader = try CSVReader(path: file.path)
        let records = try readAll(reader)
        #expect(records.map(\.values) == [["1", "x\r\ny"], ["2", ""], ["3", "q,\"r\""]])
        #expect(records[0].rawText == "1,\"x\r\ny\"")
        #expect(records.map(\.line) == [2, 4, 5])
        checkCoverage(reader, records, file: file.bytes)
    }

    @Test func bareCarriageReturnsInDataAreKept() throws {
        let file = TempFile("a,b,c\r\nx\ry,\"q\rr\",z\r\n1,2,3\r")
        let reader = try CSVReader(path: file.path)
        let records = try readAll(reader)
        #expect(records.map(\.values) == [["x\ry", "q\rr", "z"], ["1", "2", "3"]])
        #expect(records[1].rawText == "1,2,3\r")
        checkCoverage(reader, records, file: file.bytes)
    }

    @Test func oldMacLineEndingsAreAnError() {
        let file = TempFile("a,b\r1,2\r3,4\r")
        let error = inputError { _ = try CSVReader(path: file.path) }
        #expect(error?.message.contains("CR-only") == true)
        #expect(error?.line == 1)
    }

    @Test func lastLineWithoutNewline() throws {
        let file = TempFile("a,b\n1,2\n3,4")
        let reader = try CSVReader(path: file.path)
        let records = try readAll(reader)
        #expect(records.map(\.values) == [["1", "2"], ["3", "4"]])
        #expect(records[1].rawText == "3,4")
        #expect(records[1].endOffset == 11)
        checkCoverage(reader, records, file: file.bytes)

        let quoted = TempFile("a,b\r\n1,\"x\ny\"")
        let last = try readAll(CSVReader(path: quoted.path))
        #expect(last.map(\.values) == [["1", "x\ny"]])
        #expect(last[0].lineCount == 2)
    }

    @Test func headerOnlyAndHeaderWithoutNewline() throws {
        let file = TempFile("a,b")
        let reader = try CSVReader(path: file.path)
        #expect(reader.header == ["a", "b"])
        #expect(try reader.next() == nil)
        #expect(reader.dataStart.offset == 3)
    }

    @Test func blankLinesAreCountedNotRecords() throws {
        let file = TempFile("\n\r\na,b\n\n1,2\r\n\r\n\r\r\n,\n \n")
        let reader = try CSVReader(path: file.path)
        #expect(reader.header == ["a", "b"])
        let records = try readAll(reader)
        #expect(records.map(\.line) == [5, 8, 9])
        #expect(records[1].fields?.allBlank == true)
        // A line of spaces is not blank: it is a record of one field.
        #expect(records[2].reason == .tooFewFields)
        #expect(reader.blankLines == 5)
        checkCoverage(reader, records, file: file.bytes, blankBeforeHeader: 2)
    }

    @Test func spacesAndTabsAreData() throws {
        let file = TempFile("a,b\n  x  , y\t\n")
        let records = try readAll(CSVReader(path: file.path))
        #expect(records[0].values == ["  x  ", " y\t"])
        #expect(records[0].fields!.isBlank(at: 0) == false)
        let blankFile = TempFile("a,b\n  ,\t\n")
        let blank = try readAll(CSVReader(path: blankFile.path))
        #expect(blank[0].fields?.allBlank == true)
    }

    @Test func tabSeparatedFileIsSniffed() throws {
        let file = TempFile("name\tphone\tnote\nAnn\t\t\"a\tb\"\n")
        let reader = try CSVReader(path: file.path)
        #expect(reader.delimiter == 0x09)
        #expect(try readAll(reader).map(\.values) == [["Ann", "", "a\tb"]])
    }

    @Test func pipeSeparatedFileIsSniffed() throws {
        let file = TempFile("name|phone\nAnn|+1 415 555 0100\n")
        let reader = try CSVReader(path: file.path)
        #expect(reader.delimiter == UInt8(ascii: "|"))
        #expect(try readAll(reader).map(\.values) == [["Ann", "+1 415 555 0100"]])
    }

    @Test func delimiterSniffing() {
        func sniff(_ text: String) -> Character {
            Character(Unicode.Scalar(CSVDialect.sniffDelimiter(Array(text.utf8))))
        }
        #expect(sniff("a,b;c;d") == ",")
        #expect(sniff("a;b;c") == ";")
        #expect(sniff("\"x,y\";z;w") == ";")
        #expect(sniff("a\tb\tc;d") == "\t")
        #expect(sniff("a|b|c") == "|")
        #expect(sniff("a;b\tc|d") == ";")  // ties: ; then tab then |
        #expect(sniff("single") == ",")
    }

    @Test func sepLines() {
        func sep(_ text: String) -> UInt8? { CSVDialect.sepLineDelimiter(Array(text.utf8)) }
        #expect(sep("sep=;\r\n") == UInt8(ascii: ";"))
        #expect(sep("sep=,\n") == UInt8(ascii: ","))
        #expect(sep("\"sep=;\"\n") == UInt8(ascii: ";"))
        #expect(sep("SEP=|") == UInt8(ascii: "|"))
        #expect(sep("sep=;;;;\r\n") == UInt8(ascii: ";"))
        #expect(sep("sep=\t\n") == 0x09)
        #expect(sep("sep=\n") == nil)
        #expect(sep("sep=\"\n") == nil)
        #expect(sep("sep=;a\n") == nil)
        #expect(sep("separator;phone\n") == nil)
    }

    // MARK: - Header

    @Test func emptyInputsHaveNoHeader() {
        for name in ["empty.csv", "bom-only.csv"] {
            let error = inputError { _ = try CSVReader(path: fixture(name)) }
            #expect(error?.message.contains("has no header row") == true, "\(name)")
            #expect(error?.file.hasSuffix(name) == true)
        }
        let sepOnly = TempFile("sep=;\r\n")
        #expect(inputError { _ = try CSVReader(path: sepOnly.path) }?.message.contains("has no header row") == true)
    }

    @Test func headerWarnings() throws {
        let reader = try CSVReader(path: fixture("header-warnings.csv"))
        #expect(reader.header == ["Email", "Phone", "", "T\u{FFFD}l\u{FFFD}phone", "Email", ""])
        #expect(reader.column(named: "Email") == 0)
        #expect(reader.headerWarnings.count == 3)
        #expect(reader.headerWarnings[0].contains("column 4's name is not valid UTF-8"))
        #expect(reader.headerWarnings[1].contains("column 5 repeats the name \"Email\" of column 1"))
        #expect(reader.headerWarnings[2] == "columns 3, 6 have no name; no mapping can read them")
        let records = try readAll(reader)
        #expect(records.count == 1)
        #expect(records[0].values[4] == "b@example.com")
    }

    @Test func headerWithAnUnterminatedQuoteIsAnError() {
        let file = TempFile("id,\"name\n1,2\n")
        let error = inputError { _ = try CSVReader(path: file.path) }
        #expect(error?.line == 1)
        #expect(error?.message.contains("the header row cannot be read") == true)
        #expect(error?.description.hasPrefix(file.path + ":1: ") == true)
    }

    @Test func unusableDelimiterIsAnError() {
        let error = inputError {
            _ = try CSVReader(path: fixture("hubspot-contacts.csv"), options: CSVOptions(delimiter: UInt8(ascii: "\"")))
        }
        #expect(error?.message.contains("as the delimiter") == true)
    }

    @Test func missingFileIsAnError() {
        let error = inputError { _ = try CSVReader(path: fixture("no-such-file.csv")) }
        #expect(error?.message.contains("cannot open") == true)
    }

    // MARK: - Resume

    @Test func resumeGoesOnWithTheSameRecords() throws {
        let path = fixture("bad-rows.csv")
        let all = try readAll(CSVReader(path: path))
        for stop in [0, 1, 2, 5, 9, 10, 11, 12] {
            let reader = try CSVReader(path: path)
            let point = stop == 0 ? reader.dataStart : all[stop - 1].resumePoint
            try reader.resume(from: point)
            let rest = try readAll(reader)
            #expect(rest.map(\.number) == all.dropFirst(stop).map(\.number), "stop \(stop)")
            #expect(rest.map(\.line) == all.dropFirst(stop).map(\.line), "stop \(stop)")
            #expect(rest.map(\.raw) == all.dropFirst(stop).map(\.raw), "stop \(stop)")
            #expect(rest.map(\.endOffset) == all.dropFirst(stop).map(\.endOffset), "stop \(stop)")
            #expect(rest.map(\.reason) == all.dropFirst(stop).map(\.reason), "stop \(stop)")
        }
    }

    @Test func resumeRefusesABadPoint() throws {
        let path = fixture("hubspot-contacts.csv")
        let records = try readAll(CSVReader(path: path))
        let reader = try CSVReader(path: path)
        var inside = records[0].resumePoint
        inside.offset += 3
        #expect(inputError { try reader.resume(from: inside) }?.message.contains("not the start of a line") == true)
        var past = records[5].resumePoint
        past.offset += 1000
        #expect(inputError { try reader.resume(from: past) }?.message.contains("shorter than the point") == true)
        let before = CSVPosition(offset: 5, recordsRead: 0, line: 1)
        #expect(inputError { try reader.resume(from: before) }?.message.contains("the data records start") == true)
    }

    // MARK: - Memory

    @Test func memoryDoesNotGrowWithTheInput() throws {
        let rows = 300_000
        var written = 0
        let file = TempFile(streaming: {
            guard written < rows else { return nil }
            var chunk = ""
            for _ in 0..<10_000 {
                written += 1
                if written % 1000 == 0 {
                    chunk +=
                        "\(written),\"Name, \(written)\",+1 415 555 \(written % 10_000),\"multi\nline \"\"note\"\"\"\n"
                } else {
                    chunk += "\(written),Name \(written),+1 415 555 \(written % 10_000),plain note\n"
                }
            }
            if written == 10_000 { chunk = "id,name,phone,notes\n" + chunk }
            return Array(chunk.utf8)
        })
        let reader = try CSVReader(path: file.path)
        var count = 0
        var maxRetained = 0
        var maxRecordCapacity = 0
        while let record = try reader.next() {
            count += 1
            if record.reason != nil { Issue.record("record \(record.number): \(record.detail)") }
            if count % 997 == 0 {
                maxRetained = max(maxRetained, reader.retainedBytes)
                maxRecordCapacity = max(maxRecordCapacity, record.raw.capacity, record.fields!.storage.capacity)
            }
        }
        #expect(count == rows)
        #expect(reader.position.recordsRead == rows)
        // A few kilobytes of reusable buffers, whatever the input size (about 15 MB here).
        #expect(maxRetained < 64 << 10)
        // Records own tight copies, never a view of a larger buffer.
        #expect(maxRecordCapacity < 256)
    }
}

@Suite("CSVFields")
struct CSVFieldsTests {
    @Test func utf8ValidationMatchesTheStandardLibrary() {
        var samples: [[UInt8]] = [
            [], Array("plain ascii, longer than eight bytes".utf8), Array("Zoë Müller 山田 😀".utf8),
            [0xC3], [0xC3, 0x28], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98],
            [0xC0, 0xAF], [0xFF], Array("abcdefgh".utf8) + [0xE9] + Array("xyz".utf8), [0xEF, 0xBF, 0xBD],
        ]
        // Every one- and two-byte sequence, and pseudo-random longer ones.
        for a in 0...255 { samples.append([UInt8(a)]) }
        for a in 0x80...0xFF { for b in 0...255 { samples.append([UInt8(a), UInt8(b)]) } }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<(Int(state % 12) + 1) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let byte = UInt8(truncatingIfNeeded: state >> 56)
                bytes.append(state & 0x300 == 0 ? byte & 0x7F : byte | 0x80)
            }
            samples.append(bytes)
        }
        for bytes in samples {
            let fields = CSVFields(storage: bytes, ends: [UInt32(bytes.count)])
            let expected = String(validating: bytes, as: UTF8.self)
            #expect(fields.string(at: 0) == expected, "\(bytes)")
        }
    }

    @Test func blankFields() {
        let fields = CSVFields(["", " \t", "x", "\r\n"])
        #expect(fields.count == 4)
        #expect((0..<4).map { fields.isBlank(at: $0) } == [true, true, false, true])
        #expect(!fields.allBlank)
        #expect(CSVFields(["", "  "]).allBlank)
        #expect(fields.bytes(at: 2) == [UInt8(ascii: "x")])
    }
}

/// A small seeded generator, so failures reproduce.
private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var value = state
        value ^= value >> 33
        value = value &* 0xff51_afd7_ed55_8ccd
        return value ^ (value >> 33)
    }
}

@Suite("CSV properties")
struct CSVPropertyTests {
    /// What libcsv made of a sequence of lines.
    private func parse(_ lines: [[UInt8]], lineFeedOnly: Bool) -> [String] {
        let parser = LibCSVParser(delimiter: UInt8(ascii: ","))
        parser.alwaysLineFeedOnly = lineFeedOnly
        var events: [String] = []
        for line in lines {
            let result = line.withUnsafeBytes { parser.feed($0) }
            let fields = parser.sink.makeFields()
            events.append("\(result) \((0..<fields.count).map { Array(fields.bytes(at: $0)) }) \(parser.sink.rowEnded)")
            if result != .parsed {
                parser.reset()
            } else if parser.sink.rowEnded {
                parser.sink.clear()
            }
        }
        events.append("\(parser.finish())")
        return events
    }

    @Test func builtInTerminatorMatchesLineFeedOnlyWithoutBareCarriageReturns() {
        var random = SeededRandom(state: 42)
        let alphabet = Array("a, \t\"\r".utf8)
        for _ in 0..<3000 {
            var lines: [[UInt8]] = []
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                var line = (0..<Int.random(in: 0...10, using: &random)).map { _ in
                    alphabet.randomElement(using: &random)!
                }
                line.removeAll { $0 == 0x0D }  // no bare CR...
                line += Bool.random(using: &random) ? [0x0D, 0x0A] : [0x0A]  // ...only line endings
                lines.append(line)
            }
            #expect(parse(lines, lineFeedOnly: false) == parse(lines, lineFeedOnly: true), "\(lines)")
        }
    }

    @Test func everyLineEndsUpInOneRecordOrIsBlank() throws {
        var random = SeededRandom(state: 7)
        let alphabet = Array("ab,,,  \"\"\"\n\n\r;\u{e9}".utf8) + [0xFF]
        for round in 0..<400 {
            var bytes = Array("h1,h2,h3\n".utf8)
            for _ in 0..<Int.random(in: 0...300, using: &random) {
                bytes.append(alphabet.randomElement(using: &random)!)
            }
            let file = TempFile(bytes)
            let limit = [16, 40, 1000].randomElement(using: &random)!
            let reader = try CSVReader(path: file.path, options: CSVOptions(maxRecordBytes: limit))
            let records = try readAll(reader)
            #expect(records.map(\.number) == Array(0..<records.count).map { $0 + 1 }, "round \(round)")
            #expect(records.allSatisfy { $0.raw.count <= limit }, "round \(round)")
            checkCoverage(reader, records, file: bytes)
        }
    }
}
