import Foundation

/// A bounded first-in first-out channel between threads: `send` blocks while full,
/// `receive` blocks while empty and returns nil once closed and drained.
final class BlockingChannel<Element>: @unchecked Sendable {
    // @unchecked: every stored property is read and written only while `condition` is locked.
    private let condition = NSCondition()
    /// Taken slots are set to nil at once, so a batch's memory goes with its receipt.
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Returns false when the channel was closed (the element is dropped).
    @discardableResult
    func send(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !closed { condition.wait() }
        if closed { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    func receive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let element = items[head].take()
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The ReorderBuffer shared by workers (who deliver) and the writer (who waits for the
/// next batch in order).
final class OrderedResults<Element>: @unchecked Sendable {
    // @unchecked: `buffer` and `abandoned` are touched only while `condition` is locked.
    private let condition = NSCondition()
    private var buffer = ReorderBuffer<Element>()
    private var abandoned = false

    func deliver(_ sequence: Int, _ element: Element) {
        condition.lock()
        if !abandoned { buffer.deliver(sequence, element) }
        condition.broadcast()
        condition.unlock()
    }

    func finish(after count: Int) {
        condition.lock()
        buffer.finish(after: count)
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes the writer and drops whatever comes later (the run is stopping).
    func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the next batch in order is there; nil when all are taken.
    func next() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if abandoned { return nil }
            switch buffer.takeNext() {
            case .ready(let element): return element
            case .done: return nil
            case .waiting: condition.wait()
            }
        }
    }
}
