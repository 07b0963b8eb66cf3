import FlexMapCore

/// The counts of one import run: what summary.json holds and the CLI prints.
public struct RunSummary: Sendable, Equatable {
    public var command: String = "import"
    /// The input's name as the user gave it ("stdin" for -).
    public var input: String = ""
    /// csv, ndjson, har, gor or capture.
    public var format: String = ""
    public var mappingName: String = ""
    public var mappingId: String = ""
    public var orgId: String = ""
    public var dryRun: Bool = false
    public var workers: Int = 1
    /// ISO 8601, UTC.
    public var startedAt: String = ""
    public var durationSeconds: Double = 0
    public var resumed: Bool = false

    public var created = 0
    public var skipped = 0
    public var invalidPhone = 0
    public var rejected = 0
    /// Skipped rows merged into an existing contact (onDuplicate: update); part of `skipped`.
    public var updated = 0
    /// Lines that held nothing at all; not rows, so not in `total`.
    public var blankLines = 0
    public var reasons: [Reason: Int] = [:]
    /// Sentences about the run as a whole (a source no column matches, ...).
    public var warnings: [String] = []

    public init() {}

    public var total: Int { created + skipped + invalidPhone + rejected }

    public var rowsPerSecond: Double {
        durationSeconds > 0 ? Double(total) / durationSeconds : 0
    }

    /// Counts one row's final outcome.
    public mutating func count(_ kind: OutcomeKind, reason: Reason?) {
        switch kind {
        case .created: created += 1
        case .skipped: skipped += 1
        case .invalidPhone: invalidPhone += 1
        case .rejected: rejected += 1
        }
        if let reason {
            reasons[reason, default: 0] += 1
            if reason == .duplicateUpdated { updated += 1 }
        }
    }

    /// Adds another part's counts (a resumed run's earlier part).
    public mutating func add(_ other: RunSummary) {
        created += other.created
        skipped += other.skipped
        invalidPhone += other.invalidPhone
        rejected += other.rejected
        updated += other.updated
        blankLines += other.blankLines
        for (reason, count) in other.reasons { reasons[reason, default: 0] += count }
    }
}
