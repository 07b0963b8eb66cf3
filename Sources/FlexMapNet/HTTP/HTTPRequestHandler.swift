/// What HTTPDaemon asks of the code that answers requests. Every method is called on a
/// daemon thread and must not block for long: slow work (a store commit) answers later
/// through `HTTPExchange.answer(_:)`.
public protocol HTTPRequestHandler: AnyObject, Sendable {
    /// The request line and headers are in. Return a response to answer at once without
    /// reading the body (the connection closes after it), or nil to read the body.
    func headersReceived(_ exchange: HTTPExchange) -> HTTPResponse?

    /// The next piece of the body. Return false to drop the connection without an answer.
    func bodyReceived(_ exchange: HTTPExchange, _ bytes: UnsafeRawBufferPointer) -> Bool

    /// The whole request is in: answer now, or later.
    func requestComplete(_ exchange: HTTPExchange) -> HTTPReply

    /// The daemon is done with the request: `answered` is false when the client went
    /// away or the connection was dropped before an answer was sent in full.
    func requestFinished(_ exchange: HTTPExchange, answered: Bool)

    /// What the daemon refused or cut short since the last call (at most once a second,
    /// from the daemon's guard thread), for the log.
    func refused(_ counts: [HTTPRefusal: Int])
}

extension HTTPRequestHandler {
    public func refused(_ counts: [HTTPRefusal: Int]) {}
}

public enum HTTPReply: Sendable {
    case now(HTTPResponse)
    /// The handler calls `exchange.answer(_:)` later, from any thread, exactly once; the
    /// connection is suspended until then.
    case later
}
