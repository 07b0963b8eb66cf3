import Foundation
import Synchronization

/// Something the daemon refused or cut short, as its log names it.
public enum HTTPRefusal: Sendable, Hashable, CustomStringConvertible {
    /// A connection that sent no complete request head in time: a slow client
    /// (slow-loris) or bytes that are not HTTP.
    case slowHead(seconds: Double)
    /// A connection with no request in progress, closed to make room: the daemon was near
    /// its connection limit (a flood of connections).
    case evicted(limit: Int)
    /// A request whose body was still arriving after the request timeout.
    case slowBody(seconds: Double)
    /// A body that went on past what the handler reads and drops (an endless body).
    case bodyTooLarge(bytes: Int)
    /// A request libmicrohttpd answered itself with this status: a malformed request
    /// line (400), an HTTP version it does not speak (505), a target or headers too large
    /// for the connection's memory (414, 431).
    case rejectedByHTTP(status: Int)
    /// Another problem libmicrohttpd reported, in its words.
    case other(String)

    public var description: String {
        switch self {
        case .slowHead(let seconds):
            return
                "connections closed without a complete request head after \(Self.format(seconds)) s (slow clients or not HTTP)"
        case .evicted(let limit):
            return "idle connections closed to make room (near the limit of \(limit) connections)"
        case .slowBody(let seconds):
            return "requests dropped with their body still arriving after \(Self.format(seconds)) s"
        case .bodyTooLarge(let bytes):
            return "connections closed after \(bytes) bytes of a body over the limit"
        case .rejectedByHTTP(let status):
            let what: String
            switch status {
            case 400: what = "malformed"
            case 414: what = "request target too long"
            case 431: what = "header fields too large"
            case 505: what = "HTTP version not supported"
            default: what = "refused"
            }
            return "requests answered \(status) (\(what))"
        case .other(let message):
            return message
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}

/// Keeps the daemon's connection slots for clients that use them. libmicrohttpd closes
/// idle connections, but a client that trickles a byte now and then (slow-loris) is never
/// idle, and at its connection limit libmicrohttpd stops accepting, so a flood of silent
/// connections would lock everyone else out. The guard tracks every connection and closes
/// (shuts down its socket; libmicrohttpd then closes it) one that:
/// - has not sent a complete request head `headTimeout` seconds after it opened or after
///   its last request ended (for a keep-alive connection between requests, this is the
///   idle timeout, and not logged as a refusal);
/// - has no request in progress and none started for `pressureAge` seconds, while the
///   daemon is within a quarter of its limit: the oldest go first, so a flood churns
///   through its own connections while real clients, which send their request at once,
///   get in.
/// Requests in progress are never touched here (the handler bounds their bodies).
///
/// `@unchecked Sendable`: `entries` and the counters are touched only with `lock` held;
/// a socket is shut down only while its entry exists, and libmicrohttpd removes the entry
/// (connection closed notification) before it closes the socket, so the descriptor shut
/// down is always the connection's own.
final class HTTPConnectionGuard: @unchecked Sendable {
    struct Entry {
        var socket: Int32
        /// When it opened, or its last request ended.
        var idleSince: ContinuousClock.Instant
        var inRequest = false
        /// Requests it completed: an idle keep-alive connection closed at its deadline is
        /// routine, not a refusal.
        var requests = 0
    }

    let limit: Int
    let headTimeout: Duration
    let pressureAge: Duration
    private let lock = NSLock()
    private var entries: [UInt: Entry] = [:]
    private var refusals: [HTTPRefusal: Int] = [:]
    private var started = false
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(limit: Int, headTimeoutSeconds: Double, pressureAgeSeconds: Double = 0.25) {
        self.limit = max(1, limit)
        headTimeout = .milliseconds(Int64(headTimeoutSeconds * 1000))
        pressureAge = .milliseconds(Int64(pressureAgeSeconds * 1000))
    }

    /// Starts the guard's thread: every 50 ms it closes the connections past their
    /// deadline; at most once a second it hands `report` what was refused.
    func start(report: @escaping @Sendable ([HTTPRefusal: Int]) -> Void) {
        lock.lock()
        started = true
        lock.unlock()
        let thread = Thread { [self] in
            var pending: [HTTPRefusal: Int] = [:]
            var lastReport = ContinuousClock.now
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 0.05)
                for (refusal, count) in sweep() { pending[refusal, default: 0] += count }
                if !pending.isEmpty, ContinuousClock.now - lastReport >= .seconds(1) {
                    report(pending)
                    pending = [:]
                    lastReport = .now
                }
            }
            // The daemon has stopped: count what is left, close nothing more.
            for (refusal, count) in takeRefusals() { pending[refusal, default: 0] += count }
            if !pending.isEmpty { report(pending) }
            done.signal()
        }
        thread.name = "flexmap-http-guard"
        thread.start()
    }

    /// Stops the thread (after one last report) and waits for it; safe to call twice.
    func stop() {
        lock.lock()
        let wasStarted = started
        started = false
        lock.unlock()
        guard wasStarted else { return }
        stopping.store(true, ordering: .relaxed)
        done.wait()
    }

    /// Connections are near the limit past this many.
    var pressureThreshold: Int { max(1, limit - max(1, limit / 4)) }

    static func key(_ connection: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: connection)) }

    // MARK: Called by the daemon's threads

    func opened(_ connection: OpaquePointer, socket: Int32) {
        lock.lock()
        defer { lock.unlock() }
        entries[Self.key(connection)] = Entry(socket: socket, idleSince: .now)
        if entries.count >= pressureThreshold { evict(now: .now, count: 1) }
    }

    func closed(_ connection: OpaquePointer) {
        lock.lock()
        entries[Self.key(connection)] = nil
        lock.unlock()
    }

    /// A request head is in: the connection is in use until `requestEnded`.
    func requestStarted(_ connection: OpaquePointer) {
        lock.lock()
        entries[Self.key(connection)]?.inRequest = true
        lock.unlock()
    }

    func requestEnded(_ connection: OpaquePointer) {
        let key = Self.key(connection)
        lock.lock()
        if entries[key] != nil {
            entries[key]?.inRequest = false
            entries[key]?.idleSince = .now
            entries[key]?.requests += 1
        }
        lock.unlock()
    }

    func note(_ refusal: HTTPRefusal, count: Int = 1) {
        lock.lock()
        if refusals.count < 64 || refusals[refusal] != nil { refusals[refusal, default: 0] += count }
        lock.unlock()
    }

    // MARK: Called by the sweeper

    /// Closes the connections past their deadline (and, near the limit, the oldest idle
    /// ones); returns the refusals counted since the last call.
    func sweep(now: ContinuousClock.Instant = .now) -> [HTTPRefusal: Int] {
        lock.lock()
        defer { lock.unlock() }
        let seconds = Double(headTimeout.components.seconds) + Double(headTimeout.components.attoseconds) / 1e18
        for (key, entry) in entries where !entry.inRequest && now - entry.idleSince >= headTimeout {
            shutdown(entry.socket, Int32(SHUT_RDWR))
            entries[key] = nil
            if entry.requests == 0 { refusals[.slowHead(seconds: seconds), default: 0] += 1 }
        }
        if entries.count >= pressureThreshold {
            evict(now: now, count: entries.count - limit / 2)
        }
        defer { refusals = [:] }
        return refusals
    }

    /// Closes up to `count` connections without a request, idle for `pressureAge` or more,
    /// oldest first. Called with `lock` held.
    private func evict(now: ContinuousClock.Instant, count: Int) {
        guard count > 0 else { return }
        let candidates = entries.filter { !$0.value.inRequest && now - $0.value.idleSince >= pressureAge }
            .sorted { $0.value.idleSince < $1.value.idleSince }.prefix(count)
        for (key, entry) in candidates {
            shutdown(entry.socket, Int32(SHUT_RDWR))
            entries[key] = nil
            refusals[.evicted(limit: limit), default: 0] += 1
        }
    }

    private func takeRefusals() -> [HTTPRefusal: Int] {
        lock.lock()
        defer {
            refusals = [:]
            lock.unlock()
        }
        return refusals
    }

    var openConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}
