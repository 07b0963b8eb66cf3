/// How to read a CSV input.
public struct CSVOptions: Sendable, Equatable {
    /// The field delimiter. nil: the one an Excel `sep=` first line names, else the one
    /// sniffed from the header line (a comma if it has one outside quotes, else the most
    /// frequent of `;`, tab and `|`, else a comma). Given explicitly, it wins over `sep=`.
    public var delimiter: UInt8?
    /// The largest record accepted, in bytes, line endings included. A longer record is
    /// rejected (`record-too-large`) and reading goes on after it. Kept between 1 byte
    /// and 1 GiB.
    public var maxRecordBytes: Int

    public static let defaultMaxRecordBytes = 16 << 20

    public init(delimiter: UInt8? = nil, maxRecordBytes: Int = CSVOptions.defaultMaxRecordBytes) {
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
    }

    /// `maxRecordBytes` within its bounds (field offsets are stored as UInt32).
    var recordLimit: Int { min(max(maxRecordBytes, 1), 1 << 30) }
}

/// A place in a CSV input between two records: where `--resume` continues.
public struct CSVPosition: Sendable, Equatable, Hashable, Codable {
    /// Byte offset of the first byte after the last record read.
    public var offset: Int64
    /// Data records read before this point (the next record is number `recordsRead + 1`).
    public var recordsRead: Int
    /// 1-based line number of the line starting at `offset`.
    public var line: Int

    public init(offset: Int64, recordsRead: Int, line: Int) {
        self.offset = offset
        self.recordsRead = recordsRead
        self.line = line
    }
}
