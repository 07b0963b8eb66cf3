import FlexMapCore

/// Writes a run's report directory: bad rows stream to rejected/skipped files as the
/// writer applies batches; summary.json, summary.md and report.html are written at the end.
/// (Stub: the real writer replaces this.)
public final class ReportWriter {
    public let directory: String
    public let format: ReportInputFormat

    /// Creates `directory` (and parents) if needed. With `resume`, cuts the row files
    /// back to the checkpoint's sizes and appends from there.
    public init(directory: String, format: ReportInputFormat, resume: ReportCheckpoint? = nil) throws(ReportError) {
        self.directory = directory
        self.format = format
    }

    /// Adds one row that was skipped, had an invalid phone or was rejected, in input order.
    public func add(_ issue: RowIssue) throws(ReportError) {}

    /// Flushes the row files and returns their sizes.
    public func checkpoint() throws(ReportError) -> ReportCheckpoint { ReportCheckpoint(sizes: [:]) }

    /// Writes summary.json, summary.md and report.html and closes the row files.
    public func finish(_ summary: RunSummary) throws(ReportError) {}
}
