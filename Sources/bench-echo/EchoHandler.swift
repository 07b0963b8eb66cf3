import FlexMapNet

/// Answers 201 `{}` to every request once its body is in, reading and dropping the
/// body: the cost of HTTP alone, with the same libmicrohttpd owner `serve` uses.
final class EchoHandler: HTTPRequestHandler {
    static let created = HTTPResponse.json(201, "{}")

    func headersReceived(_ exchange: HTTPExchange) -> HTTPResponse? { nil }

    func bodyReceived(_ exchange: HTTPExchange, _ bytes: UnsafeRawBufferPointer) -> Bool { true }

    func requestComplete(_ exchange: HTTPExchange) -> HTTPReply { .now(Self.created) }

    func requestFinished(_ exchange: HTTPExchange, answered: Bool) {}
}
