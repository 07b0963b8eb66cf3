import FlexMapCore

/// The first rows of each reason, kept for summary.md and report.html. Memory stays
/// bounded whatever the input's size: at most `perReason` rows per reason, each detail
/// cut to `detailLimit` characters, and no raw record.
struct ReportExamples: Sendable, Equatable {
    struct Example: Sendable, Equatable {
        var line: Int
        var detail: String
    }

    static let perReason = 5
    static let detailLimit = 300

    private var byReason: [Reason: [Example]] = [:]

    mutating func note(_ issue: RowIssue) {
        guard byReason[issue.reason, default: []].count < Self.perReason else { return }
        let detail = ReportText.oneLine(issue.detail, limit: Self.detailLimit)
        byReason[issue.reason, default: []].append(Example(line: issue.line, detail: detail))
    }

    subscript(reason: Reason) -> [Example] { byReason[reason] ?? [] }
}
