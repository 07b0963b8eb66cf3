import Dispatch
import FlexMapCore
import PhoneSamples
import Synchronization

/// Runs both engines over adversarial inputs and collects every input on which their
/// verdicts (reason or E.164 form) differ.
struct DifferentialTest {
    struct Mismatch {
        let index: Int
        let sample: PhoneSample
        let fast: PhoneValidator.Verdict
        let reference: PhoneValidator.Verdict
    }

    struct Outcome {
        var checked = 0
        var mismatchCount = 0
        var firstMismatches: [Mismatch] = []
        var tally = VerdictTally()
    }

    let count: Int
    let seed: UInt64
    static let chunkSize = 50_000
    static let keptMismatches = 20

    /// Inputs are generated chunk by chunk (chunk i from seed + i), so memory stays
    /// small and the run is the same whatever the thread count.
    func run() -> Outcome {
        let chunks = (count + Self.chunkSize - 1) / Self.chunkSize
        let outcome = Mutex(Outcome())
        let count = self.count
        let seed = self.seed
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let first = chunk * Self.chunkSize
            let size = min(Self.chunkSize, count - first)
            let samples = PhoneSampleGenerator.samples(count: size, seed: seed &+ UInt64(chunk), mix: .adversarial)
            let fast = PhoneValidator(engine: .fast)
            let reference = PhoneValidator(engine: .reference)
            var local = Outcome()
            for (offset, sample) in samples.enumerated() {
                let expected = reference.check(sample.text, region: sample.region)
                let actual = fast.check(sample.text, region: sample.region)
                local.checked += 1
                local.tally.add(expected)
                guard actual != expected else { continue }
                local.mismatchCount += 1
                if local.firstMismatches.count < Self.keptMismatches {
                    local.firstMismatches.append(
                        Mismatch(index: first + offset, sample: sample, fast: actual, reference: expected))
                }
            }
            outcome.withLock { total in
                total.checked += local.checked
                total.mismatchCount += local.mismatchCount
                total.tally.merge(local.tally)
                total.firstMismatches = Array(
                    (total.firstMismatches + local.firstMismatches).sorted { $0.index < $1.index }
                        .prefix(Self.keptMismatches))
            }
        }
        return outcome.withLock { $0 }
    }
}
