import FlexMapCore
import Foundation

/// Counts verdicts by outcome: "valid" or the invalid reason's name.
struct VerdictTally {
    private(set) var counts: [String: Int] = [:]
    private(set) var total = 0

    mutating func add(_ verdict: PhoneValidator.Verdict) {
        total += 1
        switch verdict {
        case .valid: counts["valid", default: 0] += 1
        case .invalid(let reason): counts[reason.rawValue, default: 0] += 1
        }
    }

    mutating func merge(_ other: VerdictTally) {
        total += other.total
        counts.merge(other.counts, uniquingKeysWith: +)
    }

    /// "valid 88.1%, phone-not-assigned 6.0%, ..." in descending order.
    var summary: String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \(percent($0.value))" }
            .joined(separator: ", ")
    }

    func percent(_ count: Int) -> String {
        total == 0 ? "0%" : String(format: "%.1f%%", 100 * Double(count) / Double(total))
    }
}
