import FlexMapCore
import FlexMapIO

/// The human summary an import prints.
enum SummaryText {
    static func render(_ summary: RunSummary, reportDirectory: String) -> String {
        var lines: [String] = []
        let title = summary.dryRun ? "DRY RUN (nothing stored)" : (summary.resumed ? "import (resumed)" : "import")
        if summary.mappingId == ImportTarget.perRequest {
            lines.append(
                "flexmap \(title): \(summary.input) (\(summary.format)) → the organisation and mapping each request names"
            )
        } else {
            lines.append("flexmap \(title): \(summary.input) → mapping '\(summary.mappingName)', org \(summary.orgId)")
        }
        for warning in summary.warnings { lines.append("  warning: \(warning)") }
        let total = summary.total
        func row(_ label: String, _ count: Int, _ kind: OutcomeKind?) -> String {
            var line = "  " + label.padding(toLength: 14, withPad: " ", startingAt: 0)
            let number = Format.count(count)
            line += String(repeating: " ", count: max(0, 10 - number.count)) + number
            if kind != nil {
                let percent = Format.percent(count, of: total)
                line += String(repeating: " ", count: max(0, 8 - percent.count)) + percent
                let reasons = summary.reasons.filter { $0.key.kind == kind && $0.value > 0 }
                    .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
                if !reasons.isEmpty {
                    line +=
                        "   " + reasons.map { "\($0.key.rawValue) \(Format.count($0.value))" }.joined(separator: " · ")
                }
            }
            return line
        }
        lines.append(row("total", total, nil))
        lines.append(row("created", summary.created, .created))
        lines.append(row("skipped", summary.skipped, .skipped))
        lines.append(row("invalid phone", summary.invalidPhone, .invalidPhone))
        lines.append(row("rejected", summary.rejected, .rejected))
        var facts =
            "  \(Format.count(Int(summary.rowsPerSecond))) rows/s · \(Format.seconds(summary.durationSeconds)) · \(summary.workers) worker\(summary.workers == 1 ? "" : "s")"
        if summary.blankLines > 0 {
            facts += " · \(Format.count(summary.blankLines)) blank line\(summary.blankLines == 1 ? "" : "s") ignored"
        }
        lines.append(facts)
        lines.append("Report: \(reportDirectory)/report.html")
        return lines.joined(separator: "\n")
    }
}

/// The one-line JSON an import prints with --json: summary.json's members plus whether
/// it was interrupted and where the report is.
enum SummaryJSON {
    static func line(_ summary: RunSummary, reportDirectory: String, interrupted: Bool) -> String {
        let members =
            summary.jsonMembers + [
                ("interrupted", JSONValue.bool(interrupted)), ("reportDirectory", .string(reportDirectory)),
            ]
        return JSONText.encode(.object(JSONObject(members)))
    }
}
