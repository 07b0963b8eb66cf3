import FlexMapCore

/// Placeholder until the libcsv reader lands (branch csv).
final class CSVRecordReader: RecordReader {
    init(source: ByteSource, options: ReaderOptions, position: ReaderPosition?) throws(InputError) {
        throw InputError(file: source.name, message: "CSV is not wired yet")
    }
    func next() throws(InputError) -> InputRecord? { nil }
    var blankLines: Int { 0 }
    var bytesRead: Int64 { 0 }
    var totalBytes: Int64? { nil }
    var reportFormat: ReportInputFormat { .json }
    var warnings: [String] { [] }
    var header: [String]? { nil }
}
