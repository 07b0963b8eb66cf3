import Testing

@testable import FlexMapNet

@Suite struct ReplaySchedulerTests {
    typealias Item = ReplayScheduler.Item
    let ms: UInt64 = 1_000_000

    /// Every dispatch available at `now`.
    func drain(_ scheduler: inout ReplayScheduler, at now: UInt64) -> [ReplayScheduler.Dispatch] {
        var out: [ReplayScheduler.Dispatch] = []
        while let dispatch = scheduler.next(now: now) { out.append(dispatch) }
        return out
    }

    @Test func closedModelKeepsConcurrencyInFlight() {
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: 2))
        for id in 0..<5 { scheduler.offer(Item(id: id)) }
        scheduler.finishInput()
        #expect(drain(&scheduler, at: 0).map(\.id) == [0, 1])
        let r1 = scheduler.completed(id: 1, retryAt: nil)
        #expect(r1 == .final)
        let next = drain(&scheduler, at: 7 * ms)
        #expect(next.map(\.id) == [2])
        #expect(next[0].intendedAt == 7 * ms, "closed: intended is when it leaves")
        #expect(next[0].lag == 0)
        for id in [0, 2] { _ = scheduler.completed(id: id, retryAt: nil) }
        #expect(drain(&scheduler, at: 8 * ms).map(\.id) == [3, 4])
        #expect(!scheduler.isFinished)
        for id in [3, 4] { _ = scheduler.completed(id: id, retryAt: nil) }
        #expect(scheduler.isFinished)
        #expect(scheduler.wakeUp(now: 9 * ms) == nil)
    }

    @Test func sameKeyNeverInFlightTogetherAndInInputOrder() {
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: 4))
        let keys: [String?] = ["A", "A", "B", nil, "A", "B"]
        for (id, key) in keys.enumerated() { scheduler.offer(Item(id: id, key: key)) }
        scheduler.finishInput()
        // 1 waits for 0 (A), 4 for 1, 5 for 2 (B): 0, 2, 3 go; the fourth slot finds nothing free.
        #expect(drain(&scheduler, at: 0).map(\.id) == [0, 2, 3])
        _ = scheduler.completed(id: 2, retryAt: nil)
        #expect(drain(&scheduler, at: 1).map(\.id) == [5])
        _ = scheduler.completed(id: 0, retryAt: nil)
        #expect(drain(&scheduler, at: 2).map(\.id) == [1])
        _ = scheduler.completed(id: 1, retryAt: nil)
        let last = drain(&scheduler, at: 3)
        #expect(last.map(\.id) == [4])
    }

    @Test func aRetryKeepsItsKeyAndItsSlot() {
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: 2))
        scheduler.offer(Item(id: 0, key: "A"))
        scheduler.offer(Item(id: 1, key: "A"))
        scheduler.offer(Item(id: 2))
        scheduler.offer(Item(id: 3))
        scheduler.finishInput()
        #expect(drain(&scheduler, at: 0).map(\.id) == [0, 2])
        let r2 = scheduler.completed(id: 0, retryAt: 100)
        #expect(r2 == .retry(at: 100))
        // 0 waits for its retry: it holds key A and its slot, so neither 1 nor 3 goes.
        #expect(drain(&scheduler, at: 50).isEmpty)
        #expect(scheduler.wakeUp(now: 50) == 100)
        let retry = drain(&scheduler, at: 100)
        #expect(retry.map(\.id) == [0])
        #expect(retry[0].attempt == 2)
        #expect(retry[0].intendedAt == 100)
        _ = scheduler.completed(id: 2, retryAt: nil)
        #expect(drain(&scheduler, at: 110).map(\.id) == [3], "1 still waits for 0")
        let r3 = scheduler.completed(id: 0, retryAt: nil)
        #expect(r3 == .final)
        #expect(drain(&scheduler, at: 120).map(\.id) == [1])
        #expect(scheduler.statistics.retrySends == 1)
        #expect(scheduler.statistics.firstSends == 4)
    }

    @Test func openModelSendsOnScheduleAndMeasuresFromIntendedTime() {
        var scheduler = ReplayScheduler(pacing: .open(perSecond: 1000, maxInFlight: 100))
        for id in 0..<5 { scheduler.offer(Item(id: id)) }
        #expect(drain(&scheduler, at: 0).map(\.id) == [0])
        #expect(scheduler.wakeUp(now: 0) == 1 * ms)
        let late = drain(&scheduler, at: 2 * ms + ms / 2)
        #expect(late.map(\.id) == [1, 2])
        #expect(late.map(\.intendedAt) == [1 * ms, 2 * ms])
        #expect(late.map(\.lag) == [ms + ms / 2, ms / 2])
        #expect(scheduler.wakeUp(now: 2 * ms + ms / 2) == 3 * ms)
    }

    @Test func openModelHeldByTheInFlightLimitCountsTheWait() {
        var scheduler = ReplayScheduler(pacing: .open(perSecond: 1000, maxInFlight: 1))
        for id in 0..<3 { scheduler.offer(Item(id: id)) }
        #expect(drain(&scheduler, at: 0).map(\.id) == [0])
        #expect(drain(&scheduler, at: 1 * ms).isEmpty)
        _ = scheduler.completed(id: 0, retryAt: nil)
        let held = drain(&scheduler, at: 20 * ms)
        #expect(held.map(\.id) == [1])
        #expect(held[0].intendedAt == 1 * ms)
        #expect(held[0].lag == 19 * ms)
        #expect(held[0].heldBy == .inFlightLimit)
        #expect(scheduler.statistics.lateByLimit == 1)
        #expect(scheduler.statistics.lateByGenerator == 0)
        #expect(scheduler.statistics.maxLag == 19 * ms)
    }

    @Test func openModelLateWithNothingHoldingItIsTheGenerator() {
        var scheduler = ReplayScheduler(pacing: .open(perSecond: 100, maxInFlight: 10))
        scheduler.offer(Item(id: 0))
        scheduler.offer(Item(id: 1))
        _ = drain(&scheduler, at: 0)
        // The loop only came back 50 ms after request 1 was due.
        let late = drain(&scheduler, at: 60 * ms)
        #expect(late[0].heldBy == nil)
        #expect(scheduler.statistics.lateByGenerator == 1)
    }

    @Test func orderingHoldsAnOpenModelRequestAndLatersPassIt() {
        var scheduler = ReplayScheduler(pacing: .open(perSecond: 1000, maxInFlight: 10))
        scheduler.offer(Item(id: 0, key: "A"))
        scheduler.offer(Item(id: 1, key: "A"))
        scheduler.offer(Item(id: 2))
        scheduler.offer(Item(id: 3))
        #expect(drain(&scheduler, at: 0).map(\.id) == [0])
        #expect(drain(&scheduler, at: 2 * ms).map(\.id) == [2], "1 waits for 0; 2 passes it")
        #expect(scheduler.wakeUp(now: 2 * ms) == 3 * ms, "the next request due, past the held one")
        _ = scheduler.completed(id: 0, retryAt: nil)
        let held = drain(&scheduler, at: 30 * ms)
        #expect(held.map(\.id) == [1, 3])
        #expect(held[0].heldBy == .ordering)
        #expect(scheduler.statistics.lateByOrdering == 1)
    }

    @Test func openModelStopsOfferingAtTheDuration() {
        var scheduler = ReplayScheduler(pacing: .open(perSecond: 10, maxInFlight: 10), duration: 1_000 * ms)
        var accepted = 0
        for id in 0..<50 where scheduler.wantsItems {
            if scheduler.offer(Item(id: id)) { accepted += 1 }
        }
        #expect(accepted == 10, "0 ms, 100 ms, ... 900 ms")
        #expect(!scheduler.wantsItems)
    }

    @Test func closedModelDropsWhatIsPendingAtTheDeadline() {
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: 1), duration: 100 * ms)
        for id in 0..<4 { scheduler.offer(Item(id: id)) }
        #expect(drain(&scheduler, at: 0).map(\.id) == [0])
        #expect(scheduler.wakeUp(now: 0) == 100 * ms)
        _ = scheduler.completed(id: 0, retryAt: nil)
        #expect(drain(&scheduler, at: 100 * ms).isEmpty)
        #expect(scheduler.isFinished)
        #expect(scheduler.statistics.unsent == 3)
    }

    @Test func noRetryPastTheDeadline() {
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: 1), duration: 100 * ms)
        scheduler.offer(Item(id: 0))
        _ = drain(&scheduler, at: 0)
        let r4 = scheduler.completed(id: 0, retryAt: 150 * ms)
        #expect(r4 == .final)
    }

    @Test func maxRequestsLimitsOffers() {
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: 8), maxRequests: 3)
        var id = 0
        while scheduler.wantsItems {
            scheduler.offer(Item(id: id))
            id += 1
        }
        #expect(id == 3)
        let blocked = scheduler.offer(Item(id: 99))
        #expect(!blocked)
    }

    @Test func recordedPacingKeepsTheCapturedGapsAtTheSpeed() {
        var scheduler = ReplayScheduler(pacing: .recorded(speed: 2, maxInFlight: 10))
        for (id, at) in [100.0, 100.5, 100.4, 102.0].enumerated() { scheduler.offer(Item(id: id, recordedAt: at)) }
        var intended: [UInt64] = []
        for now in [0, 250 * ms, 1_000 * ms] {
            intended += drain(&scheduler, at: now).map(\.intendedAt)
        }
        // Gaps halved; a request captured before the one above it leaves right after it.
        #expect(intended == [0, 250 * ms, 250 * ms, 1_000 * ms])
    }

    @Test func stopDropsWaitingRetriesAndPending() {
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: 2))
        for id in 0..<4 { scheduler.offer(Item(id: id, key: "K\(id)")) }
        _ = drain(&scheduler, at: 0)
        _ = scheduler.completed(id: 0, retryAt: 50)
        let r5 = scheduler.stop()
        #expect(r5 == [0])
        #expect(drain(&scheduler, at: 100).isEmpty)
        #expect(!scheduler.isFinished, "1 is still in flight")
        let r6 = scheduler.completed(id: 1, retryAt: 60)
        #expect(r6 == .final, "no retry after a stop")
        #expect(scheduler.isFinished)
        #expect(scheduler.statistics.unsent == 2)
    }

    /// Random keys and completion orders: no two requests with one key are ever in
    /// flight together, each key's requests start in offer order, and every request
    /// starts exactly once.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func orderingInvariantsUnderRandomCompletions(seed: UInt64) {
        var random = SplitMix(seed: seed)
        let concurrency = Int(random.next() % 16) + 1
        var scheduler = ReplayScheduler(pacing: .closed(concurrency: concurrency), window: 64)
        let total = 2000
        let keys = (0..<total).map { _ -> String? in random.next() % 4 == 0 ? nil : "k\(random.next() % 40)" }
        var nextId = 0
        var inFlight: [Int] = []
        var started: [Int: Int] = [:]
        var keyOrder: [String: [Int]] = [:]
        var now: UInt64 = 0
        while !scheduler.isFinished {
            while scheduler.wantsItems, nextId < total {
                scheduler.offer(Item(id: nextId, key: keys[nextId]))
                nextId += 1
            }
            if nextId == total { scheduler.finishInput() }
            while let dispatch = scheduler.next(now: now) {
                if dispatch.attempt == 1 {
                    started[dispatch.id, default: 0] += 1
                    if let key = keys[dispatch.id] { keyOrder[key, default: []].append(dispatch.id) }
                }
                if let key = keys[dispatch.id] {
                    #expect(!inFlight.contains { keys[$0] == key }, "two requests with key \(key) in flight")
                }
                inFlight.append(dispatch.id)
            }
            #expect(inFlight.count <= concurrency)
            now += 1
            guard !inFlight.isEmpty else { continue }
            let pick = Int(random.next() % UInt64(inFlight.count))
            let id = inFlight.remove(at: pick)
            let retry = random.next() % 10 == 0 ? now + random.next() % 5 : nil
            _ = scheduler.completed(id: id, retryAt: retry)
        }
        #expect(started.count == total)
        #expect(started.values.allSatisfy { $0 == 1 })
        for (key, ids) in keyOrder { #expect(ids == ids.sorted(), "key \(key) out of order") }
    }
}
