/// Latency over the run, for report.html's plot: requests by the time they were meant to
/// be sent, in at most `maxBins` bins. Each bin keeps its count, errors, exact maximum
/// and a coarse logarithmic histogram (16 steps per doubling, so its p50 and p99 are
/// within about 4.5% of the exact values; the run's own percentiles come from
/// LatencyHistogram). When the run outgrows the bins, neighbours merge and the bin
/// width doubles, so memory stays bounded however long the run.
public struct LatencyTimeline: Sendable, Equatable {
    public struct Bin: Sendable, Equatable {
        public var requests = 0
        public var errors = 0
        public var maxMicroseconds: UInt32 = 0
        var steps: [UInt32] = []

        mutating func merge(_ other: Bin) {
            requests += other.requests
            errors += other.errors
            maxMicroseconds = max(maxMicroseconds, other.maxMicroseconds)
            if steps.isEmpty {
                steps = other.steps
            } else if !other.steps.isEmpty {
                for index in steps.indices { steps[index] &+= other.steps[index] }
            }
        }

        /// The coarse percentile (upper edge of the step holding the nearest rank), in µs.
        public func percentile(_ p: Double) -> UInt32? {
            let measured = steps.reduce(0) { $0 + Int($1) }
            guard measured > 0 else { return nil }
            let rank = LatencyHistogram.rank(p, of: measured)
            var seen = 0
            for (index, number) in steps.enumerated() {
                seen += Int(number)
                if seen >= rank { return min(maxMicroseconds, LatencyTimeline.upperEdge(ofStep: index)) }
            }
            return maxMicroseconds
        }
    }

    public static let stepsPerDoubling = 16
    /// Steps: values 0..<32 µs one by one, then 16 per doubling up to 2^32 µs.
    static let stepCount = 32 + (32 - 5) * stepsPerDoubling

    public let maxBins: Int
    /// Nanoseconds each bin covers.
    public private(set) var binWidth: UInt64
    public private(set) var bins: [Bin] = []

    public init(binWidth: UInt64 = 100_000_000, maxBins: Int = 600) {
        self.binWidth = max(1, binWidth)
        self.maxBins = max(2, maxBins)
    }

    /// Counts a request meant to be sent at `time` (ns since the start): its latency, or
    /// nil when it ended without one (a connection error).
    public mutating func record(at time: UInt64, microseconds: UInt32?, error: Bool) {
        var index = Int(time / binWidth)
        while index >= maxBins {
            widen()
            index = Int(time / binWidth)
        }
        if index >= bins.count { bins.append(contentsOf: repeatElement(Bin(), count: index + 1 - bins.count)) }
        bins[index].requests += 1
        if error { bins[index].errors += 1 }
        if let microseconds {
            if bins[index].steps.isEmpty { bins[index].steps = [UInt32](repeating: 0, count: Self.stepCount) }
            bins[index].steps[Self.step(of: microseconds)] &+= 1
            bins[index].maxMicroseconds = max(bins[index].maxMicroseconds, microseconds)
        }
    }

    /// Doubles the bin width, merging neighbours.
    private mutating func widen() {
        var merged: [Bin] = []
        merged.reserveCapacity(maxBins / 2 + 1)
        var index = 0
        while index < bins.count {
            var bin = bins[index]
            if index + 1 < bins.count { bin.merge(bins[index + 1]) }
            merged.append(bin)
            index += 2
        }
        bins = merged
        binWidth *= 2
    }

    static func step(of value: UInt32) -> Int {
        if value < 32 { return Int(value) }
        let exponent = 31 - value.leadingZeroBitCount  // 5...31
        let fraction =
            Int((UInt64(value) << UInt64(stepsPerDoubling.trailingZeroBitCount)) >> UInt64(exponent))
            - stepsPerDoubling
        return 32 + (exponent - 5) * stepsPerDoubling + fraction
    }

    static func upperEdge(ofStep step: Int) -> UInt32 {
        if step < 32 { return UInt32(step) }
        let exponent = (step - 32) / stepsPerDoubling + 5
        let fraction = (step - 32) % stepsPerDoubling
        let lower =
            (UInt64(stepsPerDoubling + fraction) << UInt64(exponent)) >> UInt64(stepsPerDoubling.trailingZeroBitCount)
        let width = UInt64(1) << UInt64(exponent - stepsPerDoubling.trailingZeroBitCount)
        return UInt32(clamping: lower + width - 1)
    }
}
