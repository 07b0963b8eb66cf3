import FlexMapCore
import FlexMapIO

/// One request as it goes on the wire.
public struct WireRequest: Sendable {
    public var method: String
    /// The full URL.
    public var url: String
    /// Path and query: the request target the endpoint reads.
    public var target: String
    /// This request's own headers; with `usesCommonHeaders` the builder's
    /// `commonHeaders` go before them.
    public var headers: [(name: String, value: String)]
    public var usesCommonHeaders: Bool
    /// Headers libcurl would add on its own that this request must not carry
    /// (a captured request without Content-Type).
    public var suppressed: [String]
    public var body: [UInt8]

    /// The request as the endpoint will see it, for predictions.
    public func webhookRequest(common: [(name: String, value: String)]) -> WebhookRequest {
        WebhookRequest(method: method, target: target, headers: (usesCommonHeaders ? common : []) + headers, body: body)
    }
}

/// A record that cannot become a request (the reader refused it, or a CSV field is not
/// text): it is listed in the report and not sent.
public struct NotSent: Error, Sendable, Equatable {
    public var reason: Reason
    public var detail: String
}

/// Turns input records into requests:
/// - a CSV row becomes the JSON object the product's docs show, its header names as the
///   keys, exactly as written, and its cells as string values;
/// - an NDJSON line is the body as it is (rewritten only to add or replace credentials);
/// - a captured request (HAR, gor, capture) goes as captured: method, path, query,
///   headers and body, to the new origin (and to the target's path, if it names one),
///   without the hop-by-hop headers (Host, Content-Length, Connection, …) and
///   Accept-Encoding, which describe the old connection.
///
/// The given credentials replace any the record or request carries, in every place it
/// carries them (query, headers, Authorization: Bearer, top-level body fields), and go
/// where `ReplayCredentials` says. Every request gets an `Idempotency-Key` derived from
/// the record (a captured request keeps its own), so its retries are recognisable and a
/// second replay of the same file sends the same keys.
public struct ReplayRequestBuilder: Sendable {
    public let target: ReplayTarget
    public let credentials: ReplayCredentials
    public let idempotencyKeys: Bool
    /// Headers every record carries: Content-Type, the credentials placed in headers,
    /// and `--header` lines. Sent once per handle set-up rather than built per request.
    public let commonHeaders: [(name: String, value: String)]
    /// `--header` lines, added to captured requests too (replacing theirs).
    public let extraHeaders: [(name: String, value: String)]
    private let recordTarget: String

    static let hopByHop: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te", "trailer",
        "upgrade", "expect", "accept-encoding",
    ]

    public init(
        target: ReplayTarget, credentials: ReplayCredentials, idempotencyKeys: Bool = true,
        extraHeaders: [(name: String, value: String)] = []
    ) {
        self.target = target
        self.credentials = credentials
        self.idempotencyKeys = idempotencyKeys
        self.extraHeaders = extraHeaders
        var common: [(name: String, value: String)] = [("Content-Type", "application/json")]
        for (field, value) in credentials.placed(.header) {
            common.append((ReplayCredentials.headerName(field), value))
        }
        let extraNames = Set(extraHeaders.map { $0.name.lowercased() })
        common = common.filter { !extraNames.contains($0.name.lowercased()) } + extraHeaders
        commonHeaders = common
        recordTarget = Self.target(
            path: target.path ?? WebhookRequest.flexPath, query: target.query, credentials: credentials)
    }

    /// The request for a record, or why it cannot be sent. `header` is the CSV header.
    public func build(_ record: InputRecord, header: [String]?, parser: JSONParser) -> Result<WireRequest, NotSent> {
        switch record.payload {
        case .problem(let reason, let detail):
            return .failure(NotSent(reason: reason, detail: detail))
        case .csv(let fields):
            var members = credentials.placed(.body).map { (key: $0.field.rawValue, value: JSONValue.string($0.value)) }
            let names = header ?? []
            for index in 0..<fields.count {
                let name = index < names.count ? names[index] : "column \(index + 1)"
                if isReplaced(name) { continue }
                guard let text = fields.string(at: index) else {
                    return .failure(
                        NotSent(
                            reason: .invalidUTF8,
                            detail:
                                "line \(record.line), column '\(name)' is not valid UTF-8, so the row cannot be sent as JSON text"
                        ))
                }
                members.append((name, .string(text)))
            }
            return .success(
                recordRequest(body: Array(JSONText.encode(.object(JSONObject(members))).utf8), record: record))
        case .json:
            var body = record.raw
            if !credentials.placed(.body).isEmpty || Self.mentionsCredential(body) {
                if case .object(let object)? = try? parser.parse(body) {
                    body = Array(JSONText.encode(.object(rewritten(object))).utf8)
                }
            }
            return .success(recordRequest(body: body, record: record))
        case .request(let captured):
            return .success(capturedRequest(captured, record: record, parser: parser))
        }
    }

    private func recordRequest(body: [UInt8], record: InputRecord) -> WireRequest {
        var own: [(name: String, value: String)] = []
        if idempotencyKeys { own.append(("Idempotency-Key", idempotencyKey(record))) }
        return WireRequest(
            method: "POST", url: target.origin + recordTarget, target: recordTarget, headers: own,
            usesCommonHeaders: true,
            suppressed: [], body: body)
    }

    private func capturedRequest(_ captured: WebhookRequest, record: InputRecord, parser: JSONParser) -> WireRequest {
        var headerPlaced = credentials.placed(.header)
        var bodyPlaced = credentials.placed(.body)
        let extraNames = Set(extraHeaders.map { $0.name.lowercased() })
        var headers = captured.headers.filter { header in
            let name = header.name.lowercased()
            if name.hasPrefix(":") || Self.hopByHop.contains(name) || extraNames.contains(name) { return false }
            for field in credentials.fields.keys where field.headerNames.contains(name) { return false }
            if name == "authorization", credentials[.apiKey] != nil,
                header.value.trimmingWhitespace().lowercased().hasPrefix("bearer ")
            {
                return false
            }
            return true
        }
        var body = captured.body
        let contentType = captured.header("content-type").flatMap(MediaType.init)?.essence
        let first = body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        let isJSON = contentType.map { $0 == "application/json" || $0 == "text/json" } ?? (first == UInt8(ascii: "{"))
        let isForm =
            contentType.map { $0 == "application/x-www-form-urlencoded" }
            ?? (!isJSON && body.contains(UInt8(ascii: "=")))
        let mentions = Self.mentionsCredential(body)
        if isJSON, !bodyPlaced.isEmpty || mentions, case .object(let object)? = try? parser.parse(body) {
            body = Array(JSONText.encode(.object(rewritten(object))).utf8)
            bodyPlaced = []
        } else if isForm, !bodyPlaced.isEmpty || mentions, let pairs = FormDecoding.pairs(body) {
            let kept = pairs.filter { !isReplaced($0.name) } + bodyPlaced.map { ($0.field.rawValue, $0.value) }
            body = Array(Self.encodeQuery(kept).utf8)
            bodyPlaced = []
        }
        // A body that is neither a JSON object nor a form cannot hold credentials: headers.
        headerPlaced += bodyPlaced
        for (field, value) in headerPlaced { headers.append((ReplayCredentials.headerName(field), value)) }
        headers += extraHeaders
        if idempotencyKeys, !headers.contains(where: { $0.name.lowercased() == "idempotency-key" }) {
            headers.append(("Idempotency-Key", idempotencyKey(record)))
        }
        let query = target.query + captured.query.filter { !isReplaced($0.name) }
        let path = target.path ?? Self.encodePath(captured.path)
        let requestTarget = Self.target(path: path, query: query, credentials: credentials)
        var suppressed: [String] = []
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) { suppressed.append("Content-Type") }
        return WireRequest(
            method: captured.method, url: target.origin + requestTarget, target: requestTarget, headers: headers,
            usesCommonHeaders: false, suppressed: suppressed, body: body)
    }

    /// The object without the given credentials' members, the body-placed ones first.
    private func rewritten(_ object: JSONObject) -> JSONObject {
        let placed = credentials.placed(.body).map { (key: $0.field.rawValue, value: JSONValue.string($0.value)) }
        return JSONObject(placed + object.members.filter { !isReplaced($0.key) })
    }

    /// Whether a field or parameter name carries a credential this replay replaces.
    private func isReplaced(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return credentials.fields.keys.contains { $0.parameterNames.contains(lowered) }
    }

    /// `fm-` and 32 hex digits of SHA-256 over the mapId and the record's bytes (for a
    /// captured request, its redacted capture line): the same record gives the same key
    /// in every run, and no key depends on the API key.
    func idempotencyKey(_ record: InputRecord) -> String {
        let mapId = Array((credentials[.mapId] ?? "").utf8)
        let digest = (try? Crypto.sha256(mapId, [0], record.raw)) ?? Self.fallbackDigest(mapId + [0] + record.raw)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = Array("fm-".utf8)
        for byte in digest.prefix(16) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// FNV-1a, twice seeded, when libcrypto fails (it does not, but the key must exist).
    static func fallbackDigest(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for seed: UInt64 in [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4] {
            var hash = seed
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            withUnsafeBytes(of: hash.bigEndian) { out += $0 }
        }
        return out
    }

    static func target(path: String, query: [(name: String, value: String)], credentials: ReplayCredentials) -> String {
        let all = query + credentials.placed(.query).map { ($0.field.rawValue, $0.value) }
        return all.isEmpty ? path : path + "?" + encodeQuery(all)
    }

    static func encodeQuery(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { PercentDecoding.encode($0.name) + "=" + PercentDecoding.encode($0.value) }.joined(separator: "&")
    }

    /// A decoded path written for a URL again: `/` and the other characters a path
    /// segment may hold stay, the rest is %-escaped.
    static func encodePath(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                if "-._~/:@!$&'()*+,;=".utf8.contains(byte) {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "%" + (hex.count == 1 ? "0" : "") + hex
                }
            }
        }
        return out.isEmpty ? "/" : out
    }

    static let credentialWords: [[UInt8]] = CredentialResolver.Field.allCases.flatMap { $0.parameterNames }.map {
        Array($0.utf8)
    }

    /// Whether the bytes may hold a credential field name (any case): only then is a body
    /// parsed to rewrite it.
    static func mentionsCredential(_ bytes: [UInt8]) -> Bool {
        @inline(__always) func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        return bytes.withUnsafeBufferPointer { buffer in
            guard buffer.count >= 5 else { return false }
            for index in 0..<(buffer.count - 4) {
                let lead = lower(buffer[index])
                guard lead == UInt8(ascii: "o") || lead == UInt8(ascii: "a") || lead == UInt8(ascii: "m") else {
                    continue
                }
                for word in credentialWords where word[0] == lead && index + word.count <= buffer.count {
                    var same = true
                    for offset in 1..<word.count where lower(buffer[index + offset]) != word[offset] {
                        same = false
                        break
                    }
                    if same { return true }
                }
            }
            return false
        }
    }
}
