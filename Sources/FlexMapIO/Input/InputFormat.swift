/// The kinds of input `import` reads.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv
    case ndjson

    /// The format a file name suggests, or nil.
    public static func guess(path: String) -> InputFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return .csv }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return .ndjson }
        return nil
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
        }
    }
}
