/// Puts batches that finish out of order back into input order. A pure state machine:
/// the engine wraps it in a lock; tests drive it directly.
public struct ReorderBuffer<Element> {
    private var pending: [Int: Element] = [:]
    /// The sequence number the writer needs next.
    public private(set) var nextSequence = 0
    /// Set when the reader has handed out its last batch: the count of batches.
    public private(set) var totalBatches: Int?

    public init() {}

    /// A worker finished batch `sequence`.
    public mutating func deliver(_ sequence: Int, _ element: Element) {
        precondition(sequence >= nextSequence && pending[sequence] == nil, "batch \(sequence) delivered twice")
        pending[sequence] = element
    }

    /// The reader will send no batch numbered `count` or above.
    public mutating func finish(after count: Int) {
        totalBatches = count
    }

    public enum Step {
        /// The next batch in order.
        case ready(Element)
        /// The next batch is still being worked on.
        case waiting
        /// Every batch has been taken.
        case done
    }

    /// Takes the next batch in input order, if it is there.
    public mutating func takeNext() -> Step {
        if let element = pending.removeValue(forKey: nextSequence) {
            nextSequence += 1
            return .ready(element)
        }
        if let totalBatches, nextSequence >= totalBatches { return .done }
        return .waiting
    }

    /// Batches delivered but not yet taken.
    public var bufferedCount: Int { pending.count }
}
