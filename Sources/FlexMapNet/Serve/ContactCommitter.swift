import FlexMapCore
import FlexMapIO
import Foundation

/// The one writer of a serving store, with group commit: it takes every contact queued
/// since its last transaction (up to `maxGroup`), applies them in one transaction, and
/// only after COMMIT returns tells each request what became of its contact. So a
/// completion that says created or duplicate always describes committed data.
///
/// Under sustained load (the previous transaction ended less than two lingers ago) it
/// waits up to `linger` for more contacts before starting a transaction: without it,
/// a writer faster than the request threads commits one contact at a time and spends
/// its CPU on COMMIT. An idle server does not wait.
///
/// `@unchecked Sendable`: `queue`, `closed`, `lastCommit` and the counters are touched
/// only while `condition` is locked; `store` and `writer` are used only by the writer
/// thread once init has handed them over.
public final class ContactCommitter: @unchecked Sendable {
    public enum Result: Sendable, Equatable {
        case created(contactId: Int64)
        case duplicate
        case updated
        /// The transaction failed (store error): nothing of it is stored.
        case failed(String)
    }

    public struct Statistics: Sendable, Equatable {
        public var transactions = 0
        public var contacts = 0
        public var largestGroup = 0
        public var failedTransactions = 0
    }

    struct Job {
        let contact: Contact
        let policy: Mapping.DuplicatePolicy
        let completion: @Sendable (Result) -> Void
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var closed = false
    private var statistics = Statistics()
    private let done = DispatchSemaphore(value: 0)
    private let store: Store
    private let writer: ContactWriter
    public let capacity: Int
    public let maxGroup: Int
    public let linger: Duration
    /// The keys that authenticated requests, for `api_keys.last_used_at`.
    public let keyUse = KeyUseLog()
    private var lastCommit = ContinuousClock.now - .seconds(1)

    /// Opens its own connection to the store at `path`.
    public init(storePath: String, capacity: Int = 16_384, maxGroup: Int = 1_024, linger: Duration = .microseconds(500))
        throws
    {
        store = try Store.open(path: storePath)
        writer = try ContactWriter(store: store, dryRun: false)
        self.capacity = max(1, capacity)
        self.maxGroup = max(1, maxGroup)
        self.linger = linger
        let thread = Thread { [self] in self.run() }
        thread.name = "flexmap-serve-writer"
        thread.start()
    }

    /// Queues a contact; `completion` runs on the writer thread after its transaction.
    /// Returns false, without queueing, when the queue is full or the writer is closed.
    public func submit(
        _ contact: Contact, policy: Mapping.DuplicatePolicy, completion: @escaping @Sendable (Result) -> Void
    ) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, queue.count < capacity else { return false }
        queue.append(Job(contact: contact, policy: policy, completion: completion))
        if queue.count == 1 { condition.signal() }
        return true
    }

    /// Takes no more contacts, commits and completes every queued one, and waits for the
    /// writer thread to end.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        // The thread signals once when it ends; each waiter passes the signal on.
        done.wait()
        done.signal()
    }

    public var snapshot: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    public var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    private func run() {
        while let group = nextGroup() {
            let results = commit(group)
            condition.lock()
            lastCommit = .now
            statistics.transactions += 1
            statistics.contacts += group.count
            statistics.largestGroup = max(statistics.largestGroup, group.count)
            if case .failed? = results.first { statistics.failedTransactions += 1 }
            condition.unlock()
            for (job, result) in zip(group, results) { job.completion(result) }
        }
        // Keys of requests that stored nothing (invalid phones, unknown mappings) since
        // the last transaction.
        try? Registry(store: store).recordKeyUse(ids: keyUse.drain())
        done.signal()
    }

    private func nextGroup() -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed { condition.wait() }
        if queue.isEmpty { return nil }
        let now = ContinuousClock.now
        let pause = linger
        if !closed, queue.count < maxGroup, pause > Duration.zero, now - lastCommit < pause * 2 {
            let parts = pause.components
            let deadline = Date(timeIntervalSinceNow: Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
            while !closed && queue.count < maxGroup && condition.wait(until: deadline) {}
        }
        let count = min(queue.count, maxGroup)
        let group = Array(queue.prefix(count))
        queue.removeFirst(count)
        return group
    }

    private func commit(_ group: [Job]) -> [Result] {
        let now = store.clock()
        do {
            return try store.database.transaction {
                let results = try group.map { job -> Result in
                    switch try writer.apply(job.contact, policy: job.policy, now: now) {
                    case .created: return .created(contactId: store.database.lastInsertRowID)
                    case .duplicate: return .duplicate
                    case .updated: return .updated
                    }
                }
                try Registry(store: store).recordKeyUse(ids: keyUse.drain())
                return results
            }
        } catch {
            return Array(repeating: .failed(String(describing: error)), count: group.count)
        }
    }
}
