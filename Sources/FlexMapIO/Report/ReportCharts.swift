import FlexMapCore

/// The outcomes as one stacked bar, in inline SVG (styled by the page's CSS).
struct OutcomeChart {
    var segments: [(kind: OutcomeKind, count: Int)]
    var total: Int

    static let width = 1000.0
    static let height = 40.0
    /// A non-zero outcome stays visible however small its share.
    static let minimumWidth = 6.0

    /// Segment widths proportional to the counts, each non-zero one at least
    /// `minimumWidth`, the widest giving up what the small ones took.
    func widths() -> [Double] {
        guard total > 0 else { return segments.map { _ in 0 } }
        var widths = segments.map {
            $0.count > 0 ? max(Self.minimumWidth, Double($0.count) / Double(total) * Self.width) : 0
        }
        let excess = widths.reduce(0, +) - Self.width
        if excess > 0, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }) {
            widths[widest] -= excess
        }
        return widths
    }

    func svg() -> String {
        let label = segments.map { "\(ReportText.title($0.kind)) \($0.count)" }.joined(separator: ", ")
        var out =
            "<svg class=\"chart outcome-chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" "
            + "role=\"img\" aria-label=\"Outcomes: \(ReportText.html(label))\">\n"
            + "<defs><clipPath id=\"outcome-clip\"><rect width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" rx=\"8\"/></clipPath></defs>\n"
            + "<g clip-path=\"url(#outcome-clip)\">\n<rect class=\"track\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\"/>\n"
        var x = 0.0
        var labels = ""
        for (segment, width) in zip(segments, widths()) where width > 0 {
            let share = ReportText.percent(segment.count, of: total)
            out +=
                "<rect class=\"seg \(ReportDocument.cssClass(segment.kind))\" x=\"\(Self.number(x))\" y=\"0\" "
                + "width=\"\(Self.number(width))\" height=\"\(Int(Self.height))\"><title>"
                + "\(ReportText.title(segment.kind)): \(ReportText.count(segment.count)) rows (\(share))</title></rect>\n"
            if x > 0 {
                out +=
                    "<rect class=\"gap\" x=\"\(Self.number(x - 1))\" y=\"0\" width=\"2\" height=\"\(Int(Self.height))\"/>\n"
            }
            if width >= 64 {
                labels +=
                    "<text class=\"seg-label\" x=\"\(Self.number(x + width / 2))\" y=\"25\" text-anchor=\"middle\">\(share)</text>\n"
            }
            x += width
        }
        return out + "</g>\n" + labels + "</svg>\n"
    }

    /// A coordinate with at most one decimal.
    static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : ReportText.fixed(value, decimals: 1)
    }
}

/// The reasons as horizontal bars, longest first, coloured by outcome.
struct ReasonChart {
    var rows: [(reason: Reason, count: Int)]
    var total: Int

    static let width = 1000
    static let rowHeight = 30
    static let labelRight = 250
    static let barLeft = 262
    static let barMaximum = 590.0

    func svg() -> String {
        let largest = max(1, rows.map(\.count).max() ?? 1)
        let height = rows.count * Self.rowHeight
        var out =
            "<svg class=\"chart reason-chart\" viewBox=\"0 0 \(Self.width) \(height)\" "
            + "role=\"img\" aria-label=\"Rows by reason\">\n"
        for (index, row) in rows.enumerated() {
            let top = index * Self.rowHeight
            let width = max(3, Double(row.count) / Double(largest) * Self.barMaximum)
            let kind = ReportDocument.cssClass(row.reason.kind)
            let share = ReportText.percent(row.count, of: total)
            out +=
                "<a href=\"#\(row.reason.rawValue)\"><title>\(row.reason.rawValue): \(ReportText.count(row.count)) rows (\(share)), "
                + "\(ReportText.html(row.reason.explanation))</title>\n"
            out +=
                "<text class=\"bar-label\" x=\"\(Self.labelRight)\" y=\"\(top + 20)\" text-anchor=\"end\">\(row.reason.rawValue)</text>\n"
            out +=
                "<rect class=\"track\" x=\"\(Self.barLeft)\" y=\"\(top + 6)\" width=\"\(Int(Self.barMaximum))\" height=\"18\" rx=\"4\"/>\n"
            out +=
                "<rect class=\"bar \(kind)\" x=\"\(Self.barLeft)\" y=\"\(top + 6)\" width=\"\(OutcomeChart.number(width))\" height=\"18\" rx=\"4\"/>\n"
            out +=
                "<text class=\"bar-value\" x=\"\(Self.barLeft + Int(Self.barMaximum) + 12)\" y=\"\(top + 20)\">"
                + "\(ReportText.count(row.count))<tspan class=\"bar-share\" dx=\"8\">\(share)</tspan></text>\n</a>\n"
        }
        return out + "</svg>\n"
    }
}
