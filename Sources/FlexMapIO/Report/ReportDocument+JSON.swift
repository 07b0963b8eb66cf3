import FlexMapCore

extension ReportDocument {
    /// summary.json: the counts first, in a fixed order, then the run's facts.
    func json() -> String {
        let summary = summary
        let reasons = Reason.allCases.compactMap { reason -> (key: String, value: JSONValue)? in
            guard let count = summary.reasons[reason], count > 0 else { return nil }
            return (reason.rawValue, .int(Int64(count)))
        }
        let members: [(key: String, value: JSONValue)] = [
            ("total", .int(Int64(summary.total))),
            ("created", .int(Int64(summary.created))),
            ("skipped", .int(Int64(summary.skipped))),
            ("invalidPhone", .int(Int64(summary.invalidPhone))),
            ("rejected", .int(Int64(summary.rejected))),
            ("updated", .int(Int64(summary.updated))),
            ("blankLines", .int(Int64(summary.blankLines))),
            ("reasons", .object(JSONObject(reasons))),
            ("durationSeconds", .double(ReportText.rounded(summary.durationSeconds, decimals: 3))),
            ("rowsPerSecond", .double(ReportText.rounded(summary.rowsPerSecond, decimals: 1))),
            ("command", .string(summary.command)),
            ("input", .string(summary.input)),
            ("format", .string(summary.format)),
            ("mapping", .object(JSONObject([("name", .string(summary.mappingName)), ("id", .string(summary.mappingId))]))),
            ("orgId", .string(summary.orgId)),
            ("dryRun", .bool(summary.dryRun)),
            ("workers", .int(Int64(summary.workers))),
            ("startedAt", .string(summary.startedAt)),
            ("resumed", .bool(summary.resumed)),
            ("warnings", .array(summary.warnings.map { .string($0) })),
            ("files", .array(files.map { .string($0) })),
        ]
        return JSONText.pretty(.object(JSONObject(members))) + "\n"
    }
}
