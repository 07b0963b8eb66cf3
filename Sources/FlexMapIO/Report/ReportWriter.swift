import FlexMapCore
import Synchronization

/// Writes a run's report directory: bad rows stream to rejected/skipped files as the
/// writer applies batches; summary.json, summary.md and report.html are written at the end.
///
/// Files (names by input format):
/// - CSV input: `rejected.csv` (rejected and invalid-phone rows), `skipped.csv`; both
///   the input's header plus `reason`, `detail`, `line`, then each raw row plus those
///   three cells.
/// - JSON input: `rejected.ndjson` (objects with `_line`, `_reason`, `_detail` spliced
///   in first; anything else wrapped with `_raw` or `_rawBase64`) and `skipped.csv`
///   (`line,reason,detail,record`).
/// - At the end: `summary.json`, `summary.md`, `report.html`.
///
/// Memory stays bounded: rows go out through a 64 KiB buffer per file, and only the
/// first few rows of each reason are kept, for the examples.
public final class ReportWriter: Sendable {
    public let directory: String
    public let format: ReportInputFormat
    /// Whether `checkpoint()` makes the row files reach the disk (fdatasync) before it
    /// returns their sizes, so the sizes a batch commits with survive a power cut too.
    public let durable: Bool

    private struct State {
        let rejected: ReportRowSink
        let skipped: ReportRowSink
        let encoder: ReportRowEncoder
        var examples = ReportExamples()
        var finished = false

        func sink(_ file: ReportRowFile) -> ReportRowSink {
            file == .rejected ? rejected : skipped
        }
    }

    // The engine calls from one writer thread; the lock makes the writer safe to hand
    // between threads and costs nothing uncontended.
    private let state: Mutex<State>

    /// Creates `directory` (and parents) if needed. With `resume`, cuts the row files
    /// back to the checkpoint's sizes and appends from there, keeping its examples.
    public init(
        directory: String, format: ReportInputFormat, resume: ReportCheckpoint? = nil, durable: Bool = true
    ) throws(ReportError) {
        self.directory = directory
        self.format = format
        self.durable = durable
        try ReportDirectory.make(directory)
        let encoder = ReportRowEncoder(format: format)
        func openSink(_ file: ReportRowFile) throws(ReportError) -> ReportRowSink {
            let name = file.name(for: format)
            let path = Self.path(directory, name)
            let header = encoder.header(of: file)
            guard let resume else { return try ReportRowSink(creating: path, header: header) }
            guard let size = resume.sizes[name] else {
                throw ReportError(
                    path: path,
                    message: "the checkpoint of the interrupted run has no size for \(name), so it was written "
                        + "for another input format; run again without --resume")
            }
            return try ReportRowSink(resuming: path, size: size, header: header)
        }
        let rejected = try openSink(.rejected)
        let skipped = try openSink(.skipped)
        // An earlier run's summary would describe rows this run is rewriting.
        try ReportDirectory.remove(Self.summaryFiles.map { Self.path(directory, $0) })
        state = Mutex(
            State(
                rejected: rejected, skipped: skipped, encoder: encoder, examples: resume?.examples ?? ReportExamples()))
    }

    /// Adds one row that was skipped, had an invalid phone or was rejected, in input order.
    public func add(_ issue: RowIssue) throws(ReportError) {
        try state.withLock { (state: inout State) throws(ReportError) in
            try Self.checkOpen(state, directory)
            let file = ReportRowFile.holding(issue.kind)
            let encoder = state.encoder
            try state.sink(file).append { encoder.append(issue, to: file, into: &$0) }
            state.examples.note(issue)
        }
    }

    /// Flushes the row files and returns their sizes, with the examples so far.
    public func checkpoint() throws(ReportError) -> ReportCheckpoint {
        try state.withLock { (state: inout State) throws(ReportError) in
            try Self.checkOpen(state, directory)
            var sizes: [String: Int64] = [:]
            for file in ReportRowFile.allCases {
                sizes[file.name(for: format)] = try state.sink(file).checkpoint(durable: durable)
            }
            return ReportCheckpoint(sizes: sizes, examples: state.examples)
        }
    }

    /// Writes summary.json, summary.md and report.html and closes the row files.
    public func finish(_ summary: RunSummary) throws(ReportError) {
        try state.withLock { (state: inout State) throws(ReportError) in
            try Self.checkOpen(state, directory)
            state.finished = true
            for file in ReportRowFile.allCases { try state.sink(file).close() }
            let document = ReportDocument(
                summary: summary, examples: state.examples, format: format, directory: directory)
            // summary.json last (see summaryFiles).
            try ReportDirectory.write(document.markdown(), to: Self.path(directory, "summary.md"))
            try ReportDirectory.write(document.html(), to: Self.path(directory, "report.html"))
            try ReportDirectory.write(document.json(), to: Self.path(directory, "summary.json"))
        }
    }

    private static func checkOpen(_ state: borrowing State, _ directory: String) throws(ReportError) {
        if state.finished {
            throw ReportError(
                path: directory, message: "the report is already finished (a flexmap bug: please report it)")
        }
    }

    /// The files written at the end. summary.json is written last and removed when a run
    /// starts, so a script that finds it finds the whole report of one finished run.
    static let summaryFiles = ["summary.md", "report.html", "summary.json"]

    static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
