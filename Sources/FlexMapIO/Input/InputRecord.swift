import FlexMapCore

/// One record as a reader hands it to the engine: where it came from, its exact bytes,
/// and what the workers will decode.
public struct InputRecord: Sendable {
    public enum Payload: Sendable {
        /// A CSV row's unquoted fields.
        case csv(CSVFields)
        /// A JSON document: `raw` is parsed by a worker.
        case json
        /// A captured webhook request (HAR, gor, capture NDJSON).
        case request(WebhookRequest)
        /// Not a usable record; the reason is final.
        case problem(Reason, detail: String)
    }

    /// 1-based position among the input's records.
    public var number: Int
    /// 1-based line where the record starts.
    public var line: Int
    /// Lines the record spans (quoted line breaks in CSV make more than one).
    public var lineCount: Int
    /// The record's exact bytes, without its final line ending.
    public var raw: [UInt8]
    /// Offset just past the record: where a resumed run continues.
    public var endOffset: Int64
    public var payload: Payload
    /// How reports name a captured request besides its line ("entry 7", "gor id 1f3a…");
    /// put before the detail of its outcome.
    public var label: String?
    /// When a captured request was captured (Unix seconds), if its capture says; replay's
    /// `--speed` keeps the gaps between these.
    public var capturedAt: Double?

    public init(
        number: Int, line: Int, lineCount: Int = 1, raw: [UInt8], endOffset: Int64, payload: Payload,
        label: String? = nil,
        capturedAt: Double? = nil
    ) {
        self.number = number
        self.line = line
        self.lineCount = lineCount
        self.raw = raw
        self.endOffset = endOffset
        self.payload = payload
        self.label = label
        self.capturedAt = capturedAt
    }
}

/// Where a reader stands, so a resumed run can start a new reader at the same place.
public struct ReaderPosition: Sendable, Equatable, Codable {
    /// Byte offset of the next unread record.
    public var offset: Int64
    /// Records read so far.
    public var records: Int
    /// The line the next record starts on, minus one.
    public var lines: Int

    public init(offset: Int64, records: Int, lines: Int) {
        self.offset = offset
        self.records = records
        self.lines = lines
    }
}

/// A streaming source of records (CSV, NDJSON, captures).
public protocol RecordReader: AnyObject {
    /// The next record, or nil at the end.
    func next() throws(InputError) -> InputRecord?
    /// Lines that held nothing; not records.
    var blankLines: Int { get }
    /// Bytes read so far and the input's size when known, for progress.
    var bytesRead: Int64 { get }
    var totalBytes: Int64? { get }
    /// What the reports need to write bad rows back in the input's own form.
    var reportFormat: ReportInputFormat { get }
    /// Sentences about the input as a whole (duplicate header names, ...).
    var warnings: [String] { get }
    /// The CSV header's names; nil for JSON inputs.
    var header: [String]? { get }
}
