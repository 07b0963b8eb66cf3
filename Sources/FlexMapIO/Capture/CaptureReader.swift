import FlexMapCore

/// Reads flexmap's capture NDJSON (`serve --capture`, or a report's `rejected.ndjson` of
/// an earlier capture import): one request per line, streamed. A line that is not JSON is
/// rejected as `invalid-json`, JSON that is not a request (no method or path, headers not
/// `[name, value]` pairs, broken base64) as `malformed-request`; reading goes on.
public final class CaptureReader: RecordReader {
    private let lines: LineReader
    private let records = CaptureRecords()
    private var recordCount: Int
    public private(set) var blankLines = 0
    public let warnings: [String] = []
    public let header: [String]? = nil
    public var reportFormat: ReportInputFormat { .json }
    public var bytesRead: Int64 { lines.source.offset }
    public var totalBytes: Int64? { lines.source.size }

    /// Starts at `position` (after a resume) or at the top.
    public init(source: ByteSource, maxRecordBytes: Int = 16 << 20, position: ReaderPosition? = nil) throws(InputError)
    {
        if let position { try source.seek(to: position.offset) }
        lines = LineReader(source: source, maxLineBytes: maxRecordBytes, firstLineNumber: (position?.lines ?? 0) + 1)
        recordCount = position?.records ?? 0
    }

    public func next() throws(InputError) -> InputRecord? {
        while let line = try lines.next() {
            // The line reader cuts lines only past its buffer: check the limit here too.
            if line.isTruncated || line.bytes.count > lines.maxLineBytes { return try skipLongLine(line) }
            if line.number == 1, line.startOffset == 0, line.bytes.starts(with: CaptureRecords.gzipMagic) {
                throw CaptureRecords.compressed(lines.source, format: "capture")
            }
            let bytes = line.text
            if isBlank(bytes) {
                blankLines += 1
                continue
            }
            recordCount += 1
            let value: JSONValue
            do {
                value = try records.parse(Array(bytes))
            } catch {
                return records.damaged(
                    text: bytes, number: recordCount, line: line.number, endOffset: line.endOffset,
                    reason: .invalidJSON,
                    detail: "not valid JSON (\(error.message)); a capture line is one JSON object per request")
            }
            switch CaptureFormat.decode(value) {
            case .success(let entry):
                return records.request(
                    entry, number: recordCount, line: line.number, endOffset: line.endOffset, label: nil)
            case .failure(let failure):
                return records.damaged(
                    json: value, number: recordCount, line: line.number, endOffset: line.endOffset,
                    reason: .malformedRequest,
                    detail: "not a captured request: \(failure.message)")
            }
        }
        return nil
    }

    /// Reads past a line longer than the limit without holding it, and rejects it.
    private func skipLongLine(_ first: LineReader.Line) throws(InputError) -> InputRecord {
        let (total, end) = try lines.skipRest(of: first)
        recordCount += 1
        return records.damaged(
            text: first.bytes, number: recordCount, line: first.number, endOffset: end, reason: .recordTooLarge,
            detail:
                "the line has \(total) bytes; the limit is \(lines.maxLineBytes) (--max-record-bytes); the report keeps its first \(CaptureRecords.keptPrefix) bytes, secrets redacted"
        )
    }
}
