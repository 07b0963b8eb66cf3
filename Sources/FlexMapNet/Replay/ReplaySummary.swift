import FlexMapCore
import FlexMapIO

/// A replay's numbers: what summary.json and the `--json` line hold.
///
/// Counting: `requests` is every request that was sent and ended, once each, however
/// many attempts it took; it equals the sum of `statusCounts` (its final answer) and
/// `errors` (it ended without one). `attempts` counts every HTTP exchange, retries
/// included. `latency` is of first tries only; requests that needed retries are
/// described apart in `retried` (their whole time, first try to final answer).
public struct ReplaySummary: Sendable {
    public var input: String
    public var format: String
    public var target: String
    public var model: String
    public var concurrency: Int?
    public var askedRate: Double?
    public var speed: Double?
    public var startedAt: String
    public var durationSeconds: Double
    public var requests = 0
    public var attempts = 0
    public var statusCounts: [Int: Int] = [:]
    public var errors: [ReplayErrorKind: Int] = [:]
    public var latency = LatencySummary(LatencyHistogram())
    public var retried = Retried()
    /// Requests whose final answer was a 5xx or 429, or none.
    public var failedRequests = 0
    /// The endpoint's answers by `outcome` and `reason` (from its JSON body).
    public var answeredOutcomes: [String: Int] = [:]
    public var answeredReasons: [String: Int] = [:]
    /// Records that could not become requests, by reason.
    public var notSent: [String: Int] = [:]
    /// Requests read but not sent: the duration ran out or the run was stopped.
    public var unsent = 0
    public var schedule: Schedule?
    public var verify: Verify?
    public var interrupted = false
    public var thresholdFailures: [String] = []
    public var files: [String] = []

    public struct Retried: Sendable {
        public var requests = 0
        /// Attempts of those requests, first tries included.
        public var attempts = 0
        public var latency = LatencySummary(LatencyHistogram())
        /// Attempts that were retried, by what they got: "503", "429", "timeout", ….
        public var causes: [String: Int] = [:]
    }

    /// How an open or recorded run kept to its schedule.
    public struct Schedule: Sendable {
        public var askedPerSecond: Double?
        public var achievedPerSecond: Double
        public var sent: Int
        public var late: Int
        public var lateByGenerator: Int
        public var lateByLimit: Int
        public var lateByOrdering: Int
        public var maxLagMilliseconds: Double
        public var meanLagMilliseconds: Double

        /// The generator fell behind: more than 1% of the requests left over 10 ms
        /// late with nothing holding them.
        public var generatorBehind: Bool { lateByGenerator > max(0, sent / 100) }
        /// The in-flight limit held more than 1% of the requests past their time.
        public var limitBehind: Bool { lateByLimit > max(0, sent / 100) }
    }

    public struct Verify: Sendable {
        public var predicted: [String: Int] = [:]
        /// Answered requests compared with their prediction.
        public var compared = 0
        public var mismatches = 0
        /// Requests that ended without an answer to compare.
        public var unanswered = 0
        /// Mismatches by kind: "201 created → 404 mapping-unknown".
        public var patterns: [String: Int] = [:]
    }

    public var requestsPerSecond: Double { durationSeconds > 0 ? Double(requests) / durationSeconds : 0 }
    public var errorRate: Double { requests > 0 ? Double(failedRequests) / Double(requests) : 0 }
    public var errorCount: Int { errors.values.reduce(0, +) }
    public var notSentCount: Int { notSent.values.reduce(0, +) }

    /// summary.json (pretty) or the `--json` line (compact).
    public func json(pretty: Bool) -> String {
        let value = JSONValue.object(JSONObject(members))
        return pretty ? JSONText.pretty(value) + "\n" : JSONText.encode(value)
    }

    static func number(_ value: Double, _ decimals: Int = 3) -> JSONValue {
        .double(ReportText.rounded(value, decimals: decimals))
    }

    static func counts(_ values: [String: Int]) -> JSONValue {
        .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) }))
    }

    static func latencyJSON(_ latency: LatencySummary) -> JSONValue {
        .object(
            JSONObject([
                ("p50", number(latency.p50)), ("p90", number(latency.p90)), ("p99", number(latency.p99)),
                ("p99.9", number(latency.p999)), ("max", number(latency.max)), ("min", number(latency.min)),
                ("mean", number(latency.mean)), ("count", .int(Int64(latency.count))),
            ]))
    }

    private var members: [(key: String, value: JSONValue)] {
        var out: [(key: String, value: JSONValue)] = [
            ("requests", .int(Int64(requests))),
            ("requestsPerSecond", Self.number(requestsPerSecond, 1)),
            (
                "statusCounts",
                Self.counts(Dictionary(uniqueKeysWithValues: statusCounts.map { (String($0.key), $0.value) }))
            ),
            (
                "errors",
                .object(JSONObject(ReplayErrorKind.allCases.map { ($0.rawValue, .int(Int64(errors[$0] ?? 0))) }))
            ),
            ("latencyMs", Self.latencyJSON(latency)),
        ]
        if let verify { out.append(("mismatches", .int(Int64(verify.mismatches)))) }
        out += [
            ("attempts", .int(Int64(attempts))),
            ("errorRate", Self.number(errorRate, 6)),
            (
                "retried",
                .object(
                    JSONObject([
                        ("requests", .int(Int64(retried.requests))), ("attempts", .int(Int64(retried.attempts))),
                        ("latencyMs", Self.latencyJSON(retried.latency)), ("causes", Self.counts(retried.causes)),
                    ]))
            ),
            (
                "answers",
                .object(
                    JSONObject([("outcomes", Self.counts(answeredOutcomes)), ("reasons", Self.counts(answeredReasons))])
                )
            ),
            (
                "notSent",
                .object(JSONObject([("total", .int(Int64(notSentCount))), ("reasons", Self.counts(notSent))]))
            ),
            ("unsent", .int(Int64(unsent))),
            ("durationSeconds", Self.number(durationSeconds)),
            ("model", .string(model)),
        ]
        if let concurrency { out.append(("concurrency", .int(Int64(concurrency)))) }
        if let askedRate { out.append(("rate", Self.number(askedRate, 3))) }
        if let speed { out.append(("speed", Self.number(speed, 3))) }
        if let schedule {
            var members: [(key: String, value: JSONValue)] = []
            if let asked = schedule.askedPerSecond { members.append(("askedPerSecond", Self.number(asked, 1))) }
            members += [
                ("achievedPerSecond", Self.number(schedule.achievedPerSecond, 1)),
                ("sent", .int(Int64(schedule.sent))),
                ("late", .int(Int64(schedule.late))),
                ("lateByGenerator", .int(Int64(schedule.lateByGenerator))),
                ("lateByInFlightLimit", .int(Int64(schedule.lateByLimit))),
                ("lateByOrdering", .int(Int64(schedule.lateByOrdering))),
                ("maxLagMs", Self.number(schedule.maxLagMilliseconds)),
                ("meanLagMs", Self.number(schedule.meanLagMilliseconds)),
                ("generatorBehind", .bool(schedule.generatorBehind)),
            ]
            out.append(("schedule", .object(JSONObject(members))))
        }
        if let verify {
            out.append(
                (
                    "verify",
                    .object(
                        JSONObject([
                            ("predicted", Self.counts(verify.predicted)), ("compared", .int(Int64(verify.compared))),
                            ("mismatches", .int(Int64(verify.mismatches))),
                            ("unanswered", .int(Int64(verify.unanswered))),
                            ("patterns", Self.counts(verify.patterns)),
                        ]))
                ))
        }
        out += [
            ("command", .string("replay")),
            ("input", .string(input)),
            ("format", .string(format)),
            ("target", .string(target)),
            ("startedAt", .string(startedAt)),
            ("interrupted", .bool(interrupted)),
            ("thresholdFailures", .array(thresholdFailures.map { .string($0) })),
            ("files", .array(files.map { .string($0) })),
        ]
        return out
    }
}
