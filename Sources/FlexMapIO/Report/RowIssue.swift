import FlexMapCore

/// One input row that did not become a new contact, as the reports list it.
public struct RowIssue: Sendable, Equatable {
    /// 1-based position among the input's records.
    public var recordNumber: Int
    /// 1-based line of the input where the record starts.
    public var line: Int
    public var reason: Reason
    /// A sentence for people; never holds a secret.
    public var detail: String
    /// The record exactly as it came in, without its final line ending.
    public var raw: [UInt8]

    public var kind: OutcomeKind { reason.kind }

    public init(recordNumber: Int, line: Int, reason: Reason, detail: String, raw: [UInt8]) {
        self.recordNumber = recordNumber
        self.line = line
        self.reason = reason
        self.detail = detail
        self.raw = raw
    }
}

/// What the input looked like, so bad rows can be written back in the same form.
public enum ReportInputFormat: Sendable, Equatable {
    /// A CSV input: its header line exactly as it came in (without line ending) and its
    /// delimiter.
    case csv(header: [UInt8], delimiter: UInt8)
    /// One JSON document per record (NDJSON, captures).
    case json
}

/// How far the report files had been written when a batch committed, so a resumed run
/// can cut them back to that point and go on, with the examples gathered until then.
public struct ReportCheckpoint: Sendable, Equatable, Codable {
    /// File name -> size in bytes.
    public var sizes: [String: Int64]
    /// The first rows of each reason so far, for summary.md and report.html.
    var examples: ReportExamples

    public init(sizes: [String: Int64]) {
        self.init(sizes: sizes, examples: ReportExamples())
    }

    init(sizes: [String: Int64], examples: ReportExamples) {
        self.sizes = sizes
        self.examples = examples
    }
}

/// A report could not be written.
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}
