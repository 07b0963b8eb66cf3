import Foundation
import Synchronization
import Testing

@testable import FlexMapNet

/// The libmicrohttpd owner alone, with small handlers.
@Suite struct HTTPDaemonTests {
    /// Answers with the body length, at once or later from another thread.
    final class LengthHandler: HTTPRequestHandler {
        let later: Bool
        let finished = Atomic<Int>(0)
        init(later: Bool) { self.later = later }

        func headersReceived(_ exchange: HTTPExchange) -> HTTPResponse? { nil }
        func bodyReceived(_ exchange: HTTPExchange, _ bytes: UnsafeRawBufferPointer) -> Bool {
            exchange.body.append(contentsOf: bytes)
            return true
        }
        func requestComplete(_ exchange: HTTPExchange) -> HTTPReply {
            let response = HTTPResponse.json(
                201,
                #"{"method":"\#(exchange.method)","target":"\#(exchange.target)","length":\#(exchange.body.count)}"#)
            guard later else { return .now(response) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.01) { exchange.answer(response) }
            return .later
        }
        func requestFinished(_ exchange: HTTPExchange, answered: Bool) { finished.add(1, ordering: .relaxed) }
    }

    @Test(arguments: [false, true])
    func answersNowOrLaterWithTheRawTarget(later: Bool) throws {
        let handler = LengthHandler(later: later)
        let daemon = try HTTPDaemon(options: HTTPDaemonOptions(port: 0, threads: 2), handler: handler)
        #expect(daemon.port > 0)
        let client = HTTPTestClient(port: daemon.port)
        let answer = try client.send("POST", "/x/y?a=1&b=%20", body: Array("hello".utf8))
        #expect(answer.status == 201)
        #expect(answer.json?["target"] as? String == "/x/y?a=1&b=%20")
        #expect(answer.json?["length"] as? Int == 5)

        // Many at once: every one answered, every state freed.
        let statuses = Mutex<[Int]>([])
        onThreads(40) { index in
            let status = (try? client.send("POST", "/n", body: Array(repeating: 65, count: index)).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 201, count: 40))
        daemon.stopAccepting()
        daemon.stop()
        #expect(handler.finished.load(ordering: .relaxed) == 41)
        #expect(daemon.openRequests == 0)
    }

    @Test func refusesAHostThatIsNotAnAddress() {
        #expect(throws: HTTPDaemonError.self) {
            try HTTPDaemon(
                options: HTTPDaemonOptions(host: "example.com", port: 0), handler: LengthHandler(later: false))
        }
    }

    @Test func aBusyPortIsAnErrorThatSaysSo() throws {
        let first = try HTTPDaemon(options: HTTPDaemonOptions(port: 0), handler: LengthHandler(later: false))
        let error = #expect(throws: HTTPDaemonError.self) {
            try HTTPDaemon(options: HTTPDaemonOptions(port: first.port), handler: LengthHandler(later: false))
        }
        #expect(error?.message.contains("cannot listen on 127.0.0.1 port \(first.port)") == true)
    }
}
