import FlexMapCore
import FlexMapIO

/// What a replay would do, without sending anything (`--dry-run`): it reads the whole
/// input once, builds every request (and with --verify predicts every answer).
public struct ReplayPlan: Sendable {
    /// Records in one pass of the input.
    public var records = 0
    /// Requests one pass makes (records minus those that cannot be sent).
    public var requestsPerPass = 0
    public var notSent: [String: Int] = [:]
    /// Predicted answers by reason ("created" for 201), with --verify.
    public var predicted: [String: Int]?
    /// Requests the run would send; nil when only the endpoint's speed decides.
    public var requests: Int?
    /// Seconds the run would take; nil when only the endpoint's speed decides.
    public var seconds: Double?
    /// The first request as it would go out, its API key redacted.
    public var example: String?

    /// Reads the input and works the plan out.
    public static func make(_ configuration: ReplayConfiguration) throws -> ReplayPlan {
        let builder = ReplayRequestBuilder(
            target: configuration.target, credentials: configuration.credentials,
            idempotencyKeys: configuration.idempotencyKeys, extraHeaders: configuration.extraHeaders)
        let reader = try ReplayEngine.openReader(configuration)
        let parser = JSONParser()
        var predictor: ReplayPredictor?
        if let verify = configuration.verify {
            predictor = try ReplayPredictor(
                storePath: verify.storePath, trustedKey: verify.trustKey ? configuration.credentials.apiKey : nil)
        }
        defer { predictor?.close() }
        var plan = ReplayPlan()
        if predictor != nil { plan.predicted = [:] }
        var firstAt: Double?
        var lastAt: Double?
        while let record = try reader.next() {
            plan.records += 1
            switch builder.build(record, header: reader.header, parser: parser) {
            case .failure(let notSent):
                plan.notSent[notSent.reason.rawValue, default: 0] += 1
            case .success(let request):
                if let limit = configuration.maxRequests, plan.requestsPerPass >= limit { continue }
                plan.requestsPerPass += 1
                if plan.example == nil {
                    plan.example = Self.show(request, common: builder.commonHeaders, secrets: configuration.secrets)
                }
                if let predictor {
                    // As if the endpoint answers every request as predicted.
                    let classified = try predictor.classify(request.webhookRequest(common: builder.commonHeaders))
                    let prediction = try predictor.prediction(for: classified)
                    try predictor.settle(classified, status: prediction.status)
                    plan.predicted![prediction.reason ?? "created", default: 0] += 1
                }
                if let at = record.capturedAt {
                    firstAt = firstAt.map { min($0, at) } ?? at
                    lastAt = lastAt.map { max($0, at) } ?? at
                }
            }
        }
        let looping = configuration.loop && plan.requestsPerPass > 0
        var requests: Int? = looping ? nil : plan.requestsPerPass
        if let limit = configuration.maxRequests { requests = min(requests ?? limit, limit) }
        switch configuration.pacing {
        case .open(let rate, _):
            if let duration = configuration.duration {
                let scheduled = Int((duration * rate).rounded(.up))
                requests = min(requests ?? scheduled, scheduled)
            }
            plan.seconds = requests.map { Double($0) / rate }
        case .recorded(let speed, _):
            if let firstAt, let lastAt, !looping { plan.seconds = (lastAt - firstAt) / speed }
            if let duration = configuration.duration { plan.seconds = min(plan.seconds ?? duration, duration) }
        case .closed:
            plan.seconds = configuration.duration
        }
        plan.requests = requests
        return plan
    }

    /// A request for people: the request line, the headers, the body (cut at 1 KiB), with
    /// every API key replaced by REDACTED.
    static func show(_ request: WireRequest, common: [(name: String, value: String)], secrets: [String]) -> String {
        let (path, query) = split(request.target)
        let entry = CaptureFormat.Entry(
            timestamp: "", method: request.method, path: path, rawQuery: query,
            headers: (request.usesCommonHeaders ? common : []) + request.headers, body: request.body)
        let redacted = FlexMapCore.CaptureRedaction.redact(entry)
        let origin = request.url.hasSuffix(request.target) ? String(request.url.dropLast(request.target.count)) : ""
        var text =
            "\(redacted.method) \(origin)\(redacted.path)" + (redacted.rawQuery.isEmpty ? "" : "?" + redacted.rawQuery)
            + "\n"
        for (name, value) in redacted.headers { text += "\(name): \(value)\n" }
        var body = String(decoding: redacted.body.prefix(1024), as: UTF8.self)
        if redacted.body.count > 1024 { body += "…" }
        if !body.isEmpty { text += "\n" + body + "\n" }
        for secret in secrets where !secret.isEmpty {
            text = text.replacingAll(secret, with: FlexMapCore.CaptureRedaction.placeholder)
        }
        return text
    }

    static func split(_ target: String) -> (String, String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
