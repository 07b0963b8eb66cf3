/// One HTTP request to the webhook endpoint, captured or live.
public struct WebhookRequest: Sendable, Equatable {
    public var method: String
    /// The path without its query string.
    public var path: String
    /// Decoded query parameters, in order.
    public var query: [(name: String, value: String)]
    /// Header names as sent, in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public static let flexPath = "/api/contacts/flex"

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target ("/api/contacts/flex?mapId=x") or a full URL into path and
    /// decoded query.
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        // Split byte by byte (RequestTarget): an absolute URL loses scheme and authority, a
        // fragment is dropped.
        let (path, rawQuery) = RequestTarget.split(target)
        let query = FormDecoding.pairs(Array(rawQuery.utf8)) ?? []
        self.init(
            method: method, path: PercentDecoding.decode(Array(path.utf8)) ?? path, query: query, headers: headers,
            body: body)
    }

    /// The first header with this name, compared without case.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    public static func == (lhs: WebhookRequest, rhs: WebhookRequest) -> Bool {
        func same(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        }
        return lhs.method == rhs.method && lhs.path == rhs.path && same(lhs.query, rhs.query)
            && same(lhs.headers, rhs.headers) && lhs.body == rhs.body
    }
}

/// `%XX` and `+` decoding for URLs and form bodies.
public enum PercentDecoding {
    /// Decodes `%XX` (and `+` as space when `plusIsSpace`); nil when an escape is broken or
    /// the result is not UTF-8.
    public static func decode(_ bytes: some Collection<UInt8>, plusIsSpace: Bool = false) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                out.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                out.append(UInt8(ascii: " "))
            default:
                out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Encodes for a query string or form body (unreserved characters stay).
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}

/// `application/x-www-form-urlencoded`: what form builders send.
public enum FormDecoding {
    /// name=value pairs in order; nil when an escape is broken or not UTF-8.
    public static func pairs(_ bytes: [UInt8]) -> [(name: String, value: String)]? {
        var result: [(name: String, value: String)] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(pieces[0], plusIsSpace: true) else { return nil }
            let value = pieces.count > 1 ? PercentDecoding.decode(pieces[1], plusIsSpace: true) : ""
            guard let value, !name.isEmpty else {
                if name.isEmpty { continue }
                return nil
            }
            result.append((name, value))
        }
        return result
    }

    /// The fields as a JSON object: a name sent more than once becomes an array, and
    /// `a[b]` / `a.b` names stay flat keys (sources can name them exactly).
    public static func object(_ pairs: [(name: String, value: String)]) -> JSONObject {
        // Each name's values, and where it was last given: a repeated name moves to its
        // last place. Indexed by name, so a form of many fields costs no more than its size.
        var values: [String: (items: [JSONValue], isList: Bool, last: Int)] = [:]
        for (position, (name, value)) in pairs.enumerated() {
            let isList = name.hasSuffix("[]")
            let key = isList ? String(name.dropLast(2)) : name
            if values[key] != nil {
                // In place: a copy of the entry would copy its list at every repeat.
                values[key]!.items.append(.string(value))
                values[key]!.isList = true
                values[key]!.last = position
            } else {
                values[key] = ([.string(value)], isList, position)
            }
        }
        let ordered = values.sorted { $0.value.last < $1.value.last }
        return JSONObject(ordered.map { ($0.key, $0.value.isList ? .array($0.value.items) : $0.value.items[0]) })
    }
}
