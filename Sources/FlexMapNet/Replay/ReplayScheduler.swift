/// Decides which request goes out when: a pure state machine with no clock, no I/O and
/// no threads, driven by the replay loop (and by tests) with times in nanoseconds since
/// the run started.
///
/// Pacing:
/// - **closed** (`--concurrency N`): N requests at a time, the next as soon as one ends.
///   A request waiting to be retried keeps its slot (as a virtual user waiting would).
/// - **open** (`--rate R`): request k is meant to leave at k/R seconds, whatever the
///   endpoint does. Its latency counts from that intended time, so a slow endpoint
///   cannot hide its latency by slowing the sender down (coordinated omission). At
///   most `maxInFlight` requests are in flight; a request held back by that limit
///   leaves late, and its wait counts in its latency.
/// - **recorded** (`--speed S` for captures): like open, the intended times being the
///   capture's own gaps divided by S.
///
/// Ordering: requests that share a key (organisation and E.164 phone) are never in
/// flight together and leave in the order they were offered (input order), retries
/// included; requests without a key, or with other keys, pass them. So which of two
/// records with the same phone is created does not depend on timing.
///
/// Limits: `maxRequests` first sends; `duration`: no request meant to leave at or after
/// it is sent, and no retry is scheduled past it.
public struct ReplayScheduler: Sendable {
    public enum Pacing: Sendable, Equatable {
        case closed(concurrency: Int)
        case open(perSecond: Double, maxInFlight: Int)
        case recorded(speed: Double, maxInFlight: Int)

        public var isOpen: Bool {
            if case .closed = self { return false }
            return true
        }
    }

    public struct Item: Sendable, Equatable {
        /// The engine's number for the request; increasing in offer order.
        public var id: Int
        /// Requests with the same key go one at a time, in order.
        public var key: String?
        /// When it was captured (Unix seconds), for recorded pacing.
        public var recordedAt: Double?

        public init(id: Int, key: String? = nil, recordedAt: Double? = nil) {
            self.id = id
            self.key = key
            self.recordedAt = recordedAt
        }
    }

    /// What kept a request past its intended time.
    public enum Hold: String, Sendable, Equatable {
        case inFlightLimit
        case ordering
    }

    public struct Dispatch: Sendable, Equatable {
        public var id: Int
        /// 1 for the first try.
        public var attempt: Int
        /// When it was meant to leave: its latency counts from here.
        public var intendedAt: UInt64
        /// How long after that it left.
        public var lag: UInt64
        public var heldBy: Hold?
    }

    public enum Completion: Sendable, Equatable {
        case final
        case retry(at: UInt64)
    }

    /// How the sending kept to the schedule.
    public struct Statistics: Sendable, Equatable {
        public var firstSends = 0
        public var retrySends = 0
        /// First sends that left more than `lateThreshold` after their intended time, by
        /// what held them: nothing (the generator itself fell behind), the in-flight
        /// limit (the endpoint answered too slowly for the rate), or ordering.
        public var lateByGenerator = 0
        public var lateByLimit = 0
        public var lateByOrdering = 0
        public var maxLag: UInt64 = 0
        public var totalLag: UInt64 = 0
        public var firstIntendedAt: UInt64?
        public var lastIntendedAt: UInt64?
        public var firstSentAt: UInt64?
        public var lastSentAt: UInt64?
        /// Offered requests never sent (the deadline passed, or the run was stopped).
        public var unsent = 0

        public var late: Int { lateByGenerator + lateByLimit + lateByOrdering }
    }

    private struct Pending: Sendable {
        var item: Item
        var intendedAt: UInt64
        var held: Hold?
    }

    private struct Waiting: Sendable {
        var due: UInt64
        var id: Int
        var attempt: Int
        var key: String?
    }

    public let pacing: Pacing
    public let maxRequests: Int?
    public let duration: UInt64?
    /// How many requests the engine should keep offered ahead.
    public let window: Int
    public static let lateThreshold: UInt64 = 10_000_000

    private var pending: [Pending?] = []
    /// Each pending slot's intended time, kept when the slot is sent: they only grow, so
    /// the next one due after a time is found by binary search.
    private var intendedTimes: [UInt64] = []
    private var head = 0
    private var pendingCount = 0
    private var retries: [Waiting] = []  // sorted by due time, then id
    private var inFlight: [Int: (attempt: Int, key: String?)] = [:]
    private var keyHolders: [String: Int] = [:]
    private var offered = 0
    private var inputEnded = false
    private var stopped = false
    private var recordedBase: Double?
    private var lastRecordedOffset: UInt64 = 0
    public private(set) var statistics = Statistics()

    public init(pacing: Pacing, maxRequests: Int? = nil, duration: UInt64? = nil, window: Int? = nil) {
        self.pacing = pacing
        self.maxRequests = maxRequests
        self.duration = duration
        let parallel: Int
        switch pacing {
        case .closed(let concurrency): parallel = concurrency
        case .open(_, let limit), .recorded(_, let limit): parallel = limit
        }
        self.window = window ?? max(1024, 4 * parallel)
    }

    // MARK: - Feeding

    /// Whether the engine should offer another request now.
    public var wantsItems: Bool {
        !inputEnded && !stopped && pendingCount < window && (maxRequests.map { offered < $0 } ?? true)
    }

    /// Adds the next request in input order. Returns false, and takes no more, when the
    /// request falls past the duration or the request limit.
    @discardableResult
    public mutating func offer(_ item: Item) -> Bool {
        guard !inputEnded, !stopped, maxRequests.map({ offered < $0 }) ?? true else { return false }
        let intended: UInt64
        switch pacing {
        case .closed:
            intended = 0
        case .open(let rate, _):
            intended = UInt64((Double(offered) * 1e9 / rate).rounded())
        case .recorded(let speed, _):
            let at = item.recordedAt ?? recordedBase ?? 0
            if recordedBase == nil { recordedBase = at }
            let offset = max(0, at - recordedBase!) / speed
            intended = max(lastRecordedOffset, UInt64((offset * 1e9).rounded()))
            lastRecordedOffset = intended
        }
        if pacing.isOpen, let duration, intended >= duration {
            inputEnded = true
            return false
        }
        pending.append(Pending(item: item, intendedAt: intended))
        intendedTimes.append(intended)
        pendingCount += 1
        offered += 1
        if let maxRequests, offered >= maxRequests { inputEnded = true }
        return true
    }

    /// The input has no more requests.
    public mutating func finishInput() { inputEnded = true }

    /// Stops sending: nothing new leaves, waiting retries are dropped. Returns the ids of
    /// the requests whose retry was dropped (their last attempt is final).
    public mutating func stop() -> [Int] {
        stopped = true
        inputEnded = true
        dropPending()
        let dropped = retries.map(\.id)
        for waiting in retries { release(waiting.key, id: waiting.id) }
        retries.removeAll()
        return dropped
    }

    // MARK: - Sending

    /// The next request to send at `now`, or nil when none may leave yet. Call until nil.
    public mutating func next(now: UInt64) -> Dispatch? {
        guard !stopped else { return nil }
        if case .closed = pacing, let duration, now >= duration, !inputEnded || pendingCount > 0 {
            inputEnded = true
            dropPending()
        }
        // Retries that are due go first: they are older than anything pending.
        if let first = retries.first, first.due <= now, hasRoom(forRetry: true) {
            retries.removeFirst()
            inFlight[first.id] = (first.attempt, first.key)
            statistics.retrySends += 1
            return Dispatch(
                id: first.id, attempt: first.attempt, intendedAt: first.due, lag: now - first.due, heldBy: nil)
        }
        guard pendingCount > 0 else { return nil }
        var blocked: Set<String> = []
        var index = head
        while index < pending.count {
            guard let entry = pending[index] else {
                index += 1
                continue
            }
            if pacing.isOpen && entry.intendedAt > now { return nil }
            if let key = entry.item.key, keyHolders[key] != nil || blocked.contains(key) {
                if pending[index]!.held == nil { pending[index]!.held = .ordering }
                blocked.insert(key)
                index += 1
                continue
            }
            guard hasRoom(forRetry: false) else {
                if pending[index]!.held == nil { pending[index]!.held = .inFlightLimit }
                return nil
            }
            return send(at: index, now: now)
        }
        return nil
    }

    /// A sent request ended. `retryAt` is when it should be tried again (the engine's
    /// retry policy decides; nil: it is done). The scheduler refuses a retry past the
    /// duration or after a stop, and then the request is final.
    public mutating func completed(id: Int, retryAt: UInt64?) -> Completion {
        guard let entry = inFlight.removeValue(forKey: id) else { return .final }
        if let retryAt, !stopped, duration.map({ retryAt < $0 }) ?? true {
            let waiting = Waiting(due: retryAt, id: id, attempt: entry.attempt + 1, key: entry.key)
            let position = retries.firstIndex { ($0.due, $0.id) > (retryAt, id) } ?? retries.count
            retries.insert(waiting, at: position)
            return .retry(at: retryAt)
        }
        release(entry.key, id: id)
        return .final
    }

    /// The next time something may become due (a retry, an open-model send, the closed
    /// model's deadline), if it is after `now`; nil when only a completion can unblock.
    public func wakeUp(now: UInt64) -> UInt64? {
        var times: [UInt64] = []
        if let first = retries.first { times.append(first.due) }
        if pacing.isOpen, let entry = firstPending(after: now) { times.append(entry.intendedAt) }
        if case .closed = pacing, let duration, pendingCount > 0 || !inputEnded { times.append(duration) }
        return times.filter { $0 > now }.min()
    }

    /// Nothing is pending, in flight or waiting, and nothing more will be offered.
    public var isFinished: Bool {
        (inputEnded || stopped) && pendingCount == 0 && inFlight.isEmpty && retries.isEmpty
    }

    public var inFlightCount: Int { inFlight.count }
    public var waitingRetries: Int { retries.count }
    public var pendingRequests: Int { pendingCount }
    public var offeredCount: Int { offered }

    // MARK: - Internals

    /// The first pending request meant to leave after `now` (intended times only grow).
    private func firstPending(after now: UInt64) -> Pending? {
        var low = head
        var high = pending.count
        while low < high {
            let middle = (low + high) / 2
            if intendedTimes[middle] > now { high = middle } else { low = middle + 1 }
        }
        while low < pending.count {
            if let entry = pending[low] { return entry }
            low += 1
        }
        return nil
    }

    private func hasRoom(forRetry: Bool) -> Bool {
        switch pacing {
        case .closed(let concurrency):
            // A waiting retry already holds its slot.
            return forRetry || inFlight.count + retries.count < concurrency
        case .open(_, let limit), .recorded(_, let limit):
            return inFlight.count < limit
        }
    }

    private mutating func send(at index: Int, now: UInt64) -> Dispatch {
        let entry = pending[index]!
        pending[index] = nil
        pendingCount -= 1
        compact()
        let intended = pacing.isOpen ? entry.intendedAt : now
        let lag = now >= intended ? now - intended : 0
        if let key = entry.item.key { keyHolders[key] = entry.item.id }
        inFlight[entry.item.id] = (1, entry.item.key)
        statistics.firstSends += 1
        statistics.totalLag += lag
        statistics.maxLag = max(statistics.maxLag, lag)
        if lag > Self.lateThreshold {
            switch entry.held {
            case nil: statistics.lateByGenerator += 1
            case .inFlightLimit?: statistics.lateByLimit += 1
            case .ordering?: statistics.lateByOrdering += 1
            }
        }
        if statistics.firstIntendedAt == nil { statistics.firstIntendedAt = intended }
        statistics.lastIntendedAt = intended
        if statistics.firstSentAt == nil { statistics.firstSentAt = now }
        statistics.lastSentAt = now
        return Dispatch(
            id: entry.item.id, attempt: 1, intendedAt: intended, lag: lag, heldBy: lag > 0 ? entry.held : nil)
    }

    private mutating func release(_ key: String?, id: Int) {
        if let key, keyHolders[key] == id { keyHolders[key] = nil }
    }

    private mutating func dropPending() {
        statistics.unsent += pendingCount
        pending.removeAll()
        intendedTimes.removeAll()
        head = 0
        pendingCount = 0
    }

    /// Moves the head past sent entries and sheds them once they are half the storage.
    private mutating func compact() {
        while head < pending.count, pending[head] == nil { head += 1 }
        if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            intendedTimes.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > pending.count {
            pending.removeFirst(head)
            intendedTimes.removeFirst(head)
            head = 0
        }
    }
}
