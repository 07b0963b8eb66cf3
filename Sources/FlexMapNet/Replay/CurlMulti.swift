import CCurl
import Foundation

/// CLOCK_MONOTONIC in nanoseconds: the clock of the loop's timer (through the shim).
enum MonotonicClock {
    static func now() -> UInt64 { fm_monotonic_ns() }
}

/// A libcurl failure outside a transfer's own result: setting up a handle, the multi loop.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// How every transfer of a run is set up.
struct CurlSettings: Sendable {
    /// Whole-request timeout (`--timeout`), milliseconds.
    var timeoutMilliseconds: Int
    var connectTimeoutMilliseconds: Int
    /// Handles, and connections kept open for reuse (CURLMOPT_MAXCONNECTS).
    var maxConnections: Int
    /// Keep answers' bodies (up to `responseLimit` bytes) for their reason and detail.
    var keepResponses: Bool
    var responseLimit = 64 << 10
    /// Read the Retry-After header.
    var readRetryAfter: Bool
    /// Do not check TLS certificates (`--insecure`).
    var insecure: Bool
    /// Header lines every request built with `usesCommonHeaders` carries.
    var commonHeaders: [(name: String, value: String)]
}

/// What became of one transfer.
struct CurlResult {
    var id: Int
    /// The HTTP status, or 0 when no answer came.
    var status: Int
    var error: ReplayErrorKind?
    /// libcurl's words for the error (no URL in them: libcurl names the host only).
    var errorMessage: String
    var body: [UInt8]
    var retryAfter: String?
}

/// Owns libcurl: every call into it is in this file. One multi handle drives many
/// transfers on the calling thread; each transfer slot is an easy handle reused request
/// after request, so connections stay open (keep-alive) in the multi's pool. Bodies are
/// copied into the slot's own buffer, which lives as long as the slot, so libcurl's
/// pointer to it (CURLOPT_POSTFIELDS does not copy) stays valid for the whole transfer.
/// Not thread-safe: one thread makes every call.
final class CurlMulti {
    private let multi: UnsafeMutableRawPointer
    private let settings: CurlSettings
    /// Every slot; they free their easy handles when this lets go of them, after each
    /// was removed from the multi handle.
    private var slots: [CurlSlot] = []
    private var idle: [CurlSlot] = []
    /// `Expect:` (no 100-continue round trip) plus the common headers; and `Expect:`
    /// alone, for captured requests that bring their own.
    private let commonList: UnsafeMutablePointer<curl_slist>
    private let expectList: UnsafeMutablePointer<curl_slist>
    private let timer: Int32

    /// Whether the environment names a proxy libcurl would use.
    private static let proxyConfigured: Bool = {
        let names = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        return names.contains { name in getenv(name).map { $0.pointee != 0 } ?? false }
    }()

    /// curl_global_init, once per process, before any handle (Swift runs it once).
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    init(settings: CurlSettings) throws(CurlError) {
        guard Self.globalInit == CURLE_OK else { throw CurlError(message: "libcurl did not initialise") }
        guard let multi = curl_multi_init() else { throw CurlError(message: "libcurl could not make a multi handle") }
        self.multi = multi
        self.settings = settings
        var common: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Expect:")
        for (name, value) in settings.commonHeaders { common = curl_slist_append(common, Self.line(name, value)) }
        commonList = common!
        expectList = curl_slist_append(nil, "Expect:")
        timer = fm_timer_create()
        _ = fm_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, settings.maxConnections))
        guard timer >= 0 else {
            curl_slist_free_all(commonList)
            curl_slist_free_all(expectList)
            curl_multi_cleanup(multi)
            throw CurlError(message: "cannot make a timer: " + String(cString: strerror(errno)))
        }
    }

    deinit {
        for slot in slots where slot.busy {
            curl_multi_remove_handle(multi, slot.handle)
            slot.finish()
        }
        idle.removeAll()
        slots.removeAll()  // the easy handles go here, before the multi handle
        curl_multi_cleanup(multi)
        curl_slist_free_all(commonList)
        curl_slist_free_all(expectList)
        close(timer)
    }

    var inFlight: Int { slots.count - idle.count }

    /// Starts sending `request`; `id` comes back with its result.
    func start(_ request: WireRequest, id: Int) throws(CurlError) {
        let slot: CurlSlot
        if let reused = idle.popLast() { slot = reused } else { slot = try makeSlot() }
        let handle = slot.handle
        slot.prepare(id: id)
        if slot.url != request.url {
            try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_URL, request.url), "the URL")
            slot.url = request.url
        }
        // Headers: this request's lines, then the shared list (not copied, not freed here).
        let base = request.usesCommonHeaders ? commonList : expectList
        var own: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { own = curl_slist_append(own, Self.line(name, value)) }
        for name in request.suppressed { own = curl_slist_append(own, name + ":") }
        if let first = own {
            var last = first
            while let next = last.pointee.next { last = next }
            last.pointee.next = base
            slot.ownHeaders = (first, last)
            try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, first), "the headers")
        } else {
            try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, base), "the headers")
        }
        let method = request.method.uppercased()
        let sendsBody = !request.body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH"
        if slot.method != method || slot.sentBody != sendsBody {
            // HTTPGET clears NOBODY, so it goes first; POSTFIELDS below makes it a POST again.
            if !sendsBody { try check(fm_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), "the method") }
            try check(fm_curl_easy_setopt_long(handle, CURLOPT_NOBODY, method == "HEAD" ? 1 : 0), "the method")
            let custom =
                sendsBody ? (method == "POST" ? nil : method) : (method == "GET" || method == "HEAD" ? nil : method)
            if let custom {
                try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, custom), "the method")
            } else {
                try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil), "the method")
            }
            slot.method = method
            slot.sentBody = sendsBody
        }
        if sendsBody {
            let pointer = slot.store(body: request.body)
            try check(
                fm_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
                "the body")
            try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, pointer), "the body")
        }
        let added = curl_multi_add_handle(multi, handle)
        guard added == CURLM_OK else {
            slot.finish()
            idle.append(slot)
            throw CurlError(
                message: "libcurl could not start a transfer: " + String(cString: curl_multi_strerror(added)))
        }
        slot.busy = true
    }

    /// Lets libcurl move every transfer along as far as it can without waiting.
    func perform() throws(CurlError) {
        var running: Int32 = 0
        let code = curl_multi_perform(multi, &running)
        guard code == CURLM_OK else {
            throw CurlError(message: "libcurl's transfer loop failed: " + String(cString: curl_multi_strerror(code)))
        }
    }

    /// Waits until a socket is ready, `until` (CLOCK_MONOTONIC ns) comes, or `maxWait`
    /// milliseconds pass: whichever is first.
    func wait(until deadline: UInt64?, maxWait milliseconds: Int32) throws(CurlError) {
        _ = fm_timer_arm(timer, deadline ?? 0)
        var extra = curl_waitfd(fd: timer, events: Int16(CURL_WAIT_POLLIN), revents: 0)
        var ready: Int32 = 0
        let code = curl_multi_poll(multi, &extra, 1, milliseconds, &ready)
        fm_timer_clear(timer)
        guard code == CURLM_OK else {
            throw CurlError(message: "libcurl's wait failed: " + String(cString: curl_multi_strerror(code)))
        }
    }

    /// The transfers that ended since the last call.
    func completions() -> [CurlResult] {
        var results: [CurlResult] = []
        var message = fm_curl_message()
        while fm_curl_multi_next_message(multi, &message) != 0 {
            guard message.done != 0, let handle = message.handle else { continue }
            var context: UnsafeMutableRawPointer?
            _ = fm_curl_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &context)
            guard let context else { continue }
            let slot = Unmanaged<CurlSlot>.fromOpaque(context).takeUnretainedValue()
            var status = 0
            _ = fm_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            curl_multi_remove_handle(multi, handle)
            let code = message.result
            var result = CurlResult(
                id: slot.id, status: code == CURLE_OK ? status : 0, error: nil, errorMessage: "",
                body: slot.response, retryAfter: slot.retryAfter)
            if code != CURLE_OK {
                result.error = Self.kind(of: code)
                let detail = slot.errorText
                result.errorMessage = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            }
            slot.finish()
            idle.append(slot)
            results.append(result)
        }
        return results
    }

    // MARK: - Internals

    private func makeSlot() throws(CurlError) -> CurlSlot {
        guard let handle = curl_easy_init() else { throw CurlError(message: "libcurl could not make a handle") }
        let slot = CurlSlot(handle: handle, keep: settings.keepResponses ? settings.responseLimit : 0)
        slots.append(slot)
        let context = Unmanaged.passUnretained(slot).toOpaque()
        try check(fm_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, context), "PRIVATE")
        try check(
            fm_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, CurlCallbacks.write), "the body reader")
        try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "the body reader")
        if settings.readRetryAfter {
            try check(
                fm_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, CurlCallbacks.header),
                "the header reader")
            try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "the header reader")
        }
        try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, slot.errorBuffer), "the error buffer")
        try check(
            fm_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, settings.timeoutMilliseconds)), "the timeout")
        try check(
            fm_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, settings.connectTimeoutMilliseconds)),
            "the connect timeout")
        try check(fm_curl_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1), "TCP_NODELAY")
        if !Self.proxyConfigured {
            // No proxy variable is set: say so once, rather than have libcurl look them
            // all up (getenv) for every request.
            try check(fm_curl_easy_setopt_pointer(handle, CURLOPT_PROXY, ""), "the proxy")
        }
        if settings.insecure {
            try check(fm_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0), "--insecure")
            try check(fm_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0), "--insecure")
        }
        return slot
    }

    private func check(_ code: CURLcode, _ what: String) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError(message: "libcurl refused \(what): " + String(cString: curl_easy_strerror(code)))
        }
    }

    /// "Name: value"; an empty value is sent as "Name;" (libcurl reads "Name:" as
    /// "remove this header").
    static func line(_ name: String, _ value: String) -> String {
        value.isEmpty ? name + ";" : name + ": " + value
    }

    static func kind(of code: CURLcode) -> ReplayErrorKind {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT:
            return .tls
        default:
            return .other
        }
    }
}

/// One easy handle and what its current transfer needs to outlive it: the body, the
/// answer so far, its own header lines, the error text.
final class CurlSlot {
    let handle: UnsafeMutableRawPointer
    let keep: Int
    var id = -1
    var busy = false
    /// What the handle is set to, so unchanged options are not set again.
    var url: String?
    var method: String?
    var sentBody = false
    var response: [UInt8] = []
    var retryAfter: String?
    var ownHeaders: (first: UnsafeMutablePointer<curl_slist>, last: UnsafeMutablePointer<curl_slist>)?
    private var body: UnsafeMutableRawPointer
    private var bodyCapacity: Int
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(handle: UnsafeMutableRawPointer, keep: Int) {
        self.handle = handle
        self.keep = keep
        bodyCapacity = 4096
        body = UnsafeMutableRawPointer.allocate(byteCount: bodyCapacity, alignment: 16)
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        freeOwnHeaders()
        curl_easy_cleanup(handle)
        body.deallocate()
        errorBuffer.deallocate()
    }

    func prepare(id: Int) {
        self.id = id
        response.removeAll(keepingCapacity: true)
        retryAfter = nil
        errorBuffer[0] = 0
    }

    /// Copies the body into the slot's buffer; the pointer stays valid until the next call.
    func store(body bytes: [UInt8]) -> UnsafeRawPointer {
        if bytes.count > bodyCapacity {
            body.deallocate()
            bodyCapacity = max(bytes.count, bodyCapacity * 2)
            body = UnsafeMutableRawPointer.allocate(byteCount: bodyCapacity, alignment: 16)
        }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { body.copyMemory(from: base, byteCount: source.count) }
        }
        return UnsafeRawPointer(body)
    }

    /// The transfer is over (and out of the multi handle): drop its own header lines.
    func finish() {
        freeOwnHeaders()
        busy = false
    }

    var errorText: String { String(cString: errorBuffer) }

    private func freeOwnHeaders() {
        guard let (first, last) = ownHeaders else { return }
        last.pointee.next = nil  // the shared list after it is not ours to free
        curl_slist_free_all(first)
        ownHeaders = nil
    }

    func append(_ data: UnsafeRawBufferPointer) {
        let room = keep - response.count
        guard room > 0 else { return }
        response.append(contentsOf: data.prefix(room))
    }

    /// One header line of the answer ("Retry-After: 2\r\n"); a status line starts a new answer.
    func header(_ data: UnsafeRawBufferPointer) {
        if data.starts(with: "HTTP/".utf8) {
            retryAfter = nil
            return
        }
        let name = "retry-after:".utf8
        guard data.count > name.count,
            zip(data.prefix(name.count), name).allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 })
        else { return }
        let value = String(decoding: data.dropFirst(name.count), as: UTF8.self)
        retryAfter = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The C callbacks: `static let`s on a nonisolated type, outside main.swift, so a
/// libcurl call on any thread can call them. Their context is the CurlSlot (unretained;
/// the multi handle keeps it alive while the transfer runs).
private enum CurlCallbacks {
    static let write: fm_curl_data_callback = { data, size, count, context in
        let length = size * count
        guard let context, let data else { return length }
        Unmanaged<CurlSlot>.fromOpaque(context).takeUnretainedValue().append(
            UnsafeRawBufferPointer(start: data, count: length))
        return length
    }

    static let header: fm_curl_data_callback = { data, size, count, context in
        let length = size * count
        guard let context, let data else { return length }
        Unmanaged<CurlSlot>.fromOpaque(context).takeUnretainedValue().header(
            UnsafeRawBufferPointer(start: data, count: length))
        return length
    }
}
