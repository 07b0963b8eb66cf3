/// Parses one raw HTTP/1.x request message, as GoReplay records it: the request line,
/// header lines, a blank line, and a body framed by Content-Length or chunked encoding.
/// Pure and strict where a damaged capture would otherwise pass for a good one (a body
/// shorter than its Content-Length, broken chunks, a malformed request line), lenient
/// where real senders differ (bare LF line ends, a missing final blank line, no
/// Content-Length on a body that runs to the end of the message).
public enum HTTPRequestParser {
    public struct Message: Sendable, Equatable {
        public var method: String
        /// The request target as sent: "/api/contacts/flex?mapId=…" or an absolute URL.
        public var target: String
        /// "HTTP/1.1" or "HTTP/1.0".
        public var version: String
        public var headers: [(name: String, value: String)]
        /// The body with any chunked framing removed.
        public var body: [UInt8]

        public var request: WebhookRequest {
            WebhookRequest(method: method, target: target, headers: headers, body: body)
        }

        public static func == (lhs: Message, rhs: Message) -> Bool {
            lhs.method == rhs.method && lhs.target == rhs.target && lhs.version == rhs.version
                && lhs.headers.map(\.name) == rhs.headers.map(\.name)
                && lhs.headers.map(\.value) == rhs.headers.map(\.value) && lhs.body == rhs.body
        }
    }

    /// Why a message is damaged, in a sentence that never quotes header values or the body.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func parse(_ bytes: some Collection<UInt8>) -> Result<Message, Failure> {
        let bytes = Array(bytes)
        var cursor = 0
        func fail(_ message: String) -> Result<Message, Failure> { .failure(Failure(message: message)) }

        // Request line.
        guard let requestLine = nextLine(bytes, &cursor), !requestLine.isEmpty else {
            return fail("the request line is missing")
        }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard parts.count == 3 else {
            return fail("the request line is not 'METHOD TARGET HTTP/1.x' (\(parts.count) parts)")
        }
        guard parts[0].allSatisfy(isTokenByte) else { return fail("the request method is not a token") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            return fail("the request target holds control characters")
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version.count == 8, version.hasPrefix("HTTP/1."), version.last?.isASCII == true,
            version.last?.isNumber == true
        else {
            return fail("the request line ends in '\(version.prefix(16))', not HTTP/1.0 or HTTP/1.1")
        }

        // Header lines, up to a blank line (or the end of the message).
        var headers: [(name: String, value: String)] = []
        var headerNumber = 0
        while let line = nextLine(bytes, &cursor) {
            if line.isEmpty { break }
            headerNumber += 1
            if line.first == 0x20 || line.first == 0x09 {
                // obs-fold: a continuation of the previous header's value.
                guard !headers.isEmpty else {
                    return fail("header line \(headerNumber) continues a header that is not there")
                }
                headers[headers.count - 1].value += " " + String(decoding: trimmed(line), as: UTF8.self)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[line.startIndex..<colon].allSatisfy(isTokenByte)
            else {
                return fail("header line \(headerNumber) is not 'Name: value'")
            }
            headers.append(
                (
                    String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                    String(decoding: trimmed(line[(colon + 1)...]), as: UTF8.self)
                ))
        }
        let rest = bytes[cursor...]

        // The body: chunked, Content-Length, or what remains.
        let body: [UInt8]
        let codings = headers.filter { $0.name.lowercased() == "transfer-encoding" }.map { $0.value.lowercased() }
        let lengths = headers.filter { $0.name.lowercased() == "content-length" }.map { $0.value.trimmingWhitespace() }
        if let last = codings.last {
            guard last.split(separator: ",").last.map({ String($0).trimmingWhitespace() }) == "chunked" else {
                return fail("Transfer-Encoding '\(last.prefix(40))' does not end in chunked")
            }
            switch dechunk(rest) {
            case .success(let data): body = data
            case .failure(let failure): return .failure(failure)
            }
        } else if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }) else {
                return fail("Content-Length is given twice with different values")
            }
            guard !first.isEmpty, first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), first.utf8.count <= 15,
                let length = Int(first)
            else {
                return fail("Content-Length '\(first.prefix(20))' is not a number of bytes")
            }
            guard rest.count >= length else {
                return fail(
                    "the body has \(rest.count) bytes but Content-Length says \(length): the capture cut it short")
            }
            let extra = rest.dropFirst(length)
            guard extra.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) else {
                return fail("\(extra.count) bytes follow the \(length)-byte body that Content-Length announces")
            }
            body = Array(rest.prefix(length))
        } else {
            body = Array(rest)
        }
        return .success(
            Message(
                method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
                version: version, headers: headers, body: body))
    }

    /// Removes chunked framing: `size[;ext]` CRLF data CRLF … `0` CRLF [trailers] CRLF.
    static func dechunk(_ bytes: ArraySlice<UInt8>) -> Result<[UInt8], Failure> {
        let bytes = Array(bytes)
        var cursor = 0
        var out: [UInt8] = []
        var chunk = 0
        while true {
            chunk += 1
            guard let line = nextLine(bytes, &cursor) else {
                return .failure(Failure(message: "the chunked body ends before its last (0-size) chunk"))
            }
            let sizeText = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != 0x20 && $0 != 0x09 }
            guard !sizeText.isEmpty, sizeText.count <= 15,
                let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16)
            else {
                return .failure(Failure(message: "chunk \(chunk) does not start with a hexadecimal size"))
            }
            if size == 0 {
                // Trailer fields up to a blank line (or the end); their content is not used.
                while let trailer = nextLine(bytes, &cursor), !trailer.isEmpty {}
                return .success(out)
            }
            guard bytes.count - cursor >= size else {
                return .failure(
                    Failure(
                        message:
                            "chunk \(chunk) announces \(size) bytes but \(bytes.count - cursor) remain: the capture cut it short"
                    ))
            }
            out.append(contentsOf: bytes[cursor..<(cursor + size)])
            cursor += size
            guard let end = nextLine(bytes, &cursor), end.isEmpty else {
                return .failure(Failure(message: "chunk \(chunk) is longer than its size says"))
            }
        }
    }

    /// The line at `cursor` without its LF or CRLF, moving past it; the last line may lack
    /// its line end. Nil at the end.
    static func nextLine(_ bytes: [UInt8], _ cursor: inout Int) -> ArraySlice<UInt8>? {
        guard cursor < bytes.count else { return nil }
        let start = cursor
        var end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        cursor = end < bytes.count ? end + 1 : end
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return bytes[start..<end]
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice.removeLast() }
        return slice
    }

    /// RFC 9110 token characters (method and header names).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
