import Synchronization

/// Counts of answers by status, shared by the request threads and the writer.
public final class ServeStatistics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Status code → answers sent with it.
        public var byStatus: [Int: Int] = [:]
        /// Requests that ended without their answer sent in full (client gone, dropped,
        /// timed out, or closed at shutdown).
        public var unanswered = 0

        public var answered: Int { byStatus.values.reduce(0, +) }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    func record(status: Int) {
        state.withLock { $0.byStatus[status, default: 0] += 1 }
    }

    func recordUnanswered() {
        state.withLock { $0.unanswered += 1 }
    }

    public var snapshot: Snapshot { state.withLock { $0 } }
}
