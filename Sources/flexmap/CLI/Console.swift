import Foundation

/// Where the command line writes: stdout for results, stderr for people. Library code
/// never prints; only commands do, through this.
struct Console: Sendable {
    func out(_ text: String, terminator: String = "\n") { write(text + terminator, to: FileHandle.standardOutput) }
    func err(_ text: String) { write(text + "\n", to: FileHandle.standardError) }
    func errRaw(_ text: String) { write(text, to: FileHandle.standardError) }

    private func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }

    /// True when stderr is a terminal: progress lines go there only then.
    var stderrIsTerminal: Bool { isatty(2) == 1 }
}

/// Formats numbers for people: 1,234,567.
enum Format {
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "0.0%" }
        return String(format: "%.1f%%", Double(part) * 100 / Double(whole))
    }

    static func seconds(_ value: Double) -> String {
        if value < 60 { return String(format: "%.2f s", value) }
        let whole = Int(value.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60) + (whole >= 3600 ? "" : " min")
    }

    static func duration(_ value: Double) -> String {
        let whole = max(0, Int(value.rounded()))
        if whole >= 3600 { return String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60) }
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
