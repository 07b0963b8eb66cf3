import FlexMapCore
import FlexMapIO
import FlexMapNet
import Foundation

struct ReplayCommand: Command {
    static let name = "replay"
    static let abstract = "Send records or captured requests to a webhook URL: check its answers, load-test it."
    static let usage =
        "replay --input FILE --target URL [--auth header|query|body] [--concurrency N | --rate R | --speed S] [--duration S] [--max-requests N] [--retries N] [--verify] [--report DIR] [--json]"
    static let options: [OptionSpec] = [
        .value(
            "input", "FILE", short: "i",
            "Records (CSV, NDJSON) or captured requests (HAR, gor, capture) to send; - reads standard input."),
        .value(
            "target", "URL", short: "t", aliases: ["url"],
            "Where to send: http(s)://host:port, with a path and query if the endpoint needs them (also --url)."),
        .value("format", "FORMAT", "csv, ndjson, har, gor or capture (default: from the file name)."),
        .value("auth", "PLACE", "Where --org, --key and --map go: header (x-org-id…, default), query, or body."),
        .value("org", "ORG", "The orgId to send (default: $FLEXMAP_ORG); replaces any the input carries."),
        .value("key", "KEY", "The API key to send (default: $FLEXMAP_KEY, which keeps it out of ps); never printed."),
        .value("map", "ID", "The mapId to send (default: $FLEXMAP_MAP, or mapId in the --target URL)."),
        .value(
            "concurrency", "N",
            "Closed model: N requests at a time, each next as soon as one ends (default: 16). With --rate or --speed: the most in flight (default: 256)."
        ),
        .value(
            "rate", "R",
            "Open model: R requests per second whatever the endpoint does; latency counts from each intended send time."
        ),
        .value("speed", "S", "Captures: keep the recorded gaps between requests, S times faster (2x, 0.5x)."),
        .value("duration", "TIME", "Stop sending after this long: 30, 30s, 5m, 1h."),
        .value("max-requests", "N", "Stop after sending N requests."),
        .flag("loop", "Start the input again at its end (with --duration or --max-requests)."),
        .value("timeout", "SECONDS", "Give a request up after this long, connection included (default: 30)."),
        .value("retries", "N", "Retry a request up to N times on 429, 5xx and connection errors (default: 0)."),
        .value("retry-max-wait", "SECONDS", "The longest Retry-After to honour (default: 30)."),
        .flag("verify", "Predict each answer with the local pipeline and the store (--db) and list every mismatch."),
        .flag(
            "trust-key", "With --verify: take --key as valid even if this store does not hold it (a remote endpoint)."),
        .value(
            "max-error-rate", "RATE", "Exit with 3 when more requests than this fail (5xx, 429, no answer): 0.01 or 1%."
        ),
        .value("max-p99", "MS", "Exit with 3 when the first-try p99 latency is above MS milliseconds."),
        .value("header", "'NAME: VALUE'", repeatable: true, "Add a header to every request (repeatable)."),
        .flag("no-idempotency-key", "Do not add the Idempotency-Key header derived from each record."),
        .flag("insecure", "Do not check TLS certificates (a staging endpoint with a self-signed one)."),
        .value("delimiter", "CHAR", "CSV delimiter: , ; tab or | (default: a sep= line, else guessed)."),
        .value("report", "DIR", "Where to write the report (default: reports/<time>-replay)."),
        .flag(
            "dry-run", short: "n",
            "Print the plan (requests, rate, expected duration, the first request) and send nothing."),
        .flag("json", "Print the summary as one JSON object on stdout."),
        .flag("quiet", short: "q", "Print nothing but errors (and the --json line)."),
    ]
    static let discussion: String? = """
        REQUESTS: a CSV row becomes the JSON object the product's docs show, the header's
        names as keys, as written; an NDJSON line is the body as it is. Captured
        requests go as captured (method, path, query, headers, body) to the new host.
        --org, --key and --map replace the credentials a record or captured request
        carries, placed where --auth says; records need all three. Every request gets an
        Idempotency-Key derived from its record, so retries and repeated runs are
        recognisable. The key never appears in any output.

        LOAD: the closed model (--concurrency) sends as fast as the endpoint answers.
        The open model (--rate) sends on a fixed schedule and measures each latency from
        the time the request was meant to leave, so a slow endpoint cannot hide its
        latency; a warning says when the sender itself fell behind. --speed replays a
        capture's own timing.

        RESULTS: exact p50, p90, p99, p99.9 and max of first tries, answers by status,
        errors by kind (connect, timeout, reset, tls), throughput; retried requests are
        counted apart. The report folder holds summary.json, summary.md, report.html,
        requests.ndjson (a line per attempt) and, with --verify, mismatches.ndjson.

        VERIFY: predicts each answer (created 201, duplicate 200, invalid phone 422,
        rejected with its reason) from the store given by --db, as it was when the
        replay began, and compares it with the status and reason the endpoint gave.
        Records with the same organisation and phone are never in flight together and
        go in input order, so which one is created is the same in every run.

        EXIT CODES: 0 done; 1 could not finish (unreadable input, no store, stopped with
        Ctrl-C); 2 usage error; 3 a threshold failed (--max-error-rate, --max-p99) or,
        with --verify, an answer differed from its prediction.

        EXAMPLES:
          export FLEXMAP_ORG=org_… FLEXMAP_KEY=fmk_… FLEXMAP_MAP=map_…
          flexmap replay --input leads.csv --target http://127.0.0.1:8080 --verify
          flexmap replay --input leads.ndjson --target https://staging.example.com --rate 200 --duration 60s
          flexmap replay --input traffic.capture.ndjson --target http://127.0.0.1:8080 --speed 2x
          flexmap replay --input leads.csv --target http://127.0.0.1:8080 --concurrency 64 --loop \\
            --duration 30s --max-p99 50 --max-error-rate 0.1%
        """

    let configuration: ReplayConfiguration
    let formatGiven: Bool
    let verify: Bool
    let trustKey: Bool
    let dryRun: Bool
    let json: Bool
    let quiet: Bool
    let reportGiven: String?
    let flags: [CredentialResolver.Field: String]
    let placement: AuthPlacement

    init(_ parsed: ParsedArguments) throws(UsageError) {
        if let word = parsed.positionals.first {
            guard !word.hasPrefix("fmk_") else {
                throw UsageError("unexpected argument (an API key, not shown); give it with --key KEY or $FLEXMAP_KEY")
            }
            throw UsageError("unexpected argument '\(word)'; give the file with --input and the URL with --target")
        }
        guard let input = parsed.value("input") else {
            throw UsageError("missing --input FILE (or - for standard input)")
        }
        guard let targetText = parsed.value("target") else {
            throw UsageError("missing --target URL, such as --target http://127.0.0.1:8080")
        }
        let target: ReplayTarget
        do {
            target = try ReplayTarget(parsing: targetText)
        } catch {
            throw UsageError(error.message)
        }
        formatGiven = parsed.value("format") != nil
        let format = try Self.format(parsed, input: input)
        var delimiter: UInt8?
        if let text = parsed.value("delimiter") {
            switch text {
            case "tab", "\\t", "\t": delimiter = UInt8(ascii: "\t")
            default:
                guard text.utf8.count == 1, let byte = text.utf8.first, byte != UInt8(ascii: "\"") else {
                    throw UsageError("--delimiter takes one character such as , ; | or the word tab, not '\(text)'")
                }
                delimiter = byte
            }
        }
        var placement = AuthPlacement.header
        if let text = parsed.value("auth") {
            guard let chosen = AuthPlacement(rawValue: text.lowercased()) else {
                throw UsageError("--auth takes header, query or body, not '\(text)'")
            }
            placement = chosen
        }
        self.placement = placement
        var flags: [CredentialResolver.Field: String] = [:]
        for (field, option) in [(CredentialResolver.Field.orgId, "org"), (.apiKey, "key"), (.mapId, "map")] {
            if let value = parsed.value(option) {
                guard !value.trimmingWhitespace().isEmpty else { throw UsageError("--\(option) is empty") }
                flags[field] = value
            }
        }
        self.flags = flags

        let concurrency = try parsed.int("concurrency", range: 1...10_000)
        let rate = try parsed.double("rate")
        let speed = try Self.speed(parsed.value("speed"))
        if let rate, !(rate > 0 && rate <= 1_000_000) {
            throw UsageError("--rate must be more than 0 and at most 1000000 requests per second")
        }
        if rate != nil && speed != nil { throw UsageError("give --rate R or --speed S, not both") }
        if speed != nil && !format.isCapture {
            throw UsageError(
                "--speed keeps the recorded gaps of captured requests (--format har, gor or capture); records have none: use --rate"
            )
        }
        let pacing: ReplayScheduler.Pacing
        if let rate {
            pacing = .open(perSecond: rate, maxInFlight: concurrency ?? 256)
        } else if let speed {
            pacing = .recorded(speed: speed, maxInFlight: concurrency ?? 256)
        } else {
            pacing = .closed(concurrency: concurrency ?? 16)
        }
        let duration = try Self.seconds(parsed.value("duration"), option: "duration")
        let maxRequests = try parsed.int("max-requests", range: 1...Int(Int32.max))
        let loop = parsed.flag("loop")
        if loop && duration == nil && maxRequests == nil {
            throw UsageError("--loop repeats the input without end: add --duration or --max-requests")
        }
        if loop && input == "-" { throw UsageError("--loop needs a file: standard input cannot be read again") }
        let timeout = try Self.seconds(parsed.value("timeout"), option: "timeout") ?? 30
        let retries = try parsed.int("retries", range: 0...100) ?? 0
        let retryMaxWait = try Self.seconds(parsed.value("retry-max-wait"), option: "retry-max-wait") ?? 30
        verify = parsed.flag("verify")
        trustKey = parsed.flag("trust-key")
        if trustKey && !verify { throw UsageError("--trust-key goes with --verify") }
        var thresholds = ReplayThresholds()
        if let text = parsed.value("max-error-rate") { thresholds.maxErrorRate = try Self.share(text) }
        if let p99 = try parsed.double("max-p99") {
            guard p99 > 0 else { throw UsageError("--max-p99 takes milliseconds, more than 0") }
            thresholds.maxP99Milliseconds = p99
        }
        var headers: [(name: String, value: String)] = []
        for text in parsed.all("header") {
            guard let colon = text.firstIndex(of: ":"), !String(text[..<colon]).trimmingWhitespace().isEmpty,
                !text[..<colon].contains(" ")
            else { throw UsageError("--header takes 'Name: value', not '\(text.prefix(40))'") }
            headers.append((String(text[..<colon]), String(text[text.index(after: colon)...]).trimmingWhitespace()))
        }
        dryRun = parsed.flag("dry-run")
        json = parsed.flag("json")
        quiet = parsed.flag("quiet")
        reportGiven = parsed.value("report")
        configuration = ReplayConfiguration(
            input: input, format: format, readerOptions: ReaderOptions(delimiter: delimiter), target: target,
            credentials: ReplayCredentials(flags: flags, placement: placement, target: target.credentials),
            pacing: pacing, maxRequests: maxRequests, duration: duration, loop: loop, timeout: timeout,
            retry: RetryPolicy(maxRetries: retries, maxRetryAfter: UInt64(retryMaxWait * 1e9)), verify: nil,
            idempotencyKeys: !parsed.flag("no-idempotency-key"), extraHeaders: headers,
            insecure: parsed.flag("insecure"),
            thresholds: thresholds, reportDirectory: nil)
    }

    /// The format: --format, else from the file name (as import guesses it).
    static func format(_ parsed: ParsedArguments, input: String) throws(UsageError) -> InputFormat {
        if let name = parsed.value("format") {
            guard let format = InputFormat(rawValue: name) else {
                throw UsageError(
                    "unknown format '\(name)'; use one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return format
        }
        if input == "-" { throw UsageError("reading standard input needs --format csv, ndjson, har, gor or capture") }
        if let guessed = InputFormat.guess(path: input) {
            return guessed == .ndjson && InputFormat.looksLikeCapture(path: input) ? .capture : guessed
        }
        if input.lowercased().hasSuffix(".json"), InputFormat.looksLikeHAR(path: input) { return .har }
        throw UsageError(
            "cannot tell the format of '\(input)' from its name; add --format csv, ndjson, har, gor or capture")
    }

    /// "2x", "2", "0.5x".
    static func speed(_ text: String?) throws(UsageError) -> Double? {
        guard var text = text?.lowercased() else { return nil }
        if text.hasSuffix("x") { text.removeLast() }
        guard let value = Double(text), value.isFinite, value > 0, value <= 10_000 else {
            throw UsageError("--speed takes a factor such as 2x or 0.5x, not '\(text)'")
        }
        return value
    }

    /// "30", "30s", "500ms", "5m", "1h" as seconds.
    static func seconds(_ text: String?, option: String) throws(UsageError) -> Double? {
        guard let text = text?.lowercased().trimmingWhitespace() else { return nil }
        var number = Substring(text)
        var unit = 1.0
        for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            unit = scale
            break
        }
        guard let value = Double(number), value.isFinite, value > 0, value * unit <= 31 * 86_400 else {
            throw UsageError("--\(option) takes a time such as 30, 30s, 500ms, 5m or 1h, not '\(text)'")
        }
        return value * unit
    }

    /// "0.01" or "1%" as a share in 0...1.
    static func share(_ text: String) throws(UsageError) -> Double {
        let trimmed = text.trimmingWhitespace()
        let isPercent = trimmed.hasSuffix("%")
        guard let value = Double(isPercent ? String(trimmed.dropLast()) : trimmed), value.isFinite, value >= 0 else {
            throw UsageError("--max-error-rate takes a share such as 0.01 or 1%, not '\(text)'")
        }
        let share = isPercent ? value / 100 : value
        guard share <= 1 else { throw UsageError("--max-error-rate is a share of the requests: at most 1 (100%)") }
        return share
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let console = context.console
        var configuration = self.configuration
        // Environment variables fill what the flags and the URL do not give.
        var flags = self.flags
        for (field, variable) in [
            (CredentialResolver.Field.orgId, "FLEXMAP_ORG"), (.apiKey, "FLEXMAP_KEY"), (.mapId, "FLEXMAP_MAP"),
        ]
        where flags[field] == nil && configuration.target.credentials[field] == nil {
            if let value = context.environment[variable], !value.trimmingWhitespace().isEmpty { flags[field] = value }
        }
        configuration.credentials = ReplayCredentials(
            flags: flags, placement: placement, target: configuration.target.credentials)
        if !configuration.format.isCapture && !configuration.credentials.isComplete {
            let missing = CredentialResolver.Field.allCases.filter { configuration.credentials[$0] == nil }
            let names = missing.map { field -> String in
                switch field {
                case .orgId: return "--org (or $FLEXMAP_ORG)"
                case .apiKey: return "--key (or $FLEXMAP_KEY)"
                case .mapId: return "--map (or $FLEXMAP_MAP, or mapId in the --target URL)"
                }
            }
            throw UsageError(
                "records need orgId, apiKey and mapId to be sent; missing " + names.joined(separator: ", "))
        }
        if verify {
            configuration.verify = ReplayConfiguration.Verification(storePath: context.databasePath, trustKey: trustKey)
        }
        if dryRun { return try plan(configuration, console: console) }
        configuration.reportDirectory = reportGiven ?? ("reports/" + Timestamp.compact(Date()) + "-replay")

        let engine = try ReplayEngine(configuration)
        let trap = SignalTrap(
            console: console,
            message:
                "flexmap replay: stopping: no new requests, waiting for those in flight (Ctrl-C again to quit at once)")
        let progress = ProgressLine(console: console, enabled: !quiet)
        let result: ReplayResult
        do {
            result = try engine.run(cancel: trap.flag) { progress.draw(ReplayText.progress($0)) }
            progress.clear()
        } catch {
            progress.clear()
            throw error
        }
        withExtendedLifetime(trap) {}

        let summary = result.summary
        if json {
            console.out(summary.json(pretty: false))
        } else if !quiet {
            console.out(ReplayText.render(summary, reportDirectory: result.reportDirectory))
        }
        if !quiet, let schedule = summary.schedule, schedule.generatorBehind {
            console.err(
                "flexmap replay: warning: the sender fell behind its schedule: \(Format.count(schedule.lateByGenerator)) requests left over 10 ms late (largest delay \(String(format: "%.1f", schedule.maxLagMilliseconds)) ms); the machine is too busy for this rate. Latencies still count from the intended times."
            )
        }
        if summary.interrupted {
            console.err("flexmap replay: stopped before the end; the report covers the requests sent until then.")
            return CommandLineTool.ExitCode.failure
        }
        if !summary.thresholdFailures.isEmpty {
            for failure in summary.thresholdFailures { console.err("flexmap replay: threshold failed: \(failure)") }
            return CommandLineTool.ExitCode.thresholdFailed
        }
        return CommandLineTool.ExitCode.success
    }

    private func plan(_ configuration: ReplayConfiguration, console: Console) throws -> Int32 {
        let plan = try ReplayPlan.make(configuration)
        if json {
            console.out(ReplayText.planJSON(plan, configuration: configuration))
        } else {
            console.out(ReplayText.plan(plan, configuration: configuration))
        }
        return CommandLineTool.ExitCode.success
    }
}
