import Dispatch
import FlexMapCore
import Foundation
import PhoneSamples

/// Measures how many numbers per second each engine checks on 1 and 2 threads, over the
/// same realistic inputs.
struct ThroughputBenchmark {
    struct Result {
        let engine: PhoneValidator.Engine
        let threads: Int
        let numbersPerSecond: Double
    }

    let samples: [PhoneSample]
    let repeats: Int

    /// Every engine at every thread count: one untimed pass first (it compiles each
    /// worker thread's patterns), then the best of `repeats` timed passes. The passes
    /// take turns, so a burst of other load on this shared machine does not fall on all
    /// the passes of one configuration.
    func run(threadCounts: [Int]) -> [Result] {
        let configurations = [PhoneValidator.Engine.reference, .fast].flatMap { engine in
            threadCounts.map { (engine: engine, threads: $0) }
        }
        for configuration in configurations {
            _ = pass(engine: configuration.engine, threads: configuration.threads, limit: min(samples.count, 20_000))
        }
        var best = Array(repeating: Double.infinity, count: configurations.count)
        for _ in 0..<repeats {
            for (index, configuration) in configurations.enumerated() {
                let seconds = pass(engine: configuration.engine, threads: configuration.threads, limit: samples.count)
                best[index] = min(best[index], seconds)
            }
        }
        return zip(configurations, best).map { configuration, seconds in
            Result(
                engine: configuration.engine, threads: configuration.threads,
                numbersPerSecond: Double(samples.count) / seconds)
        }
    }

    /// Checks the first `limit` samples split in `threads` contiguous slices, one per
    /// thread; returns the seconds taken.
    private func pass(engine: PhoneValidator.Engine, threads: Int, limit: Int) -> Double {
        let validator = PhoneValidator(engine: engine)
        let samples = self.samples
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { slice in
            var valid = 0
            for index in (limit * slice / threads)..<(limit * (slice + 1) / threads) {
                if case .valid = validator.check(samples[index].text, region: samples[index].region) { valid += 1 }
            }
            blackHole(valid)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// Keeps the optimizer from discarding work whose result is otherwise unused.
@inline(never) func blackHole(_ value: Int) {
    if value == -1 { print("") }
}
