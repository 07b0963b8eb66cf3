import FlexMapCore
import FlexMapIO
import FlexMapNet
import Foundation

/// What `flexmap replay` prints for people: the summary, the progress line, the plan.
enum ReplayText {
    static func render(_ summary: ReplaySummary, reportDirectory: String?) -> String {
        var lines: [String] = []
        var model: String
        switch summary.model {
        case "open": model = "open model at \(rate(summary.askedRate ?? 0))/s"
        case "recorded": model = "recorded gaps at \(factor(summary.speed ?? 1))"
        default: model = "closed model, \(summary.concurrency ?? 0) at a time"
        }
        lines.append(
            "flexmap replay: \(Format.count(summary.requests)) requests to \(summary.target) in "
                + "\(Format.seconds(summary.durationSeconds)) · \(rate(summary.requestsPerSecond)) requests/s · \(model)"
        )
        func row(_ label: String, _ text: String) {
            lines.append("  " + label.padding(toLength: 11, withPad: " ", startingAt: 0) + text)
        }
        let statuses = summary.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key): \(Format.count($0.value))" }
        row("answers", statuses.isEmpty ? "none" : statuses.joined(separator: " · "))
        let errors = ReplayErrorKind.allCases.compactMap { kind in
            summary.errors[kind].flatMap { $0 > 0 ? "\(kind.rawValue): \(Format.count($0))" : nil }
        }
        row("errors", errors.isEmpty ? "none" : errors.joined(separator: " · "))
        if summary.latency.count > 0 {
            row("latency", latencyLine(summary.latency) + " (first tries)")
        }
        if summary.retried.requests > 0 {
            row(
                "retried",
                "\(Format.count(summary.retried.requests)) requests, \(Format.count(summary.retried.attempts)) attempts"
                    + (summary.retried.latency.count > 0 ? " · whole time " + latencyLine(summary.retried.latency) : "")
            )
        }
        if let schedule = summary.schedule {
            var text = ""
            if let asked = schedule.askedPerSecond { text += "asked \(rate(asked))/s · " }
            text +=
                "achieved \(rate(schedule.achievedPerSecond))/s · \(Format.count(schedule.late)) left over 10 ms late"
            if schedule.late > 0 {
                text +=
                    " (generator \(schedule.lateByGenerator), in-flight limit \(schedule.lateByLimit), ordering \(schedule.lateByOrdering))"
            }
            row("schedule", text)
        }
        if let verify = summary.verify {
            var text =
                "\(Format.count(verify.compared)) answers compared · \(Format.count(verify.mismatches)) mismatch\(verify.mismatches == 1 ? "" : "es")"
            if verify.unanswered > 0 { text += " · \(Format.count(verify.unanswered)) without an answer" }
            row("verify", text)
        }
        if summary.notSentCount > 0 {
            let reasons = summary.notSent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                separator: " · ")
            row("not sent", "\(Format.count(summary.notSentCount)) records (\(reasons))")
        }
        if summary.unsent > 0 {
            row("unsent", "\(Format.count(summary.unsent)) read but not sent (time ran out or stopped)")
        }
        if let reportDirectory { lines.append("Report: \(reportDirectory)/report.html") }
        return lines.joined(separator: "\n")
    }

    static func latencyLine(_ latency: LatencySummary) -> String {
        "p50 \(ms(latency.p50)) · p90 \(ms(latency.p90)) · p99 \(ms(latency.p99)) · p99.9 \(ms(latency.p999)) · max \(ms(latency.max))"
    }

    static func progress(_ progress: ReplayProgress) -> String {
        var line =
            "  \(Format.count(progress.requests)) requests · \(rate(progress.requestsPerSecond))/s · \(progress.inFlight) in flight"
        if let p99 = progress.p99Milliseconds { line += " · p99 \(ms(p99))" }
        line += " · \(Format.count(progress.errors)) errors"
        if let mismatches = progress.mismatches { line += " · \(Format.count(mismatches)) mismatches" }
        if let fraction = progress.fraction {
            line += String(format: " · %.0f%%", fraction * 100)
            if fraction > 0.01 && fraction < 1 {
                line += " · ETA \(Format.duration(progress.elapsedSeconds * (1 - fraction) / fraction))"
            }
        }
        if progress.behind { line += " · BEHIND SCHEDULE" }
        return line
    }

    // MARK: - --dry-run

    static func plan(_ plan: ReplayPlan, configuration: ReplayConfiguration) -> String {
        var lines = ["flexmap replay: DRY RUN (nothing sent)"]
        func row(_ label: String, _ text: String) {
            lines.append("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + text)
        }
        row(
            "input",
            "\(configuration.input) (\(configuration.format.rawValue)): \(Format.count(plan.records)) records, "
                + "\(Format.count(plan.requestsPerPass)) requests" + (configuration.loop ? " per pass, repeated" : ""))
        row("target", targetText(configuration))
        row("credentials", credentialsText(configuration.credentials))
        switch configuration.pacing {
        case .closed(let concurrency):
            row("model", "closed: \(concurrency) at a time, as fast as the endpoint answers")
        case .open(let perSecond, let limit):
            row("model", "open: \(rate(perSecond)) requests/s on a fixed schedule, at most \(limit) in flight")
        case .recorded(let speed, let limit):
            row("model", "the capture's own gaps at \(factor(speed)), at most \(limit) in flight")
        }
        row("requests", plan.requests.map { Format.count($0) } ?? "until --duration ends")
        if let seconds = plan.seconds {
            row("duration", "about \(Format.seconds(seconds))")
        } else {
            row("duration", "as long as the endpoint takes to answer them")
        }
        if configuration.retry.maxRetries > 0 {
            row("retries", "up to \(configuration.retry.maxRetries) on 429, 5xx and connection errors")
        }
        if let predicted = plan.predicted {
            let text = predicted.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key): \(Format.count($0.value))" }.joined(separator: " · ")
            row("predicted", text.isEmpty ? "nothing" : text)
        }
        if !plan.notSent.isEmpty {
            row(
                "not sent",
                plan.notSent.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: " · "))
        }
        if let example = plan.example {
            lines.append("First request:")
            for line in example.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                lines.append(line.isEmpty ? "" : "  " + line)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func planJSON(_ plan: ReplayPlan, configuration: ReplayConfiguration) -> String {
        func counts(_ values: [String: Int]) -> JSONValue {
            .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) }))
        }
        var members: [(key: String, value: JSONValue)] = [
            ("dryRun", .bool(true)),
            ("records", .int(Int64(plan.records))),
            ("requestsPerPass", .int(Int64(plan.requestsPerPass))),
            ("requests", plan.requests.map { .int(Int64($0)) } ?? .null),
            ("expectedSeconds", plan.seconds.map { .double(($0 * 1000).rounded() / 1000) } ?? .null),
            ("target", .string(targetText(configuration))),
            ("notSent", counts(plan.notSent)),
        ]
        switch configuration.pacing {
        case .closed(let concurrency):
            members += [("model", .string("closed")), ("concurrency", .int(Int64(concurrency)))]
        case .open(let perSecond, let limit):
            members += [("model", .string("open")), ("rate", .double(perSecond)), ("concurrency", .int(Int64(limit)))]
        case .recorded(let speed, let limit):
            members += [("model", .string("recorded")), ("speed", .double(speed)), ("concurrency", .int(Int64(limit)))]
        }
        if let predicted = plan.predicted { members.append(("predicted", counts(predicted))) }
        return JSONText.encode(.object(JSONObject(members)))
    }

    static func targetText(_ configuration: ReplayConfiguration) -> String {
        var target = configuration.target
        if target.path == nil { target.path = configuration.format.isCapture ? nil : WebhookRequest.flexPath }
        let text = target.display
        return configuration.format.isCapture && configuration.target.path == nil
            ? text + " (each request's own path)" : text
    }

    static func credentialsText(_ credentials: ReplayCredentials) -> String {
        guard !credentials.isEmpty else { return "as each captured request carries them" }
        var parts: [String] = []
        for field in CredentialResolver.Field.allCases {
            guard let given = credentials.fields[field] else { continue }
            let value = field == .apiKey ? "REDACTED" : given.value
            parts.append("\(field.rawValue) \(value) in the \(given.placement.rawValue)")
        }
        return parts.joined(separator: " · ")
    }

    static func rate(_ value: Double) -> String {
        value >= 100 ? Format.count(Int(value.rounded())) : String(format: "%.1f", value)
    }

    static func factor(_ value: Double) -> String {
        (value == value.rounded() ? String(Int(value)) : String(format: "%g", value)) + "x"
    }

    static func ms(_ value: Double) -> String {
        if value < 1 { return String(format: "%.3f ms", value) }
        if value < 100 { return String(format: "%.2f ms", value) }
        return Format.count(Int(value.rounded())) + " ms"
    }
}
