import FlexMapCore

/// Reads a GoReplay recording (`gor --output-file requests.gor`), streamed. Each record is
/// a header line `<type> <id> <timestamp-ns> [<latency>]`, the raw HTTP/1.x message, and
/// the separator line `🐵🙈🙉` (GoReplay writes "\n🐵🙈🙉\n" after the message, so the
/// newline before the monkeys is not part of the body). Only type 1 (requests) are
/// records; responses (2) and replayed responses (3) are passed over. A damaged record
/// (a bad header line, a malformed request line or headers, a body shorter than its
/// Content-Length, broken chunks) is rejected as `malformed-request` and reading goes on
/// at the next separator. Reports name each request by the line of its header and its
/// gor id (`gorId` in the kept capture line, "gor id …" in the detail).
public final class GorReader: RecordReader {
    static let separator = Array("🐵🙈🙉".utf8)

    private let lines: LineReader
    private let records = CaptureRecords()
    private let maxRecordBytes: Int
    private var recordCount: Int
    public private(set) var blankLines = 0
    /// Response records passed over so far.
    public private(set) var responses = 0
    public let warnings: [String] = []
    public let header: [String]? = nil
    public var reportFormat: ReportInputFormat { .json }
    public var bytesRead: Int64 { lines.source.offset }
    public var totalBytes: Int64? { lines.source.size }

    /// Starts at `position` (after a resume) or at the top.
    public init(source: ByteSource, maxRecordBytes: Int = 16 << 20, position: ReaderPosition? = nil) throws(InputError)
    {
        self.maxRecordBytes = maxRecordBytes
        var linesBefore = 0
        if let position, position.offset > 0 {
            // A record spans many lines: count the lines before the resume point again, so
            // the lines reports name stay those of the file.
            let counter = LineReader(source: source, maxLineBytes: 1 << 20)
            while let line = try counter.next(), line.endOffset <= position.offset {
                if !line.isTruncated { linesBefore += 1 }
            }
            try source.seek(to: position.offset)
        }
        lines = LineReader(source: source, maxLineBytes: maxRecordBytes, firstLineNumber: linesBefore + 1)
        recordCount = position?.records ?? 0
    }

    public func next() throws(InputError) -> InputRecord? {
        var buffer: [UInt8] = []
        var total = 0
        var startLine: Int?
        while true {
            guard let line = try lines.next() else {
                // The last record may lack its separator.
                guard let first = startLine else { return nil }
                startLine = nil
                if let record = finish(buffer, total: total, line: first, endOffset: lines.source.offset) {
                    return record
                }
                return nil
            }
            if !line.isTruncated, Self.isSeparator(line.bytes) {
                guard let first = startLine else {
                    blankLines += 1  // a separator with no record before it
                    continue
                }
                if let record = finish(buffer, total: total, line: first, endOffset: line.endOffset) { return record }
                buffer.removeAll(keepingCapacity: true)
                total = 0
                startLine = nil
                continue
            }
            if line.number == 1, line.startOffset == 0, line.bytes.starts(with: CaptureRecords.gzipMagic) {
                throw CaptureRecords.compressed(lines.source, format: "gor")
            }
            if startLine == nil {
                if line.bytes.allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }) {
                    blankLines += 1
                    continue
                }
                startLine = line.number
            }
            total += line.bytes.count
            if buffer.count < maxRecordBytes { buffer += line.bytes.prefix(maxRecordBytes - buffer.count) }
        }
    }

    static func isSeparator(_ bytes: ArraySlice<UInt8>) -> Bool {
        var line = bytes
        if line.last == 0x0A { line.removeLast() }
        if line.last == 0x0D { line.removeLast() }
        return line.elementsEqual(separator)
    }

    /// One record's verdict; nil for a response, which is not a record.
    private func finish(_ bytes: [UInt8], total: Int, line: Int, endOffset: Int64) -> InputRecord? {
        // The newline before the separator belongs to it, not to the message.
        var record = bytes[...]
        if total <= maxRecordBytes, record.last == 0x0A { record.removeLast() }
        let headerEnd = record.firstIndex(of: 0x0A) ?? record.endIndex
        var headerLine = record[..<headerEnd]
        if headerLine.last == 0x0D { headerLine.removeLast() }
        let fields = headerLine.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
        let header = Self.header(fields)
        if let header, header.type != "1" {
            responses += 1
            return nil
        }
        recordCount += 1
        guard let header else {
            return records.damaged(
                text: record, number: recordCount, line: line, endOffset: endOffset, reason: .malformedRequest,
                detail: "the record header is not '<type> <id> <timestamp>' as GoReplay writes it")
        }
        let name = "gor id \(header.id)"
        guard total <= maxRecordBytes else {
            return records.damaged(
                text: record, number: recordCount, line: line, endOffset: endOffset, reason: .recordTooLarge,
                detail: "\(name): the record has \(total) bytes; the limit is \(maxRecordBytes) (--max-record-bytes)",
                label: name)
        }
        let message = headerEnd < record.endIndex ? record[(headerEnd + 1)...] : []
        switch HTTPRequestParser.parse(message) {
        case .failure(let failure):
            return records.damaged(
                text: record, number: recordCount, line: line, endOffset: endOffset, reason: .malformedRequest,
                detail: "\(name): \(failure.message)", label: name)
        case .success(let parsed):
            let (path, rawQuery) = CaptureRecords.split(target: parsed.target)
            let timestamp = ISO8601.string(nanoseconds: header.nanoseconds)
            let entry = CaptureFormat.Entry(
                timestamp: timestamp, method: parsed.method, path: path, rawQuery: rawQuery, headers: parsed.headers,
                body: parsed.body)
            return records.request(
                entry, number: recordCount, line: line, endOffset: endOffset, label: name,
                extra: [("gorId", .string(header.id))])
        }
    }

    /// `<type> <id> <timestamp-ns>` and any further fields (a latency), or nil.
    static func header(_ fields: [String]) -> (type: String, id: String, nanoseconds: Int64)? {
        // Later GoReplay versions add the latency as a fourth field; forks add more.
        guard fields.count >= 3, ["1", "2", "3"].contains(fields[0]), !fields[1].isEmpty,
            fields[1].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let nanoseconds = Int64(fields[2]), nanoseconds >= 0
        else { return nil }
        return (fields[0], fields[1], nanoseconds)
    }
}
