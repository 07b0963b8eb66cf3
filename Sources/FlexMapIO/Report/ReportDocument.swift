import FlexMapCore

/// Everything the end-of-run files are made from: the run's counts, the kept examples
/// and where the row files are. summary.json, summary.md and report.html are views of it.
struct ReportDocument {
    var summary: RunSummary
    var examples: ReportExamples
    var format: ReportInputFormat
    /// The report directory as the user gave it.
    var directory: String

    /// File names, the row files last: what summary.json lists under `files`.
    var files: [String] {
        ["summary.json", "summary.md", "report.html"] + ReportRowFile.allCases.map { name(of: $0) }
    }

    func name(of file: ReportRowFile) -> String { file.name(for: format) }

    /// Rows of the summary's reasons, most frequent first (ties in the order Reason
    /// lists them).
    var reasonsByCount: [(reason: Reason, count: Int)] {
        Reason.allCases
            .compactMap { reason in summary.reasons[reason].flatMap { $0 > 0 ? (reason: reason, count: $0) : nil } }
            .enumerated()
            .sorted {
                $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset
            }
            .map(\.element)
    }

    /// Rows in a row file, by the summary's counts (which include a resumed run's
    /// earlier part).
    func rowCount(of file: ReportRowFile) -> Int {
        file == .skipped ? summary.skipped : summary.rejected + summary.invalidPhone
    }

    /// The path of a report file, for people to copy.
    func path(of name: String) -> String {
        ReportWriter.path(directory, name)
    }

    /// The command that imports a row file again, when it can be imported as it is
    /// (skipped.csv of JSON input holds records in a column, so it cannot).
    func reimportCommand(for file: ReportRowFile) -> String? {
        reimportWords(for: file)?.joined(separator: " ")
    }

    /// The words of `reimportCommand(for:)`, each quoted for a shell as needed.
    func reimportWords(for file: ReportRowFile) -> [String]? {
        let inputFormat: String
        let captured = ["har", "gor", "capture"].contains(summary.format)
        switch (file, format) {
        case (_, .csv): inputFormat = "csv"
        case (.rejected, .json): inputFormat = captured ? "capture" : "ndjson"
        case (.skipped, .json): return nil
        }
        var words = ["flexmap", "import", "--input", ReportText.shellWord(path(of: name(of: file)))]
        if summary.mappingId == ImportTarget.perRequest {
            // Captured requests name their own mapping; their API keys were redacted.
            return words + ["--format", inputFormat, "--auth-override", "ORG:YOUR_API_KEY"]
        }
        if summary.mappingId.isEmpty || summary.mappingId.hasPrefix("file:") {
            words += ["--mapping", "MAPPING.json"]
        } else {
            words += ["--map", ReportText.shellWord(summary.mappingId)]
        }
        words += ["--format", inputFormat]
        return words
    }

    /// What a row file holds, in one sentence.
    func describe(_ file: ReportRowFile) -> String {
        switch (file, format) {
        case (.rejected, .csv):
            return "rejected and invalid-phone rows exactly as they came in, after the input's header, "
                + "with reason, detail and line added as the last three columns"
        case (.rejected, .json):
            return "rejected and invalid-phone records, one per line: each JSON object as it came in with "
                + "_line, _reason and _detail added first; anything else wrapped as _raw (or _rawBase64)"
        case (.skipped, .csv):
            return "skipped rows exactly as they came in, after the input's header, "
                + "with reason, detail and line added as the last three columns"
        case (.skipped, .json):
            return "skipped records as CSV with the columns line, reason, detail and record (the record as it came in)"
        }
    }
}
