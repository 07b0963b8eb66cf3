/// The kinds of input `import` reads.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv
    case ndjson
    /// A browser or proxy HTTP Archive (HAR 1.2) of webhook requests.
    case har
    /// A GoReplay recording (`gor --output-file`).
    case gor
    /// flexmap's own capture NDJSON (`serve --capture`).
    case capture

    /// The format a file name suggests, or nil. `*.capture.ndjson` (and `.capture.jsonl`,
    /// `.capture`) is a capture; for other `.ndjson` files see `looksLikeCapture`.
    public static func guess(path: String) -> InputFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".har") { return .har }
        if lower.hasSuffix(".gor") { return .gor }
        if lower.hasSuffix(".capture.ndjson") || lower.hasSuffix(".capture.jsonl") || lower.hasSuffix(".capture") {
            return .capture
        }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return .csv }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return .ndjson }
        return nil
    }

    /// Captured webhook requests: each names its own organisation and mapping.
    public var isCapture: Bool {
        switch self {
        case .har, .gor, .capture: return true
        case .csv, .ndjson: return false
        }
    }
}

/// How readers treat their input.
public struct ReaderOptions: Sendable, Equatable {
    /// The CSV delimiter; nil reads a `sep=` line or sniffs the header.
    public var delimiter: UInt8?
    /// A record larger than this is rejected as `record-too-large`.
    public var maxRecordBytes: Int

    public init(delimiter: UInt8? = nil, maxRecordBytes: Int = 16 << 20) {
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
    }
}

/// Opens the reader for a format.
public enum Readers {
    public static func open(
        _ format: InputFormat, source: ByteSource, options: ReaderOptions, position: ReaderPosition? = nil
    ) throws(InputError) -> any RecordReader {
        switch format {
        case .csv:
            return try CSVRecordReader(source: source, options: options, position: position)
        case .ndjson:
            return try NDJSONReader(source: source, maxRecordBytes: options.maxRecordBytes, position: position)
        case .har:
            return try HARReader(source: source, maxRecordBytes: options.maxRecordBytes, position: position)
        case .gor:
            return try GorReader(source: source, maxRecordBytes: options.maxRecordBytes, position: position)
        case .capture:
            return try CaptureReader(source: source, maxRecordBytes: options.maxRecordBytes, position: position)
        }
    }
}
