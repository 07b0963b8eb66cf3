/// The report pages' shared look, for the other commands' reports (replay) to be
/// siblings of import's: the same style sheet and logo.
package enum ReportStyle {
    package static var css: String { ReportDocument.css }
    package static var logo: String { ReportDocument.logo }

    /// A page's start, up to its open `<main>`: `title` is escaped here, `css` is not.
    package static func pageStart(title: String, css: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="flexmap">
        <title>\(ReportText.html(title))</title>
        <style>\(css)</style>
        </head>
        <body>
        <main>

        """
    }

    /// The header's first parts: the brand line ("flexmap / WHAT" and a badge each),
    /// then the page's heading, and the subtitle's `parts` (HTML, not escaped here).
    package static func header(what: String, badges: [String], heading: String, parts: [String]) -> String {
        let h = ReportText.html
        var out = "<header>\n<div class=\"brand\">\(logo)<span>flexmap</span><span class=\"sep\">/</span>"
        out += "<span class=\"what\">\(h(what))</span>"
        for badge in badges { out += "<span class=\"badge\">\(h(badge))</span>" }
        out += "</div>\n<h1>\(h(heading))</h1>\n<p class=\"subtitle\">"
        out += parts.joined(separator: "<span class=\"dot-sep\">·</span>")
        return out + "</p>\n</header>\n"
    }

    /// A page's end, from the footer (HTML, not escaped here) on.
    package static func pageEnd(footer: String) -> String {
        """
        <footer>\(footer)</footer>
        </main>
        </body>
        </html>

        """
    }
}

extension ReportDocument {
    /// report.html's style sheet: system fonts, light and dark, prints cleanly.
    static let css = """

        :root {
          --bg: #f5f6f8; --panel: #ffffff; --text: #111827; --muted: #6b7280; --border: #e5e7eb;
          --track: #eef0f3; --code-bg: #f3f4f6; --accent: #4f46e5;
          --created: #16a34a; --skipped: #64748b; --invalid: #d97706; --rejected: #dc2626;
          --created-soft: #dcfce7; --skipped-soft: #e2e8f0; --invalid-soft: #fef3c7; --rejected-soft: #fee2e2;
          --created-ink: #166534; --skipped-ink: #334155; --invalid-ink: #92400e; --rejected-ink: #991b1b;
          color-scheme: light dark;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #0f1115; --panel: #171a21; --text: #e5e7eb; --muted: #9ca3af; --border: #272b35;
            --track: #222631; --code-bg: #222631;
            --created-soft: #14532d; --skipped-soft: #334155; --invalid-soft: #78350f; --rejected-soft: #7f1d1d;
            --created-ink: #bbf7d0; --skipped-ink: #e2e8f0; --invalid-ink: #fde68a; --rejected-ink: #fecaca;
          }
        }
        * { box-sizing: border-box; }
        html { background: var(--bg); }
        body {
          margin: 0; color: var(--text); background: var(--bg);
          font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
          -webkit-font-smoothing: antialiased;
        }
        main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
        code, pre, .bar-label, .line {
          font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
        }
        code { font-size: 12.5px; background: var(--code-bg); padding: 1px 5px; border-radius: 4px; }
        header { margin-bottom: 20px; }
        .brand { display: flex; align-items: center; gap: 8px; font-weight: 600; color: var(--muted); }
        .brand .logo { flex: none; }
        .brand span:nth-of-type(1) { color: var(--text); }
        .brand .sep { color: var(--border); font-weight: 400; }
        .badge {
          margin-left: 6px; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
          background: var(--invalid-soft); color: var(--invalid-ink); text-transform: uppercase; letter-spacing: .04em;
        }
        h1 { margin: 14px 0 4px; font-size: 26px; line-height: 1.25; font-weight: 700; overflow-wrap: anywhere; }
        .subtitle { margin: 0; color: var(--muted); }
        .subtitle strong { color: var(--text); font-weight: 600; }
        .dot-sep { margin: 0 8px; color: var(--muted); opacity: .6; }
        .note {
          margin: 0 0 16px; padding: 10px 14px; border-radius: 8px; border: 1px solid var(--border);
          background: var(--panel); border-left: 4px solid var(--accent);
        }
        .cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin-bottom: 16px; }
        .card {
          background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px 12px;
          border-top: 4px solid var(--border);
        }
        .card.total { border-top-color: var(--accent); }
        .card.created { border-top-color: var(--created); }
        .card.skipped { border-top-color: var(--skipped); }
        .card.invalid { border-top-color: var(--invalid); }
        .card.rejected { border-top-color: var(--rejected); }
        .card .label { color: var(--muted); font-size: 12.5px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
        .card .value { font-size: 28px; font-weight: 700; line-height: 1.2; margin-top: 4px; font-variant-numeric: tabular-nums; }
        .card .sub { color: var(--muted); font-variant-numeric: tabular-nums; }
        .panel {
          background: var(--panel); border: 1px solid var(--border); border-radius: 10px;
          padding: 18px 22px 20px; margin-bottom: 16px;
        }
        h2 { margin: 0 0 14px; font-size: 16px; font-weight: 650; }
        h2 .muted { font-weight: 500; margin-left: 4px; }
        .muted { color: var(--muted); }
        .small { font-size: 12.5px; }
        .empty { margin: 0; padding: 18px; text-align: center; color: var(--muted); background: var(--track); border-radius: 8px; }
        .empty.good { color: var(--created-ink); background: var(--created-soft); }
        .chart { display: block; width: 100%; height: auto; }
        .chart-scroll { overflow-x: auto; }
        .chart-scroll .chart { min-width: 680px; }
        .chart .track { fill: var(--track); }
        .chart .gap { fill: var(--panel); }
        .seg.created, .bar.created, .swatch.created { fill: var(--created); background: var(--created); }
        .seg.skipped, .bar.skipped, .swatch.skipped { fill: var(--skipped); background: var(--skipped); }
        .seg.invalid, .bar.invalid, .swatch.invalid { fill: var(--invalid); background: var(--invalid); }
        .seg.rejected, .bar.rejected, .swatch.rejected { fill: var(--rejected); background: var(--rejected); }
        .seg-label { fill: #fff; font-size: 14px; font-weight: 650; }
        .bar-label { fill: var(--text); font-size: 13px; }
        .reason-chart a:hover .bar-label { fill: var(--accent); text-decoration: underline; }
        .reason-chart a:hover .track { fill: var(--border); }
        .bar-value { fill: var(--text); font-size: 13px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .bar-share { fill: var(--muted); font-weight: 400; }
        .legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 12px 0 0; padding: 0; }
        .legend li { display: flex; align-items: center; gap: 6px; }
        .legend .num { font-weight: 600; font-variant-numeric: tabular-nums; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; }
        .warnings { border-left: 4px solid var(--invalid); }
        .warnings ul { margin: 0; padding-left: 20px; }
        .reason { padding: 14px 0 10px; border-top: 1px solid var(--border); scroll-margin-top: 16px; }
        .reason:first-of-type { border-top: 0; padding-top: 0; }
        .reason-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
        .reason-name { font-size: 14px; font-weight: 600; background: none; padding: 0; }
        .reason-count { margin-left: auto; font-weight: 600; font-variant-numeric: tabular-nums; }
        .reason-count .muted { font-weight: 400; }
        .pill { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px; }
        .pill.skipped { background: var(--skipped-soft); color: var(--skipped-ink); }
        .pill.invalid { background: var(--invalid-soft); color: var(--invalid-ink); }
        .pill.rejected { background: var(--rejected-soft); color: var(--rejected-ink); }
        .explain { margin: 4px 0 10px; color: var(--muted); }
        table { border-collapse: collapse; width: 100%; }
        .examples { font-size: 13px; table-layout: fixed; }
        .examples th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; padding: 6px 10px; background: var(--track); }
        .examples th:first-child { border-radius: 6px 0 0 6px; }
        .examples th:last-child { border-radius: 0 6px 6px 0; }
        .examples td { padding: 6px 10px; border-bottom: 1px solid var(--border); vertical-align: top; overflow-wrap: anywhere; }
        .examples tr:last-child td { border-bottom: 0; }
        .examples .line { width: 90px; text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
        .reason .small { margin: 8px 0 0; }
        .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
        .columns .panel { margin-bottom: 0; }
        .facts th { text-align: left; font-weight: 500; color: var(--muted); padding: 5px 16px 5px 0; width: 42%; vertical-align: top; }
        .facts td { padding: 5px 0; overflow-wrap: anywhere; }
        .facts tr + tr th, .facts tr + tr td { border-top: 1px solid var(--border); }
        .files { list-style: none; margin: 0; padding: 0; }
        .files li { padding: 10px 0; border-top: 1px solid var(--border); }
        .files li:first-child { border-top: 0; padding-top: 0; }
        .files p { margin: 4px 0 0; color: var(--muted); }
        pre { margin: 8px 0 0; padding: 10px 12px; background: var(--code-bg); border-radius: 6px; white-space: pre-wrap; overflow-x: auto; }
        pre code { background: none; padding: 0; }
        pre .word { white-space: nowrap; }
        footer { margin-top: 24px; color: var(--muted); font-size: 12.5px; text-align: center; }
        @media (max-width: 760px) {
          .cards { grid-template-columns: repeat(2, 1fr); }
          .columns { grid-template-columns: 1fr; }
        }
        @media print {
          html, body { background: #fff; }
          .panel, .card { break-inside: avoid; }
        }

        """
}
