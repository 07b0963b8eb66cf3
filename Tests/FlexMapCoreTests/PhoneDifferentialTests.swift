import Dispatch
import FlexMapCore
import PhoneSamples
import Synchronization
import Testing

/// The fast engine against libphonenumber itself: the same verdict, reason and E.164
/// form on every input. (`phone-bench --diff 5000000` runs the large version.)
@Suite struct PhoneDifferentialTests {
    static let chunks = 8
    static let chunkSize = 25_000

    @Test func fastEngineAgreesWithLibphonenumber() {
        let mismatches = Mutex<[String]>([])
        let checked = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: Self.chunks) { chunk in
            let samples = PhoneSampleGenerator.samples(
                count: Self.chunkSize, seed: 0xF1E7 &+ UInt64(chunk), mix: .adversarial)
            let fast = PhoneValidator(engine: .fast)
            let reference = PhoneValidator(engine: .reference)
            var local: [String] = []
            for sample in samples {
                let expected = reference.check(sample.text, region: sample.region)
                let actual = fast.check(sample.text, region: sample.region)
                if actual != expected {
                    local.append("\(String(reflecting: sample.text)) [\(sample.region ?? "nil")]: \(actual) != \(expected)")
                }
            }
            checked.add(samples.count, ordering: .relaxed)
            mismatches.withLock { $0 += local }
        }
        #expect(checked.load(ordering: .relaxed) == Self.chunks * Self.chunkSize)
        let found = mismatches.withLock { $0 }
        #expect(found.isEmpty, "\(found.count) mismatches, first: \(found.prefix(10).joined(separator: "; "))")
    }

    @Test func everyRegionIsCovered() {
        let samples = PhoneSampleGenerator.samples(count: 50_000, seed: 1, mix: .realistic)
        let regions = Set(samples.compactMap(\.region))
        #expect(PhoneValidator.supportedRegions.isSubset(of: regions))
    }

    @Test func samplesAreDeterministic() {
        let first = PhoneSampleGenerator.samples(count: 1_000, seed: 42, mix: .adversarial)
        #expect(first == PhoneSampleGenerator.samples(count: 1_000, seed: 42, mix: .adversarial))
        #expect(first != PhoneSampleGenerator.samples(count: 1_000, seed: 43, mix: .adversarial))
    }

    /// Many threads at once, each with its own compiled patterns, give the answers one
    /// thread gives.
    @Test func concurrentChecksMatchSequentialOnes() {
        let samples = PhoneSampleGenerator.samples(count: 4_000, seed: 7, mix: .realistic)
        let fast = PhoneValidator(engine: .fast)
        let sequential = samples.map { fast.check($0.text, region: $0.region) }
        let differing = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { round in
            for offset in samples.indices {
                let index = (offset + round * 500) % samples.count
                if fast.check(samples[index].text, region: samples[index].region) != sequential[index] {
                    differing.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(differing.load(ordering: .relaxed) == 0)
    }
}
