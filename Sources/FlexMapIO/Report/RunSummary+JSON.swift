import FlexMapCore

extension RunSummary {
    /// The summary as summary.json and `import --json` give it: the counts first, in a
    /// fixed order, then the run's facts.
    public var jsonMembers: [(key: String, value: JSONValue)] {
        let reasons = Reason.allCases.compactMap { reason -> (key: String, value: JSONValue)? in
            guard let count = self.reasons[reason], count > 0 else { return nil }
            return (reason.rawValue, .int(Int64(count)))
        }
        return [
            ("total", .int(Int64(total))),
            ("created", .int(Int64(created))),
            ("skipped", .int(Int64(skipped))),
            ("invalidPhone", .int(Int64(invalidPhone))),
            ("rejected", .int(Int64(rejected))),
            ("updated", .int(Int64(updated))),
            ("blankLines", .int(Int64(blankLines))),
            ("reasons", .object(JSONObject(reasons))),
            ("durationSeconds", .double(ReportText.rounded(durationSeconds, decimals: 3))),
            ("rowsPerSecond", .double(ReportText.rounded(rowsPerSecond, decimals: 1))),
            ("command", .string(command)),
            ("input", .string(input)),
            ("format", .string(format)),
            ("mapping", .object(JSONObject([("name", .string(mappingName)), ("id", .string(mappingId))]))),
            ("orgId", .string(orgId)),
            ("dryRun", .bool(dryRun)),
            ("workers", .int(Int64(workers))),
            ("startedAt", .string(startedAt)),
            ("resumed", .bool(resumed)),
            ("warnings", .array(warnings.map { .string($0) })),
        ]
    }
}
