import FlexMapCore
import FlexMapIO
import Foundation

/// A replay's report directory:
/// - `requests.ndjson`, written as the run goes: one line per attempt
///   (`index`, `record`, `line`, `attempt`, `status`, `latencyMs`, `reason`, `error`,
///   `startMs`, `final`), and one per record that could not be sent (`"sent":false`);
/// - `mismatches.ndjson` with `--verify`: each answer that differs from its prediction;
/// - at the end `summary.json`, `summary.md` and `report.html`.
/// No line holds an API key: answers' text is scrubbed before it gets here, and requests
/// themselves (URLs, headers, bodies) are never written.
final class ReplayReportWriter {
    let directory: String
    private let requests: ReportRowSink
    private let mismatchSink: ReportRowSink?
    private let secrets: [String]

    init(directory: String, verify: Bool, secrets: [String]) throws(ReportError) {
        self.directory = directory
        self.secrets = secrets
        try ReportDirectory.make(directory)
        requests = try ReportRowSink(creating: Self.path(directory, "requests.ndjson"), header: [])
        mismatchSink = verify ? try ReportRowSink(creating: Self.path(directory, "mismatches.ndjson"), header: []) : nil
    }

    var files: [String] {
        ["summary.json", "summary.md", "report.html", "requests.ndjson"] + (mismatchSink == nil ? [] : ["mismatches.ndjson"])
    }

    static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    func attempt(
        index: Int, record: Int, line: Int, attempt: Int, outcome: ReplayEngine.AttemptOutcome, startMilliseconds: Double,
        final: Bool
    ) throws(ReportError) {
        var text = "{\"index\":\(index),\"record\":\(record),\"line\":\(line),\"attempt\":\(attempt),\"status\":"
        text += outcome.status.map(String.init) ?? "null"
        text += ",\"latencyMs\":" + (outcome.latency.map { Self.milliseconds(nanoseconds: $0) } ?? "null")
        text += ",\"reason\":" + (outcome.reason.map(JSONText.quote) ?? "null")
        text += ",\"error\":" + (outcome.error.map { "\"\($0.rawValue)\"" } ?? "null")
        if let message = outcome.errorMessage { text += ",\"message\":" + JSONText.quote(message) }
        text += ",\"startMs\":" + ReportText.fixed(startMilliseconds, decimals: 3)
        text += final ? ",\"final\":true}\n" : ",\"final\":false}\n"
        try requests.append { $0.append(contentsOf: text.utf8) }
    }

    func notSent(record: Int, line: Int, reason: String) throws(ReportError) {
        let text =
            "{\"index\":null,\"record\":\(record),\"line\":\(line),\"attempt\":0,\"status\":null,\"latencyMs\":null,"
            + "\"reason\":\(JSONText.quote(reason)),\"error\":null,\"sent\":false}\n"
        try requests.append { $0.append(contentsOf: text.utf8) }
    }

    func mismatch(_ mismatch: ReplayMismatch) throws(ReportError) {
        guard let mismatchSink else { return }
        let text = JSONText.encode(Self.json(mismatch)) + "\n"
        try mismatchSink.append { $0.append(contentsOf: text.utf8) }
    }

    static func json(_ mismatch: ReplayMismatch) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var members: [(key: String, value: JSONValue)] = [
            ("index", .int(Int64(mismatch.index))), ("record", .int(Int64(mismatch.record))),
            ("line", .int(Int64(mismatch.line))),
        ]
        if let label = mismatch.label { members.append(("label", .string(label))) }
        members.append(
            (
                "expected",
                .object(
                    JSONObject([
                        ("status", .int(Int64(mismatch.expected.status))), ("reason", text(mismatch.expected.reason)),
                        ("outcome", .string(mismatch.expected.outcome)), ("detail", .string(mismatch.expected.detail)),
                    ]))
            ))
        members.append(
            (
                "got",
                .object(
                    JSONObject([
                        ("status", mismatch.status.map { .int(Int64($0)) } ?? .null), ("reason", text(mismatch.reason)),
                        ("outcome", text(mismatch.outcome)), ("detail", text(mismatch.detail)),
                    ]))
            ))
        return .object(JSONObject(members))
    }

    /// Writes the end-of-run files and closes the streams.
    func finish(_ result: ReplayResult) throws(ReportError) {
        try requests.close()
        try mismatchSink?.close()
        let document = ReplayReportDocument(result: result, directory: directory)
        try ReportDirectory.write(scrub(result.summary.json(pretty: true)), to: Self.path(directory, "summary.json"))
        try ReportDirectory.write(scrub(document.markdown()), to: Self.path(directory, "summary.md"))
        try ReportDirectory.write(scrub(document.html()), to: Self.path(directory, "report.html"))
    }

    /// The last guard: a key that reached a summary some other way is replaced.
    private func scrub(_ text: String) -> String {
        var out = text
        for secret in secrets where !secret.isEmpty && out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: CaptureRedaction.placeholder)
        }
        return out
    }

    /// Nanoseconds as milliseconds with microsecond digits: "12.345".
    static func milliseconds(nanoseconds: UInt64) -> String {
        let micros = (nanoseconds + 500) / 1000
        let fraction = micros % 1000
        return "\(micros / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + String(fraction)
    }
}
