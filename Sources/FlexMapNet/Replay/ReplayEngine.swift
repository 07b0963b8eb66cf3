import FlexMapCore
import FlexMapIO
import Foundation

/// Where a replay stands, for a progress line.
public struct ReplayProgress: Sendable {
    public var elapsedSeconds: Double
    /// Requests that ended.
    public var requests: Int
    public var inFlight: Int
    public var errors: Int
    public var mismatches: Int?
    /// Over the last progress interval.
    public var requestsPerSecond: Double
    /// First-try p99 so far, milliseconds.
    public var p99Milliseconds: Double?
    /// 0...1 when the end can be told (input size, duration or request limit).
    public var fraction: Double?
    /// The generator is behind its schedule (open and recorded models).
    public var behind: Bool
}

/// One answer (or none) as the report lists it.
public struct ReplayMismatch: Sendable {
    public var index: Int
    public var record: Int
    public var line: Int
    public var label: String?
    public var expected: Prediction
    public var status: Int?
    public var error: String?
    public var reason: String?
    public var outcome: String?
    public var detail: String?
}

/// What a replay leaves: its summary and what report.html draws.
public struct ReplayResult: Sendable {
    public var summary: ReplaySummary
    public var reportDirectory: String?
    public var firstTries: LatencyHistogram
    public var retriedHistogram: LatencyHistogram
    public var timeline: LatencyTimeline
    /// The first mismatches (all of them are in mismatches.ndjson).
    public var mismatches: [ReplayMismatch]
}

/// Runs a replay: reads the input, turns records into requests, predicts their answers
/// (with --verify), paces them with ReplayScheduler, sends them through CurlMulti on the
/// calling thread, retries by RetryPolicy, and counts. Writes the report as it goes
/// (requests.ndjson, mismatches.ndjson) and at the end (summary.json, summary.md,
/// report.html). Prints nothing.
public final class ReplayEngine {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public let configuration: ReplayConfiguration
    private let builder: ReplayRequestBuilder
    private let parser = JSONParser()
    private var reader: any RecordReader
    private var predictor: ReplayPredictor?
    private var report: ReplayReportWriter?

    /// A request between being read and its final answer (a class: it is updated in
    /// place at every attempt, not copied in and out of the table).
    private final class Planned {
        let sequence: Int
        let record: Int
        let line: Int
        let label: String?
        let request: WireRequest
        let classified: ReplayPredictor.Classified?
        var firstIntendedAt: UInt64 = 0
        var attempt = 0
        var intendedAt: UInt64 = 0

        init(
            sequence: Int, record: Int, line: Int, label: String?, request: WireRequest,
            classified: ReplayPredictor.Classified?
        ) {
            self.sequence = sequence
            self.record = record
            self.line = line
            self.label = label
            self.request = request
            self.classified = classified
        }
    }

    private var planned: [Int: Planned] = [:]
    private var nextId = 0
    private var inputDone = false
    /// Requests the current pass of the input gave.
    private var passSent = 0
    /// Passes over the input (more than one with --loop).
    private var readerPasses = 1

    private var summary: ReplaySummary
    private var firstTries = LatencyHistogram()
    private var retriedHistogram = LatencyHistogram()
    private var timeline: LatencyTimeline
    private var mismatches: [ReplayMismatch] = []
    static let mismatchesKept = 200
    /// The least time between two timed wake-ups of the loop, ns.
    static let wakeGranularity: UInt64 = 100_000

    /// Opens the input, the store (with verify) and the report directory; checks the
    /// target can be set up. Throws with what to fix.
    public init(_ configuration: ReplayConfiguration) throws {
        self.configuration = configuration
        builder = ReplayRequestBuilder(
            target: configuration.target, credentials: configuration.credentials,
            idempotencyKeys: configuration.idempotencyKeys, extraHeaders: configuration.extraHeaders)
        reader = try Self.openReader(configuration)
        if let verify = configuration.verify {
            let trusted = verify.trustKey ? configuration.credentials.apiKey : nil
            let predictor = try ReplayPredictor(storePath: verify.storePath, trustedKey: trusted)
            if let mapId = configuration.credentials[.mapId], !predictor.knowsMapping(mapId) {
                throw Failure(
                    message:
                        "--verify: the store \(verify.storePath) has no mapping \(mapId); verify against the store the endpoint uses (--db), or leave --verify out"
                )
            }
            self.predictor = predictor
        }
        var model = "closed"
        var concurrency: Int?
        var rate: Double?
        var speed: Double?
        switch configuration.pacing {
        case .closed(let value): concurrency = value
        case .open(let value, let limit):
            model = "open"
            rate = value
            concurrency = limit
        case .recorded(let value, let limit):
            model = "recorded"
            speed = value
            concurrency = limit
        }
        summary = ReplaySummary(
            input: configuration.input, format: configuration.format.rawValue,
            target: ReplayTarget.display(configuration.target, captures: configuration.format.isCapture), model: model,
            concurrency: concurrency,
            askedRate: rate, speed: speed, startedAt: Timestamp.iso8601(Date()), durationSeconds: 0)
        if configuration.verify != nil { summary.verify = ReplaySummary.Verify() }
        // 1 ms bins to start with, doubled as the run goes on: 80 to 160 bins in the end.
        timeline = LatencyTimeline(binWidth: 1_000_000, maxBins: 160)
        if let directory = configuration.reportDirectory {
            report = try ReplayReportWriter(
                directory: directory, verify: configuration.verify != nil, secrets: configuration.secrets)
        }
    }

    static func openReader(_ configuration: ReplayConfiguration) throws -> any RecordReader {
        let source = try ByteSource(path: configuration.input)
        return try Readers.open(configuration.format, source: source, options: configuration.readerOptions)
    }

    /// Sends everything; returns when the input, the duration or the request limit is
    /// used up and every request has ended, or soon after `cancel` is set (the requests
    /// in flight finish; nothing new leaves).
    public func run(
        cancel: CancellationFlag = CancellationFlag(), progress: (ReplayProgress) -> Void = { _ in }
    ) throws -> ReplayResult {
        let settings = CurlSettings(
            timeoutMilliseconds: Int(configuration.timeout * 1000),
            connectTimeoutMilliseconds: Int(min(configuration.timeout, 10) * 1000),
            maxConnections: configuration.parallelism + 8,
            keepResponses: report != nil || predictor != nil,
            readRetryAfter: configuration.retry.maxRetries > 0, insecure: configuration.insecure,
            commonHeaders: builder.commonHeaders)
        let curl: CurlMulti
        do {
            curl = try CurlMulti(settings: settings)
        } catch {
            throw Failure(message: error.description)
        }
        var scheduler = ReplayScheduler(
            pacing: configuration.pacing, maxRequests: configuration.maxRequests,
            duration: configuration.duration.map { UInt64($0 * 1e9) })
        // Read ahead before the clock starts, so the first requests leave on time.
        try refill(&scheduler)
        let start = MonotonicClock.now()
        var lastProgress = start
        var lastProgressRequests = 0
        var stopped = false
        var random = SplitMixRandom(seed: UInt64.random(in: 0...UInt64.max))
        let wallStart = Date()

        while true {
            if cancel.isCancelled && !stopped {
                stopped = true
                summary.interrupted = true
                for id in scheduler.stop() { try finalize(id, outcome: lastOutcome[id]) }
            }
            try refill(&scheduler)
            var now = MonotonicClock.now() - start
            var started = 0
            while let dispatch = scheduler.next(now: now) {
                guard let entry = planned[dispatch.id] else { continue }
                entry.attempt = dispatch.attempt
                entry.intendedAt = dispatch.intendedAt
                if dispatch.attempt == 1 { entry.firstIntendedAt = dispatch.intendedAt }
                do {
                    try curl.start(entry.request, id: dispatch.id)
                } catch {
                    throw Failure(message: error.description)
                }
                started += 1
            }
            do {
                try curl.perform()
            } catch {
                throw Failure(message: error.description)
            }
            let results = curl.completions()
            if !results.isEmpty {
                now = MonotonicClock.now() - start
                for result in results {
                    try complete(result, now: now, scheduler: &scheduler, random: &random, wall: wallStart)
                }
            }
            if scheduler.isFinished { break }
            if results.isEmpty && started == 0 {
                // Timed sends are gathered into wake-ups at least `wakeGranularity` apart:
                // at high rates a wake-up per request costs more than the requests, and
                // the wait (counted in the latency, from the intended time) stays tiny.
                let clock = MonotonicClock.now()
                let wake = scheduler.wakeUp(now: clock - start).map { max($0 + start, clock + Self.wakeGranularity) }
                do {
                    try curl.wait(until: wake, maxWait: 50)
                } catch {
                    throw Failure(message: error.description)
                }
            }
            let clock = MonotonicClock.now()
            if clock - lastProgress >= 100_000_000 {
                let interval = Double(clock - lastProgress) / 1e9
                progress(
                    snapshot(
                        elapsed: Double(clock - start) / 1e9, inFlight: scheduler.inFlightCount,
                        rate: Double(summary.requests - lastProgressRequests) / interval, scheduler: scheduler))
                lastProgress = clock
                lastProgressRequests = summary.requests
            }
        }
        let end = MonotonicClock.now()
        summary.durationSeconds = Double(end - start) / 1e9
        predictor?.close()
        return try finish(scheduler: scheduler)
    }

    // MARK: - Reading

    /// A request ready to offer: built, and classified with --verify.
    private struct Prepared {
        var record: Int
        var line: Int
        var label: String?
        var capturedAt: Double?
        var request: WireRequest
        var classified: ReplayPredictor.Classified?
    }

    /// With --loop, the first pass's requests when the input is small enough to keep
    /// (later passes send them again without reading, building and classifying anew).
    private var cache: [Prepared]? = []
    private var cacheBytes = 0
    private var cacheCursor = 0
    private static let cacheLimit = (requests: 100_000, bytes: 64 << 20)
    /// Captured times of the first pass, so later passes follow on with the same gaps.
    private var capturedSpan: (first: Double, last: Double, count: Int)?

    /// Offers requests to the scheduler while it wants more; records that cannot be sent
    /// are counted and listed on the way.
    private func refill(_ scheduler: inout ReplayScheduler) throws {
        while scheduler.wantsItems && !inputDone {
            guard let prepared = try nextPrepared() else {
                inputDone = true
                scheduler.finishInput()
                break
            }
            let id = nextId
            var recordedAt = prepared.capturedAt
            if readerPasses > 1, let at = recordedAt, let span = capturedSpan {
                // Pass k starts one mean gap after pass k-1 ended.
                let gap = span.count > 1 ? (span.last - span.first) / Double(span.count - 1) : 1
                recordedAt = at + Double(readerPasses - 1) * (span.last - span.first + gap)
            }
            let item = ReplayScheduler.Item(id: id, key: prepared.classified?.dedupeKey, recordedAt: recordedAt)
            guard scheduler.offer(item) else {
                inputDone = true
                break
            }
            nextId += 1
            planned[id] = Planned(
                sequence: id + 1, record: prepared.record, line: prepared.line, label: prepared.label,
                request: prepared.request, classified: prepared.classified)
        }
    }

    /// The next request. With --loop, the input starts again at its end (when the pass
    /// sent something, so a file of unsendable records does not spin): from the cache
    /// when the first pass fitted in it, else read again.
    private func nextPrepared() throws -> Prepared? {
        while true {
            if readerPasses > 1, let cache {
                guard !cache.isEmpty else { return nil }
                if cacheCursor == cache.count {
                    cacheCursor = 0
                    readerPasses += 1
                }
                cacheCursor += 1
                return cache[cacheCursor - 1]
            }
            guard let record = try reader.next() else {
                guard configuration.loop, passSent > 0, configuration.input != "-" else { return nil }
                readerPasses += 1
                passSent = 0
                if cache != nil {
                    cacheCursor = 0
                    continue
                }
                reader = try Self.openReader(configuration)
                continue
            }
            switch builder.build(record, header: reader.header, parser: parser) {
            case .failure(let notSent):
                // Counted once, in the first pass.
                if readerPasses == 1 {
                    summary.notSent[notSent.reason.rawValue, default: 0] += 1
                    try report?.notSent(record: record.number, line: record.line, reason: notSent.reason.rawValue)
                }
            case .success(let request):
                let classified = try predictor?.classify(request.webhookRequest(common: builder.commonHeaders))
                let prepared = Prepared(
                    record: record.number, line: record.line, label: record.label, capturedAt: record.capturedAt,
                    request: request, classified: classified)
                passSent += 1
                if readerPasses == 1 {
                    if let at = record.capturedAt {
                        let span = capturedSpan ?? (at, at, 0)
                        capturedSpan = (min(span.first, at), max(span.last, at), span.count + 1)
                    }
                    if configuration.loop, cache != nil {
                        cacheBytes += request.body.count + request.url.utf8.count + 256
                        if cache!.count < Self.cacheLimit.requests && cacheBytes <= Self.cacheLimit.bytes {
                            cache!.append(prepared)
                        } else {
                            cache = nil
                        }
                    }
                }
                return prepared
            }
        }
    }

    // MARK: - Answers

    /// The last attempt of each request waiting for a retry, should the retry be dropped.
    private var lastOutcome: [Int: AttemptOutcome] = [:]

    struct AttemptOutcome {
        var status: Int?
        var error: ReplayErrorKind?
        var errorMessage: String?
        var reason: String?
        var outcome: String?
        var detail: String?
        var reasonGiven: Bool
        /// Latency of this attempt, ns; nil for connection errors.
        var latency: UInt64?
        /// When it ended, ns since the start.
        var endedAt: UInt64
    }

    private func complete(
        _ result: CurlResult, now: UInt64, scheduler: inout ReplayScheduler, random: inout SplitMixRandom, wall: Date
    ) throws {
        guard let entry = planned[result.id] else { return }
        let outcome = attemptOutcome(result, entry: entry, now: now)
        summary.attempts += 1
        if entry.attempt == 1, let latency = outcome.latency { firstTries.record(nanoseconds: latency) }
        timeline.record(
            at: entry.intendedAt, microseconds: outcome.latency.map { UInt32(clamping: ($0 + 500) / 1000) },
            error: outcome.error != nil || (outcome.status.map { $0 >= 500 || $0 == 429 } ?? false))
        var delay: UInt64?
        if configuration.retry.retries(afterAttempt: entry.attempt, status: outcome.status, error: outcome.error) {
            delay = configuration.retry.delay(
                afterAttempt: entry.attempt, status: outcome.status, error: outcome.error,
                retryAfter: result.retryAfter,
                now: wall.timeIntervalSince1970 + Double(now) / 1e9, random: Double.random(in: 0..<1, using: &random))
        }
        let completion = scheduler.completed(id: result.id, retryAt: delay.map { now + $0 })
        let isFinal = completion == .final
        try report?.attempt(
            index: entry.sequence, record: entry.record, line: entry.line, attempt: entry.attempt, outcome: outcome,
            startMicroseconds: entry.intendedAt / 1000, final: isFinal)
        if isFinal {
            try finalize(result.id, outcome: outcome)
        } else {
            summary.retried.causes[outcome.status.map(String.init) ?? outcome.error?.rawValue ?? "other", default: 0] +=
                1
            lastOutcome[result.id] = outcome
        }
    }

    /// An attempt's outcome. Its latency runs from when it was meant to leave to `now`,
    /// when the loop saw it end: what the sender lived through, its own delays included
    /// (libcurl's TOTAL_TIME starts only when libcurl first works on the transfer and
    /// reads a clock cached per loop pass; under load it showed a seventh of this).
    private func attemptOutcome(_ result: CurlResult, entry: Planned, now: UInt64) -> AttemptOutcome {
        var outcome = AttemptOutcome(
            status: result.status > 0 ? result.status : nil, error: result.error,
            errorMessage: result.error == nil ? nil : scrub(result.errorMessage), reason: nil, outcome: nil,
            detail: nil,
            reasonGiven: false, latency: nil, endedAt: 0)
        if result.status > 0 || result.error == .timeout {
            outcome.latency = now >= entry.intendedAt ? now - entry.intendedAt : 0
        }
        outcome.endedAt = now
        if result.status > 0, !result.body.isEmpty, case .object(let object)? = try? parser.parse(result.body) {
            switch object["reason"] {
            case .string(let text)?:
                outcome.reason = text
                outcome.reasonGiven = true
            case .null?:
                outcome.reasonGiven = true
            default: break
            }
            if case .string(let text)? = object["outcome"] { outcome.outcome = text }
            if case .string(let text)? = object["detail"] { outcome.detail = scrub(text) }
        }
        return outcome
    }

    /// The request's last attempt is its result.
    private func finalize(_ id: Int, outcome: AttemptOutcome?) throws {
        guard let entry = planned.removeValue(forKey: id) else { return }
        lastOutcome[id] = nil
        guard let outcome else { return }
        summary.requests += 1
        if let status = outcome.status {
            summary.statusCounts[status, default: 0] += 1
            if status >= 500 || status == 429 { summary.failedRequests += 1 }
            summary.answeredOutcomes[outcome.outcome ?? "(none)", default: 0] += 1
            if let reason = outcome.reason { summary.answeredReasons[reason, default: 0] += 1 }
        } else {
            summary.errors[outcome.error ?? .other, default: 0] += 1
            summary.failedRequests += 1
        }
        if entry.attempt > 1 {
            summary.retried.requests += 1
            summary.retried.attempts += entry.attempt
            if outcome.status != nil || outcome.error == .timeout, outcome.endedAt > entry.firstIntendedAt {
                retriedHistogram.record(nanoseconds: outcome.endedAt - entry.firstIntendedAt)
            }
        }
        guard let classified = entry.classified, let predictor, summary.verify != nil else { return }
        // Every earlier request with the same phone has its answer now (the scheduler
        // sent them one at a time): the prediction can take them into account.
        let prediction = try predictor.prediction(for: classified)
        try predictor.settle(classified, status: outcome.status)
        summary.verify!.predicted[prediction.reason ?? "created", default: 0] += 1
        guard let status = outcome.status else {
            summary.verify!.unanswered += 1
            return
        }
        summary.verify!.compared += 1
        guard !prediction.accepts(status: status, reason: outcome.reason, reasonGiven: outcome.reasonGiven) else {
            return
        }
        summary.verify!.mismatches += 1
        let expected = "\(prediction.status) \(prediction.reason ?? "created")"
        let answered = "\(status) \(outcome.reason ?? outcome.outcome ?? "(no reason)")"
        summary.verify!.patterns[expected + " → " + answered, default: 0] += 1
        let mismatch = ReplayMismatch(
            index: entry.sequence, record: entry.record, line: entry.line, label: entry.label, expected: prediction,
            status: status, error: nil, reason: outcome.reason, outcome: outcome.outcome, detail: outcome.detail)
        if mismatches.count < Self.mismatchesKept { mismatches.append(mismatch) }
        try report?.mismatch(mismatch)
    }

    /// Text from the endpoint or libcurl, with the replay's key (and anything shaped like
    /// a key) replaced.
    private func scrub(_ text: String) -> String {
        text.isEmpty ? text : FlexMapCore.CaptureRedaction.scrub(text, secrets: configuration.secrets)
    }

    private func snapshot(elapsed: Double, inFlight: Int, rate: Double, scheduler: ReplayScheduler) -> ReplayProgress {
        var fractions: [Double] = []
        if let duration = configuration.duration, duration > 0 { fractions.append(elapsed / duration) }
        if let limit = configuration.maxRequests, limit > 0 {
            fractions.append(Double(summary.requests) / Double(limit))
        }
        if !configuration.loop, let total = reader.totalBytes, total > 0, readerPasses == 1 {
            fractions.append(Double(reader.bytesRead) / Double(total) * (inputDone ? 1 : 0.99))
        }
        let statistics = scheduler.statistics
        return ReplayProgress(
            elapsedSeconds: elapsed, requests: summary.requests, inFlight: inFlight,
            errors: summary.errorCount, mismatches: summary.verify?.mismatches, requestsPerSecond: rate,
            p99Milliseconds: firstTries.count > 0 ? Double(firstTries.percentile(99) ?? 0) / 1000 : nil,
            fraction: fractions.max().map { min(1, $0) },
            behind: configuration.pacing.isOpen && statistics.lateByGenerator > max(10, statistics.firstSends / 100))
    }

    // MARK: - End

    private func finish(scheduler: ReplayScheduler) throws -> ReplayResult {
        summary.latency = LatencySummary(firstTries)
        summary.retried.latency = LatencySummary(retriedHistogram)
        // With --loop, what was read ahead and not sent is only copies of the input.
        summary.unsent = configuration.loop ? 0 : scheduler.statistics.unsent
        if configuration.pacing.isOpen {
            let statistics = scheduler.statistics
            var achieved = 0.0
            if statistics.firstSends > 1, let first = statistics.firstSentAt, let last = statistics.lastSentAt,
                last > first
            {
                achieved = Double(statistics.firstSends - 1) / (Double(last - first) / 1e9)
            }
            var asked: Double?
            if case .open(let rate, _) = configuration.pacing { asked = rate }
            if case .recorded = configuration.pacing, statistics.firstSends > 1, let first = statistics.firstIntendedAt,
                let last = statistics.lastIntendedAt, last > first
            {
                asked = Double(statistics.firstSends - 1) / (Double(last - first) / 1e9)
            }
            summary.schedule = ReplaySummary.Schedule(
                askedPerSecond: asked, achievedPerSecond: achieved, sent: statistics.firstSends, late: statistics.late,
                lateByGenerator: statistics.lateByGenerator, lateByLimit: statistics.lateByLimit,
                lateByOrdering: statistics.lateByOrdering, maxLagMilliseconds: Double(statistics.maxLag) / 1e6,
                meanLagMilliseconds: statistics.firstSends > 0
                    ? Double(statistics.totalLag) / Double(statistics.firstSends) / 1e6 : 0)
        }
        summary.thresholdFailures = configuration.thresholds.failures(summary)
        var result = ReplayResult(
            summary: summary, reportDirectory: configuration.reportDirectory, firstTries: firstTries,
            retriedHistogram: retriedHistogram, timeline: timeline, mismatches: mismatches)
        if let report {
            result.summary.files = report.files
            try report.finish(result)
        }
        return result
    }
}

extension ReplayTarget {
    /// Where requests go, for people (the key never shown): records to the webhook path
    /// unless the URL names another; captured requests to their own paths.
    static func display(_ target: ReplayTarget, captures: Bool) -> String {
        var shown = target
        if shown.path == nil && !captures { shown.path = WebhookRequest.flexPath }
        return shown.display
    }
}

/// SplitMix64: a fast generator for backoff jitter (seeded from the system's).
struct SplitMixRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
