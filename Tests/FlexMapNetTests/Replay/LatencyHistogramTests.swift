import Testing

@testable import FlexMapNet

@Suite struct LatencyHistogramTests {
    /// Nearest rank over a sorted copy: the definition the histogram must match exactly.
    static func nearestRank(_ sorted: [UInt32], _ p: Double) -> UInt32 {
        sorted[LatencyHistogram.rank(p, of: sorted.count) - 1]
    }

    @Test func percentilesAreExactNearestRanks() {
        var generator = SplitMix(seed: 42)
        for size in [1, 2, 3, 10, 999, 1000, 1001, 25_000] {
            var histogram = LatencyHistogram()
            var values: [UInt32] = []
            for _ in 0..<size {
                // Mostly fast, a tail past the dense range, a few huge.
                let roll = generator.next() % 100
                let value: UInt32
                if roll < 90 {
                    value = UInt32(generator.next() % 5_000)
                } else if roll < 99 {
                    value = UInt32(131_000 + generator.next() % 500_000)
                } else {
                    value = UInt32(generator.next() % UInt64(UInt32.max))
                }
                values.append(value)
                histogram.record(microseconds: value)
            }
            let sorted = values.sorted()
            for p in [0.1, 1, 50, 90, 99, 99.9, 99.99, 100] {
                #expect(histogram.percentile(p) == Self.nearestRank(sorted, p), "size \(size) p\(p)")
            }
            #expect(histogram.maximum == sorted.last)
            #expect(histogram.minimum == sorted.first)
            #expect(histogram.count == size)
        }
    }

    @Test func ranksFollowTheDefinition() {
        #expect(LatencyHistogram.rank(50, of: 4) == 2)
        #expect(LatencyHistogram.rank(50, of: 3) == 2)
        #expect(LatencyHistogram.rank(99.9, of: 1000) == 999)
        #expect(LatencyHistogram.rank(99.9, of: 1001) == 1000)
        #expect(LatencyHistogram.rank(100, of: 7) == 7)
        #expect(LatencyHistogram.rank(0.0001, of: 7) == 1)
    }

    @Test func summaryIsOrderedAndInMilliseconds() {
        var histogram = LatencyHistogram()
        for value in 1...10_000 { histogram.record(microseconds: UInt32(value)) }
        let summary = LatencySummary(histogram)
        #expect(summary.p50 == 5.0)
        #expect(summary.p90 == 9.0)
        #expect(summary.p99 == 9.9)
        #expect(summary.p999 == 9.99)
        #expect(summary.max == 10.0)
        #expect(
            summary.p50 <= summary.p90 && summary.p90 <= summary.p99 && summary.p99 <= summary.p999
                && summary.p999 <= summary.max)
    }

    @Test func emptyHistogramHasNoPercentiles() {
        let histogram = LatencyHistogram()
        #expect(histogram.percentile(50) == nil)
        let summary = LatencySummary(histogram)
        #expect(summary.count == 0 && summary.max == 0)
    }

    @Test func mergeEqualsRecordingEverythingInOne() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        var both = LatencyHistogram()
        for value in stride(from: UInt32(0), to: 400_000, by: 997) {
            if value % 2 == 0 { a.record(microseconds: value) } else { b.record(microseconds: value) }
            both.record(microseconds: value)
        }
        a.merge(b)
        #expect(a == both)
        #expect(a.percentile(99) == both.percentile(99))
    }

    @Test func nanosecondsRoundToMicroseconds() {
        var histogram = LatencyHistogram()
        histogram.record(nanoseconds: 1_499)
        histogram.record(nanoseconds: 1_500)
        #expect(histogram.minimum == 1)
        #expect(histogram.maximum == 2)
    }

    @Test func timelineWidensAndKeepsEveryRequest() {
        var timeline = LatencyTimeline(binWidth: 1_000_000, maxBins: 10)
        for index in 0..<1000 {
            timeline.record(at: UInt64(index) * 100_000, microseconds: UInt32(index), error: index % 100 == 0)
        }
        // 100 ms of sends at 1 ms bins would need 100 bins: widened to 16 ms, 7 bins.
        #expect(timeline.bins.count <= 10)
        #expect(timeline.binWidth == 16_000_000)
        #expect(timeline.bins.reduce(0) { $0 + $1.requests } == 1000)
        #expect(timeline.bins.reduce(0) { $0 + $1.errors } == 10)
        #expect(timeline.bins.last!.maxMicroseconds == 999)
        // Coarse percentiles stay within 1/16 of the value and never above the maximum.
        let first = timeline.bins[0]
        let p50 = Double(first.percentile(50)!)
        #expect(abs(p50 - 79) / 79 < 0.07)
    }

    @Test func timelineStepsCoverEveryValue() {
        var previous = -1
        for value: UInt32 in [0, 1, 31, 32, 33, 63, 64, 100, 1000, 131_071, 1 << 20, UInt32.max] {
            let step = LatencyTimeline.step(of: value)
            #expect(step >= previous)
            #expect(step < LatencyTimeline.stepCount)
            #expect(LatencyTimeline.upperEdge(ofStep: step) >= value)
            previous = step
        }
    }
}

/// A small deterministic generator for tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
