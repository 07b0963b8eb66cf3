import Dispatch
import FlexMapCore
import PhoneSamples
import Synchronization

/// Runs both engines over the same inputs and collects every input on which their
/// verdicts (reason or E.164 form) differ.
struct DifferentialTest {
    struct Mismatch {
        let chunk: Int
        let offset: Int
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

    /// How many chunks, and the inputs of each: made on the worker that checks them,
    /// so memory stays small and the inputs are the same whatever the thread count.
    let chunks: Int
    let samples: @Sendable (Int) -> [PhoneSample]
    static let keptMismatches = 20

    /// `count` adversarial inputs from `seed`, chunk i generated from seed + i.
    static func adversarial(count: Int, seed: UInt64) -> DifferentialTest {
        let chunkSize = 50_000
        return DifferentialTest(chunks: (count + chunkSize - 1) / chunkSize) { chunk in
            let size = min(chunkSize, count - chunk * chunkSize)
            return PhoneSampleGenerator.samples(count: size, seed: seed &+ UInt64(chunk), mix: .adversarial)
        }
    }

    /// The sweep: every example number of every region, in every form, with every region.
    static func sweep(_ sweep: PhoneSweep) -> DifferentialTest {
        DifferentialTest(chunks: sweep.forms.count) { sweep.samples(ofExample: $0) }
    }

    func run() -> Outcome {
        let outcome = Mutex(Outcome())
        let samples = self.samples
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let fast = PhoneValidator(engine: .fast)
            let reference = PhoneValidator(engine: .reference)
            var local = Outcome()
            for (offset, sample) in samples(chunk).enumerated() {
                let expected = reference.check(sample.text, region: sample.region)
                let actual = fast.check(sample.text, region: sample.region)
                local.checked += 1
                local.tally.add(expected)
                guard actual != expected else { continue }
                local.mismatchCount += 1
                if local.firstMismatches.count < Self.keptMismatches {
                    local.firstMismatches.append(
                        Mismatch(chunk: chunk, offset: offset, sample: sample, fast: actual, reference: expected))
                }
            }
            outcome.withLock { total in
                total.checked += local.checked
                total.mismatchCount += local.mismatchCount
                total.tally.merge(local.tally)
                total.firstMismatches = Array(
                    (total.firstMismatches + local.firstMismatches)
                        .sorted { ($0.chunk, $0.offset) < ($1.chunk, $1.offset) }
                        .prefix(Self.keptMismatches))
            }
        }
        return outcome.withLock { $0 }
    }
}
