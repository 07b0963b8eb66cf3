import Dispatch
import FlexMapCore
import PhoneSamples
import Synchronization
import Testing

/// The fast engine against libphonenumber itself: the same verdict, reason and E.164
/// form on every input. (`phone-bench --diff 5000000` runs the large version.)
@Suite struct PhoneDifferentialTests {
    /// 150,000 adversarial inputs: random digits, junk, letters, extensions, RFC 3966,
    /// non-ASCII digits, prefix variants, odd regions.
    @Test func fastEngineAgreesOnAdversarialInputs() {
        let chunkSize = 25_000
        let (checked, mismatches) = compareEngines(chunks: 6) { chunk in
            PhoneSampleGenerator.samples(count: chunkSize, seed: 0xF1E7 &+ UInt64(chunk), mix: .adversarial)
        }
        #expect(checked == 6 * chunkSize)
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) mismatches, first: \(mismatches.prefix(10).joined(separator: "; "))")
    }

    /// Every example number of every region in its written forms, with regions whose
    /// parsing rules differ (trunk prefixes, transform rules, IDDs): about 150,000 inputs.
    @Test func fastEngineAgreesOnEveryRegionsNumbers() {
        let sweep = PhoneSweep(regions: [nil, "US", "GB", "AR", "BR", "AU", "IT"])
        let (checked, mismatches) = compareEngines(chunks: sweep.forms.count) { sweep.samples(ofExample: $0) }
        #expect(checked == sweep.count)
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) mismatches, first: \(mismatches.prefix(10).joined(separator: "; "))")
    }

    /// Checks each chunk's samples with both engines on all cores; returns how many were
    /// checked and a description of each that differed.
    private func compareEngines(chunks: Int, samples: @escaping @Sendable (Int) -> [PhoneSample]) -> (Int, [String]) {
        let mismatches = Mutex<[String]>([])
        let checked = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let fast = PhoneValidator(engine: .fast)
            let reference = PhoneValidator(engine: .reference)
            var local: [String] = []
            let chunkSamples = samples(chunk)
            for sample in chunkSamples {
                let expected = reference.check(sample.text, region: sample.region)
                let actual = fast.check(sample.text, region: sample.region)
                if actual != expected {
                    local.append(
                        "\(String(reflecting: sample.text)) [\(sample.region ?? "nil")]: \(actual) != \(expected)")
                }
            }
            checked.add(chunkSamples.count, ordering: .relaxed)
            mismatches.withLock { $0 += local }
        }
        return (checked.load(ordering: .relaxed), mismatches.withLock { $0 })
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
