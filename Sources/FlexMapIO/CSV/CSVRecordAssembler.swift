import FlexMapCore

/// Turns the lines of a CSV input into records, feeding libcsv one line at a time so it
/// always knows where a record starts and ends, and so one bad quote costs one line,
/// not the rest of the file.
///
/// - A record normally is one line. A quoted field holding line breaks makes it span
///   lines: they are gathered (at most `limit` bytes) until libcsv ends the record.
/// - When a quote error cuts such a record short, when the input ends inside a quoted
///   field, or when the gathered lines pass `limit`, only the line where the record
///   started is rejected; the lines after it are parsed again as fresh records.
/// - A line longer than `limit` is rejected on its own; only a bounded prefix of it is
///   kept, so memory does not grow with it.
///
/// Every line ends up in exactly one record or is counted as blank.
final class CSVRecordAssembler {
    /// One line: from the LineReader, or held back to be parsed again.
    struct InputLine {
        var bytes: ArraySlice<UInt8>
        var number: Int
        var startOffset: Int64
        /// Past the line (for a truncated piece: past the piece).
        var endOffset: Int64
        /// A piece of a line longer than the LineReader's limit; more pieces follow.
        var isTruncated: Bool
        /// Longer than the record limit: `bytes` then holds only a prefix of its content
        /// (no line ending).
        var isOverlong = false
    }

    /// Lines gathered for a record that spans lines.
    private struct Partial {
        var bytes: [UInt8]
        /// Where each line starts in `bytes`; line `i` has number `firstLine + i`.
        var lineStarts: [Int]
        let firstLine: Int
        let startOffset: Int64
        /// Fields libcsv had completed when the first line ended: if a quote error
        /// comes before any more, it lies in the field left open on the first line.
        var fieldsAfterFirstLine: Int
        var lineCount: Int { lineStarts.count }
        func lineRange(_ index: Int) -> Range<Int> {
            lineStarts[index]..<(index + 1 < lineStarts.count ? lineStarts[index + 1] : bytes.count)
        }
    }

    let name: String
    let limit: Int
    /// At most this much of an over-long line is kept as its raw bytes.
    let rawPrefixLimit: Int
    private(set) var lines: LineReader
    let parser: LibCSVParser
    /// Header names, for messages (empty while the header itself is read).
    var columnNames: [String] = []
    private(set) var blankLines = 0
    /// Lines to parse before reading on, as a stack: the next one is last.
    private var held: [InputLine] = []
    private var partial: Partial?

    init(lines: LineReader, delimiter: UInt8, limit: Int) {
        self.name = lines.source.name
        self.lines = lines
        self.limit = limit
        self.rawPrefixLimit = min(limit, 64 << 10)
        self.parser = LibCSVParser(delimiter: delimiter)
    }

    /// Parses `line` before anything else (the header line, read ahead to sniff the
    /// delimiter).
    func pushBack(_ line: InputLine) {
        var line = line
        line.bytes = ArraySlice(Array(line.bytes))
        held.append(line)
    }

    /// Starts over at the LineReader's position (for --resume): forgets held lines and
    /// any record in progress.
    func restart(with lines: LineReader) {
        self.lines = lines
        held.removeAll()
        partial = nil
        parser.reset()
    }

    /// Bytes held in this type's buffers between records (the LineReader bounds its
    /// own), for tests that check memory does not grow with the input.
    var retainedBytes: Int {
        parser.sink.capacity + (partial?.bytes.capacity ?? 0)
            + held.reduce(0) { $0 + $1.bytes.count }
    }

    /// The next record, numbered `number`; nil at the end of the input. With
    /// `expectedFields`, a record with another field count is a problem.
    func next(number: Int, expectedFields: Int?) throws(InputError) -> CSVRecord? {
        while true {
            var line: InputLine
            if let heldLine = held.popLast() {
                line = heldLine
            } else if let read = try lines.next() {
                line = InputLine(
                    bytes: read.bytes, number: read.number, startOffset: read.startOffset, endOffset: read.endOffset,
                    isTruncated: read.isTruncated)
                if read.isTruncated || read.bytes.count > limit {
                    // Keep only a prefix, in an array of its own: a slice of the
                    // LineReader's buffer held while it reads on would make it copy
                    // that buffer.
                    line.isOverlong = true
                    line.bytes = ArraySlice(Array(CSVDialect.content(of: read.bytes).prefix(rawPrefixLimit)))
                }
            } else {
                guard partial != nil else { return nil }
                if let record = try finishAtEnd(number: number, expectedFields: expectedFields) { return record }
                continue
            }
            if let record = try consume(line, number: number, expectedFields: expectedFields) { return record }
        }
    }

    // MARK: - Lines

    private func consume(_ line: InputLine, number: Int, expectedFields: Int?) throws(InputError) -> CSVRecord? {
        guard var record = partial else {
            if line.isOverlong { return try overlongLine(line, number: number) }
            if CSVDialect.isBlank(line.bytes) {
                blankLines += 1
                return nil
            }
            switch try feed(line) {
            case .quoteError(let inQuotedField):
                let field = parser.sink.fieldCount
                parser.reset()
                return problem(
                    number: number, line: line.number, raw: CSVDialect.content(of: line.bytes),
                    endOffset: line.endOffset,
                    reason: .unterminatedQuote, detail: quoteErrorDetail(line: line.number, field: field, inQuotedField)
                )
            case .parsed:
                if parser.sink.rowEnded {
                    return complete(
                        number: number, line: line.number, lineCount: 1, raw: CSVDialect.content(of: line.bytes),
                        endOffset: line.endOffset, expectedFields: expectedFields)
                }
                partial = Partial(
                    bytes: Array(line.bytes), lineStarts: [0], firstLine: line.number, startOffset: line.startOffset,
                    fieldsAfterFirstLine: parser.sink.fieldCount)
                return nil
            }
        }

        // The line continues a record whose quoted field is open.
        if line.isOverlong || record.bytes.count + line.bytes.count > limit {
            let detail =
                "a quoted field opened on line \(record.firstLine) is still open at line \(line.number), "
                + "past the limit of \(limit) bytes for a record (is its closing quote missing?); "
                + "line \(record.firstLine) is rejected and reading goes on at line \(record.firstLine + 1)"
            return rejectFirstLine(of: record, number: number, reason: .recordTooLarge, detail: detail, holding: line)
        }
        partial = nil  // keep `record` the only reference, so appending does not copy
        record.lineStarts.append(record.bytes.count)
        record.bytes.append(contentsOf: line.bytes)
        switch try feed(line) {
        case .quoteError(let inQuotedField):
            if parser.sink.fieldCount == record.fieldsAfterFirstLine {
                // The error lies in the field opened on the first line: most likely that
                // opening quote is stray. Reject that line alone and read the others anew.
                let detail =
                    "the quoted field \(fieldName(record.fieldsAfterFirstLine)) opened on line \(record.firstLine) "
                    + "is not closed properly (quote error on line \(line.number)); line \(record.firstLine) is "
                    + "rejected and reading goes on at line \(record.firstLine + 1)"
                return rejectFirstLine(
                    of: record, number: number, reason: .unterminatedQuote, detail: detail, holding: nil)
            }
            // The multi-line field closed properly; the error comes after it: the
            // record is whole, and rejected as a whole.
            let field = parser.sink.fieldCount
            parser.reset()
            return problem(
                number: number, line: record.firstLine, lineCount: record.lineCount,
                raw: CSVDialect.content(of: record.bytes[...]), endOffset: line.endOffset, reason: .unterminatedQuote,
                detail: quoteErrorDetail(line: line.number, field: field, inQuotedField))
        case .parsed:
            if parser.sink.rowEnded {
                return complete(
                    number: number, line: record.firstLine, lineCount: record.lineCount,
                    raw: CSVDialect.content(of: record.bytes[...]), endOffset: line.endOffset,
                    expectedFields: expectedFields)
            }
            partial = record
            return nil
        }
    }

    /// The input ended inside a record: libcsv either ends it (last line without a line
    /// feed) or reports the quoted field still open.
    private func finishAtEnd(number: Int, expectedFields: Int?) throws(InputError) -> CSVRecord? {
        guard let record = partial else { return nil }
        partial = nil
        switch parser.finish() {
        case .finished:
            return complete(
                number: number, line: record.firstLine, lineCount: record.lineCount,
                raw: CSVDialect.content(of: record.bytes[...]),
                endOffset: record.startOffset + Int64(record.bytes.count),
                expectedFields: expectedFields)
        case .openQuote:
            let field = fieldName(record.fieldsAfterFirstLine)
            if record.lineCount == 1 {
                parser.reset()
                return problem(
                    number: number, line: record.firstLine, raw: CSVDialect.content(of: record.bytes[...]),
                    endOffset: record.startOffset + Int64(record.bytes.count), reason: .unterminatedQuote,
                    detail: "line \(record.firstLine): the quoted field \(field) is never closed")
            }
            let detail =
                "the quoted field \(field) opened on line \(record.firstLine) is never closed; line "
                + "\(record.firstLine) is rejected and reading goes on at line \(record.firstLine + 1)"
            return rejectFirstLine(of: record, number: number, reason: .unterminatedQuote, detail: detail, holding: nil)
        case .failed(let code, let message):
            throw libcsvError(code: code, message: message, line: record.firstLine)
        }
    }

    /// Rejects the first line of `record` and holds its other lines (and `line`, which
    /// did not fit) to be parsed again as fresh records.
    private func rejectFirstLine(
        of record: Partial, number: Int, reason: Reason, detail: String, holding line: InputLine?
    ) -> CSVRecord {
        partial = nil
        parser.reset()
        if let line { held.append(line) }
        for index in stride(from: record.lineCount - 1, through: 1, by: -1) {
            let range = record.lineRange(index)
            held.append(
                InputLine(
                    bytes: ArraySlice(Array(record.bytes[range])), number: record.firstLine + index,
                    startOffset: record.startOffset + Int64(range.lowerBound),
                    endOffset: record.startOffset + Int64(range.upperBound), isTruncated: false))
        }
        let first = record.lineRange(0)
        return problem(
            number: number, line: record.firstLine, raw: CSVDialect.content(of: record.bytes[first]),
            endOffset: record.startOffset + Int64(first.upperBound), reason: reason, detail: detail)
    }

    /// A line longer than the record limit: rejected with a bounded prefix as its raw
    /// bytes; the rest of it is read and dropped.
    private func overlongLine(_ line: InputLine, number: Int) throws(InputError) -> CSVRecord {
        let raw = Array(line.bytes)
        var end = line.endOffset
        if line.isTruncated {
            // The pieces of a truncated line come straight from the LineReader: a held
            // truncated piece is always the last held line.
            while let piece = try lines.next() {
                end = piece.endOffset
                if !piece.isTruncated { break }
            }
        }
        let length = end - line.startOffset
        return problem(
            number: number, line: line.number, raw: raw, endOffset: end, reason: .recordTooLarge,
            detail: "line \(line.number) is \(length) bytes long, over the limit of \(limit) bytes for a record; "
                + "only its first \(raw.count) bytes are kept in the report")
    }

    // MARK: - Records

    private enum Fed {
        case parsed
        case quoteError(inQuotedField: Bool)
    }

    private func feed(_ line: InputLine) throws(InputError) -> Fed {
        switch line.bytes.withUnsafeBytes({ parser.feed($0) }) {
        case .parsed: return .parsed
        case .quoteError(let inQuotedField): return .quoteError(inQuotedField: inQuotedField)
        case .failed(let code, let message): throw libcsvError(code: code, message: message, line: line.number)
        }
    }

    private func complete(
        number: Int, line: Int, lineCount: Int, raw: ArraySlice<UInt8>, endOffset: Int64, expectedFields: Int?
    ) -> CSVRecord {
        let sink = parser.sink
        let count = sink.fieldCount
        let content: CSVRecord.Content
        if let expected = expectedFields, count != expected {
            let lines = lineCount == 1 ? "line \(line)" : "the record on lines \(line)-\(line + lineCount - 1)"
            content = .problem(
                count > expected ? .tooManyFields : .tooFewFields,
                detail: "\(lines) has \(count) field\(count == 1 ? "" : "s"); the header has \(expected)")
        } else {
            content = .fields(sink.makeFields())
        }
        sink.clear()
        if raw.count > 1 << 20 { parser.trimBuffer() }
        return CSVRecord(
            number: number, line: line, lineCount: lineCount, raw: exactCopy(raw), endOffset: endOffset,
            content: content)
    }

    /// A new array holding exactly `slice`: never the sink's or the LineReader's buffer
    /// (`Array(array)` would share it, so every record would keep its capacity and the
    /// sink would reallocate).
    private func exactCopy<T>(_ slice: ArraySlice<T>) -> [T] {
        slice.withUnsafeBufferPointer { source in
            [T](unsafeUninitializedCapacity: source.count) { buffer, count in
                if let base = source.baseAddress { buffer.baseAddress!.initialize(from: base, count: source.count) }
                count = source.count
            }
        }
    }

    private func problem(
        number: Int, line: Int, lineCount: Int = 1, raw: some Collection<UInt8>, endOffset: Int64, reason: Reason,
        detail: String
    ) -> CSVRecord {
        CSVRecord(
            number: number, line: line, lineCount: lineCount, raw: Array(raw), endOffset: endOffset,
            content: .problem(reason, detail: detail))
    }

    // MARK: - Messages

    /// "3 (\"Notes\")": a 0-based field index as people count it, with its column name.
    private func fieldName(_ index: Int) -> String {
        if index < columnNames.count, !columnNames[index].isEmpty {
            return "\(index + 1) (\"\(columnNames[index])\")"
        }
        return "\(index + 1)"
    }

    private func quoteErrorDetail(line: Int, field: Int, _ inQuotedField: Bool) -> String {
        if inQuotedField {
            return "line \(line), field \(fieldName(field)): text follows the closing quote of a quoted field; "
                + "inside quotes write each quote twice (\"\")"
        }
        return "line \(line), field \(fieldName(field)): a quote inside a field that does not start with one; "
            + "put the whole field in quotes and write each quote twice (\"\")"
    }

    private func libcsvError(code: Int32, message: String, line: Int) -> InputError {
        InputError(file: name, line: line, message: "the CSV parser failed (\(message)); is the machine out of memory?")
    }
}
