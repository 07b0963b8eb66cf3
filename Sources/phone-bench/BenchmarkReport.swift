import FlexMapCore
import Foundation

/// The throughput results as the markdown section kept in reports/phone-benchmark.md.
struct BenchmarkReport {
    let results: [ThroughputBenchmark.Result]
    let options: BenchOptions
    let tally: VerdictTally

    var markdown: String {
        let baseline = results.first { $0.engine == .reference && $0.threads == 1 }?.numbersPerSecond ?? 1
        let setup =
            "`phone-bench --count \(options.count) --repeat \(options.repeats) --seed \(options.seed)` "
            + "(release build), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Self.today()), "
            + "libphonenumber 8.12.57 (Debian). Each row is the best of \(options.repeats) passes over the same "
            + "\(options.count) realistic inputs (half from the common CRM markets, US first, half from any "
            + "region; national and international forms with assorted punctuation, E.164, IDD-prefixed, wrong "
            + "lengths, junk), after one untimed warm-up pass; the passes of the four configurations take turns, "
            + "so other load on the machine does not fall on one. Verdicts: \(tally.summary)."
        let fastPath =
            "The fast path parses plainly written numbers (ASCII digits, spaces, + - . ( ) /) and "
            + "decides validity itself, over libphonenumber's own metadata with RE2 patterns compiled per "
            + "thread; other input goes to libphonenumber's Parse. `phone-bench --diff N` and "
            + "`phone-bench --sweep` check that it gives libphonenumber's verdicts and E.164 forms exactly."
        var lines = [
            "## Phone validation throughput", "", setup, "", fastPath, "",
            "| Path | Threads | Numbers/s | vs direct, 1 thread |",
            "|---|---:|---:|---:|",
        ]
        for result in results {
            let path = result.engine == .reference ? "direct libphonenumber" : "fast path"
            let rate = Int(result.numbersPerSecond.rounded()).formatted(.number.grouping(.automatic))
            let ratio = String(format: "%.2fx", result.numbersPerSecond / baseline)
            lines.append("| \(path) | \(result.threads) | \(rate) | \(ratio) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date())
    }
}
