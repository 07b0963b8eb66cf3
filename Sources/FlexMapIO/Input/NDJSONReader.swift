import FlexMapCore

/// Reads newline-delimited JSON: one record per line. Lines are only split here; the
/// workers parse them with simdjson in parallel.
public final class NDJSONReader: RecordReader {
    private let lines: LineReader
    private var recordCount: Int
    public private(set) var blankLines = 0
    public let warnings: [String] = []
    public let header: [String]? = nil
    public var reportFormat: ReportInputFormat { .json }
    public var bytesRead: Int64 { lines.source.offset }
    public var totalBytes: Int64? { lines.source.size }
    /// How much of an over-long line the reports keep.
    static let keptPrefix = 64 << 10

    /// Starts at `position` (after a resume) or at the top.
    public init(source: ByteSource, maxRecordBytes: Int = 16 << 20, position: ReaderPosition? = nil) throws(InputError)
    {
        if let position { try source.seek(to: position.offset) }
        lines = LineReader(source: source, maxLineBytes: maxRecordBytes, firstLineNumber: (position?.lines ?? 0) + 1)
        recordCount = position?.records ?? 0
    }

    public func next() throws(InputError) -> InputRecord? {
        while let line = try lines.next() {
            if line.isTruncated {
                return try skipLongLine(line)
            }
            let bytes = line.text
            if isBlank(bytes) {
                blankLines += 1
                continue
            }
            recordCount += 1
            return InputRecord(
                number: recordCount, line: line.number, raw: Array(bytes), endOffset: line.endOffset, payload: .json)
        }
        return nil
    }

    /// Reads past a line longer than the limit without holding it, and rejects it.
    private func skipLongLine(_ first: LineReader.Line) throws(InputError) -> InputRecord {
        let (total, end) = try lines.skipRest(of: first)
        recordCount += 1
        return InputRecord(
            number: recordCount, line: first.number, raw: Array(first.bytes.prefix(Self.keptPrefix)), endOffset: end,
            payload: .problem(
                .recordTooLarge,
                detail:
                    "line \(first.number) has \(total) bytes; the limit is \(lines.maxLineBytes) (--max-record-bytes); the report keeps its first \(Self.keptPrefix) bytes"
            ))
    }
}
