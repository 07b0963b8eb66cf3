import FlexMapIO
import Foundation

/// report.html's charts, as inline SVG styled by the page's CSS (import's style sheet
/// plus `ReplayReportDocument.extraCSS`).
enum ReplayCharts {
    static let width = 1000.0

    // MARK: - Latency histogram

    /// First-try latencies in logarithmic bins (10 per decade), with the percentiles
    /// marked.
    static func histogram(_ histogram: LatencyHistogram, summary: LatencySummary) -> String {
        guard histogram.count > 0 else { return "" }
        let low = max(1.0, Double(histogram.minimum))
        let high = max(low * 1.5, Double(histogram.maximum) + 1)
        let perDecade = 10.0
        let first = (log10(low) * perDecade).rounded(.down)
        let last = (log10(high) * perDecade).rounded(.up)
        let edges = stride(from: first, through: last, by: 1).map { pow(10, $0 / perDecade) }
        var counts = [Int](repeating: 0, count: max(1, edges.count - 1))
        var bin = 0
        histogram.forEachValue { value, number in
            let v = max(1.0, Double(value))
            while bin < counts.count - 1 && v >= edges[bin + 1] { bin += 1 }
            counts[bin] += Int(number)
            return true
        }
        let height = 300.0
        let left = 70.0, right = 20.0, top = 28.0, bottom = 44.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let largest = Double(counts.max() ?? 1)
        let logLow = log10(edges.first!), logHigh = log10(edges.last!)
        func x(_ micros: Double) -> Double {
            left + (log10(max(micros, edges.first!)) - logLow) / (logHigh - logLow) * plotWidth
        }
        var out = svgOpen("latency-chart", height: height, label: "Latency histogram of first tries")
        // Count grid.
        for tick in niceTicks(upTo: largest, count: 4) {
            let y = top + plotHeight - tick / largest * plotHeight
            out += "<line class=\"grid\" x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(width - right))\" y2=\"\(n(y))\"/>\n"
            out +=
                "<text class=\"axis\" x=\"\(n(left - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(ReportText.count(Int(tick)))</text>\n"
        }
        for (index, count) in counts.enumerated() where count > 0 {
            let x0 = x(edges[index]) + 0.5, x1 = x(edges[index + 1]) - 0.5
            let barHeight = max(1, Double(count) / largest * plotHeight)
            out +=
                "<rect class=\"bar accent\" x=\"\(n(x0))\" y=\"\(n(top + plotHeight - barHeight))\" width=\"\(n(max(1, x1 - x0)))\" "
                + "height=\"\(n(barHeight))\"><title>\(duration(edges[index])) – \(duration(edges[index + 1])): "
                + "\(ReportText.count(count)) requests</title></rect>\n"
        }
        out += axisLine(left: left, right: right, y: top + plotHeight)
        for tick in logTicks(from: edges.first!, to: edges.last!) {
            out +=
                "<text class=\"axis\" x=\"\(n(x(tick)))\" y=\"\(n(top + plotHeight + 18))\" text-anchor=\"middle\">\(duration(tick))</text>\n"
        }
        out +=
            "<text class=\"axis\" x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 4))\" text-anchor=\"middle\">latency (log scale)</text>\n"
        let markers: [(String, Double, String)] = [
            ("p50", summary.p50, "p50"), ("p90", summary.p90, "p90"), ("p99", summary.p99, "p99"),
            ("p99.9", summary.p999, "p999"), ("max", summary.max, "max"),
        ]
        var lastLabelX = -100.0
        var row = 0
        for (name, milliseconds, css) in markers {
            let position = x(milliseconds * 1000)
            out +=
                "<line class=\"marker \(css)\" x1=\"\(n(position))\" y1=\"\(n(top - 6))\" x2=\"\(n(position))\" y2=\"\(n(top + plotHeight))\"/>\n"
            row = position - lastLabelX < 70 ? row + 1 : 0
            lastLabelX = position
            // Near the right edge the label goes to the left of its line.
            let flip = position > width - right - 110
            out +=
                "<text class=\"marker-label \(css)\" x=\"\(n(flip ? position - 3 : position + 3))\" y=\"\(n(top - 10 + Double(row) * 13))\""
                + (flip ? " text-anchor=\"end\"" : "") + ">\(name) \(millis(milliseconds))</text>\n"
        }
        return out + "</svg>\n"
    }

    // MARK: - Latency over time

    /// p50, p99 and max per time bin on a logarithmic latency axis, and below it the
    /// requests per second, errors in red.
    static func timeline(_ timeline: LatencyTimeline) -> String {
        let bins = timeline.bins
        guard !bins.isEmpty, bins.contains(where: { $0.requests > 0 }) else { return "" }
        let height = 380.0
        let left = 70.0, right = 20.0, top = 16.0
        let latencyHeight = 220.0
        let gap = 36.0
        let rateTop = top + latencyHeight + gap
        let rateHeight = 80.0
        let plotWidth = width - left - right
        let binSeconds = Double(timeline.binWidth) / 1e9
        let span = Double(bins.count) * binSeconds
        func x(_ seconds: Double) -> Double { left + seconds / span * plotWidth }
        let p50 = bins.map { $0.percentile(50).map(Double.init) }
        let p99 = bins.map { $0.percentile(99).map(Double.init) }
        let maxima = bins.map { $0.maxMicroseconds > 0 ? Double($0.maxMicroseconds) : nil }
        let measured = (p50 + p99 + maxima).compactMap { $0 }
        var out = svgOpen("timeline-chart", height: height, label: "Latency over time")
        if let lowest = measured.min(), let highest = measured.max() {
            let low = step125(atMost: max(1, lowest))
            let high = max(low * 2, step125(atLeast: max(1, highest)))
            func y(_ micros: Double) -> Double {
                top + (log10(high) - log10(max(micros, low))) / (log10(high) - log10(low)) * latencyHeight
            }
            for tick in logTicks(from: low, to: high) {
                out +=
                    "<line class=\"grid\" x1=\"\(n(left))\" y1=\"\(n(y(tick)))\" x2=\"\(n(width - right))\" y2=\"\(n(y(tick)))\"/>\n"
                out +=
                    "<text class=\"axis\" x=\"\(n(left - 8))\" y=\"\(n(y(tick) + 4))\" text-anchor=\"end\">\(duration(tick))</text>\n"
            }
            for (series, css, name) in [(maxima, "max", "max"), (p99, "p99", "p99"), (p50, "p50", "p50")] {
                out += polyline(
                    series.enumerated().map { index, value in
                        value.map { (x((Double(index) + 0.5) * binSeconds), y($0)) }
                    }, css: css, name: name)
            }
        } else {
            out +=
                "<text class=\"axis\" x=\"\(n(left + plotWidth / 2))\" y=\"\(n(top + latencyHeight / 2))\" "
                + "text-anchor=\"middle\">No request got an answer: no latency to draw.</text>\n"
        }
        // Requests per second.
        let rates = bins.map { Double($0.requests) / binSeconds }
        let topRate = max(1, rates.max() ?? 1)
        for (index, bin) in bins.enumerated() where bin.requests > 0 {
            let x0 = x(Double(index) * binSeconds) + 0.5
            let w = max(0.8, plotWidth / Double(bins.count) - 1)
            let h = max(1, rates[index] / topRate * rateHeight)
            let errorHeight = Double(bin.errors) / Double(bin.requests) * h
            out +=
                "<rect class=\"bar throughput\" x=\"\(n(x0))\" y=\"\(n(rateTop + rateHeight - h))\" width=\"\(n(w))\" height=\"\(n(h))\">"
                + "<title>\(ReportText.fixed(Double(index) * binSeconds, decimals: 1)) s: \(ReportText.count(Int(rates[index].rounded()))) requests/s"
                + (bin.errors > 0 ? ", \(ReportText.count(bin.errors)) failed" : "") + "</title></rect>\n"
            if errorHeight > 0 {
                out +=
                    "<rect class=\"bar rejected\" x=\"\(n(x0))\" y=\"\(n(rateTop + rateHeight - errorHeight))\" width=\"\(n(w))\" height=\"\(n(max(1, errorHeight)))\"/>\n"
            }
        }
        out +=
            "<text class=\"axis\" x=\"\(n(left - 8))\" y=\"\(n(rateTop + 10))\" text-anchor=\"end\">\(ReportText.rate(topRate))/s</text>\n"
        out +=
            "<text class=\"axis\" x=\"\(n(left - 8))\" y=\"\(n(rateTop + rateHeight))\" text-anchor=\"end\">0</text>\n"
        out += axisLine(left: left, right: right, y: rateTop + rateHeight)
        for tick in niceTicks(upTo: span, count: 8) {
            out +=
                "<text class=\"axis\" x=\"\(n(x(tick)))\" y=\"\(n(rateTop + rateHeight + 18))\" text-anchor=\"middle\">\(seconds(tick))</text>\n"
        }
        return out + "</svg>\n"
    }

    // MARK: - Answers

    /// Final answers by status code and errors by kind, as bars.
    static func answers(statuses: [(label: String, count: Int, css: String)], total: Int) -> String {
        guard !statuses.isEmpty else { return "" }
        let rowHeight = 30
        let labelRight = 150, barLeft = 162
        let barMaximum = 640.0
        let largest = max(1, statuses.map(\.count).max() ?? 1)
        var out = svgOpen("answer-chart", height: Double(statuses.count * rowHeight), label: "Answers by status")
        for (index, row) in statuses.enumerated() {
            let top = index * rowHeight
            let width = max(3, Double(row.count) / Double(largest) * barMaximum)
            out +=
                "<text class=\"bar-label\" x=\"\(labelRight)\" y=\"\(top + 20)\" text-anchor=\"end\">\(ReportText.html(row.label))</text>\n"
            out +=
                "<rect class=\"track\" x=\"\(barLeft)\" y=\"\(top + 6)\" width=\"\(Int(barMaximum))\" height=\"18\" rx=\"4\"/>\n"
            out +=
                "<rect class=\"bar \(row.css)\" x=\"\(barLeft)\" y=\"\(top + 6)\" width=\"\(n(width))\" height=\"18\" rx=\"4\"/>\n"
            out +=
                "<text class=\"bar-value\" x=\"\(barLeft + Int(barMaximum) + 12)\" y=\"\(top + 20)\">"
                + "\(ReportText.count(row.count))<tspan class=\"bar-share\" dx=\"8\">\(ReportText.percent(row.count, of: total))</tspan></text>\n"
        }
        return out + "</svg>\n"
    }

    // MARK: - Parts

    static func svgOpen(_ css: String, height: Double, label: String) -> String {
        "<svg class=\"chart \(css)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(ReportText.html(label))\">\n"
    }

    static func axisLine(left: Double, right: Double, y: Double) -> String {
        "<line class=\"axis-line\" x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(width - right))\" y2=\"\(n(y))\"/>\n"
    }

    /// A line through the points, broken where a bin has no value.
    static func polyline(_ points: [(Double, Double)?], css: String, name: String) -> String {
        var out = ""
        var run: [(Double, Double)] = []
        func flush() {
            if run.count == 1 {
                out += "<circle class=\"dot \(css)\" cx=\"\(n(run[0].0))\" cy=\"\(n(run[0].1))\" r=\"2.5\"/>\n"
            } else if run.count > 1 {
                out +=
                    "<polyline class=\"series \(css)\" points=\""
                    + run.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
                    + "\"><title>\(name)</title></polyline>\n"
            }
            run = []
        }
        for point in points {
            if let point { run.append(point) } else { flush() }
        }
        flush()
        return out
    }

    /// 1-2-5 steps between two positive values (µs), for a logarithmic axis.
    static func logTicks(from low: Double, to high: Double) -> [Double] {
        var ticks: [Double] = []
        var decade = pow(10, log10(low).rounded(.down))
        while decade <= high * 1.0001 {
            for step in [1.0, 2.0, 5.0] {
                let value = decade * step
                if value >= low * 0.9999 && value <= high * 1.0001 { ticks.append(value) }
            }
            decade *= 10
        }
        return ticks.count > 14 ? ticks.filter { abs(log10($0).rounded() - log10($0)) < 1e-9 } : ticks
    }

    /// The largest 1, 2 or 5 times a power of ten at or below `value`.
    static func step125(atMost value: Double) -> Double {
        let decade = pow(10, log10(value).rounded(.down))
        return [5.0, 2.0, 1.0].map { $0 * decade }.first { $0 <= value * 1.0001 } ?? decade
    }

    /// The smallest 1, 2 or 5 times a power of ten at or above `value`.
    static func step125(atLeast value: Double) -> Double {
        let decade = pow(10, log10(value).rounded(.down))
        return [1.0, 2.0, 5.0, 10.0].map { $0 * decade }.first { $0 >= value * 0.9999 } ?? decade * 10
    }

    /// About `count` round ticks from 0 to `top` (0 excluded).
    static func niceTicks(upTo top: Double, count: Int) -> [Double] {
        guard top > 0 else { return [] }
        let raw = top / Double(count)
        let magnitude = pow(10, log10(raw).rounded(.down))
        let step = [1.0, 2.0, 2.5, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: step, through: top * 1.0001, by: step).map { $0 }
    }

    /// A latency in µs for an axis: "50 µs", "1 ms", "2.5 s".
    static func duration(_ micros: Double) -> String {
        if micros < 1000 { return trim(micros) + " µs" }
        if micros < 1_000_000 { return trim(micros / 1000) + " ms" }
        return trim(micros / 1_000_000) + " s"
    }

    /// Milliseconds for people: "0.412 ms", "12.3 ms", "1,204 ms".
    static func millis(_ value: Double) -> String {
        if value < 1 { return ReportText.fixed(value, decimals: 3) + " ms" }
        if value < 100 { return ReportText.fixed(value, decimals: value < 10 ? 2 : 1) + " ms" }
        return ReportText.count(Int(value.rounded())) + " ms"
    }

    /// A time since the start for an axis: "250 µs", "15 ms", "2.5 s" (a sub-second run
    /// gets distinct labels, not 0.01 s twice).
    static func seconds(_ value: Double) -> String {
        value < 1 ? duration(value * 1_000_000) : trim(value) + " s"
    }

    /// A short number: no trailing zeros, at most 2 decimals.
    static func trim(_ value: Double) -> String {
        var text = ReportText.fixed(value, decimals: value < 10 ? 2 : (value < 100 ? 1 : 0))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    static func n(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : ReportText.fixed(value, decimals: 1)
    }
}
