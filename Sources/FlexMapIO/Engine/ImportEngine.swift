import FlexMapCore
import Foundation
import Synchronization

/// Runs an import: one reader thread streams batches, Dispatch workers map them in
/// parallel, and this thread (the single writer) applies them to the store in input
/// order, each batch in one transaction with the input position it reached.
public final class ImportEngine {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func run(
        _ request: ImportRequest, cancel: CancellationFlag = CancellationFlag(),
        progress: @escaping (ImportProgress) -> Void = { _ in }
    ) throws -> ImportResult {
        let started = Date()
        let source = try ByteSource(path: request.input)
        let identity = RunJournal.Identity(
            command: "import", input: Self.absolutePath(request.input),
            inputFingerprint: try Self.fingerprint(request.input), format: request.format.rawValue,
            orgId: request.target.orgId, mappingId: request.target.mappingId,
            mappingFingerprint: Self.hash(request.target.fingerprintText))
        var warnings: [String] = []

        // Where to start: the top, or after the last commit of an unfinished run.
        let journal: RunJournal? = request.dryRun ? nil : try RunJournal(store: store)
        var unfinished: RunJournal.Unfinished?
        if request.resume {
            guard let journal else {
                throw ImportError.resumeNotPossible("--resume does not apply to a dry run, which stores nothing")
            }
            guard request.input != "-" else {
                throw ImportError.resumeNotPossible("--resume needs a file: standard input cannot be read again")
            }
            guard let found = try journal.unfinished(identity) else {
                throw ImportError.nothingToResume(input: request.input)
            }
            guard found.inputFingerprint == identity.inputFingerprint else {
                throw ImportError.inputChanged(input: request.input)
            }
            guard found.mappingFingerprint == identity.mappingFingerprint else {
                throw ImportError.mappingChanged(input: request.input)
            }
            unfinished = found
        } else if let journal, try journal.abandonUnfinished(identity) > 0 {
            warnings.append(
                "an earlier import of this input did not finish; this run starts over (use --resume to continue one instead)"
            )
        }

        let reader = try Readers.open(
            request.format, source: source, options: request.readerOptions, position: unfinished?.position)
        warnings += reader.warnings
        let mode: RecordDecoder.Mode
        switch request.target {
        case .mapping(let mapping, let orgId, let mappingId):
            let bound =
                reader.header.map { BoundMapping(mapping: mapping, orgId: orgId, mappingId: mappingId, header: $0) }
                ?? BoundMapping(mapping: mapping, orgId: orgId, mappingId: mappingId)
            warnings += bound.warnings
            mode = .pipeline(Pipeline(bound: bound))
        case .webhook(let processor):
            mode = .webhook(processor)
        }
        let decoder = RecordDecoder(mode: mode, header: reader.header ?? [])

        let reportDirectory =
            unfinished?.reportDirectory ?? request.reportDirectory ?? Self.defaultReportDirectory(started)
        // A run stopped before its first commit has no checkpoint: its files start afresh.
        // Not fsynced per commit: what --resume promises is to survive the process being
        // killed, and written data survives that in the page cache; the store's WAL with
        // synchronous=NORMAL makes the same trade for a power loss (a resume then finds the
        // report shorter than its checkpoint and says so).
        let report = try ReportWriter(
            directory: reportDirectory, format: reader.reportFormat,
            resume: unfinished.flatMap { $0.checkpoint.sizes.isEmpty ? nil : $0.checkpoint },
            durable: false)
        let runId = try unfinished?.id ?? journal?.start(identity, reportDirectory: reportDirectory)

        var summary = unfinished?.counts ?? RunSummary()
        let priorDuration = summary.durationSeconds
        let blankLinesBefore = summary.blankLines
        summary.command = "import"
        summary.input = request.input
        summary.format = request.format.rawValue
        summary.mappingName = request.target.mappingName
        summary.mappingId = request.target.mappingId
        summary.orgId = request.target.orgId
        summary.dryRun = request.dryRun
        summary.workers = request.workers
        summary.startedAt = Timestamp.iso8601(started)
        summary.resumed = unfinished != nil
        summary.warnings = warnings

        let writer = try ContactWriter(store: store, dryRun: request.dryRun)
        var position = unfinished?.position ?? ReaderPosition(offset: 0, records: 0, lines: 0)
        let pipelineRun = PipelineRun(
            reader: reader, decoder: decoder, workers: max(1, request.workers), batchSize: max(1, request.batchSize))
        pipelineRun.start()
        var interrupted = false
        var commits = CommitSchedule(rows: request.commitRows, seconds: 1.0)
        var inTransaction = false
        // Ends the open transaction: the report's row files are flushed and their sizes
        // recorded with the input position in the same transaction, so a resumed run
        // continues exactly here.
        func commit() throws {
            summary.durationSeconds = priorDuration + Date().timeIntervalSince(started)
            let checkpoint = try report.checkpoint()
            if let journal, let runId {
                try journal.record(run: runId, position: position, counts: summary, checkpoint: checkpoint)
            }
            try store.database.execute("COMMIT", context: "committing a batch")
            inTransaction = false
            commits.committed(at: Date())
        }
        do {
            defer { pipelineRun.stop() }
            while let batch = pipelineRun.next() {
                if !inTransaction {
                    // Deferred for a dry run: it only reads the main database.
                    try store.database.execute(
                        request.dryRun ? "BEGIN" : "BEGIN IMMEDIATE", context: "starting a transaction")
                    inTransaction = true
                }
                let now = store.clock()
                for (record, decoded) in zip(batch.records, batch.decoded) {
                    try Self.apply(record, decoded, writer: writer, now: now, summary: &summary, report: report)
                }
                if let last = batch.records.last {
                    position = ReaderPosition(offset: last.endOffset, records: last.number, lines: batch.lastLine)
                }
                summary.blankLines = blankLinesBefore + batch.blankLines
                pipelineRun.release()
                if cancel.isCancelled || commits.isDue(afterAdding: batch.records.count, at: Date()) { try commit() }
                progress(
                    ImportProgress(
                        records: position.records, bytesRead: position.offset, totalBytes: reader.totalBytes,
                        elapsedSeconds: Date().timeIntervalSince(started)))
                if cancel.isCancelled {
                    interrupted = true
                    break
                }
            }
            if inTransaction { try commit() }
            if !interrupted, let error = pipelineRun.readerError { throw error }
        } catch {
            if inTransaction { try? store.database.execute("ROLLBACK") }
            if let journal, let runId { try? journal.finish(run: runId, status: "interrupted") }
            throw error
        }

        summary.blankLines = blankLinesBefore + pipelineRun.blankLines
        summary.durationSeconds = priorDuration + Date().timeIntervalSince(started)
        if let journal, let runId {
            try store.database.transaction {
                try journal.record(run: runId, position: position, counts: summary, checkpoint: try report.checkpoint())
                try journal.finish(run: runId, status: interrupted ? "interrupted" : "completed")
            }
        }
        try report.finish(summary)
        return ImportResult(
            summary: summary, reportDirectory: reportDirectory, interrupted: interrupted,
            resumedFrom: unfinished?.position)
    }

    private static func apply(
        _ record: InputRecord, _ decoded: DecodedRecord, writer: ContactWriter, now: String, summary: inout RunSummary,
        report: ReportWriter
    ) throws {
        let reason: Reason
        let detail: String
        switch decoded.mapped {
        case .contact(let contact):
            switch try writer.apply(contact, policy: decoded.onDuplicate, now: now, encoded: decoded.encoded) {
            case .created:
                summary.count(.created, reason: nil)
                return
            case .duplicate:
                reason = .duplicate
                detail = "a contact with this phone number (E.164) already exists in organisation \(contact.orgId)"
            case .updated:
                reason = .duplicateUpdated
                detail = "merged into the existing contact with this phone number (onDuplicate: update)"
            }
        case .problem(let problem, let text):
            reason = problem
            detail = text
        }
        summary.count(reason.kind, reason: reason)
        try report.add(
            RowIssue(recordNumber: record.number, line: record.line, reason: reason, detail: detail, raw: record.raw))
    }

    // MARK: - Identity of inputs

    static func absolutePath(_ path: String) -> String {
        if path == "-" || path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Size-independent identity of a file: its first 64 KiB hashed ("stdin" for -).
    static func fingerprint(_ path: String) throws -> String {
        guard path != "-" else { return "stdin" }
        guard let handle = FileHandle(forReadingAtPath: path) else { return "unreadable" }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64 << 10)) ?? Data()
        return hash(head)
    }

    /// 64-bit FNV-1a, hex: an identity check, not a security measure.
    static func hash<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func hash(_ text: String) -> String { hash(text.utf8) }

    static func defaultReportDirectory(_ date: Date) -> String {
        let base = "reports/" + Timestamp.compact(date) + "-import"
        var candidate = base
        var suffix = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = base + "-\(suffix)"
            suffix += 1
        }
        return candidate
    }
}
