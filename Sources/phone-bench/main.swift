// phone-bench: measures phone validation throughput and proves the fast path exact.
import FlexMapCore
import Foundation
import PhoneSamples

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

let options: BenchOptions
switch BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let parsed): options = parsed
case .failure(let error): fail(error.message, code: 2)
}

switch options.mode {
case .throughput:
    let samples = PhoneSampleGenerator.samples(count: options.count, seed: options.seed, mix: .realistic)
    var tally = VerdictTally()
    let validator = PhoneValidator(engine: .reference)
    for sample in samples { tally.add(validator.check(sample.text, region: sample.region)) }
    let results = ThroughputBenchmark(samples: samples, repeats: options.repeats).run(threadCounts: [1, 2])
    let report = BenchmarkReport(results: results, options: options, tally: tally).markdown
    print(report, terminator: "")
    if let path = options.outputPath {
        do {
            try report.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            fail("phone-bench: cannot write \(path): \(error.localizedDescription)", code: 1)
        }
    }

case .differential(let count):
    compare(
        DifferentialTest.adversarial(count: count, seed: options.seed),
        describing: "adversarial inputs (seed \(options.seed))")

case .help:
    print(BenchOptions.usage)

case .sweep:
    let sweep = PhoneSweep()
    compare(
        DifferentialTest.sweep(sweep),
        describing:
            "sweep inputs (\(sweep.forms.count) example numbers in their forms x \(sweep.regions.count) regions)")
}

/// Runs a differential test, prints what it found, and exits 1 on any mismatch.
func compare(_ test: DifferentialTest, describing inputs: String) -> Never {
    let started = Date()
    let outcome = test.run()
    let seconds = Date().timeIntervalSince(started)
    print(
        "differential: \(outcome.checked) \(inputs) in " + String(format: "%.1f s", seconds)
            + ": \(outcome.mismatchCount) mismatches")
    print("reference verdicts: \(outcome.tally.summary)")
    for mismatch in outcome.firstMismatches {
        print(
            "  \(String(reflecting: mismatch.sample.text)) region \(mismatch.sample.region ?? "nil"): "
                + "fast \(mismatch.fast), libphonenumber \(mismatch.reference)")
    }
    exit(outcome.mismatchCount == 0 ? 0 : 1)
}
