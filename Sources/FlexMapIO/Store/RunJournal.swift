import FlexMapCore

/// The `runs` table: each import records how far it got in the same transaction as the
/// batch that got it there, so `--resume` continues exactly after the last commit.
public final class RunJournal {
    /// What identifies "the same import" for --resume.
    public struct Identity: Sendable, Equatable {
        public var command: String
        public var input: String
        public var inputFingerprint: String
        public var format: String
        public var orgId: String
        public var mappingId: String
        public var mappingFingerprint: String

        public init(
            command: String, input: String, inputFingerprint: String, format: String, orgId: String, mappingId: String,
            mappingFingerprint: String
        ) {
            self.command = command
            self.input = input
            self.inputFingerprint = inputFingerprint
            self.format = format
            self.orgId = orgId
            self.mappingId = mappingId
            self.mappingFingerprint = mappingFingerprint
        }
    }

    /// An unfinished run, as a resume finds it.
    public struct Unfinished: Sendable {
        public var id: Int64
        public var reportDirectory: String
        public var position: ReaderPosition
        public var counts: RunSummary
        public var checkpoint: ReportCheckpoint
        public var inputFingerprint: String
        public var mappingFingerprint: String
    }

    let store: Store
    private let progress: SQLiteStatement

    public init(store: Store) throws(SQLiteError) {
        self.store = store
        progress = try store.database.prepare(
            "UPDATE runs SET input_offset = ?2, records_read = ?3, lines_read = ?4, counts = ?5, report_checkpoint = ?6, updated_at = ?7 WHERE id = ?1"
        )
    }

    /// The newest unfinished run of this input with this mapping and organisation.
    public func unfinished(_ identity: Identity) throws(SQLiteError) -> Unfinished? {
        let statement = try store.database.prepare(
            """
            SELECT id, report_dir, input_offset, records_read, lines_read, counts, report_checkpoint, input_fingerprint, mapping_fingerprint
            FROM runs WHERE command = ?1 AND input = ?2 AND format = ?3 AND org_id = ?4 AND mapping_id = ?5
              AND status IN ('running', 'interrupted')
            ORDER BY id DESC LIMIT 1
            """)
        let rows = try statement.query(
            [
                .text(identity.command), .text(identity.input), .text(identity.format), .text(identity.orgId),
                .text(identity.mappingId),
            ]
        ) { row in
            Unfinished(
                id: row.int(0), reportDirectory: row.text(1) ?? "",
                position: ReaderPosition(offset: row.int(2), records: Int(row.int(3)), lines: Int(row.int(4))),
                counts: RunJournal.decodeCounts(row.text(5) ?? "{}"),
                checkpoint: RunJournal.decodeCheckpoint(row.text(6) ?? "{}"),
                inputFingerprint: row.text(7) ?? "", mappingFingerprint: row.text(8) ?? "")
        }
        return rows.first
    }

    /// Records a new run; returns its id.
    public func start(_ identity: Identity, reportDirectory: String) throws(SQLiteError) -> Int64 {
        let now = store.clock()
        let insert = try store.database.prepare(
            """
            INSERT INTO runs (command, input, input_fingerprint, format, org_id, mapping_id, mapping_fingerprint, report_dir, status, started_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running', ?9, ?9)
            """)
        try insert.run([
            .text(identity.command), .text(identity.input), .text(identity.inputFingerprint), .text(identity.format),
            .text(identity.orgId), .text(identity.mappingId), .text(identity.mappingFingerprint),
            .text(reportDirectory),
            .text(now),
        ])
        return store.database.lastInsertRowID
    }

    /// Marks older unfinished runs of the same import as abandoned (a fresh start).
    public func abandonUnfinished(_ identity: Identity) throws(SQLiteError) -> Int {
        let statement = try store.database.prepare(
            "UPDATE runs SET status = 'abandoned', updated_at = ?6 WHERE command = ?1 AND input = ?2 AND format = ?3 AND org_id = ?4 AND mapping_id = ?5 AND status IN ('running', 'interrupted')"
        )
        try statement.run([
            .text(identity.command), .text(identity.input), .text(identity.format), .text(identity.orgId),
            .text(identity.mappingId), .text(store.clock()),
        ])
        return store.database.changes
    }

    /// Records progress; call inside the batch's transaction.
    public func record(
        run id: Int64, position: ReaderPosition, counts: RunSummary, checkpoint: ReportCheckpoint
    ) throws(SQLiteError) {
        try progress.run([
            .integer(id), .integer(position.offset), .integer(Int64(position.records)), .integer(Int64(position.lines)),
            .text(Self.encodeCounts(counts)), .text(Self.encodeCheckpoint(checkpoint)), .text(store.clock()),
        ])
    }

    public func finish(run id: Int64, status: String) throws(SQLiteError) {
        let statement = try store.database.prepare(
            "UPDATE runs SET status = ?2, updated_at = ?3, finished_at = CASE WHEN ?2 = 'completed' THEN ?3 ELSE finished_at END WHERE id = ?1"
        )
        try statement.run([.integer(id), .text(status), .text(store.clock())])
    }

    // MARK: - Encoding

    static func encodeCounts(_ summary: RunSummary) -> String {
        var members: [(key: String, value: JSONValue)] = [
            ("created", .int(Int64(summary.created))), ("skipped", .int(Int64(summary.skipped))),
            ("invalidPhone", .int(Int64(summary.invalidPhone))), ("rejected", .int(Int64(summary.rejected))),
            ("updated", .int(Int64(summary.updated))), ("blankLines", .int(Int64(summary.blankLines))),
            ("durationSeconds", .double(summary.durationSeconds)),
        ]
        members.append(
            (
                "reasons",
                .object(
                    JSONObject(
                        summary.reasons.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                            ($0.key.rawValue, .int(Int64($0.value)))
                        }))
            ))
        return JSONText.encode(.object(JSONObject(members)))
    }

    static func decodeCounts(_ text: String) -> RunSummary {
        var summary = RunSummary()
        guard case .object(let object)? = try? JSONParser().parse(text) else { return summary }
        func int(_ key: String) -> Int { Int(object[key]?.scalarText ?? "0") ?? 0 }
        summary.created = int("created")
        summary.skipped = int("skipped")
        summary.invalidPhone = int("invalidPhone")
        summary.rejected = int("rejected")
        summary.updated = int("updated")
        summary.blankLines = int("blankLines")
        if case .double(let seconds)? = object["durationSeconds"] { summary.durationSeconds = seconds }
        if case .int(let seconds)? = object["durationSeconds"] { summary.durationSeconds = Double(seconds) }
        if case .object(let reasons)? = object["reasons"] {
            for member in reasons.members {
                if let reason = Reason(rawValue: member.key) {
                    summary.reasons[reason] = Int(member.value.scalarText ?? "0") ?? 0
                }
            }
        }
        return summary
    }

    /// `{"rejected.csv": size, ..., "_examples": {"reason": [{"line": n, "detail": "..."}]}}`
    /// (no report file's name starts with an underscore).
    static func encodeCheckpoint(_ checkpoint: ReportCheckpoint) -> String {
        var members = checkpoint.sizes.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.int($0.value)) }
        let examples = checkpoint.examples.all.sorted { $0.key.rawValue < $1.key.rawValue }.map { reason, rows in
            let items = rows.map {
                JSONValue.object(JSONObject([("line", .int(Int64($0.line))), ("detail", .string($0.detail))]))
            }
            return (key: reason.rawValue, value: JSONValue.array(items))
        }
        members.append((Self.examplesKey, .object(JSONObject(examples))))
        return JSONText.encode(.object(JSONObject(members)))
    }

    static let examplesKey = "_examples"

    static func decodeCheckpoint(_ text: String) -> ReportCheckpoint {
        guard case .object(let object)? = try? JSONParser().parse(text) else { return ReportCheckpoint(sizes: [:]) }
        var sizes: [String: Int64] = [:]
        var examples: [Reason: [ReportExamples.Example]] = [:]
        for member in object.members {
            switch member.value {
            case .int(let size):
                sizes[member.key] = size
            case .object(let byReason) where member.key == Self.examplesKey:
                for entry in byReason.members {
                    guard let reason = Reason(rawValue: entry.key), case .array(let rows) = entry.value else {
                        continue
                    }
                    examples[reason] = rows.compactMap { row in
                        guard case .object(let fields) = row, let line = fields["line"]?.scalarText.flatMap({ Int($0) })
                        else {
                            return nil
                        }
                        return ReportExamples.Example(line: line, detail: fields["detail"]?.scalarText ?? "")
                    }
                }
            default:
                continue
            }
        }
        return ReportCheckpoint(sizes: sizes, examples: ReportExamples(examples))
    }
}
