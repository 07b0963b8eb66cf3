import FlexMapCore

/// The first rows of each reason, kept for summary.md and report.html. Memory stays
/// bounded whatever the input's size: at most `perReason` rows per reason, each detail
/// cut to `detailLimit` characters, and no raw record.
struct ReportExamples: Sendable, Equatable, Codable {
    struct Example: Sendable, Equatable, Codable {
        var line: Int
        var detail: String
    }

    static let perReason = 5
    static let detailLimit = 300

    private var byReason: [Reason: [Example]]

    init(_ byReason: [Reason: [Example]] = [:]) {
        self.byReason = byReason
    }

    /// Every reason's examples (a resumed run carries them over in its checkpoint).
    var all: [Reason: [Example]] { byReason }

    mutating func note(_ issue: RowIssue) {
        guard byReason[issue.reason, default: []].count < Self.perReason else { return }
        let detail = ReportText.oneLine(issue.detail, limit: Self.detailLimit)
        byReason[issue.reason, default: []].append(Example(line: issue.line, detail: detail))
    }

    subscript(reason: Reason) -> [Example] { byReason[reason] ?? [] }
}
