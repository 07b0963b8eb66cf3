import FlexMapCore
import FlexMapIO
import Foundation
import Testing

/// Writes sample reports to look at, when FLEXMAP_REPORT_SAMPLES names a directory:
/// `FLEXMAP_REPORT_SAMPLES=/tmp/samples swift test --filter ReportSamples`.
@Suite("Report samples", .enabled(if: ProcessInfo.processInfo.environment["FLEXMAP_REPORT_SAMPLES"] != nil))
struct ReportSamples {
    let root = ProcessInfo.processInfo.environment["FLEXMAP_REPORT_SAMPLES"] ?? ""

    private func details(_ reason: Reason, _ index: Int) -> String {
        switch reason {
        case .duplicate: return "contact c_\(8000 + index) has this phone number"
        case .phoneTooShort: return "7 digits in Mobile Phone Number; numbers of region US have 10"
        case .phoneNotANumber: return "\"call me maybe\" in Mobile Phone Number"
        case .fieldTooLong: return "company is 312 characters; the limit is 255"
        case .unterminatedQuote: return "the quote opened in column 3 (First Name) is never closed"
        default: return "\(reason.explanation) (row \(index))"
        }
    }

    private func write(
        _ name: String, summary: RunSummary, counts: [(Reason, Int)],
        format: ReportInputFormat = .csv(header: Array("Record ID,First Name,Phone".utf8), delimiter: 44)
    ) throws {
        let writer = try ReportWriter(directory: root + "/" + name, format: format)
        var line = 2
        for (reason, count) in counts {
            for index in 0..<min(count, 7) {
                try writer.add(
                    RowIssue(
                        recordNumber: line - 1, line: line, reason: reason, detail: details(reason, index),
                        raw: Array("\(line),Ann,555".utf8)))
                line += 37
            }
        }
        try writer.finish(summary)
    }

    private func base() -> RunSummary {
        var summary = RunSummary()
        summary.input = "exports/hubspot-contacts-2025-03.csv"
        summary.format = "csv"
        summary.mappingName = "HubSpot contacts export"
        summary.mappingId = "map_7Kq2xW9"
        summary.orgId = "org_41c9"
        summary.workers = 2
        summary.startedAt = "2025-03-14T09:12:44Z"
        return summary
    }

    @Test func typical() throws {
        var summary = base()
        summary.durationSeconds = 3.84
        summary.blankLines = 2
        summary.warnings = ["the source \"Fax Number\" matches no column of the header"]
        let counts: [(Reason, Int)] = [
            (.duplicate, 2950), (.duplicateUpdated, 152), (.phoneTooShort, 1204), (.phoneNotANumber, 911),
            (.phoneInvalidCountryCode, 606), (.fieldTooLong, 311), (.unterminatedQuote, 1), (.crmPairIncomplete, 208),
        ]
        for _ in 0..<41_870 { summary.count(.created, reason: nil) }
        for (reason, count) in counts { for _ in 0..<count { summary.count(reason.kind, reason: reason) } }
        try write("typical", summary: summary, counts: counts)
    }

    @Test func empty() throws {
        try write("empty", summary: base(), counts: [])
    }

    @Test func allCreatedDryRun() throws {
        var summary = base()
        summary.dryRun = true
        summary.durationSeconds = 0.42
        for _ in 0..<1_200 { summary.count(.created, reason: nil) }
        try write("all-created", summary: summary, counts: [])
    }

    @Test func ndjsonWithAMappingFile() throws {
        var summary = base()
        summary.input = "webhooks.ndjson"
        summary.format = "ndjson"
        summary.mappingId = ""
        summary.durationSeconds = 1.2
        let counts: [(Reason, Int)] = [(.invalidJSON, 3), (.phoneMissing, 40), (.duplicate, 12)]
        for _ in 0..<900 { summary.count(.created, reason: nil) }
        for (reason, count) in counts { for _ in 0..<count { summary.count(reason.kind, reason: reason) } }
        try write("ndjson", summary: summary, counts: counts, format: .json)
    }

    @Test func everyReason() throws {
        var summary = base()
        summary.resumed = true
        summary.durationSeconds = 95
        let counts = Reason.allCases.enumerated().map { ($0.element, ($0.offset * 37) % 400 + 1) }
        for _ in 0..<5_000 { summary.count(.created, reason: nil) }
        for (reason, count) in counts { for _ in 0..<count { summary.count(reason.kind, reason: reason) } }
        try write("every-reason", summary: summary, counts: counts)
    }
}
