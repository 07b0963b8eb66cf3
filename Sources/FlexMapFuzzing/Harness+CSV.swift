import FlexMapCore
import FlexMapIO
import Foundation

extension Harness {
    /// The CSV reader, --resume and the report's CSV row files. The first byte picks the
    /// delimiter (given or sniffed) and, with its top bit, a small record limit so the
    /// size paths are reached with small inputs. Oracles:
    /// - records move forward: offsets and lines grow, stay inside the input, and every
    ///   well-formed record has as many fields as the header;
    /// - resuming after any record reads exactly the records an uninterrupted read gives;
    /// - rejected.csv reads back as one record per row written, each with its fields
    ///   unchanged except the leading `'` that neutralises a formula, then reason,
    ///   detail (never a formula) and line.
    static func csv(_ data: [UInt8]) -> [String] {
        var findings = Findings()
        var input = ByteReader(data)
        let options = input.byte()
        let body = input.rest()
        let delimiters: [UInt8?] = [nil, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
        let delimiter = delimiters[Int(options & 0x7F) % delimiters.count]
        let limit = options & 0x80 != 0 ? 32 + Int(options & 0x3F) * 8 : CSVOptions.defaultMaxRecordBytes
        let csvOptions = CSVOptions(delimiter: delimiter, maxRecordBytes: limit)

        let path = ScratchFiles.write(body, suffix: ".csv")
        defer { ScratchFiles.remove(path) }
        guard let reader = try? CSVReader(path: path, options: csvOptions) else { return [] }
        var records: [CSVRecord] = []
        var previous = reader.dataStart
        while true {
            let record: CSVRecord?
            do { record = try reader.next() } catch {
                findings.add("reading a regular file failed after the header: \(error)")
                break
            }
            guard let record else { break }
            findings.check(
                record.endOffset > previous.offset, "record \(record.number) does not move past byte \(previous.offset)"
            )
            findings.check(record.endOffset <= Int64(body.count), "record \(record.number) ends past the input")
            findings.check(
                record.line >= previous.line,
                "record \(record.number) starts on line \(record.line), before line \(previous.line)")
            findings.check(
                record.number == records.count + 1, "record numbers skip: \(record.number) after \(records.count)")
            findings.check(
                record.raw.count <= max(Int(record.endOffset - previous.offset), 0),
                "record \(record.number) has more raw bytes than it covers")
            if let fields = record.fields {
                findings.check(
                    fields.count == reader.header.count,
                    "record \(record.number) has \(fields.count) fields, the header \(reader.header.count)")
            }
            previous = record.resumePoint
            records.append(record)
            if records.count > body.count + 1 {
                findings.add("more records than input bytes")
                break
            }
        }
        guard findings.items.isEmpty else { return findings.items }

        // Resume after one record (picked by the input) and compare with what followed it.
        if !records.isEmpty {
            let pick = Int(data.reduce(UInt32(2166136261)) { ($0 ^ UInt32($1)) &* 16777619 } % UInt32(records.count))
            checkResume(
                path: path, options: csvOptions, after: records[pick], expected: Array(records[(pick + 1)...]),
                &findings)
        }
        checkRowFiles(reader: reader, records: records, &findings)
        return findings.items
    }

    private static func checkResume(
        path: String, options: CSVOptions, after point: CSVRecord, expected: [CSVRecord], _ findings: inout Findings
    ) {
        do {
            let reader = try CSVReader(path: path, options: options)
            try reader.resume(from: point.resumePoint)
            var index = 0
            while let record = try reader.next() {
                guard index < expected.count else {
                    findings.add("resuming after record \(point.number) reads more records than the whole read")
                    return
                }
                let want = expected[index]
                findings.check(
                    record.number == want.number && record.line == want.line && record.raw == want.raw
                        && record.endOffset == want.endOffset && same(record.content, want.content),
                    "resuming after record \(point.number): record \(want.number) differs")
                index += 1
            }
            findings.check(
                index == expected.count,
                "resuming after record \(point.number) reads \(index) records, not \(expected.count)")
        } catch {
            findings.add("resuming after record \(point.number) fails: \(error)")
        }
    }

    static func same(_ a: CSVRecord.Content, _ b: CSVRecord.Content) -> Bool {
        switch (a, b) {
        case (.fields(let x), .fields(let y)): return x == y
        case (.problem(let x, let dx), .problem(let y, let dy)): return x == y && dx == dy
        default: return false
        }
    }

    /// Writes every record to a report as a rejected or skipped row and reads the files back.
    private static func checkRowFiles(reader: CSVReader, records: [CSVRecord], _ findings: inout Findings) {
        let directory = ScratchFiles.path(".report")
        defer { ScratchFiles.remove(directory) }
        let reasons: [Reason] = [.phoneTooShort, .duplicate, .fieldTooLong, .emptyRow]
        var written: [(record: CSVRecord, issue: RowIssue)] = []
        do {
            let report = try ReportWriter(directory: directory, format: reader.reportFormat, durable: false)
            for record in records {
                let reason: Reason
                let detail: String
                switch record.content {
                case .fields:
                    reason = reasons[record.number % reasons.count]
                    detail =
                        record.number % 3 == 0
                        ? "=HYPERLINK(\"http://x\")" : "line \(record.line): \(reason.explanation)"
                case .problem(let problem, let text):
                    (reason, detail) = (problem, text)
                }
                let issue = RowIssue(
                    recordNumber: record.number, line: record.line, reason: reason, detail: detail, raw: record.raw)
                try report.add(issue)
                written.append((record, issue))
            }
            var summary = RunSummary()
            summary.input = reader.source.name
            try report.finish(summary)
        } catch {
            findings.add("writing the report fails: \(error)")
            return
        }
        // Only rows that were well-formed come back field for field: a broken row is written
        // as it came (its quote closed), and may read back as more than one record.
        guard written.allSatisfy({ $0.record.fields != nil }) else { return }
        for file in ["rejected.csv", "skipped.csv"] {
            let rows = written.filter { (file == "skipped.csv") == ($0.issue.kind == .skipped) }
            readBack(directory + "/" + file, delimiter: reader.delimiter, header: reader.header, rows: rows, &findings)
        }
    }

    private static func readBack(
        _ path: String, delimiter: UInt8, header: [String], rows: [(record: CSVRecord, issue: RowIssue)],
        _ findings: inout Findings
    ) {
        let name = (path as NSString).lastPathComponent
        do {
            let reader = try CSVReader(path: path, options: CSVOptions(delimiter: delimiter, maxRecordBytes: 1 << 30))
            let expectedHeader = header.map(SpreadsheetOracle.neutralised) + ["reason", "detail", "line"]
            findings.check(
                reader.header == expectedHeader,
                "\(name): the header reads back as \(reader.header), not \(expectedHeader)")
            var index = 0
            while let record = try reader.next() {
                guard index < rows.count else {
                    findings.add("\(name) holds more rows than were written")
                    return
                }
                let (original, issue) = rows[index]
                index += 1
                guard let fields = record.fields, let originalFields = original.fields else {
                    findings.add("\(name): row \(index) does not read back as CSV: \(record.content)")
                    continue
                }
                let count = originalFields.count
                guard fields.count == count + 3 else {
                    findings.add("\(name): row \(index) reads back with \(fields.count) fields, not \(count + 3)")
                    continue
                }
                for column in 0..<count {
                    let want = SpreadsheetOracle.neutralised(originalFields.bytes(at: column))
                    findings.check(
                        Array(fields.bytes(at: column)) == want,
                        "\(name): row \(index) column \(column + 1) reads back as \(Array(fields.bytes(at: column))), not \(want)"
                    )
                }
                findings.check(
                    fields.string(at: count) == issue.reason.rawValue, "\(name): row \(index) lost its reason")
                findings.check(
                    !SpreadsheetOracle.isFormula(Array(fields.bytes(at: count + 1))),
                    "\(name): row \(index)'s detail is a formula")
                findings.check(
                    fields.string(at: count + 2) == String(issue.line), "\(name): row \(index) lost its line")
            }
            findings.check(index == rows.count, "\(name) holds \(index) rows, \(rows.count) were written")
        } catch {
            findings.add("\(name) does not read back: \(error)")
        }
    }
}

/// The rule for spreadsheet formulas, written out separately from the report writer's
/// (ReportCSV) so each checks the other. A cell is a formula for a spreadsheet when, after
/// leading white space, it starts with `=`, `@`, their full-width forms, or `+` / `-` not
/// followed by a phone-like rest (digits, spaces, `( ) - . /`); such a cell gets a `'`
/// before that character.
enum SpreadsheetOracle {
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

    static func isFormula(_ cell: [UInt8]) -> Bool {
        guard let start = cell.firstIndex(where: { !isSpace($0) }) else { return false }
        let rest = cell[start...]
        for wide: [UInt8] in [[0xEF, 0xBC, 0x9D], [0xEF, 0xBC, 0xA0], [0xEF, 0xBC, 0x8B], [0xEF, 0xBC, 0x8D]]
        where rest.starts(with: wide) {
            return true
        }
        switch rest.first {
        case UInt8(ascii: "="), UInt8(ascii: "@"): return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let tail = rest.dropFirst()
            let phoneLike = tail.allSatisfy { Array("0123456789 ()-./\t".utf8).contains($0) }
            let hasDigit = tail.contains { $0 >= 0x30 && $0 <= 0x39 }
            let blank = tail.allSatisfy { $0 == 0x20 || $0 == 0x09 }
            return !(phoneLike && (hasDigit || blank))
        default: return false
        }
    }

    static func neutralised(_ cell: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(cell)
        guard isFormula(bytes), let start = bytes.firstIndex(where: { !isSpace($0) }) else { return bytes }
        return Array(bytes[..<start]) + [UInt8(ascii: "'")] + Array(bytes[start...])
    }

    static func neutralised(_ text: String) -> String {
        String(decoding: neutralised(Array(text.utf8)), as: UTF8.self)
    }
}
