import Testing

@testable import FlexMapCore

@Suite struct HTTPRequestParserTests {
    func parse(_ text: String) -> Result<HTTPRequestParser.Message, HTTPRequestParser.Failure> {
        HTTPRequestParser.parse(Array(text.utf8))
    }

    func failure(_ text: String) -> String? {
        if case .failure(let failure) = parse(text) { return failure.message }
        return nil
    }

    @Test func contentLengthBodyWithCRLF() throws {
        let body = #"{"phone":"+12015550123"}"#
        let message = try parse(
            "POST /api/contacts/flex?mapId=m HTTP/1.1\r\nHost: hooks.example.com\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        ).get()
        #expect(message.method == "POST")
        #expect(message.target == "/api/contacts/flex?mapId=m")
        #expect(message.version == "HTTP/1.1")
        #expect(message.headers.map(\.name) == ["Host", "Content-Type", "Content-Length"])
        #expect(message.body == Array(body.utf8))
        #expect(message.request.query.first?.value == "m")
    }

    @Test func bareLineFeedsFoldedHeadersAndNoBody() throws {
        let message = try parse("GET /healthz HTTP/1.0\nX-Long: a\n  b\nAccept: */*\n\n").get()
        #expect(message.headers.count == 2)
        #expect(message.headers[0].value == "a b")
        #expect(message.body.isEmpty)
        // No final blank line: the headers end with the message.
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\n").get().headers.count == 1)
    }

    @Test func chunkedBodies() throws {
        let message = try parse(
            "POST /api/contacts/flex HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1,\r\n9;ext=1\r\n\"b\":\"xy\"}\r\n0\r\nX-Trailer: t\r\n\r\n"
        ).get()
        #expect(String(decoding: message.body, as: UTF8.self) == #"{"a":1,"b":"xy"}"#)
        #expect(
            failure("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort\r\n")?.contains("cut it short")
                == true)
        #expect(failure("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") != nil)
        #expect(failure("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")?.contains("last") == true)
        #expect(failure("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxx") != nil)
    }

    @Test func damagedMessagesAreRefused() {
        #expect(failure("")?.contains("missing") == true)
        #expect(failure("POST /api/contacts/flex\r\n\r\n")?.contains("request line") == true)
        #expect(failure("POST /x HTTP/2\r\n\r\n")?.contains("HTTP/1.0 or HTTP/1.1") == true)
        #expect(failure("PO ST /x HTTP/1.1\r\n\r\n") != nil)
        #expect(failure("POST /x HTTP/1.1\r\nNo colon here\r\n\r\n")?.contains("header line 1") == true)
        #expect(failure("POST /x HTTP/1.1\r\n folded\r\n\r\n") != nil)
        #expect(
            failure("POST /x HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"a\":1}")?.contains("Content-Length says 50")
                == true)
        #expect(failure("POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}junk") != nil)
        #expect(failure("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n") != nil)
        #expect(failure("POST /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc") != nil)
        // Line ends after the body are tolerated; the same length twice too.
        #expect(
            (try? parse("POST /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}\r\n").get().body)
                == Array("{}".utf8))
    }

    @Test func failuresNeverQuoteHeaderValues() {
        let secret = "fmk_0123456789abcdefSECRET"
        for text in [
            "POST /x HTTP/1.1\r\nX-Api-Key: \(secret)\r\nContent-Length: 99\r\n\r\n{}",
            "POST /x?apiKey=\(secret) HTTP/9\r\n\r\n",
            "POST /x HTTP/1.1\r\nX-Api-Key \(secret)\r\n\r\n",
        ] {
            let message = failure(text)
            #expect(message != nil)
            #expect(message?.contains(secret) == false)
        }
    }

    @Test func bodyWithoutLengthRunsToTheEnd() throws {
        #expect(try parse("POST /x HTTP/1.1\r\n\r\nphone=1").get().body == Array("phone=1".utf8))
    }
}
