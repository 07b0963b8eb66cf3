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
        ["summary.json", "summary.md", "report.html", "requests.ndjson"]
            + (mismatchSink == nil ? [] : ["mismatches.ndjson"])
    }

    static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    func attempt(
        index: Int, record: Int, line: Int, attempt: Int, outcome: ReplayEngine.AttemptOutcome,
        startMicroseconds: UInt64,
        final: Bool
    ) throws(ReportError) {
        // Bytes written straight into the sink's buffer: this runs once per attempt.
        try requests.append { out in
            out.append(contentsOf: #"{"index":"#.utf8)
            Self.append(index, to: &out)
            out.append(contentsOf: #","record":"#.utf8)
            Self.append(record, to: &out)
            out.append(contentsOf: #","line":"#.utf8)
            Self.append(line, to: &out)
            out.append(contentsOf: #","attempt":"#.utf8)
            Self.append(attempt, to: &out)
            out.append(contentsOf: #","status":"#.utf8)
            if let status = outcome.status {
                Self.append(status, to: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(contentsOf: #","latencyMs":"#.utf8)
            if let latency = outcome.latency {
                Self.appendMilliseconds(microseconds: (latency + 500) / 1000, to: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(contentsOf: #","reason":"#.utf8)
            if let reason = outcome.reason {
                out.append(contentsOf: JSONText.quote(reason).utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(contentsOf: #","error":"#.utf8)
            if let error = outcome.error {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: error.rawValue.utf8)
                out.append(UInt8(ascii: "\""))
                if let message = outcome.errorMessage {
                    out.append(contentsOf: #","message":"#.utf8)
                    out.append(contentsOf: JSONText.quote(message).utf8)
                }
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(contentsOf: #","startMs":"#.utf8)
            Self.appendMilliseconds(microseconds: startMicroseconds, to: &out)
            out.append(contentsOf: final ? #","final":true}"#.utf8 : #","final":false}"#.utf8)
            out.append(0x0A)
        }
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

    /// A non-negative integer in decimal.
    static func append(_ value: Int, to out: inout [UInt8]) {
        append(UInt64(max(0, value)), to: &out)
    }

    static func append(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 {
            out.append(0x30 + UInt8(value))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = 0x30 + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    /// Microseconds as milliseconds with three decimals: "12.345".
    static func appendMilliseconds(microseconds: UInt64, to out: inout [UInt8]) {
        append(microseconds / 1000, to: &out)
        out.append(UInt8(ascii: "."))
        let fraction = microseconds % 1000
        out.append(0x30 + UInt8(fraction / 100))
        out.append(0x30 + UInt8(fraction / 10 % 10))
        out.append(0x30 + UInt8(fraction % 10))
    }
}
