import FlexMapCore
import FlexMapIO
import Foundation
import Synchronization

/// The webhook endpoint's request handler: routing, the body limit, the processor (on
/// the daemon thread: pure and bounded work), the capture, and the store through the
/// group-commit writer (never on a daemon thread: the connection is suspended until
/// its transaction commits).
final class ServeHandler: HTTPRequestHandler {
    let configuration: ServeConfiguration
    let committer: ContactCommitter
    let registry: RegistryWatcher
    let capture: CaptureWriter?
    let statistics: ServeStatistics
    let events: @Sendable (ServeEvent) -> Void
    /// Set at shutdown: answers then ask clients to close their connections.
    let draining = Atomic<Bool>(false)
    /// Past this many dropped body bytes the connection is closed instead of read on.
    let dropLimit: Int

    static let healthPath = "/healthz"
    /// Answers that a registry change made since the last reload could turn around.
    static let mayBeStale: Set<Reason> = [.authInvalid, .mappingUnknown, .mappingInactive]

    init(
        configuration: ServeConfiguration, committer: ContactCommitter, registry: RegistryWatcher,
        capture: CaptureWriter?,
        statistics: ServeStatistics, events: @escaping @Sendable (ServeEvent) -> Void
    ) {
        self.configuration = configuration
        self.committer = committer
        self.registry = registry
        self.capture = capture
        self.statistics = statistics
        self.events = events
        dropLimit = max(16 << 20, configuration.maxBodyBytes * 4)
    }

    func headersReceived(_ exchange: HTTPExchange) -> HTTPResponse? {
        // Refuse a declared oversized body before reading it.
        guard let declared = exchange.header("Content-Length").flatMap({ Int($0.trimmingWhitespace()) }),
            declared > configuration.maxBodyBytes
        else { return nil }
        exchange.bodyBytesDropped = declared
        record(exchange)
        return finish(exchange, .tooLarge(limit: configuration.maxBodyBytes))
    }

    func bodyReceived(_ exchange: HTTPExchange, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if exchange.elapsed > .seconds(configuration.requestTimeoutSeconds) {
            exchange.dropReason = .slowBody(seconds: configuration.requestTimeoutSeconds)
            return false
        }
        if exchange.bodyBytesDropped > 0 || exchange.body.count + bytes.count > configuration.maxBodyBytes {
            exchange.bodyBytesDropped += bytes.count
            exchange.body = []
            // Read and dropped up to a bound (so a finite body still gets its 413), then
            // the connection is closed: an endless body costs no more than that.
            if exchange.bodyBytesDropped > dropLimit {
                exchange.dropReason = .bodyTooLarge(bytes: dropLimit)
                return false
            }
            return true
        }
        exchange.body.append(contentsOf: bytes)
        return true
    }

    func requestComplete(_ exchange: HTTPExchange) -> HTTPReply {
        let request = WebhookRequest(
            method: exchange.method, target: exchange.target, headers: exchange.headers, body: exchange.body)
        if request.path == Self.healthPath {
            if request.method == "GET" || request.method == "HEAD" {
                statistics.record(status: 200)
                log(exchange, status: 200, outcome: "ok", reason: nil, mapId: nil)
                return .now(
                    draining.load(ordering: .relaxed) ? ServeAnswer.healthy.closingConnection() : ServeAnswer.healthy)
            }
            return .now(
                finish(exchange, .methodNotAllowed(method: request.method, path: request.path, allow: "GET, HEAD")))
        }
        record(exchange)
        guard request.path == WebhookRequest.flexPath else {
            return .now(finish(exchange, .notFound(path: ServeLogEntry.shown(path: Substring(request.path)))))
        }
        guard request.method == "POST" else {
            return .now(finish(exchange, .methodNotAllowed(method: request.method, path: request.path, allow: "POST")))
        }
        if exchange.bodyBytesDropped > 0 {
            return .now(finish(exchange, .tooLarge(limit: configuration.maxBodyBytes)))
        }
        var outcome = WebhookProcessor(directory: KeyUseRecordingDirectory(registry.snapshot, log: committer.keyUse))
            .process(request)
        // Turned away on what a key or mapping created a moment ago would change: look
        // at the store again before answering.
        if case .problem(let reason, _) = outcome.mapped, Self.mayBeStale.contains(reason),
            let fresh = registry.recheck()
        {
            outcome = WebhookProcessor(directory: KeyUseRecordingDirectory(fresh, log: committer.keyUse)).process(
                request)
        }
        switch outcome.mapped {
        case .problem(let reason, let detail):
            return .now(finish(exchange, .problem(reason, detail: detail, mapId: outcome.mapId)))
        case .contact(let contact):
            let mapId = outcome.mapId
            let queued = committer.submit(contact, policy: outcome.onDuplicate) { [self] result in
                let answer: ServeAnswer
                switch result {
                case .created(let id): answer = .created(mapId: mapId, contactId: id)
                case .duplicate: answer = .problem(.duplicate, detail: Reason.duplicate.explanation, mapId: mapId)
                case .updated:
                    answer = .problem(.duplicateUpdated, detail: Reason.duplicateUpdated.explanation, mapId: mapId)
                case .failed: answer = .storeFailed(mapId: mapId)
                }
                exchange.answer(finish(exchange, answer))
            }
            if queued { return .later }
            let why =
                draining.load(ordering: .relaxed)
                ? "the server is stopping" : "the store writer is busy (its queue is full)"
            return .now(finish(exchange, .unavailable(why)))
        }
    }

    func requestFinished(_ exchange: HTTPExchange, answered: Bool) {
        if !answered { statistics.recordUnanswered() }
    }

    func refused(_ counts: [HTTPRefusal: Int]) {
        events(.refused(counts))
    }

    /// Counts and logs the answer and makes the response.
    private func finish(_ exchange: HTTPExchange, _ answer: ServeAnswer) -> HTTPResponse {
        statistics.record(status: answer.status)
        log(exchange, status: answer.status, outcome: answer.outcome, reason: answer.reason, mapId: answer.mapId)
        return draining.load(ordering: .relaxed) ? answer.response.closingConnection() : answer.response
    }

    private func log(_ exchange: HTTPExchange, status: Int, outcome: String, reason: String?, mapId: String?) {
        guard configuration.logRequests else { return }
        let elapsed = exchange.elapsed.components
        events(
            .request(
                ServeLogEntry(
                    receivedAt: exchange.receivedAt,
                    method: ServeLogEntry.shown(path: Substring(exchange.method), limit: 16),
                    path: ServeLogEntry.shown(path: exchange.rawPath), status: status, outcome: outcome, reason: reason,
                    mapId: mapId, milliseconds: Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)))
    }

    /// Appends the request to the capture (an oversized body as empty: it was not kept).
    private func record(_ exchange: HTTPExchange) {
        guard let capture else { return }
        var entry = CaptureFormat.Entry(
            timestamp: Timestamp.iso8601(exchange.receivedAt), method: exchange.method, path: String(exchange.rawPath),
            rawQuery: String(exchange.rawQuery), headers: exchange.headers, body: exchange.body)
        if configuration.captureRedact { entry = ServeCaptureRedaction.redact(entry) }
        capture.append(entry)
    }
}
