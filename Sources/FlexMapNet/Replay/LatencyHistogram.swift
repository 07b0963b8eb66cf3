/// Latencies counted exactly, in whole microseconds, so percentiles are exact values
/// that were measured (nearest rank), not estimates.
///
/// Why not keep every sample, or an HDR histogram: a sample array grows with the run
/// (4 bytes a request: 120 MB for a 10-minute run at 50k requests/s), and an HDR
/// histogram with 3 significant digits answers within 0.1%, not exactly. Here a dense
/// array counts every microsecond value below 131 ms (512 KiB, allocated on the first
/// value) and a sparse map counts the slower ones. Memory is fixed plus one entry per
/// distinct microsecond value above 131 ms, which is at most one per request and in
/// practice far fewer; it does not grow with the number of fast requests.
public struct LatencyHistogram: Sendable, Equatable {
    /// Values below this many microseconds are counted in the dense array.
    public static let denseLimit = 1 << 17

    private var dense: [UInt32] = []
    private var sparse: [UInt32: UInt32] = [:]
    public private(set) var count = 0
    public private(set) var minimum: UInt32 = .max
    public private(set) var maximum: UInt32 = 0
    private var total: UInt64 = 0

    public init() {}

    /// Counts one latency.
    public mutating func record(microseconds value: UInt32) {
        if Int(value) < Self.denseLimit {
            if dense.isEmpty { dense = [UInt32](repeating: 0, count: Self.denseLimit) }
            dense[Int(value)] &+= 1
        } else {
            sparse[value, default: 0] += 1
        }
        count += 1
        total += UInt64(value)
        if value < minimum { minimum = value }
        if value > maximum { maximum = value }
    }

    /// Counts one latency given in nanoseconds (rounded to the nearest microsecond;
    /// past UInt32's 71 minutes it is clamped).
    public mutating func record(nanoseconds: UInt64) {
        record(microseconds: UInt32(clamping: (nanoseconds + 500) / 1000))
    }

    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        if !other.dense.isEmpty {
            if dense.isEmpty {
                dense = other.dense
            } else {
                for index in dense.indices { dense[index] &+= other.dense[index] }
            }
        }
        for (value, number) in other.sparse { sparse[value, default: 0] += number }
        count += other.count
        total += other.total
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
    }

    public var mean: Double { count == 0 ? 0 : Double(total) / Double(count) }

    /// The nearest-rank percentile (0 < p ≤ 100): the smallest measured value with at
    /// least p% of the values at or below it. nil when nothing was counted.
    public func percentile(_ p: Double) -> UInt32? {
        percentiles([p]).first ?? nil
    }

    /// Several percentiles in one pass over the counts, in the order asked.
    public func percentiles(_ ps: [Double]) -> [UInt32?] {
        guard count > 0 else { return ps.map { _ in nil } }
        let ranks = ps.map { Self.rank($0, of: count) }
        let order = ranks.indices.sorted { ranks[$0] < ranks[$1] }
        var answers = [UInt32?](repeating: nil, count: ps.count)
        var next = 0
        var seen = 0
        forEachValue { value, number in
            seen += Int(number)
            while next < order.count, ranks[order[next]] <= seen {
                answers[order[next]] = value
                next += 1
            }
            return next < order.count
        }
        return answers
    }

    /// The 1-based rank of the p-th percentile among `count` values: ceil(p/100 · count),
    /// at least 1 and at most count.
    static func rank(_ p: Double, of count: Int) -> Int {
        let exact = p / 100 * Double(count)
        // A product like 0.999 · 1000 lands a hair above 999; do not round it up to 1000.
        let rounded = exact.rounded()
        let rank = abs(exact - rounded) < 1e-9 ? Int(rounded) : Int(exact.rounded(.up))
        return min(count, max(1, rank))
    }

    /// Calls `body` with each measured value and its count, smallest first, until it
    /// returns false.
    public func forEachValue(_ body: (UInt32, UInt32) -> Bool) {
        let upper = min(Self.denseLimit, Int(maximum) + 1)
        if !dense.isEmpty, Int(minimum) < upper {
            for index in Int(minimum)..<upper where dense[index] > 0 {
                if !body(UInt32(index), dense[index]) { return }
            }
        }
        for value in sparse.keys.sorted() {
            if !body(value, sparse[value]!) { return }
        }
    }

    /// How many values lie in `range` (microseconds).
    public func count(in range: Range<UInt32>) -> Int {
        var number = 0
        forEachValue { value, times in
            if value >= range.upperBound { return false }
            if value >= range.lowerBound { number += Int(times) }
            return true
        }
        return number
    }

    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        guard lhs.count == rhs.count, lhs.total == rhs.total, lhs.maximum == rhs.maximum else { return false }
        var left: [(UInt32, UInt32)] = []
        var right: [(UInt32, UInt32)] = []
        lhs.forEachValue {
            left.append(($0, $1)); return true
        }
        rhs.forEachValue {
            right.append(($0, $1)); return true
        }
        return left.elementsEqual(right) { $0 == $1 }
    }
}

/// The percentiles a replay reports, in milliseconds.
public struct LatencySummary: Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var min: Double
    public var mean: Double

    public static let percentiles: [Double] = [50, 90, 99, 99.9]

    public init(_ histogram: LatencyHistogram) {
        count = histogram.count
        let values = histogram.percentiles(Self.percentiles).map { Double($0 ?? 0) / 1000 }
        p50 = values[0]
        p90 = values[1]
        p99 = values[2]
        p999 = values[3]
        max = histogram.count == 0 ? 0 : Double(histogram.maximum) / 1000
        min = histogram.count == 0 ? 0 : Double(histogram.minimum) / 1000
        mean = histogram.mean / 1000
    }
}
