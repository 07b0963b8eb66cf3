import FlexMapCore

extension ReportDocument {
    /// report.html: one self-contained page (inline CSS and SVG, no script, nothing
    /// fetched) with the outcomes, the reasons, examples of each and the run's facts.
    /// Every text that came from outside goes through `ReportText.html`.
    func html() -> String {
        let h = ReportText.html
        let summary = summary
        let title = "flexmap \(summary.command) report" + (summary.input.isEmpty ? "" : " · \(summary.input)")
        var out = ReportStyle.pageStart(title: title, css: Self.css)
        out += header()
        for note in notes() { out += "<p class=\"note\">\(h(note))</p>\n" }
        out += cards()
        out += outcomesPanel()
        if !summary.warnings.isEmpty {
            out += "<section class=\"panel warnings\">\n<h2>Warnings</h2>\n<ul>\n"
            for warning in summary.warnings { out += "<li>\(h(warning))</li>\n" }
            out += "</ul>\n</section>\n"
        }
        out += reasonsPanel()
        out += examplesPanel()
        out += "<div class=\"columns\">\n" + factsPanel() + filesPanel() + "</div>\n"
        out += ReportStyle.pageEnd(
            footer:
                "Written by flexmap. <code>summary.json</code> in the same directory holds these numbers for scripts.")
        return out
    }

    // MARK: Parts

    private func header() -> String {
        let h = ReportText.html
        var parts: [String] = []
        if !summary.mappingName.isEmpty || !summary.mappingId.isEmpty {
            var mapping =
                "mapping <strong>\(h(summary.mappingName.isEmpty ? "(unnamed)" : summary.mappingName))</strong>"
            if !summary.mappingId.isEmpty { mapping += " <code>\(h(summary.mappingId))</code>" }
            parts.append(mapping)
        }
        if !summary.orgId.isEmpty { parts.append("organisation <code>\(h(summary.orgId))</code>") }
        parts += runFacts().map(h)
        return ReportStyle.header(
            what: "\(summary.command) report",
            badges: (summary.dryRun ? ["dry run"] : []) + (summary.resumed ? ["resumed"] : []),
            heading: summary.input.isEmpty ? "input" : summary.input, parts: parts)
    }

    private func cards() -> String {
        var out = "<section class=\"cards\">\n"
        out += card(
            class: "total", label: "Rows", value: summary.total, sub: summary.total == 1 ? "row read" : "rows read")
        for (kind, count) in outcomes {
            out += card(
                class: Self.cssClass(kind), label: label(kind), value: count,
                sub: ReportText.percent(count, of: summary.total))
        }
        return out + "</section>\n"
    }

    private func card(class name: String, label: String, value: Int, sub: String) -> String {
        """
        <div class="card \(name)"><div class="label">\(ReportText.html(label))</div>\
        <div class="value">\(ReportText.count(value))</div><div class="sub">\(ReportText.html(sub))</div></div>

        """
    }

    private func outcomesPanel() -> String {
        var out = "<section class=\"panel\">\n<h2>Outcomes</h2>\n"
        guard summary.total > 0 else {
            return out + "<p class=\"empty\">The input held no rows.</p>\n</section>\n"
        }
        out += OutcomeChart(segments: outcomes.map { ($0.kind, $0.count) }, total: summary.total).svg()
        out += "<ul class=\"legend\">\n"
        for (kind, count) in outcomes {
            out +=
                "<li><span class=\"swatch \(Self.cssClass(kind))\"></span>\(label(kind))"
                + " <span class=\"num\">\(ReportText.count(count))</span>"
                + " <span class=\"muted\">\(ReportText.percent(count, of: summary.total))</span></li>\n"
        }
        out += "</ul>\n"
        let aside = asides()
        if !aside.isEmpty { out += "<p class=\"muted small\">\(ReportText.html(aside.joined(separator: " ")))</p>\n" }
        return out + "</section>\n"
    }

    private func reasonsPanel() -> String {
        let reasons = reasonsByCount
        guard summary.total > 0 else { return "" }
        var out = "<section class=\"panel\">\n<h2>Reasons <span class=\"muted\">\(reasons.count)</span></h2>\n"
        guard !reasons.isEmpty else {
            return out + "<p class=\"empty good\">\(ReportText.html(verdict()))</p>\n</section>\n"
        }
        out += "<div class=\"chart-scroll\">\n" + ReasonChart(rows: reasons, total: summary.total).svg() + "</div>\n"
        let kinds = OutcomeKind.allCases.filter { kind in
            kind != .created && reasons.contains { $0.reason.kind == kind }
        }
        out += "<ul class=\"legend\">\n"
        for kind in kinds {
            out += "<li><span class=\"swatch \(Self.cssClass(kind))\"></span>\(ReportText.title(kind))</li>\n"
        }
        return out + "</ul>\n</section>\n"
    }

    private func examplesPanel() -> String {
        let h = ReportText.html
        let reasons = reasonsByCount
        guard !reasons.isEmpty else { return "" }
        var out = "<section class=\"panel\">\n<h2>Examples by reason</h2>\n"
        for (reason, count) in reasons {
            let kind = Self.cssClass(reason.kind)
            let file = name(of: ReportRowFile.holding(reason.kind))
            out += "<article class=\"reason\" id=\"\(h(reason.rawValue))\">\n<div class=\"reason-head\">"
            out += "<code class=\"reason-name\">\(h(reason.rawValue))</code>"
            out += "<span class=\"pill \(kind)\">\(ReportText.title(reason.kind))</span>"
            out += "<span class=\"reason-count\">\(ReportText.count(count)) <span class=\"muted\">"
            out +=
                "\(count == 1 ? "row" : "rows") · \(ReportText.percent(count, of: summary.total))</span></span></div>\n"
            out += "<p class=\"explain\">\(h(reason.explanation))</p>\n"
            let examples = examples[reason]
            if examples.isEmpty {
                out += "<p class=\"muted small\">No examples: these rows were read before the run was resumed.</p>\n"
            } else {
                out +=
                    "<table class=\"examples\"><thead><tr><th class=\"line\">Line</th><th>Detail</th></tr></thead><tbody>\n"
                for example in examples {
                    out += "<tr><td class=\"line\">\(example.line)</td><td>\(h(example.detail))</td></tr>\n"
                }
                out += "</tbody></table>\n"
                let shown = examples.count < count ? "First \(examples.count) of \(ReportText.count(count)) rows. " : ""
                let whole = count == 1 ? "The row is in" : "All of them are in"
                out += "<p class=\"muted small\">\(shown)\(whole) <code>\(h(file))</code>.</p>\n"
            }
            out += "</article>\n"
        }
        return out + "</section>\n"
    }

    private func factsPanel() -> String {
        let h = ReportText.html
        var facts: [(String, String)] = [("Command", h(summary.command))]
        if !summary.input.isEmpty { facts.append(("Input", h(summary.input))) }
        if !summary.format.isEmpty { facts.append(("Format", h(summary.format))) }
        if !summary.mappingName.isEmpty { facts.append(("Mapping", h(summary.mappingName))) }
        if !summary.mappingId.isEmpty { facts.append(("Mapping ID", "<code>\(h(summary.mappingId))</code>")) }
        if !summary.orgId.isEmpty { facts.append(("Organisation", "<code>\(h(summary.orgId))</code>")) }
        if !summary.startedAt.isEmpty { facts.append(("Started", h(summary.startedAt))) }
        facts += [
            ("Duration", h(ReportText.duration(summary.durationSeconds))),
            ("Rows per second", ReportText.rate(summary.rowsPerSecond)),
            ("Workers", String(summary.workers)),
            ("Dry run", summary.dryRun ? "yes: nothing was written" : "no"),
            ("Resumed", summary.resumed ? "yes" : "no"),
            ("Merged into existing", ReportText.count(summary.updated)),
            ("Blank lines", ReportText.count(summary.blankLines)),
        ]
        var out = "<section class=\"panel\">\n<h2>Run</h2>\n<table class=\"facts\">\n"
        for (name, value) in facts { out += "<tr><th>\(name)</th><td>\(value)</td></tr>\n" }
        return out + "</table>\n</section>\n"
    }

    private func filesPanel() -> String {
        let h = ReportText.html
        var out = "<section class=\"panel\">\n<h2>Files</h2>\n<ul class=\"files\">\n"
        for file in ReportRowFile.allCases {
            out +=
                "<li><div><code>\(h(name(of: file)))</code> <span class=\"muted\">"
                + "\(ReportText.count(rowCount(of: file))) \(rowCount(of: file) == 1 ? "row" : "rows")</span></div>"
            out += "<p>\(h(Self.capitalised(describe(file)))).</p>"
            if let words = reimportWords(for: file), rowCount(of: file) > 0 {
                out +=
                    file == .rejected
                    ? "<p>Fix the rows, then import the file again:</p>"
                    : "<p>To take them in after all (activate the mapping, change onDuplicate), import it again:</p>"
                // A line breaks between words only, never inside "--map".
                out +=
                    "<pre><code>" + words.map { "<span class=\"word\">\(h($0))</span>" }.joined(separator: " ")
                    + "</code></pre>"
            }
            out += "</li>\n"
        }
        out +=
            "<li><div><code>summary.json</code> · <code>summary.md</code></div><p>The same counts for scripts, and as text.</p></li>\n"
        return out + "</ul>\n</section>\n"
    }

    /// An outcome's name on this page ("Would be created" in a dry run).
    private func label(_ kind: OutcomeKind) -> String {
        kind == .created && summary.dryRun ? "Would be created" : ReportText.title(kind)
    }

    private static func capitalised(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    static func cssClass(_ kind: OutcomeKind) -> String {
        switch kind {
        case .created: return "created"
        case .skipped: return "skipped"
        case .invalidPhone: return "invalid"
        case .rejected: return "rejected"
        }
    }

    static let logo = """
        <svg class="logo" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">\
        <rect width="24" height="24" rx="6" fill="#4f46e5"/>\
        <path d="M6 8h7m0 0-2.5-2.5M13 8l-2.5 2.5M18 16h-7m0 0 2.5-2.5M11 16l2.5 2.5" \
        stroke="#fff" stroke-width="1.8" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>
        """
}
