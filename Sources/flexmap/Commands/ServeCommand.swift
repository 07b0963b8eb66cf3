import FlexMapCore
import FlexMapIO
import FlexMapNet
import Foundation

struct ServeCommand: Command {
    static let name = "serve"
    static let abstract = "Run the webhook endpoint (POST /api/contacts/flex) on this machine, into the store."
    static let usage =
        "serve [--host 127.0.0.1] [--port 8080] [--threads N] [--max-body BYTES] [--capture FILE] [--capture-redact] [--log]"
    static let options: [OptionSpec] = [
        .value("host", "ADDR", "Numeric IPv4 or IPv6 address to listen on (default: 127.0.0.1)."),
        .value("port", "N", "Port; 0 picks a free one (default: 8080). The first line printed says which."),
        .value("threads", "N", "HTTP worker threads, each with its own epoll loop (default: the number of cores)."),
        .value("max-body", "BYTES", "Answer 413 to larger bodies; K and M suffixes work (default: 1M)."),
        .value("max-connections", "N", "Open connections at most; near it, idle ones are closed first (default: 512)."),
        .value(
            "timeout", "SECONDS",
            "Close a connection that sends no complete request this long after opening or its last answer (default: 10)."
        ),
        .value(
            "request-timeout", "SECONDS", "Drop a request whose body is still arriving after this long (default: 30)."),
        .value("capture", "FILE", "Append every request to FILE, one NDJSON line each (import and replay read it)."),
        .flag("capture-redact", "In the capture, replace API keys and Authorization/Cookie values with REDACTED."),
        .flag("log", "Print a line per request on stderr (method, path, status, reason, mapId, time; never a key)."),
    ]
    static let discussion: String? = """
        Answers with JSON {"outcome","reason","detail","mapId"}, reasons named as in import
        reports: 201 created · 200 skipped (duplicate) · 422 invalid phone or field ·
        400 malformed or ambiguous · 401 bad credentials · 403 mapping inactive ·
        404 unknown mapping or path · 405 wrong method · 413 body too large ·
        415 unsupported media type · 503 busy or stopping (nothing stored, retry).
        A 201 or 200 is sent only after the contact's transaction committed.
        Credentials: orgId, apiKey and mapId as query parameters, JSON or form body
        fields, or x-org-id / x-api-key / x-map-id headers (or Authorization: Bearer KEY).
        GET /healthz answers {"status":"ok"}. Key revocations and mapping changes take
        effect within a second. Ctrl-C or SIGTERM: stop accepting, answer and commit what
        is in flight, print counts by status, exit 0.

        EXAMPLES:
          flexmap serve --port 0
          flexmap serve --port 8080 --capture traffic.ndjson --capture-redact --log
          curl 'http://127.0.0.1:8080/api/contacts/flex?mapId=map_…' -H 'x-org-id: org_…' \\
            -H 'x-api-key: fmk_…' -H 'Content-Type: application/json' -d '{"phone":"+12015550123"}'
        """

    let http: HTTPDaemonOptions
    let maxBody: Int
    let requestTimeout: Double
    let capture: String?
    let captureRedact: Bool
    let log: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument '\(parsed.positionals[0])'") }
        let port = try parsed.int("port", range: 0...65535) ?? 8080
        let threads = try parsed.int("threads", range: 1...64) ?? ProcessInfo.processInfo.activeProcessorCount
        let connections = try parsed.int("max-connections", range: 1...100_000) ?? 512
        let timeout = try parsed.int("timeout", range: 1...3600) ?? 10
        http = HTTPDaemonOptions(
            host: parsed.value("host") ?? "127.0.0.1", port: UInt16(port), threads: threads,
            connectionLimit: connections,
            connectionTimeoutSeconds: timeout)
        maxBody = try Self.bytes(parsed.value("max-body")) ?? (1 << 20)
        requestTimeout = try parsed.double("request-timeout") ?? 30
        guard requestTimeout > 0 else { throw UsageError("--request-timeout must be more than 0 seconds") }
        capture = parsed.value("capture")
        captureRedact = parsed.flag("capture-redact")
        if captureRedact && capture == nil { throw UsageError("--capture-redact goes with --capture FILE") }
        log = parsed.flag("log")
    }

    /// "1048576", "512K", "1M" (powers of 1024).
    static func bytes(_ text: String?) throws(UsageError) -> Int? {
        guard let text else { return nil }
        var digits = Substring(text.uppercased())
        var unit = 1
        if digits.hasSuffix("IB") {
            digits = digits.dropLast(2)
        } else if digits.hasSuffix("B") {
            digits = digits.dropLast()
        }
        if digits.hasSuffix("K") {
            unit = 1 << 10
            digits = digits.dropLast()
        } else if digits.hasSuffix("M") {
            unit = 1 << 20
            digits = digits.dropLast()
        }
        guard let number = Int(digits), number > 0, number <= (1 << 30) / unit else {
            throw UsageError("--max-body needs a size from 1 byte to 1G, such as 1048576, 512K or 1M, not '\(text)'")
        }
        return number * unit
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let console = context.console
        let configuration = ServeConfiguration(
            storePath: context.databasePath, http: http, maxBodyBytes: maxBody, requestTimeoutSeconds: requestTimeout,
            capturePath: capture, captureRedact: captureRedact, logRequests: log)
        let log = self.log
        let server = try WebhookServer(configuration) { event in
            switch event {
            case .request(let entry): console.err(entry.line)
            case .registryReloaded(let count):
                if log { console.err("flexmap serve: registry reloaded (\(count) mappings)") }
            case .registryFailed(let message):
                console.err("flexmap serve: could not reload keys and mappings, keeping the last ones: \(message)")
            case .refused(let counts):
                console.err("\(Timestamp.iso8601(Date())) flexmap serve: " + ServeEvent.refusalLine(counts))
            }
        }
        let trap = SignalTrap(
            console: console,
            message:
                "flexmap serve: stopping: answering and committing the requests in flight (Ctrl-C again to quit at once)"
        )
        console.out("Listening on \(server.url)")
        console.err("POST \(server.url)\(WebhookRequest.flexPath) into \(context.databasePath); Ctrl-C stops.")
        while !trap.flag.isCancelled { Thread.sleep(forTimeInterval: 0.05) }
        let summary = server.shutdown()
        withExtendedLifetime(trap) {}

        let counts = summary.statistics.byStatus.sorted { $0.key < $1.key }
            .map { "\($0.key): \(Format.count($0.value))" }.joined(separator: " · ")
        console.out(
            "Stopped: \(Format.count(summary.statistics.answered)) requests answered"
                + (counts.isEmpty ? "" : " (\(counts))")
                + "; \(Format.count(summary.statistics.unanswered)) ended without an answer; "
                + "\(Format.count(summary.writer.contacts)) contacts written in \(Format.count(summary.writer.transactions)) transactions."
        )
        if let capture {
            console.out("Capture: \(Format.count(summary.captureLines)) requests appended to \(capture)")
        }
        if let failure = summary.captureFailure { console.err("flexmap serve: \(failure)") }
        return CommandLineTool.ExitCode.success
    }
}
