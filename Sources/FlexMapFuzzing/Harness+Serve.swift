import FlexMapCore
import FlexMapIO
import FlexMapNet
import Foundation

extension Harness {
    /// serve's request handling, live: the input is sent as raw bytes on a fresh loopback
    /// connection to a WebhookServer (one per process, with a store holding an organisation,
    /// a key and a mapping; `{{ORG}}`, `{{KEY}}`, `{{MAP}}` in the input become theirs), and
    /// the answer read (an incomplete request gets none: it is dropped after 0.3 s). Oracles: an answer is HTTP and never holds
    /// the key; the server still answers `GET /healthz` afterwards (checked every 32 inputs
    /// and after any input it did not answer).
    static func serve(_ data: [UInt8]) -> [String] {
        guard let live = LiveServer.shared else {
            return ["the server did not start: \(LiveServer.startFailure ?? "?")"]
        }
        var findings = Findings()
        var request = data
        for (placeholder, value) in [("{{ORG}}", live.orgId), ("{{KEY}}", live.apiKey), ("{{MAP}}", live.mapId)] {
            request = replacing(Array(placeholder.utf8), with: Array(value.utf8), in: request)
        }
        let answer = live.exchange(request, timeout: 0.3)
        if !answer.isEmpty {
            findings.check(
                answer.starts(with: Array("HTTP/1.".utf8)),
                "the answer is not HTTP: \(String(decoding: answer.prefix(80), as: UTF8.self).debugDescription)")
            findings.check(!contains(answer, Array(live.apiKey.utf8)), "the answer holds the API key")
        }
        if answer.isEmpty || live.calls.next() % 32 == 1 {
            let health = live.exchange(
                Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), timeout: 5)
            findings.check(
                health.starts(with: Array("HTTP/1.1 200".utf8)),
                "the server no longer answers GET /healthz: \(String(decoding: health.prefix(80), as: UTF8.self).debugDescription)"
            )
        }
        return findings.items
    }

    static func replacing(_ needle: [UInt8], with replacement: [UInt8], in data: [UInt8]) -> [UInt8] {
        guard contains(data, needle) else { return data }
        var out: [UInt8] = []
        var index = 0
        while index < data.count {
            if index + needle.count <= data.count, data[index..<(index + needle.count)].elementsEqual(needle) {
                out += replacement
                index += needle.count
            } else {
                out.append(data[index])
                index += 1
            }
        }
        return out
    }
}

/// A WebhookServer on a free loopback port in front of a store made for fuzzing, shared by
/// every input of a process; never stopped (the process ends).
final class LiveServer: Sendable {
    nonisolated(unsafe) static var startFailure: String?
    static let shared: LiveServer? = {
        do { return try LiveServer() } catch {
            startFailure = "\(error)"
            return nil
        }
    }()

    let server: WebhookServer
    let orgId: String
    let apiKey: String
    let mapId: String
    let calls = Counter()

    private init() throws {
        let folder = ScratchFiles.path(".serve")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let storePath = folder + "/s.db"
        let store = try Store.create(path: storePath)
        let registry = Registry(store: store)
        let org = try registry.createOrganisation(name: "Fuzz")
        let key = try registry.createKey(org: org.id)
        mapId = try registry.createMapping(org: org.id, mapping: FuzzDirectory.mapping).id
        orgId = org.id
        apiKey = key.apiKey
        server = try WebhookServer(
            ServeConfiguration(
                storePath: storePath,
                http: HTTPDaemonOptions(port: 0, threads: 2, connectionLimit: 1024, connectionTimeoutSeconds: 2),
                maxBodyBytes: 64 << 10, requestTimeoutSeconds: 2, capturePath: "/dev/null", captureRedact: true,
                logRequests: true, registryReloadSeconds: 3600, drainTimeoutSeconds: 1))
    }

    /// Sends `bytes` on a new connection and reads the answer: until the server closes, a
    /// whole response has come (by its Content-Length), or `timeout` seconds pass without a
    /// byte (an incomplete request: the server waits for the rest). Then closes with a reset,
    /// so the server frees the connection at once.
    func exchange(_ bytes: [UInt8], timeout: Double) -> [UInt8] {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return [] }
        defer {
            var reset = linger(l_onoff: 1, l_linger: 0)
            setsockopt(socket, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
            close(socket)
        }
        let seconds = Int(timeout)
        var wait = timeval(tv_sec: seconds, tv_usec: Int((timeout - Double(seconds)) * 1_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = server.port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return [] }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { break }
            offset += sent
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while !Self.isComplete(answer) {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                answer += buffer[0..<count]
                continue
            }
            if count < 0 && errno == EINTR { continue }
            break
        }
        return answer
    }

    /// Whether `answer` holds a whole response: its head and as many body bytes as its
    /// Content-Length says (serve always sends one).
    static func isComplete(_ answer: [UInt8]) -> Bool {
        let end: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard answer.count >= 4,
            let split = (0...(answer.count - 4)).first(where: { answer[$0..<($0 + 4)].elementsEqual(end) })
        else { return false }
        let head = String(decoding: answer[..<split], as: UTF8.self).lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return answer.count - split - 4 >= length
    }
}
