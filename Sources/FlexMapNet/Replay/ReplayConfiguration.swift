import FlexMapCore
import FlexMapIO

/// Everything `flexmap replay` can be told.
public struct ReplayConfiguration: Sendable {
    public var input: String
    public var format: InputFormat
    public var readerOptions: ReaderOptions
    public var target: ReplayTarget
    public var credentials: ReplayCredentials
    public var pacing: ReplayScheduler.Pacing
    /// Most requests to send (first tries).
    public var maxRequests: Int?
    /// Seconds: no request is sent that was meant to leave later.
    public var duration: Double?
    /// Start the input again at its end (with a duration or a request limit).
    public var loop: Bool
    /// Seconds a request may take, connection included.
    public var timeout: Double
    public var retry: RetryPolicy
    /// Predict every answer from this store and compare (`--verify`).
    public var verify: Verification?
    public var idempotencyKeys: Bool
    /// `--header 'Name: value'`.
    public var extraHeaders: [(name: String, value: String)]
    /// Do not check TLS certificates.
    public var insecure: Bool
    public var thresholds: ReplayThresholds
    /// Where the report goes; nil writes none.
    public var reportDirectory: String?

    public struct Verification: Sendable, Equatable {
        public var storePath: String
        /// Take the replay's own API key as valid (the endpoint's store holds it, the local one does not).
        public var trustKey: Bool

        public init(storePath: String, trustKey: Bool = false) {
            self.storePath = storePath
            self.trustKey = trustKey
        }
    }

    public init(
        input: String, format: InputFormat, readerOptions: ReaderOptions = ReaderOptions(), target: ReplayTarget,
        credentials: ReplayCredentials = ReplayCredentials(), pacing: ReplayScheduler.Pacing = .closed(concurrency: 16),
        maxRequests: Int? = nil, duration: Double? = nil, loop: Bool = false, timeout: Double = 30,
        retry: RetryPolicy = RetryPolicy(), verify: Verification? = nil, idempotencyKeys: Bool = true,
        extraHeaders: [(name: String, value: String)] = [], insecure: Bool = false,
        thresholds: ReplayThresholds = ReplayThresholds(), reportDirectory: String? = nil
    ) {
        self.input = input
        self.format = format
        self.readerOptions = readerOptions
        self.target = target
        self.credentials = credentials
        self.pacing = pacing
        self.maxRequests = maxRequests
        self.duration = duration
        self.loop = loop
        self.timeout = timeout
        self.retry = retry
        self.verify = verify
        self.idempotencyKeys = idempotencyKeys
        self.extraHeaders = extraHeaders
        self.insecure = insecure
        self.thresholds = thresholds
        self.reportDirectory = reportDirectory
    }

    /// The most requests in flight at once.
    var parallelism: Int {
        switch pacing {
        case .closed(let concurrency): return concurrency
        case .open(_, let limit), .recorded(_, let limit): return limit
        }
    }

    /// Secrets no output may show: the replay's API key.
    var secrets: [String] { credentials.apiKey.map { [$0] } ?? [] }
}

/// Limits that fail a CI job (exit 3) when a replay passes them.
public struct ReplayThresholds: Sendable, Equatable {
    /// Largest share (0...1) of requests that may fail: no answer (connect, timeout,
    /// reset, TLS) or a final 5xx or 429.
    public var maxErrorRate: Double?
    /// Largest first-try p99 latency, milliseconds.
    public var maxP99Milliseconds: Double?

    public init(maxErrorRate: Double? = nil, maxP99Milliseconds: Double? = nil) {
        self.maxErrorRate = maxErrorRate
        self.maxP99Milliseconds = maxP99Milliseconds
    }

    /// What the run broke, one sentence each; empty when it passed. With `--verify`,
    /// any mismatch fails too.
    public func failures(_ summary: ReplaySummary) -> [String] {
        var out: [String] = []
        if let maxErrorRate, summary.errorRate > maxErrorRate {
            out.append(
                "error rate \(Self.percent(summary.errorRate)) is above --max-error-rate \(Self.percent(maxErrorRate)) "
                    + "(\(summary.failedRequests) of \(summary.requests) requests failed)")
        }
        if let maxP99Milliseconds, summary.latency.count > 0, summary.latency.p99 > maxP99Milliseconds {
            out.append(
                "p99 latency \(ReportText.fixed(summary.latency.p99, decimals: 2)) ms is above --max-p99 "
                    + "\(ReportText.fixed(maxP99Milliseconds, decimals: 2)) ms")
        }
        if let verify = summary.verify, verify.mismatches > 0 {
            out.append("\(verify.mismatches) answers differ from the predictions (--verify)")
        }
        return out
    }

    static func percent(_ share: Double) -> String {
        ReportText.fixed(share * 100, decimals: share * 100 < 1 ? 2 : 1) + "%"
    }
}
