import FlexMapCore
import Foundation
import Synchronization

/// One request and its answer: created when the request line arrives, freed when
/// libmicrohttpd reports the request completed (or the client went away).
///
/// `@unchecked Sendable`: the request fields (`method`, `headers`, `body`,
/// `bodyBytesDropped`, `phase`) are written and read only by the daemon thread that owns the connection,
/// one call at a time, and by the handler code that thread calls; libmicrohttpd never
/// hands one connection to two threads at once. The only state other threads touch is
/// `slot`, behind its Mutex (an answer given later, from the writer thread).
public final class HTTPExchange: @unchecked Sendable {
    /// Where the request is in its life, as the daemon sees it.
    enum Phase {
        case headers
        case body
        case complete
        case answered
    }

    /// The request target exactly as sent: path and raw query ("/a/b?x=1").
    public let target: String
    /// When the request line arrived.
    public let receivedAt: Date
    let started: ContinuousClock.Instant
    public internal(set) var method = ""
    /// Header names as sent, in order.
    public internal(set) var headers: [(name: String, value: String)] = []
    /// The body so far; the handler decides how much to keep.
    public var body: [UInt8] = []
    /// Body bytes the handler chose not to keep (past its size limit).
    public var bodyBytesDropped = 0
    /// Why the handler dropped the connection (returned false from `bodyReceived`), for
    /// the daemon's log of refusals.
    public var dropReason: HTTPRefusal?

    var phase = Phase.headers
    /// The libmicrohttpd connection, for resuming; only HTTPDaemon.swift uses it.
    let connection: OpaquePointer

    struct Slot {
        var response: HTTPResponse?
        var suspended = false
    }
    let slot = Mutex(Slot())

    init(target: String, connection: OpaquePointer) {
        self.target = target
        self.connection = connection
        receivedAt = Date()
        started = .now
    }

    /// The target's path (before "?", found byte by byte: RequestTarget), undecoded.
    public var rawPath: Substring {
        Substring(RequestTarget.splitAtQuery(target).before)
    }

    /// The target's query string (after "?"), undecoded; empty when there is none.
    public var rawQuery: Substring {
        Substring(RequestTarget.splitAtQuery(target).after)
    }

    /// The first header with this name, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { Self.sameASCIICaseless($0.name, name) }?.value
    }

    /// Header names are ASCII; Foundation's caseInsensitiveCompare cost more than the
    /// rest of the header handling.
    static func sameASCIICaseless(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x == y { continue }
                let lowerX = x >= 65 && x <= 90 ? x + 32 : x
                let lowerY = y >= 65 && y <= 90 ? y + 32 : y
                if lowerX != lowerY { return false }
            default: return false
            }
        }
    }

    /// Time since the request line arrived.
    public var elapsed: Duration { ContinuousClock.now - started }
}
