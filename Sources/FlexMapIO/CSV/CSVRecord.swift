import FlexMapCore

/// One data record of a CSV input: its fields, or why it is not a usable record.
public struct CSVRecord: Sendable {
    /// 1-based position among the data records (the header is not one; problems are).
    public let number: Int
    /// 1-based line where the record starts.
    public let line: Int
    /// How many lines of the input the record covers (more than 1 when a quoted field
    /// holds line breaks).
    public let lineCount: Int
    /// The record's exact bytes, without its final line ending (CRLF or LF). For a
    /// record over the size limit, only a bounded prefix (the detail says so).
    public let raw: [UInt8]
    /// Offset just past the record, its line ending included: where a resumed run
    /// continues.
    public let endOffset: Int64
    public let content: Content

    public enum Content: Sendable {
        case fields(CSVFields)
        /// Not a usable record: rejected with this reason. The detail names the line and
        /// never holds field values.
        case problem(Reason, detail: String)
    }

    public init(number: Int, line: Int, lineCount: Int, raw: [UInt8], endOffset: Int64, content: Content) {
        self.number = number
        self.line = line
        self.lineCount = lineCount
        self.raw = raw
        self.endOffset = endOffset
        self.content = content
    }

    /// The fields, or nil for a problem.
    public var fields: CSVFields? {
        if case .fields(let fields) = content { return fields }
        return nil
    }

    /// Where reading continues after this record.
    public var resumePoint: CSVPosition {
        CSVPosition(offset: endOffset, recordsRead: number, line: line + lineCount)
    }
}
