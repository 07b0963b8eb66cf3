import FlexMapCore

/// Streams the records of a CSV input (a CRM export) one at a time, through libcsv.
/// Memory is bounded by the largest record (`CSVOptions.maxRecordBytes`), not by the
/// size of the input.
///
/// What it reads:
/// - An optional UTF-8 byte order mark; an optional Excel `sep=X` first line (not a
///   record); then the header row; then data records.
/// - LF or CRLF line endings (the last line may lack one); quoted fields with
///   delimiters, doubled quotes and line breaks (a record then spans lines: `line` is
///   its first line, `raw` all of its lines verbatim).
/// - Blank lines (nothing but a line ending) are not records; `blankLines` counts them.
///   A row whose fields are all blank is a record (the pipeline skips it as
///   `empty-row`).
///
/// What it rejects, record by record (`CSVRecord.Content.problem`), reading on after:
/// a field count other than the header's; a misplaced quote (libcsv's strict mode: a
/// quote inside an unquoted field, or text after a closing quote) and a quoted field
/// never closed (`unterminated-quote`); a record over the size limit
/// (`record-too-large`). When a record spanning lines goes wrong, only its first line
/// is rejected and the lines after it are read again as fresh records, so one stray
/// quote never swallows the rest of the file.
///
/// Fields are kept as bytes: invalid UTF-8 is not an error here; `CSVFields.string(at:)`
/// returns nil and the caller rejects the row naming the column.
///
/// Carriage returns: only the LF ends a line. A CR before it is dropped (CRLF); a CR
/// elsewhere is data, except at the very start or end of an unquoted field, where
/// libcsv drops it. A header line with a CR outside quotes is an error: the file has
/// old Mac (CR-only) line endings.
public final class CSVReader {
    public let source: ByteSource
    public let options: CSVOptions
    /// Header names, byte order mark stripped. A name that is not valid UTF-8 is decoded
    /// with U+FFFD in place of the bad bytes (and a warning): reading goes on, but no
    /// mapping source will match that name until the file is saved as UTF-8.
    public let header: [String]
    /// The header line exactly as it came in, without the byte order mark and the line
    /// ending (so a report can write bad rows back under the same header).
    public let headerRaw: [UInt8]
    public let delimiter: UInt8
    /// Sentences about header names no mapping can rely on: names that are empty, that
    /// repeat an earlier name (the first column of that name wins for lookups), or that
    /// are not valid UTF-8.
    public let headerWarnings: [String]
    /// The input starts with a UTF-8 byte order mark.
    public let hasByteOrderMark: Bool
    /// The input starts with an Excel `sep=` line.
    public let hasSepLine: Bool
    /// Where the data records begin, just after the header.
    public let dataStart: CSVPosition
    /// Where reading stands: just after the last record returned.
    public private(set) var position: CSVPosition

    /// Blank lines read so far (since `resume(from:)` when resumed).
    public var blankLines: Int { blankLinesBeforeHeader + assembler.blankLines - blankLinesAtResume }

    private let assembler: CSVRecordAssembler
    private var blankLinesBeforeHeader: Int
    private var blankLinesAtResume = 0
    private let columnIndex: [String: Int]

    /// Opens `path` ("-" for standard input) and reads its header.
    public convenience init(path: String, options: CSVOptions = CSVOptions()) throws(InputError) {
        try self.init(source: ByteSource(path: path), options: options)
    }

    /// Reads the header of `source`. Errors name the file and line: an empty input ("has
    /// no header row"), an unusable delimiter, a header that is not valid CSV.
    public init(source: ByteSource, options: CSVOptions = CSVOptions()) throws(InputError) {
        self.source = source
        self.options = options
        let name = source.name
        let limit = options.recordLimit
        if let delimiter = options.delimiter, !CSVDialect.isUsableDelimiter(delimiter) {
            throw InputError(
                file: name, message: "cannot use \(CSVDialect.name(of: delimiter)) as the delimiter; choose another")
        }
        let lines = LineReader(source: source, maxLineBytes: limit + 1)
        let noHeader = InputError(
            file: name, message: "has no header row; a CSV input starts with a line of column names")

        guard var line = try Self.ownedLine(lines) else { throw noHeader }
        var byteOrderMark = false
        if line.startOffset == 0, line.bytes.starts(with: CSVDialect.byteOrderMark) {
            byteOrderMark = true
            line.bytes = line.bytes.dropFirst(CSVDialect.byteOrderMark.count)
            line.startOffset += Int64(CSVDialect.byteOrderMark.count)
        }
        var sepDelimiter: UInt8?
        if !line.isTruncated, let named = CSVDialect.sepLineDelimiter(line.bytes) {
            sepDelimiter = named
            guard let after = try Self.ownedLine(lines) else { throw noHeader }
            line = after
        }
        var blank = 0
        while !line.isTruncated, CSVDialect.isBlank(line.bytes) {
            blank += 1
            guard let after = try Self.ownedLine(lines) else { throw noHeader }
            line = after
        }
        if line.isTruncated || line.bytes.count > limit {
            throw InputError(
                file: name, line: line.number,
                message: "the header line is longer than the limit of \(limit) bytes for a record; is this a CSV file?")
        }
        if CSVDialect.hasBareCarriageReturnOutsideQuotes(line.bytes) {
            throw InputError(
                file: name, line: line.number,
                message: "the header line holds a carriage return that does not end a line: the file seems to use "
                    + "old Mac (CR-only) line endings; convert them to LF or CRLF (for example with tr '\\r' '\\n')")
        }
        let delimiter = options.delimiter ?? sepDelimiter ?? CSVDialect.sniffDelimiter(line.bytes)

        let assembler = CSVRecordAssembler(lines: lines, delimiter: delimiter, limit: limit)
        assembler.pushBack(line)
        guard let record = try assembler.next(number: 0, expectedFields: nil) else { throw noHeader }
        guard let fields = record.fields else {
            var reason = "it breaks the CSV rules"
            if case .problem(let problem, _) = record.content { reason = problem.explanation }
            throw InputError(
                file: name, line: record.line,
                message: "the header row cannot be read: \(reason); check its quotes (a quote inside a field is "
                    + "written twice, and a field with a quote, delimiter or line break is quoted whole)")
        }
        let (names, warnings) = Self.headerNames(fields)
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }

        assembler.columnNames = names
        self.assembler = assembler
        self.header = names
        self.headerRaw = record.raw
        self.headerWarnings = warnings
        self.delimiter = delimiter
        self.hasByteOrderMark = byteOrderMark
        self.hasSepLine = sepDelimiter != nil
        self.blankLinesBeforeHeader = blank
        self.columnIndex = index
        self.dataStart = CSVPosition(offset: record.endOffset, recordsRead: 0, line: record.line + record.lineCount)
        self.position = dataStart
    }

    /// The next data record, or nil at the end of the input. Problems with one record
    /// come back as `.problem` records; only an input that cannot be read throws.
    public func next() throws(InputError) -> CSVRecord? {
        guard let record = try assembler.next(number: position.recordsRead + 1, expectedFields: header.count) else {
            return nil
        }
        position = record.resumePoint
        return record
    }

    /// The first column with this name, exactly (later columns of the same name are
    /// never found: see `headerWarnings`).
    public func column(named name: String) -> Int? { columnIndex[name] }

    /// How reports should write rows of this input back.
    public var reportFormat: ReportInputFormat { .csv(header: headerRaw, delimiter: delimiter) }

    /// Bytes the reader holds in its own buffers between records (tests check this stays
    /// small whatever the input size).
    var retainedBytes: Int { assembler.retainedBytes }

    /// Goes on from `point`, a `CSVRecord.resumePoint` of an earlier run over the same
    /// input (for `--resume`): the next record read is number `point.recordsRead + 1`.
    /// Needs a regular file; checks the point lies after the header at a line start.
    public func resume(from point: CSVPosition) throws(InputError) {
        let name = source.name
        guard point.offset >= dataStart.offset, point.line >= dataStart.line, point.recordsRead >= 0 else {
            throw InputError(
                file: name,
                message: "cannot resume at byte \(point.offset), line \(point.line): the data records start at byte "
                    + "\(dataStart.offset), line \(dataStart.line)")
        }
        if let size = source.size, point.offset > size {
            throw InputError(
                file: name,
                message: "is \(size) bytes long, shorter than the point to resume from (byte \(point.offset)); "
                    + "was it changed since the first run?")
        }
        // The byte before the point must end a line
        try source.seek(to: point.offset - 1)
        var previous: UInt8 = 0
        let count = try withUnsafeMutableBytes(of: &previous) { (buffer) throws(InputError) in
            try source.read(into: buffer)
        }
        // (or the point is where the data starts, or the end of a file whose last line
        // has no line ending).
        guard count == 1, previous == 0x0A || point.offset == dataStart.offset || point.offset == source.size else {
            throw InputError(
                file: name,
                message: "byte \(point.offset), where the run stopped, is not the start of a line; "
                    + "was the file changed since the first run?")
        }
        try source.seek(to: point.offset)
        let limit = options.recordLimit
        assembler.restart(with: LineReader(source: source, maxLineBytes: limit + 1, firstLineNumber: point.line))
        blankLinesAtResume = blankLinesBeforeHeader + assembler.blankLines
        position = point
    }

    // MARK: - Header

    /// The next line as an `InputLine` that owns its bytes (header lines are held while
    /// the LineReader reads on).
    private static func ownedLine(_ lines: LineReader) throws(InputError) -> CSVRecordAssembler.InputLine? {
        guard let line = try lines.next() else { return nil }
        return CSVRecordAssembler.InputLine(
            bytes: ArraySlice(Array(line.bytes)), number: line.number, startOffset: line.startOffset,
            endOffset: line.endOffset, isTruncated: line.isTruncated)
    }

    /// Header names and the warnings they call for.
    static func headerNames(_ fields: CSVFields) -> (names: [String], warnings: [String]) {
        var names: [String] = []
        var warnings: [String] = []
        var unnamed: [Int] = []
        var firstColumn: [String: Int] = [:]
        for index in 0..<fields.count {
            let name: String
            if let text = fields.string(at: index) {
                name = text
            } else {
                name = String(decoding: fields.bytes(at: index), as: UTF8.self)
                warnings.append(
                    "column \(index + 1)'s name is not valid UTF-8 (read as \"\(name)\"); save the file as UTF-8 "
                        + "so mappings can name that column")
            }
            if fields.isBlank(at: index) {
                unnamed.append(index + 1)
            } else if let first = firstColumn[name] {
                warnings.append(
                    "column \(index + 1) repeats the name \"\(name)\" of column \(first + 1); a mapping source "
                        + "\"\(name)\" reads column \(first + 1)")
            } else {
                firstColumn[name] = index
            }
            names.append(name)
        }
        if !unnamed.isEmpty {
            let list = unnamed.map(String.init).joined(separator: ", ")
            warnings.append(
                unnamed.count == 1
                    ? "column \(list) has no name; no mapping can read it"
                    : "columns \(list) have no name; no mapping can read them")
        }
        return (names, warnings)
    }
}
