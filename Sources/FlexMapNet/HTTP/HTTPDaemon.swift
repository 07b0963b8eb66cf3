import CMicroHTTPD
import Foundation
import Synchronization

/// How HTTPDaemon listens.
public struct HTTPDaemonOptions: Sendable, Equatable {
    /// A numeric IPv4 or IPv6 address, or "localhost" (127.0.0.1).
    public var host: String
    /// 0 picks a free port; `HTTPDaemon.port` tells which.
    public var port: UInt16
    /// libmicrohttpd worker threads, each with its own epoll loop.
    public var threads: Int
    /// Open connections at most: past it, libmicrohttpd stops accepting (new ones wait in
    /// the listen backlog); near it, the guard closes connections without a request.
    public var connectionLimit: Int
    /// A connection that has not sent a complete request head this long after it opened
    /// or after its last request ended is closed (HTTPConnectionGuard); one whose request
    /// stalls (no bytes in or out) 2 s longer.
    public var connectionTimeoutSeconds: Int
    /// Per-connection memory for the request line, headers and read buffer.
    public var connectionMemoryLimit: Int

    public init(
        host: String = "127.0.0.1", port: UInt16 = 8080, threads: Int = 2, connectionLimit: Int = 512,
        connectionTimeoutSeconds: Int = 10, connectionMemoryLimit: Int = 64 * 1024
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.connectionLimit = connectionLimit
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.connectionMemoryLimit = connectionMemoryLimit
    }
}

public struct HTTPDaemonError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Owns one libmicrohttpd daemon: every call into libmicrohttpd is in this file. An
/// epoll loop per worker thread (a thread pool), per-request state (`HTTPExchange`)
/// created when the request line arrives and freed in the completion callback,
/// suspend/resume for answers given later, and a clean stop. Call `stop()` before
/// letting go of the last reference (deinit stops it too, but a request arriving while
/// the object is being freed would find it gone).
public final class HTTPDaemon: Sendable {
    public let handler: any HTTPRequestHandler
    public let options: HTTPDaemonOptions
    /// The port it listens on (the one the system picked when asked for port 0).
    public var port: UInt16 { boundPort.load(ordering: .relaxed) }
    private let boundPort = Atomic<UInt16>(0)

    /// The daemon handle and the listening socket once quiesced (closed after stop, as
    /// libmicrohttpd asks), in a Mutex so only one caller at a time stops the daemon.
    private struct Handles: ~Copyable {
        var daemon: DaemonPointer?
        var quiescedSocket: Int32 = -1
    }

    /// `@unchecked Sendable`: libmicrohttpd's daemon calls we make (info, quiesce, stop)
    /// may come from any thread; they are made only while `handles` is locked.
    private struct DaemonPointer: @unchecked Sendable {
        let raw: OpaquePointer
    }
    private let handles: Mutex<Handles>
    private let inFlight = Atomic<Int>(0)
    /// Closes connections that hold a slot without using it (see HTTPConnectionGuard).
    let connectionGuard: HTTPConnectionGuard

    public init(options: HTTPDaemonOptions, handler: any HTTPRequestHandler) throws(HTTPDaemonError) {
        self.options = options
        self.handler = handler
        handles = Mutex(Handles())
        connectionGuard = HTTPConnectionGuard(
            limit: options.connectionLimit,
            headTimeoutSeconds: Double(max(1, options.connectionTimeoutSeconds)))
        // libmicrohttpd keeps this pointer as every callback's context; the daemon is
        // stopped (all callbacks done) before self can go away: see deinit.
        let context = Unmanaged.passUnretained(self).toOpaque()
        let started = try Self.withSocketAddress(options.host, port: options.port) {
            address, isIPv6 -> OpaquePointer? in
            // Error log on: libmicrohttpd's messages (what it refused) go to MHDCallbacks.log.
            var flags =
                MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue
            if isIPv6 { flags |= MHD_USE_IPv6.rawValue }
            var arguments: [any CVarArg] = [
                MHD_OPTION.CONNECTION_LIMIT.rawValue, UInt32(max(1, options.connectionLimit)),
                // The guard closes connections without a request at the timeout (and logs
                // the ones that never sent one); libmicrohttpd's own idle timeout, 2 s
                // later, is the backstop for requests that stall.
                MHD_OPTION.CONNECTION_TIMEOUT.rawValue, UInt32(max(1, options.connectionTimeoutSeconds) + 2),
                MHD_OPTION.CONNECTION_MEMORY_LIMIT.rawValue, Int(max(8192, options.connectionMemoryLimit)),
                MHD_OPTION.URI_LOG_CALLBACK.rawValue, unsafeBitCast(MHDCallbacks.uriLog, to: OpaquePointer.self),
                OpaquePointer(context),
                MHD_OPTION.NOTIFY_COMPLETED.rawValue, unsafeBitCast(MHDCallbacks.completed, to: OpaquePointer.self),
                OpaquePointer(context),
                MHD_OPTION.NOTIFY_CONNECTION.rawValue, unsafeBitCast(MHDCallbacks.connection, to: OpaquePointer.self),
                OpaquePointer(context),
                MHD_OPTION.EXTERNAL_LOGGER.rawValue, unsafeBitCast(MHDCallbacks.log, to: OpaquePointer.self),
                OpaquePointer(context),
                MHD_OPTION.SOCK_ADDR.rawValue, OpaquePointer(address),
            ]
            if options.threads > 1 {
                arguments += [MHD_OPTION.THREAD_POOL_SIZE.rawValue, UInt32(options.threads)]
            }
            arguments.append(MHD_OPTION.END.rawValue)
            return withVaList(arguments) { list in
                MHD_start_daemon_va(flags, options.port, nil, nil, MHDCallbacks.access, context, list)
            }
        }
        guard let started else {
            let reason = errno == 0 ? "" : ": " + String(cString: strerror(errno))
            throw HTTPDaemonError(
                message:
                    "cannot listen on \(options.host) port \(options.port)\(reason) (is another server using the port? try --port 0)"
            )
        }
        let pointer = DaemonPointer(raw: started)
        handles.withLock { $0.daemon = pointer }
        boundPort.store(fm_mhd_bind_port(started), ordering: .relaxed)
        connectionGuard.start { [handler] counts in handler.refused(counts) }
    }

    deinit {
        stop()
    }

    /// Requests whose request line has arrived and that are not finished yet.
    public var openRequests: Int { inFlight.load(ordering: .acquiring) }

    /// Open connections, idle keep-alive ones included.
    public var openConnections: Int {
        handles.withLock { handles in handles.daemon.map { Int(fm_mhd_current_connections($0.raw)) } ?? 0 }
    }

    /// Stops accepting connections; open ones carry on. New connections are refused; the
    /// listening socket is closed after `stop()`, as libmicrohttpd asks.
    public func stopAccepting() {
        handles.withLock { handles in
            guard let daemon = handles.daemon, handles.quiescedSocket < 0 else { return }
            let socket = MHD_quiesce_daemon(daemon.raw)
            handles.quiescedSocket = socket
            // No daemon thread polls it any more: refuse connections waiting in the
            // backlog now rather than leave them hanging until stop() closes it.
            if socket >= 0 { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    /// Stops the daemon: its threads end and every connection closes. Answer every
    /// request suspended with `HTTPReply.later` first (libmicrohttpd requires it).
    public func stop() {
        handles.withLock { handles in
            if let daemon = handles.daemon {
                MHD_stop_daemon(daemon.raw)
                handles.daemon = nil
                connectionGuard.stop()
            }
            if handles.quiescedSocket >= 0 {
                close(handles.quiescedSocket)
                handles.quiescedSocket = -1
            }
        }
    }

    // MARK: - Callbacks (on daemon threads)

    fileprivate func begin(target: String, connection: OpaquePointer) -> UnsafeMutableRawPointer {
        inFlight.add(1, ordering: .relaxed)
        return Unmanaged.passRetained(HTTPExchange(target: target, connection: connection)).toOpaque()
    }

    fileprivate func finish(_ exchange: HTTPExchange, answered: Bool) {
        connectionGuard.requestEnded(exchange.connection)
        handler.requestFinished(exchange, answered: answered)
        inFlight.subtract(1, ordering: .releasing)
    }

    /// A message of libmicrohttpd's: what it answered by itself (a malformed request) or
    /// refused, counted for the log.
    fileprivate func libraryMessage(_ text: String) {
        if let range = text.range(of: "HTTP response code is "),
            let status = Int(text[range.upperBound...].prefix(3)), (400..<600).contains(status)
        {
            connectionGuard.note(.rejectedByHTTP(status: status))
        } else if text.contains("connection limit") || text.contains("limit on") {
            connectionGuard.note(
                .other("connections refused: " + text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120)))
        }
        // Other messages are about clients going away mid-request: not refusals.
    }

    fileprivate func handle(
        _ exchange: HTTPExchange, connection: OpaquePointer, method: UnsafePointer<CChar>?, data: UnsafePointer<CChar>?,
        size: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        switch exchange.phase {
        case .headers:
            connectionGuard.requestStarted(connection)
            exchange.method = method.map { String(cString: $0) } ?? ""
            exchange.headers = Self.headers(of: connection)
            exchange.phase = .body
            if let early = handler.headersReceived(exchange) {
                exchange.phase = .answered
                return Self.queue(early, on: connection)
            }
            if size.pointee == 0 { return .YES }
            fallthrough
        case .body:
            if size.pointee > 0 {
                let keep = handler.bodyReceived(exchange, UnsafeRawBufferPointer(start: data, count: size.pointee))
                size.pointee = 0
                if !keep { connectionGuard.note(exchange.dropReason ?? .other("requests dropped by the handler")) }
                return keep ? .YES : .NO
            }
            exchange.phase = .complete
            switch handler.requestComplete(exchange) {
            case .now(let response):
                exchange.phase = .answered
                return Self.queue(response, on: connection)
            case .later:
                return answerOrSuspend(exchange, connection)
            }
        case .complete:
            // Resumed: the answer is there.
            return answerOrSuspend(exchange, connection)
        case .answered:
            return .YES
        }
    }

    /// Queues the answer when it is there, else suspends the connection until
    /// `HTTPExchange.answer(_:)` resumes it. Both sides decide under the exchange's lock,
    /// so a resume never comes before its suspend.
    private func answerOrSuspend(_ exchange: HTTPExchange, _ connection: OpaquePointer) -> MHD_Result {
        let ready = exchange.slot.withLock { slot -> HTTPResponse? in
            // The daemon only calls a connection that is not suspended.
            slot.suspended = false
            if let response = slot.response {
                slot.response = nil
                return response
            }
            MHD_suspend_connection(connection)
            slot.suspended = true
            return nil
        }
        guard let ready else { return .YES }
        exchange.phase = .answered
        return Self.queue(ready, on: connection)
    }

    fileprivate static func resume(_ connection: OpaquePointer) {
        MHD_resume_connection(connection)
    }

    private static func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let created = response.body.withUnsafeBytes { buffer in
            MHD_create_response_from_buffer(
                buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers { _ = MHD_add_response_header(created, name, value) }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }

    private static func headers(of connection: OpaquePointer) -> [(name: String, value: String)] {
        var collected: [(name: String, value: String)] = []
        withUnsafeMutablePointer(to: &collected) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, MHDCallbacks.header, pointer)
        }
        return collected
    }

    private static func withSocketAddress<T>(
        _ host: String, port: UInt16, _ body: (UnsafePointer<sockaddr>, Bool) -> T
    ) throws(HTTPDaemonError) -> T {
        var text = host == "localhost" ? "127.0.0.1" : host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, text, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            return withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, false) }
            }
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, text, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            return withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, true) }
            }
        }
        throw HTTPDaemonError(message: "--host must be a numeric IPv4 or IPv6 address (or localhost), not '\(host)'")
    }
}

extension HTTPExchange {
    /// Gives the answer to a request whose handler replied `.later`: from any thread,
    /// once. Resumes the suspended connection, which then sends it.
    public func answer(_ response: HTTPResponse) {
        let resume = slot.withLock { slot -> Bool in
            guard slot.response == nil else { return false }
            slot.response = response
            defer { slot.suspended = false }
            return slot.suspended
        }
        if resume { HTTPDaemon.resume(connection) }
    }
}

/// The C callbacks: `static let`s on a nonisolated type, outside main.swift, so a
/// daemon thread can call them. Their context is the HTTPDaemon (unretained; it
/// outlives its daemon) and, per request, the HTTPExchange (retained by `uriLog`,
/// released by `completed`).
private enum MHDCallbacks {
    typealias URILogCallback =
        @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?) ->
        UnsafeMutableRawPointer?

    /// The request line is in: create the request's state (libmicrohttpd stores the
    /// returned pointer as the request's context).
    static let uriLog: URILogCallback = { context, uri, connection in
        guard let context, let connection else { return nil }
        let daemon = Unmanaged<HTTPDaemon>.fromOpaque(context).takeUnretainedValue()
        return daemon.begin(target: uri.map { String(cString: $0) } ?? "/", connection: connection)
    }

    static let access: MHD_AccessHandlerCallback = { context, connection, _, method, _, data, size, requestContext in
        guard let context, let connection, let size, let state = requestContext?.pointee else { return .NO }
        let daemon = Unmanaged<HTTPDaemon>.fromOpaque(context).takeUnretainedValue()
        let exchange = Unmanaged<HTTPExchange>.fromOpaque(state).takeUnretainedValue()
        return daemon.handle(exchange, connection: connection, method: method, data: data, size: size)
    }

    /// The request is over: tell the handler and free its state.
    static let completed: MHD_RequestCompletedCallback = { context, _, requestContext, termination in
        guard let context, let requestContext, let state = requestContext.pointee else { return }
        requestContext.pointee = nil
        let daemon = Unmanaged<HTTPDaemon>.fromOpaque(context).takeUnretainedValue()
        let exchange = Unmanaged<HTTPExchange>.fromOpaque(state).takeRetainedValue()
        daemon.finish(exchange, answered: termination == .REQUEST_TERMINATED_COMPLETED_OK)
    }

    /// A connection opened or closed: the guard keeps track of it.
    static let connection: MHD_NotifyConnectionCallback = { context, connection, _, code in
        guard let context, let connection else { return }
        let daemon = Unmanaged<HTTPDaemon>.fromOpaque(context).takeUnretainedValue()
        switch code {
        case .CONNECTION_NOTIFY_STARTED:
            daemon.connectionGuard.opened(connection, socket: fm_mhd_connection_fd(connection))
        case .CONNECTION_NOTIFY_CLOSED:
            daemon.connectionGuard.closed(connection)
        @unknown default:
            break
        }
    }

    /// libmicrohttpd's error log (printf-style).
    static let log: MHD_LogCallback = { context, format, arguments in
        guard let context, let format, let arguments else { return }
        var buffer = [CChar](repeating: 0, count: 512)
        _ = vsnprintf(&buffer, buffer.count, format, arguments)
        let daemon = Unmanaged<HTTPDaemon>.fromOpaque(context).takeUnretainedValue()
        daemon.libraryMessage(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    static let header: MHD_KeyValueIteratorN = { list, _, key, keySize, value, valueSize in
        guard let list, let key else { return .YES }
        let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
        let text =
            value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
        list.assumingMemoryBound(to: [(name: String, value: String)].self).pointee.append((name, text))
        return .YES
    }
}
