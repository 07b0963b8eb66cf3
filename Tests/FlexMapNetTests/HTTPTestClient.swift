import Foundation

/// A minimal HTTP/1.1 client over a plain TCP socket, for tests that need control a
/// library client does not give: one connection per request (`Connection: close`),
/// bodies sent in pieces with pauses (a slow client), and the raw answer.
struct HTTPTestClient {
    struct Answer {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let port: UInt16

    /// Sends one request and reads the answer until the server closes. With
    /// `pieceSize`, the body goes out that many bytes at a time with `pause` between.
    func send(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        pieceSize: Int? = nil, pause: Double = 0, chunked: Bool = false
    ) throws -> Answer {
        let socket = try connect()
        defer { close(socket) }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if chunked {
            head += "Transfer-Encoding: chunked\r\n"
        } else if (!body.isEmpty || method == "POST")
            && !headers.contains(where: { $0.0.lowercased() == "content-length" })
        {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        try write(socket, Array(head.utf8))
        var payload = body
        if chunked {
            payload =
                Array(String(body.count, radix: 16).utf8) + Array("\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8)
        }
        if let pieceSize {
            var offset = 0
            while offset < payload.count {
                let end = min(offset + pieceSize, payload.count)
                try write(socket, Array(payload[offset..<end]))
                offset = end
                if pause > 0 { Thread.sleep(forTimeInterval: pause) }
            }
        } else if !payload.isEmpty {
            try write(socket, payload)
        }
        return try parse(readAll(socket))
    }

    func post(_ target: String, json: String, headers: [(String, String)] = []) throws -> Answer {
        try send("POST", target, headers: [("Content-Type", "application/json")] + headers, body: Array(json.utf8))
    }

    private func connect() throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(socket)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
        return socket
    }

    private func write(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    private func readAll(_ socket: Int32) throws -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                if data.isEmpty { throw Failure(description: "recv: errno \(errno)") }
                break
            }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    private func parse(_ data: [UInt8]) throws -> Answer {
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw Failure(description: "no HTTP answer: \(text.prefix(200))")
        }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line: \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Answer(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}

/// curl, the HTTP client users will point at `serve`.
enum Curl {
    struct Answer {
        var status: Int
        var body: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    /// Runs `curl -s ARGUMENTS` and splits off the status code it prints last.
    static func run(_ arguments: [String]) throws -> Answer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-S", "--max-time", "30", "-w", "\n%{http_code}"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lastBreak = text.lastIndex(of: "\n") ?? text.startIndex
        let code = Int(text[text.index(after: lastBreak)...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        return Answer(status: code, body: String(text[..<lastBreak]))
    }
}

/// Runs `body` on `count` threads of its own at once (GCD would run only as many as
/// there are cores while the others wait) and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// Starts `body` on a thread of its own; `group` is left when it ends.
func onThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
}
