import FlexMapCore

/// The engine's view of a CSVReader: records with their fields or their problem.
final class CSVRecordReader: RecordReader {
    private let reader: CSVReader

    init(source: ByteSource, options: ReaderOptions, position: ReaderPosition?) throws(InputError) {
        reader = try CSVReader(
            source: source, options: CSVOptions(delimiter: options.delimiter, maxRecordBytes: options.maxRecordBytes))
        if let position {
            try reader.resume(
                from: CSVPosition(offset: position.offset, recordsRead: position.records, line: position.lines + 1))
        }
    }

    func next() throws(InputError) -> InputRecord? {
        guard let record = try reader.next() else { return nil }
        let payload: InputRecord.Payload
        switch record.content {
        case .fields(let fields): payload = .csv(fields)
        case .problem(let reason, let detail): payload = .problem(reason, detail: detail)
        }
        return InputRecord(
            number: record.number, line: record.line, lineCount: record.lineCount, raw: record.raw,
            endOffset: record.endOffset, payload: payload)
    }

    var blankLines: Int { reader.blankLines }
    var bytesRead: Int64 { reader.source.offset }
    var totalBytes: Int64? { reader.source.size }
    var reportFormat: ReportInputFormat { reader.reportFormat }
    var warnings: [String] { reader.headerWarnings }
    var header: [String]? { reader.header }
}
