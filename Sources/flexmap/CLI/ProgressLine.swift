import FlexMapIO
import Foundation

/// A one-line progress display on a terminal's stderr: rows, rows/s, percent, ETA.
final class ProgressLine {
    private let console: Console
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(console: Console, enabled: Bool) {
        self.console = console
        self.enabled = enabled && console.stderrIsTerminal
    }

    func update(_ progress: ImportProgress) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let rate = progress.elapsedSeconds > 0 ? Double(progress.records) / progress.elapsedSeconds : 0
        var line = "  \(Format.count(progress.records)) rows · \(Format.count(Int(rate))) rows/s"
        if let total = progress.totalBytes, total > 0 {
            let fraction = min(1, Double(progress.bytesRead) / Double(total))
            line += String(format: " · %.0f%%", fraction * 100)
            if fraction > 0.01 {
                let remaining = progress.elapsedSeconds * (1 - fraction) / fraction
                line += " · ETA \(Format.duration(remaining))"
            }
        }
        console.errRaw("\r\u{1B}[2K" + line)
        drawn = true
    }

    /// Draws a ready-made line (at most ten times a second).
    func draw(_ line: String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        console.errRaw("\r\u{1B}[2K" + line)
        drawn = true
    }

    func clear() {
        if drawn { console.errRaw("\r\u{1B}[2K") }
        drawn = false
    }
}
