import FlexMapCore
import FlexMapIO

/// report.html and summary.md of a replay: a sibling of import's report (the same style
/// sheet, cards and panels), with a latency histogram, latency over time, answers by
/// status, and with --verify the answers that differ from their predictions. One
/// self-contained page: inline CSS and SVG, no script, nothing fetched.
struct ReplayReportDocument {
    let result: ReplayResult
    let directory: String

    var summary: ReplaySummary { result.summary }

    /// Styles for what import's page does not draw.
    static let extraCSS = """
        .grid { stroke: var(--border); stroke-width: 1; }
        .axis { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
        .axis-line { stroke: var(--muted); stroke-width: 1; }
        .bar.accent, .swatch.accent { fill: var(--accent); background: var(--accent); }
        .bar.throughput { fill: var(--skipped); opacity: .55; }
        .series { fill: none; stroke-width: 2; stroke-linejoin: round; }
        .series.p50, .dot.p50, .swatch.p50 { stroke: var(--accent); fill: var(--accent); background: var(--accent); }
        .series.p50 { fill: none; }
        .series.p99, .dot.p99, .swatch.p99 { stroke: var(--invalid); fill: var(--invalid); background: var(--invalid); }
        .series.p99 { fill: none; }
        .series.max { stroke: var(--rejected); stroke-width: 1.2; stroke-dasharray: 4 3; fill: none; }
        .dot.max, .swatch.max { fill: var(--rejected); background: var(--rejected); }
        .marker { stroke-width: 1.5; stroke-dasharray: 3 3; }
        .marker.p50 { stroke: var(--created); } .marker-label.p50 { fill: var(--created-ink); }
        .marker.p90 { stroke: var(--skipped); } .marker-label.p90 { fill: var(--skipped-ink); }
        .marker.p99 { stroke: var(--invalid); } .marker-label.p99 { fill: var(--invalid-ink); }
        .marker.p999 { stroke: var(--rejected); } .marker-label.p999 { fill: var(--rejected-ink); }
        .marker.max { stroke: var(--text); } .marker-label.max { fill: var(--text); }
        .marker-label { font-size: 12px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .stats { width: 100%; margin: 0 0 14px; font-variant-numeric: tabular-nums; }
        .stats th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; padding: 6px 10px; background: var(--track); }
        .stats td { padding: 6px 10px; border-bottom: 1px solid var(--border); }
        .stats td.num, .stats th.num { text-align: right; }
        .note.warn { border-left-color: var(--invalid); }
        .note.fail { border-left-color: var(--rejected); }
        .note.good { border-left-color: var(--created); }
        .examples .expected { color: var(--created-ink); }
        .examples .got { color: var(--rejected-ink); }

        """

    // MARK: - HTML

    func html() -> String {
        let h = ReportText.html
        let title = "flexmap replay report · \(summary.target)"
        var out = ReportStyle.pageStart(title: title, css: ReportStyle.css + Self.extraCSS)
        out += header()
        for (css, text) in notes() { out += "<p class=\"note \(css)\">\(h(text))</p>\n" }
        out += cards()
        out += latencyPanel()
        out += timelinePanel()
        out += answersPanel()
        if summary.verify != nil { out += verifyPanel() }
        if summary.retried.requests > 0 || summary.attempts > summary.requests { out += retriesPanel() }
        if let schedule = summary.schedule { out += schedulePanel(schedule) }
        out += "<div class=\"columns\">\n" + factsPanel() + filesPanel() + "</div>\n"
        out += ReportStyle.pageEnd(
            footer:
                "Written by flexmap. <code>summary.json</code> holds these numbers for scripts; <code>requests.ndjson</code> every attempt."
        )
        return out
    }

    private func header() -> String {
        let h = ReportText.html
        var parts = ["<strong>\(h(summary.input))</strong> (\(h(summary.format)))", h(modelText)]
        parts.append(h(ReportText.duration(summary.durationSeconds)))
        if !summary.startedAt.isEmpty { parts.append(h(summary.startedAt)) }
        return ReportStyle.header(
            what: "replay report",
            badges: (summary.verify != nil ? ["verify"] : []) + (summary.interrupted ? ["interrupted"] : []),
            heading: summary.target, parts: parts)
    }

    var modelText: String {
        switch summary.model {
        case "open":
            return
                "open model, \(ReportText.rate(summary.askedRate ?? 0)) requests/s asked, at most \(summary.concurrency ?? 0) in flight"
        case "recorded":
            return
                "recorded gaps at \(ReplayCharts.trim(summary.speed ?? 1))x, at most \(summary.concurrency ?? 0) in flight"
        default:
            return "closed model, \(summary.concurrency ?? 0) at a time"
        }
    }

    private func notes() -> [(String, String)] {
        var out: [(String, String)] = []
        if summary.interrupted {
            out.append(
                ("warn", "The run was stopped before its end: these numbers cover the requests sent until then."))
        }
        for failure in summary.thresholdFailures { out.append(("fail", "Threshold failed: \(failure).")) }
        if let schedule = summary.schedule {
            if schedule.generatorBehind {
                out.append(
                    (
                        "warn",
                        "The generator fell behind its schedule: \(ReportText.count(schedule.lateByGenerator)) requests left more than 10 ms late with nothing holding them (the machine sending them was too busy). Latencies still count from the intended times."
                    ))
            }
            if schedule.limitBehind {
                out.append(
                    (
                        "warn",
                        "\(ReportText.count(schedule.lateByLimit)) requests waited for the in-flight limit (--concurrency \(summary.concurrency ?? 0)): the endpoint answered too slowly for the rate. Their wait is in their latency; raise --concurrency to send them on time."
                    ))
            }
        }
        if let verify = summary.verify, verify.mismatches == 0, verify.compared > 0 {
            out.append(
                ("good", "Every one of the \(ReportText.count(verify.compared)) answers agrees with its prediction."))
        }
        if summary.notSentCount > 0 {
            out.append(
                (
                    "warn",
                    "\(ReportText.count(summary.notSentCount)) records could not be sent (\(summary.notSent.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))); requests.ndjson lists them with \"sent\": false."
                ))
        }
        return out
    }

    private func cards() -> String {
        var out = "<section class=\"cards\">\n"
        out += card(
            "total", "Requests", ReportText.count(summary.requests), "\(ReportText.count(summary.attempts)) attempts")
        var rateSub = "requests/s"
        if let asked = summary.schedule?.askedPerSecond { rateSub = "asked \(ReportText.rate(asked))/s" }
        out += card("created", "Throughput", ReportText.rate(summary.requestsPerSecond), rateSub)
        let latency = summary.latency
        out += card(
            "skipped", "p99 latency", latency.count > 0 ? ReplayCharts.millis(latency.p99) : "–",
            latency.count > 0
                ? "p50 \(ReplayCharts.millis(latency.p50)) · max \(ReplayCharts.millis(latency.max))" : "no answers")
        let failed = summary.failedRequests
        out += card(
            "rejected", "Failed", ReportText.count(failed),
            "\(ReportText.percent(failed, of: summary.requests)) · 5xx, 429, no answer")
        if let verify = summary.verify {
            out += card(
                verify.mismatches == 0 ? "created" : "invalid", "Mismatches", ReportText.count(verify.mismatches),
                "of \(ReportText.count(verify.compared)) compared")
        } else {
            out += card(
                "invalid", "Retried", ReportText.count(summary.retried.requests), "requests needing another try")
        }
        return out + "</section>\n"
    }

    private func card(_ css: String, _ label: String, _ value: String, _ sub: String) -> String {
        "<div class=\"card \(css)\"><div class=\"label\">\(ReportText.html(label))</div><div class=\"value\">\(ReportText.html(value))</div>"
            + "<div class=\"sub\">\(ReportText.html(sub))</div></div>\n"
    }

    private func latencyPanel() -> String {
        var out =
            "<section class=\"panel\">\n<h2>Latency <span class=\"muted\">first tries, exact percentiles</span></h2>\n"
        guard summary.latency.count > 0 else {
            return out + "<p class=\"empty\">No request got an answer.</p>\n</section>\n"
        }
        out += latencyTable(
            [("First tries", summary.latency)]
                + (summary.retried.requests > 0 ? [("Retried requests, whole time", summary.retried.latency)] : []))
        out += ReplayCharts.histogram(result.firstTries, summary: summary.latency)
        let from =
            summary.model == "closed"
            ? "from when each request left"
            : "from when each request was meant to leave (so time spent waiting to be sent counts)"
        out +=
            "<p class=\"muted small\">Latency counts \(from) to the end of its answer. "
            + "Percentiles are nearest-rank over every first try, in microseconds. Bars: 10 per decade.</p>\n"
        return out + "</section>\n"
    }

    private func latencyTable(_ rows: [(String, LatencySummary)]) -> String {
        var out =
            "<table class=\"stats\"><thead><tr><th></th><th class=\"num\">requests</th><th class=\"num\">p50</th><th class=\"num\">p90</th>"
            + "<th class=\"num\">p99</th><th class=\"num\">p99.9</th><th class=\"num\">max</th><th class=\"num\">mean</th></tr></thead><tbody>\n"
        for (name, latency) in rows {
            out += "<tr><td>\(ReportText.html(name))</td><td class=\"num\">\(ReportText.count(latency.count))</td>"
            for value in [latency.p50, latency.p90, latency.p99, latency.p999, latency.max, latency.mean] {
                out += "<td class=\"num\">\(ReplayCharts.millis(value))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    private func timelinePanel() -> String {
        let chart = ReplayCharts.timeline(result.timeline)
        guard !chart.isEmpty else { return "" }
        var out =
            "<section class=\"panel\">\n<h2>Latency over time</h2>\n<div class=\"chart-scroll\">\n" + chart + "</div>\n"
        out += "<ul class=\"legend\">\n"
        out +=
            "<li><span class=\"swatch p50\"></span>p50</li><li><span class=\"swatch p99\"></span>p99</li>"
            + "<li><span class=\"swatch max\"></span>max</li><li><span class=\"swatch skipped\"></span>requests/s</li>"
            + "<li><span class=\"swatch rejected\"></span>failed</li>\n</ul>\n"
        let width = ReplayCharts.seconds(Double(result.timeline.binWidth) / 1e9)
        out +=
            "<p class=\"muted small\">Requests by the time they were meant to leave, in \(width) bins (every attempt). "
            + "Per-bin percentiles come from a coarse histogram (within about 5%); the exact ones are above.</p>\n"
        return out + "</section>\n"
    }

    /// Final answers by status, and errors.
    var answerRows: [(label: String, count: Int, css: String)] {
        var rows: [(label: String, count: Int, css: String)] = summary.statusCounts.sorted { $0.key < $1.key }.map {
            status, count in
            let css: String
            switch status {
            case 200..<300: css = status == 201 ? "created" : "skipped"
            case 400..<500: css = status == 429 ? "rejected" : "invalid"
            default: css = "rejected"
            }
            return ("HTTP \(status)", count, css)
        }
        for kind in ReplayErrorKind.allCases {
            if let count = summary.errors[kind], count > 0 { rows.append((kind.rawValue, count, "rejected")) }
        }
        return rows
    }

    private func answersPanel() -> String {
        let h = ReportText.html
        var out = "<section class=\"panel\">\n<h2>Answers <span class=\"muted\">final, one per request</span></h2>\n"
        guard summary.requests > 0 else { return out + "<p class=\"empty\">No request was sent.</p>\n</section>\n" }
        out +=
            "<div class=\"chart-scroll\">\n" + ReplayCharts.answers(statuses: answerRows, total: summary.requests)
            + "</div>\n"
        // With --verify the reasons are in the Verify panel, beside the predicted ones.
        if summary.verify == nil, !summary.answeredReasons.isEmpty || !summary.answeredOutcomes.isEmpty {
            out +=
                "<table class=\"stats\"><thead><tr><th>reason the endpoint gave</th><th class=\"num\">requests</th></tr></thead><tbody>\n"
            if let created = summary.answeredOutcomes["created"] {
                out += "<tr><td><code>created</code></td><td class=\"num\">\(ReportText.count(created))</td></tr>\n"
            }
            for (reason, count) in summary.answeredReasons.sorted(by: {
                $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
            }) {
                out += "<tr><td><code>\(h(reason))</code></td><td class=\"num\">\(ReportText.count(count))</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</section>\n"
    }

    private func verifyPanel() -> String {
        let h = ReportText.html
        guard let verify = summary.verify else { return "" }
        var out =
            "<section class=\"panel\">\n<h2>Verify <span class=\"muted\">answers against the local pipeline's predictions</span></h2>\n"
        var answered = summary.answeredReasons
        if let created = summary.answeredOutcomes["created"] { answered["created"] = created }
        let reasons = Set(verify.predicted.keys).union(answered.keys).sorted { a, b in
            let (x, y) = (verify.predicted[a] ?? answered[a] ?? 0, verify.predicted[b] ?? answered[b] ?? 0)
            return x != y ? x > y : a < b
        }
        out +=
            "<table class=\"stats\"><thead><tr><th>reason</th><th class=\"num\">predicted</th><th class=\"num\">answered</th></tr></thead><tbody>\n"
        for reason in reasons {
            out +=
                "<tr><td><code>\(h(reason))</code></td><td class=\"num\">\(ReportText.count(verify.predicted[reason] ?? 0))</td>"
                + "<td class=\"num\">\(ReportText.count(answered[reason] ?? 0))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        out +=
            "<p class=\"muted small\">\(ReportText.count(verify.compared)) answers compared (status, and reason when the answer names one); "
            + "\(ReportText.count(verify.unanswered)) requests ended without an answer to compare.</p>\n"
        guard verify.mismatches > 0 else {
            return out
                + "<p class=\"empty good\">No mismatch: the endpoint answered every request as the mapping predicts.</p>\n</section>\n"
        }
        out +=
            "<table class=\"stats\"><thead><tr><th>expected → answered</th><th class=\"num\">requests</th></tr></thead><tbody>\n"
        for (pattern, count) in verify.patterns.sorted(by: {
            $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
        }) {
            out += "<tr><td><code>\(h(pattern))</code></td><td class=\"num\">\(ReportText.count(count))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        out +=
            "<table class=\"examples\"><thead><tr><th class=\"line\">Request</th><th class=\"line\">Line</th>"
            + "<th>Expected</th><th>Answered</th><th>Detail</th></tr></thead><tbody>\n"
        for mismatch in result.mismatches {
            let expected = "\(mismatch.expected.status) \(mismatch.expected.reason ?? "created")"
            let got = (mismatch.status.map(String.init) ?? "–") + " " + (mismatch.reason ?? mismatch.outcome ?? "")
            var detail = mismatch.detail ?? ""
            if let label = mismatch.label { detail = label + (detail.isEmpty ? "" : ": " + detail) }
            out +=
                "<tr><td class=\"line\">\(mismatch.index)</td><td class=\"line\">\(mismatch.line)</td>"
                + "<td class=\"expected\"><code>\(h(expected))</code></td>"
                + "<td class=\"got\"><code>\(h(got))</code></td><td>\(h(ReportText.oneLine(detail, limit: 300)))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        let shown =
            result.mismatches.count < verify.mismatches
            ? "First \(result.mismatches.count) of \(ReportText.count(verify.mismatches)). " : ""
        return out
            + "<p class=\"muted small\">\(shown)All of them are in <code>mismatches.ndjson</code>, with the prediction's detail.</p>\n</section>\n"
    }

    private func retriesPanel() -> String {
        let h = ReportText.html
        var out = "<section class=\"panel\">\n<h2>Retries</h2>\n"
        out +=
            "<p>\(ReportText.count(summary.retried.requests)) of \(ReportText.count(summary.requests)) requests needed more "
            + "than one attempt: \(ReportText.count(summary.retried.attempts)) attempts between them, "
            + "\(ReportText.count(summary.attempts)) in the whole run.</p>\n"
        if !summary.retried.causes.isEmpty {
            out +=
                "<table class=\"stats\"><thead><tr><th>retried after</th><th class=\"num\">attempts</th></tr></thead><tbody>\n"
            for (cause, count) in summary.retried.causes.sorted(by: { $0.key < $1.key }) {
                out += "<tr><td><code>\(h(cause))</code></td><td class=\"num\">\(ReportText.count(count))</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        out +=
            "<p class=\"muted small\">Retried on 429, 5xx and connection errors, after the answer's Retry-After or else an exponential backoff with full jitter. "
            + "Their first tries count in the latency above; their whole time, first try to final answer, is the second row there.</p>\n"
        return out + "</section>\n"
    }

    private func schedulePanel(_ schedule: ReplaySummary.Schedule) -> String {
        var out = "<section class=\"panel\">\n<h2>Schedule</h2>\n<table class=\"facts\">\n"
        var rows: [(String, String)] = []
        if let asked = schedule.askedPerSecond { rows.append(("Asked rate", "\(ReportText.rate(asked)) requests/s")) }
        rows += [
            ("Achieved send rate", "\(ReportText.rate(schedule.achievedPerSecond)) requests/s"),
            ("Requests sent", ReportText.count(schedule.sent)),
            ("Left over 10 ms late", ReportText.count(schedule.late)),
            ("… generator behind", ReportText.count(schedule.lateByGenerator)),
            ("… waiting for the in-flight limit", ReportText.count(schedule.lateByLimit)),
            ("… waiting for an earlier request with the same phone", ReportText.count(schedule.lateByOrdering)),
            ("Largest delay", ReplayCharts.millis(schedule.maxLagMilliseconds)),
            ("Mean delay", ReplayCharts.millis(schedule.meanLagMilliseconds)),
        ]
        for (name, value) in rows {
            out += "<tr><th>\(ReportText.html(name))</th><td>\(ReportText.html(value))</td></tr>\n"
        }
        return out + "</table>\n</section>\n"
    }

    private func factsPanel() -> String {
        let h = ReportText.html
        var facts: [(String, String)] = [
            ("Target", "<code>\(h(summary.target))</code>"), ("Input", h(summary.input)), ("Format", h(summary.format)),
            ("Model", h(modelText)), ("Started", h(summary.startedAt)),
            ("Duration", h(ReportText.duration(summary.durationSeconds))),
            ("Requests per second", ReportText.rate(summary.requestsPerSecond)),
            ("Attempts", ReportText.count(summary.attempts)),
        ]
        if summary.unsent > 0 { facts.append(("Read but not sent (time or stop)", ReportText.count(summary.unsent))) }
        facts.append(("Error rate", h(ReplayThresholds.percent(summary.errorRate))))
        var out = "<section class=\"panel\">\n<h2>Run</h2>\n<table class=\"facts\">\n"
        for (name, value) in facts { out += "<tr><th>\(name)</th><td>\(value)</td></tr>\n" }
        return out + "</table>\n</section>\n"
    }

    private func filesPanel() -> String {
        var files: [(String, String)] = [
            ("summary.json", "The numbers for scripts (the --json line, pretty)."),
            ("summary.md", "The same as text."),
            (
                "requests.ndjson",
                "One line per attempt: index, record, line, attempt, status, latencyMs, reason, error, startMs, final; and the records not sent."
            ),
        ]
        if summary.verify != nil {
            files.append(
                ("mismatches.ndjson", "Each answer that differs from its prediction: expected and got, with details."))
        }
        var out = "<section class=\"panel\">\n<h2>Files</h2>\n<ul class=\"files\">\n"
        for (name, text) in files {
            out += "<li><div><code>\(name)</code></div><p>\(ReportText.html(text))</p></li>\n"
        }
        return out + "</ul>\n</section>\n"
    }

    // MARK: - Markdown

    func markdown() -> String {
        let md = ReportText.markdown
        var out = "# flexmap replay report\n\n"
        out +=
            "- Target: `\(summary.target)`\n- Input: \(md(summary.input)) (\(summary.format))\n- Model: \(md(modelText))\n"
        out += "- Started: \(summary.startedAt) · duration \(ReportText.duration(summary.durationSeconds))\n\n"
        for (_, note) in notes() { out += "> \(md(note))\n\n" }
        out += "| requests | requests/s | attempts | failed | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n"
        out += "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        let l = summary.latency
        out +=
            "| \(ReportText.count(summary.requests)) | \(ReportText.rate(summary.requestsPerSecond)) | \(ReportText.count(summary.attempts)) "
            + "| \(ReportText.count(summary.failedRequests)) | \(ReportText.fixed(l.p50, decimals: 3)) | \(ReportText.fixed(l.p90, decimals: 3)) "
            + "| \(ReportText.fixed(l.p99, decimals: 3)) | \(ReportText.fixed(l.p999, decimals: 3)) | \(ReportText.fixed(l.max, decimals: 3)) |\n\n"
        out += "## Answers\n\n| answer | requests |\n| --- | ---: |\n"
        for row in answerRows { out += "| \(md(row.label)) | \(ReportText.count(row.count)) |\n" }
        if let verify = summary.verify {
            out +=
                "\n## Verify\n\n\(ReportText.count(verify.compared)) answers compared, **\(ReportText.count(verify.mismatches)) mismatches**, "
                + "\(ReportText.count(verify.unanswered)) without an answer.\n"
            if !verify.patterns.isEmpty {
                out += "\n| expected → answered | requests |\n| --- | ---: |\n"
                for (pattern, count) in verify.patterns.sorted(by: { $0.value > $1.value }) {
                    out += "| \(md(pattern)) | \(ReportText.count(count)) |\n"
                }
            }
            if !result.mismatches.isEmpty {
                out += "\n| line | expected | answered | detail |\n| ---: | --- | --- | --- |\n"
                for mismatch in result.mismatches.prefix(50) {
                    out +=
                        "| \(mismatch.line) | \(mismatch.expected.status) \(md(mismatch.expected.reason ?? "created")) "
                        + "| \(mismatch.status.map(String.init) ?? "–") \(md(mismatch.reason ?? "")) | \(md(ReportText.oneLine(mismatch.detail ?? "", limit: 120))) |\n"
                }
            }
        }
        if let schedule = summary.schedule {
            out += "\n## Schedule\n\n"
            if let asked = schedule.askedPerSecond { out += "- Asked: \(ReportText.rate(asked)) requests/s\n" }
            out += "- Achieved: \(ReportText.rate(schedule.achievedPerSecond)) requests/s\n"
            out +=
                "- Over 10 ms late: \(schedule.late) (generator \(schedule.lateByGenerator), in-flight limit \(schedule.lateByLimit), ordering \(schedule.lateByOrdering)); largest delay \(ReplayCharts.millis(schedule.maxLagMilliseconds))\n"
        }
        return out
    }
}
