import Foundation
import Testing

/// `flexmap serve` under abuse, through the built binary: slow-loris connections, 10k
/// connections opened at once, garbage request lines, huge headers, endless and slow
/// bodies. Throughout, well-formed requests are answered, memory stays bounded, and the
/// log (stderr) says what was refused.
@Suite(.serialized) struct ServeAbuseTests {
    let scratch = Scratch()

    /// A running server: its port, pid and everything it printed on stderr so far.
    final class Server: @unchecked Sendable {
        // @unchecked: `text` is touched only with `lock` held; the rest is set once in init.
        let process: Process
        let port: UInt16
        private let errors = Pipe()
        private let lock = NSLock()
        private var text = ""

        init(_ arguments: [String], in directory: String) throws {
            let started = try CLIRunner(directory: directory).startServe(
                ["serve", "--db", "s.db", "--port", "0"] + arguments, standardError: errors)
            process = started.process
            port = started.port
            errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let piece = String(decoding: handle.availableData, as: UTF8.self)
                guard let self, !piece.isEmpty else { return }
                lock.lock()
                text += piece
                lock.unlock()
            }
        }

        var stderr: String {
            lock.lock()
            defer { lock.unlock() }
            return text
        }

        /// Resident memory of the server, in MiB.
        var residentMegabytes: Int {
            let status =
                (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
        }

        func stop() {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            errors.fileHandleForReading.readabilityHandler = nil
        }

        /// Waits until the log holds `text` (the refusal lines come once a second).
        func waitForLog(_ text: String, seconds: Double = 15) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if stderr.contains(text) { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return false
        }
    }

    /// A store with one organisation, key and mapping: (orgId, apiKey, mapId).
    func prepare() throws -> (String, String, String) {
        try scratch.liveStore(
            mappingJSON: #"{"name":"t","defaultRegion":"US","fields":[{"source":"phone","target":"phone"}]}"#)
    }

    /// One well-formed request on a new connection: (status, seconds it took); status 0
    /// when it got no answer within `timeout`.
    func wellFormed(
        _ port: UInt16, post phone: String? = nil, credentials: (String, String, String)? = nil, timeout: Int = 10
    )
        -> (status: Int, seconds: Double)
    {
        let started = Date()
        var request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        if let phone, let (org, key, map) = credentials {
            let body = #"{"phone":"\#(phone)"}"#
            request =
                "POST /api/contacts/flex?orgId=\(org)&mapId=\(map) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-api-key: \(key)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        guard let socket = RawSocket(port: port, timeout: timeout) else {
            return (0, Date().timeIntervalSince(started))
        }
        defer { socket.close() }
        socket.send(Array(request.utf8))
        let answer = String(decoding: socket.receiveAll(), as: UTF8.self)
        let status = Int(answer.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, Date().timeIntervalSince(started))
    }

    @Test func slowLorisConnectionsDoNotLockOutOthers() throws {
        let credentials = try prepare()
        let server = try Server(["--max-connections", "64", "--timeout", "3"], in: scratch.path)
        defer { server.stop() }
        // Twice the connection limit, each sending a request head one byte at a time.
        var lorises: [RawSocket] = []
        for _ in 0..<128 {
            guard let socket = RawSocket(port: server.port, timeout: 1, blocking: false) else { continue }
            socket.send(Array("POST /api/contacts/flex HTTP/1.1\r\nHost: x\r\n".utf8))
            lorises.append(socket)
        }
        defer { lorises.forEach { $0.close() } }
        for round in 0..<10 {
            for socket in lorises { socket.send([UInt8(ascii: "X")]) }
            let answer = wellFormed(
                server.port, post: "+1201555\(String(format: "%04d", 100 + round))", credentials: credentials)
            #expect(answer.status == 201, "round \(round): \(answer)")
            #expect(answer.seconds < 3, "round \(round): \(answer)")
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(server.waitForLog("connections closed without a complete request head after 3 s"), "\(server.stderr)")
        #expect(
            server.waitForLog("idle connections closed to make room (near the limit of 64 connections)"),
            "\(server.stderr)")
        #expect(server.residentMegabytes < 200)
    }

    @Test func tenThousandConnectionsAtOnce() throws {
        _ = try prepare()
        // Other suites run in this process at the same time: leave them a thousand descriptors.
        let count = min(10_000, RawSocket.raiseDescriptorLimit(to: 11_000) - 1_000)
        let server = try Server([], in: scratch.path)
        defer { server.stop() }
        var flood: [RawSocket] = []
        for _ in 0..<count {
            if let socket = RawSocket(port: server.port, timeout: 1, blocking: false) { flood.append(socket) }
        }
        defer { flood.forEach { $0.close() } }
        #expect(flood.count >= min(count, 9_000), "\(flood.count) of \(count) connections opened")
        for round in 0..<5 {
            let answer = wellFormed(server.port, timeout: 15)
            #expect(answer.status == 200, "round \(round): \(answer)")
            #expect(answer.seconds < 10, "round \(round): \(answer)")
        }
        #expect(
            server.waitForLog("idle connections closed to make room (near the limit of 512 connections)"),
            "\(server.stderr)")
        #expect(server.residentMegabytes < 200, "\(server.residentMegabytes) MiB")
        #expect(wellFormed(server.port).status == 200)
    }

    @Test func garbageRequestLinesAndHugeHeaders() throws {
        let credentials = try prepare()
        let server = try Server(["--timeout", "1"], in: scratch.path)
        defer { server.stop() }
        let cases: [(String, [UInt8], Int?)] = [
            ("binary garbage", [0, 1, 2, 0xFF, 0xFE] + Array("garbage\r\n\r\n".utf8), nil),
            ("no version", Array("GET /\r\n\r\n".utf8), nil),
            ("HTTP/9.9", Array("GET / HTTP/9.9\r\nHost: x\r\n\r\n".utf8), 505),
            (
                "a 100 kB target", Array(("GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\r\n").utf8),
                414
            ),
            (
                "a 200 kB header",
                Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200_000) + "\r\n\r\n").utf8), 431
            ),
            (
                "20,000 headers",
                Array(("GET / HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 20_000) + "\r\n").utf8), 431
            ),
            (
                "invalid UTF-8 and NUL in headers",
                Array("POST /api/contacts/flex?mapId=\(credentials.2) HTTP/1.1\r\nHost: x\r\nX-Org-Id: ".utf8) + [
                    0xFF, 0xC0, 0x00,
                ]
                    + Array(
                        "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8),
                nil
            ),
            (
                "a chunk of 2^60 bytes",
                Array(
                    "POST /api/contacts/flex HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nab"
                        .utf8), nil
            ),
        ]
        for (name, bytes, status) in cases {
            guard let socket = RawSocket(port: server.port, timeout: 5) else {
                Issue.record("\(name): cannot connect")
                continue
            }
            socket.send(bytes)
            let answer = String(decoding: socket.receiveAll(), as: UTF8.self)
            socket.close()
            if let status { #expect(answer.hasPrefix("HTTP/1.1 \(status)"), "\(name): \(answer.prefix(80))") }
            #expect(!answer.contains(credentials.1), "\(name)")
            #expect(wellFormed(server.port).status == 200, "after \(name)")
        }
        #expect(server.waitForLog("requests answered 431 (header fields too large)"), "\(server.stderr)")
        #expect(server.waitForLog("requests answered 414 (request target too long)"), "\(server.stderr)")
        #expect(server.waitForLog("requests answered 505 (HTTP version not supported)"), "\(server.stderr)")
        #expect(server.waitForLog("connections closed without a complete request head after 1 s"), "\(server.stderr)")
        #expect(server.residentMegabytes < 200)
    }

    @Test func endlessAndSlowBodies() throws {
        let credentials = try prepare()
        let server = try Server(["--request-timeout", "2"], in: scratch.path)
        defer { server.stop() }
        // An endless chunked body: read and dropped up to 16 MiB, then the connection closes.
        let endless = try #require(RawSocket(port: server.port, timeout: 10))
        endless.send(
            Array(
                "POST /api/contacts/flex HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .utf8))
        let chunk = Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 0x10000) + Array("\r\n".utf8)
        var sent = 0
        while sent < 256 << 20, endless.send(chunk) { sent += chunk.count }
        endless.close()
        #expect(sent < 64 << 20, "the server read \(sent >> 20) MiB of an endless body")
        #expect(
            server.waitForLog("connections closed after 16777216 bytes of a body over the limit"), "\(server.stderr)")

        // A body that trickles: dropped after --request-timeout.
        let slow = try #require(RawSocket(port: server.port, timeout: 10))
        slow.send(
            Array(
                "POST /api/contacts/flex HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    .utf8))
        for _ in 0..<8 {
            guard slow.send([UInt8(ascii: " ")]) else { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        slow.close()
        #expect(server.waitForLog("requests dropped with their body still arriving after 2 s"), "\(server.stderr)")
        #expect(wellFormed(server.port, post: "+12015550199", credentials: credentials).status == 201)
        #expect(server.residentMegabytes < 200)
    }
}

/// A plain TCP connection to 127.0.0.1, for clients that misbehave on purpose.
final class RawSocket: @unchecked Sendable {
    // @unchecked: used by one test thread at a time.
    let descriptor: Int32

    init?(port: UInt16, timeout: Int, blocking: Bool = true) {
        descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        if !blocking { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 || (!blocking && errno == EINPROGRESS) else {
            Glibc.close(descriptor)
            return nil
        }
    }

    /// Sends all of `bytes`; false when the server closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return errno == EAGAIN }
            offset += sent
        }
        return true
    }

    /// Reads until the server closes or the receive timeout passes.
    func receiveAll() -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                data += buffer[0..<count]
                continue
            }
            if count < 0 && errno == EINTR { continue }
            return data
        }
    }

    func close() { Glibc.close(descriptor) }

    /// Raises this process's soft limit of open files toward `wanted` (as far as the hard
    /// limit allows); returns the limit now in force.
    static func raiseDescriptorLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}
