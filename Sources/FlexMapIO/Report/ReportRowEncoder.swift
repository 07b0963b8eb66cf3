import FlexMapCore
import Foundation

/// The two row files of a report, and how a row issue becomes one line of them.
enum ReportRowFile: Sendable, CaseIterable {
    /// Rejected and invalid-phone rows: `rejected.csv` or `rejected.ndjson`.
    case rejected
    /// Skipped rows (duplicates, merged rows, inactive mapping, empty rows): `skipped.csv`.
    case skipped

    static func holding(_ kind: OutcomeKind) -> ReportRowFile {
        kind == .skipped ? .skipped : .rejected
    }

    func name(for format: ReportInputFormat) -> String {
        switch (self, format) {
        case (.rejected, .csv): return "rejected.csv"
        case (.rejected, .json): return "rejected.ndjson"
        case (.skipped, _): return "skipped.csv"
        }
    }
}

/// Encodes row issues as the row files hold them. One per writer: it owns a JSON parser,
/// which is not thread-safe.
final class ReportRowEncoder {
    let format: ReportInputFormat
    private lazy var parser = JSONParser()

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    init(format: ReportInputFormat) {
        self.format = format
    }

    /// What a new, empty row file starts with.
    func header(of file: ReportRowFile) -> [UInt8] {
        switch (file, format) {
        case (_, .csv(let header, let delimiter)):
            var out = ReportCSV.neutralisedRecord(ReportCSV.withoutLineEnding(header), delimiter: delimiter)
            // A header line that itself starts with a byte order mark (after blank lines in
            // the input) would lose it to the reader as the file's mark: give the file one.
            if out.starts(with: Self.byteOrderMark) { out.insert(contentsOf: Self.byteOrderMark, at: 0) }
            for name in ["reason", "detail", "line"] {
                out.append(delimiter)
                out.append(contentsOf: name.utf8)
            }
            out.append(ReportCSV.newline)
            return out
        case (.rejected, .json):
            return []
        case (.skipped, .json):
            return Array("line,reason,detail,record\n".utf8)
        }
    }

    /// Appends `issue` as one line (plus the raw record's own line breaks, if it has any)
    /// of `file`.
    func append(_ issue: RowIssue, to file: ReportRowFile, into out: inout [UInt8]) {
        switch (file, format) {
        case (_, .csv(_, let delimiter)):
            appendCSVRecord(issue, delimiter: delimiter, into: &out)
        case (.rejected, .json):
            appendNDJSON(issue, into: &out)
        case (.skipped, .json):
            appendCSVOfJSON(issue, into: &out)
        }
    }

    // MARK: CSV input

    /// The raw record, then `reason`, `detail`, `line` as three more cells.
    ///
    /// The record's bytes are kept except for a `'` before each cell a spreadsheet would
    /// run as a formula (see ReportCSV's "CSV injection"): the rows come from files nobody
    /// checked, and these files are opened in spreadsheets. Rows with too few or too many
    /// fields stay so: `reason`, `detail` and `line` are always the last three cells.
    private func appendCSVRecord(_ issue: RowIssue, delimiter: UInt8, into out: inout [UInt8]) {
        let record = ReportCSV.withoutLineEnding(issue.raw)
        out.append(contentsOf: ReportCSV.neutralisedRecord(record, delimiter: delimiter))
        var detail = issue.detail
        if ReportCSV.endsInsideQuotes(record, delimiter: delimiter) {
            // Left open, the quote would swallow every row after this one; closing it is
            // the other change to the raw bytes, and the detail says so.
            out.append(ReportCSV.quote)
            detail += (detail.isEmpty ? "" : "; ") + "flexmap closed the quote left open at the end of this row"
        }
        appendTrailer(issue, detail: detail, delimiter: delimiter, into: &out)
    }

    private func appendTrailer(_ issue: RowIssue, detail: String, delimiter: UInt8, into out: inout [UInt8]) {
        out.append(delimiter)
        out.append(contentsOf: issue.reason.rawValue.utf8)
        out.append(delimiter)
        ReportCSV.appendTextCell(detail, delimiter: delimiter, into: &out)
        out.append(delimiter)
        out.append(contentsOf: String(issue.line).utf8)
        out.append(ReportCSV.newline)
    }

    // MARK: JSON input

    /// `line,reason,detail,record`, the record being the raw text (a `'` in front when it
    /// would be a formula, as for CSV rows; rejected.ndjson keeps JSON records exact).
    private func appendCSVOfJSON(_ issue: RowIssue, into out: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        out.append(contentsOf: String(issue.line).utf8)
        out.append(comma)
        out.append(contentsOf: issue.reason.rawValue.utf8)
        out.append(comma)
        ReportCSV.appendTextCell(issue.detail, delimiter: comma, into: &out)
        out.append(comma)
        ReportCSV.appendCell(
            ReportCSV.neutralised(Array(ReportCSV.withoutLineEnding(issue.raw))), delimiter: comma, into: &out)
        out.append(ReportCSV.newline)
    }

    /// An object keeps its bytes, with `_line`, `_reason`, `_detail` spliced in first
    /// (mappings ignore keys they do not name, so the line imports again as it is).
    /// Anything else is wrapped: `{"_line":…,"_reason":…,"_detail":…,"_raw":"text"}`,
    /// or `_rawBase64` when the bytes are not UTF-8.
    private func appendNDJSON(_ issue: RowIssue, into out: inout [UInt8]) {
        let record = ReportCSV.withoutLineEnding(issue.raw)
        if let brace = openingBrace(of: record), isObject(record) {
            out.append(contentsOf: record[...brace])
            appendMarkers(issue, into: &out)
            var rest = brace + 1
            // A row of an earlier rejected.ndjson, imported again: replace its markers
            // rather than pile up a second set.
            if let end = Self.splicedMembersEnd(record, from: rest) { rest = end }
            let restIsEmpty = record[rest...].first { !Self.isJSONSpace($0) } == UInt8(ascii: "}")
            if !restIsEmpty { out.append(UInt8(ascii: ",")) }
            // Valid JSON has line breaks only as spacing (a pretty-printed capture), and a
            // line of NDJSON has none.
            out.append(
                contentsOf: record[rest...].lazy.map {
                    $0 == ReportCSV.newline || $0 == ReportCSV.carriageReturn ? UInt8(ascii: " ") : $0
                })
        } else {
            out.append(UInt8(ascii: "{"))
            appendMarkers(issue, into: &out)
            // The raw record has no line ending already: a CR it ends with is its own (a
            // line that ended "\r\r\n"), so `_raw` keeps it and is the line exactly.
            let exact = issue.raw
            if let text = String(validating: exact, as: UTF8.self) {
                out.append(contentsOf: #","_raw":"#.utf8)
                out.append(contentsOf: JSONText.quote(text).utf8)
            } else {
                out.append(contentsOf: #","_rawBase64":""#.utf8)
                out.append(contentsOf: Data(exact).base64EncodedString().utf8)
                out.append(UInt8(ascii: "\""))
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(ReportCSV.newline)
    }

    /// `"_line":N,"_reason":"…","_detail":"…"`
    private func appendMarkers(_ issue: RowIssue, into out: inout [UInt8]) {
        out.append(contentsOf: #""_line":"#.utf8)
        out.append(contentsOf: String(issue.line).utf8)
        out.append(contentsOf: #","_reason":"#.utf8)
        out.append(contentsOf: JSONText.quote(issue.reason.rawValue).utf8)
        out.append(contentsOf: #","_detail":"#.utf8)
        out.append(contentsOf: JSONText.quote(issue.detail).utf8)
    }

    private func openingBrace(of record: ArraySlice<UInt8>) -> Int? {
        guard let first = record.firstIndex(where: { !Self.isJSONSpace($0) }),
            record[first] == UInt8(ascii: "{")
        else { return nil }
        return first
    }

    /// Whether the record parses as one JSON object (asked only of records that start
    /// with `{`: those are the ones the splice would change).
    private func isObject(_ record: ArraySlice<UInt8>) -> Bool {
        record.withUnsafeBytes { parser.isObject($0) }
    }

    static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// When `record[start...]` begins with the members this encoder splices in
    /// (`"_line":N,"_reason":"…","_detail":"…"` and a comma), the index just past them.
    static func splicedMembersEnd(_ record: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        func literal(_ text: String) -> Bool {
            for byte in text.utf8 {
                guard index < record.endIndex, record[index] == byte else { return false }
                index += 1
            }
            return true
        }
        func string() -> Bool {
            guard literal("\"") else { return false }
            while index < record.endIndex {
                switch record[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                default: index += 1
                }
            }
            return false
        }
        guard literal(#""_line":"#) else { return nil }
        let digits = index
        while index < record.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(record[index]) { index += 1 }
        guard index > digits, literal(#","_reason":"#), string(), literal(#","_detail":"#), string() else { return nil }
        if index < record.endIndex, record[index] == UInt8(ascii: ",") { index += 1 }
        return index
    }
}
