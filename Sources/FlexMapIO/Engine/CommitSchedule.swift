import Foundation

/// When the writer ends a transaction: after `rows` records or `seconds`, whichever comes
/// first. Pure, so it is tested without a store.
struct CommitSchedule {
    let rows: Int
    let seconds: Double
    private(set) var pendingRows = 0
    private var lastCommit = Date()

    init(rows: Int, seconds: Double, now: Date = Date()) {
        self.rows = max(1, rows)
        self.seconds = seconds
        self.lastCommit = now
    }

    /// Counts a batch applied in the open transaction; true when it is time to commit.
    mutating func isDue(afterAdding count: Int, at now: Date) -> Bool {
        pendingRows += count
        return pendingRows >= rows || now.timeIntervalSince(lastCommit) >= seconds
    }

    mutating func committed(at now: Date) {
        pendingRows = 0
        lastCommit = now
    }
}
