import FlexMapCore

extension ReportDocument {
    /// summary.md: the counts, the reasons with what they mean, a few examples of each,
    /// and what to do with the row files.
    func markdown() -> String {
        let summary = summary
        let md = ReportText.markdown
        var out = "# flexmap \(md(summary.command)) report\n\n"

        var source = "**\(md(summary.input.isEmpty ? "input" : summary.input))**"
        if !summary.format.isEmpty { source += " (\(md(summary.format)))" }
        if !summary.mappingName.isEmpty || !summary.mappingId.isEmpty {
            source += " through mapping **\(md(summary.mappingName))**"
            if !summary.mappingId.isEmpty { source += " (`\(summary.mappingId)`)" }
        }
        if !summary.orgId.isEmpty { source += ", organisation `\(summary.orgId)`" }
        out += source + "  \n"
        out += runFacts().joined(separator: " · ") + "\n\n"
        for note in notes() { out += "> " + note + "\n\n" }

        out += "## Outcomes\n\n| Outcome | Rows | Share |\n|:--|--:|--:|\n"
        for (kind, count) in outcomes {
            out +=
                "| \(ReportText.title(kind)) | \(ReportText.count(count)) | \(ReportText.percent(count, of: summary.total)) |\n"
        }
        out += "| **Total** | **\(ReportText.count(summary.total))** | \(summary.total > 0 ? "100%" : "0%") |\n\n"
        let aside = asides()
        if !aside.isEmpty { out += aside.joined(separator: " ") + "\n\n" }

        if !summary.warnings.isEmpty {
            out += "## Warnings\n\n"
            for warning in summary.warnings { out += "- " + md(warning) + "\n" }
            out += "\n"
        }

        let reasons = reasonsByCount
        out += "## Reasons\n\n"
        if reasons.isEmpty {
            out += verdict() + "\n\n"
        } else {
            out += "| Reason | Outcome | Rows | Share | Meaning |\n|:--|:--|--:|--:|:--|\n"
            for (reason, count) in reasons {
                out +=
                    "| `\(reason.rawValue)` | \(ReportText.title(reason.kind)) | \(ReportText.count(count)) | "
                    + "\(ReportText.percent(count, of: summary.total)) | \(md(reason.explanation)) |\n"
            }
            out += "\n## Examples\n\n"
            for (reason, count) in reasons {
                let examples = examples[reason]
                out += "### `\(reason.rawValue)`: \(rows(count))"
                if examples.count < count && !examples.isEmpty { out += " (first \(examples.count))" }
                out += "\n\n"
                if examples.isEmpty { out += "No examples: these rows were read before the run was resumed.\n" }
                for example in examples {
                    out += "- line \(example.line): \(md(example.detail))\n"
                }
                out += "\n"
            }
        }

        out += "## Files\n\n"
        for file in ReportRowFile.allCases {
            out += "- `\(name(of: file))` (\(rows(rowCount(of: file)))): \(md(describe(file))).\n"
            if let command = reimportCommand(for: file), rowCount(of: file) > 0 {
                out +=
                    file == .rejected
                    ? "  Fix the rows and import the file again:\n"
                    : "  To take them in after all (activate the mapping, change onDuplicate), import the file again:\n"
                out += "\n  ```sh\n  \(command)\n  ```\n"
            }
        }
        out += "- `report.html`: this report with charts; `summary.json`: the same counts for scripts.\n"
        return out
    }

    /// The outcomes in the order reports show them, with their counts.
    var outcomes: [(kind: OutcomeKind, count: Int)] {
        [
            (.created, summary.created), (.skipped, summary.skipped), (.invalidPhone, summary.invalidPhone),
            (.rejected, summary.rejected),
        ]
    }

    /// Started, duration, rate, workers: one line of facts.
    func runFacts() -> [String] {
        var facts: [String] = []
        if !summary.startedAt.isEmpty { facts.append("Started \(summary.startedAt)") }
        facts.append(ReportText.duration(summary.durationSeconds))
        facts.append("\(ReportText.rate(summary.rowsPerSecond)) rows/s")
        facts.append(summary.workers == 1 ? "1 worker" : "\(summary.workers) workers")
        return facts
    }

    /// What a reader must know to read the numbers right.
    func notes() -> [String] {
        var notes: [String] = []
        if summary.dryRun {
            notes.append(
                "Dry run: nothing was written to the store. Created counts the rows that would have been created.")
        }
        if summary.resumed {
            notes.append(
                "Resumed run: the counts and row files include the part before the interruption; "
                    + "the examples come from the rows read after resuming.")
        }
        return notes
    }

    /// Sentences about counts that sit beside the four outcomes.
    func asides() -> [String] {
        var asides: [String] = []
        if summary.updated > 0 {
            asides.append(
                "\(rows(summary.updated, singular: "skipped row was", plural: "skipped rows were")) merged into existing contacts (onDuplicate: update)."
            )
        }
        if summary.blankLines > 0 {
            asides.append(
                "\(rows(summary.blankLines, singular: "blank line was", plural: "blank lines were")) ignored; blank lines are not rows."
            )
        }
        return asides
    }

    /// One sentence for a run with no reasons.
    func verdict() -> String {
        if summary.total == 0 { return "The input held no rows." }
        let all = summary.total == 1 ? "The row" : "All \(ReportText.count(summary.total)) rows"
        return all + (summary.dryRun ? " would be created" : " were created") + ": nothing to fix."
    }

    func rows(_ count: Int, singular: String = "row", plural: String = "rows") -> String {
        "\(ReportText.count(count)) \(count == 1 ? singular : plural)"
    }
}
