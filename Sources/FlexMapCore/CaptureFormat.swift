/// flexmap's own capture format: one webhook request per NDJSON line, as
/// `serve --capture` writes it and `import --format capture` and `replay` read it.
///
///     {"timestamp":"2026-12-04T20:00:00.123Z","method":"POST","path":"/api/contacts/flex",
///      "query":"mapId=map_1&orgId=org_1","headers":[["Content-Type","application/json"]],
///      "body":"{\"phone\":\"+12015550123\"}"}
///
/// `query` is the raw query string as received (without "?"); `headers` keeps order and
/// repeats; `body` is the body as text, or base64 with `"bodyEncoding":"base64"` when it
/// is not UTF-8. Unknown keys are ignored, so later versions can add some.
public enum CaptureFormat {
    public struct Entry: Sendable, Equatable {
        public var timestamp: String
        public var method: String
        public var path: String
        public var rawQuery: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(
            timestamp: String, method: String, path: String, rawQuery: String, headers: [(name: String, value: String)],
            body: [UInt8]
        ) {
            self.timestamp = timestamp
            self.method = method
            self.path = path
            self.rawQuery = rawQuery
            self.headers = headers
            self.body = body
        }

        public var request: WebhookRequest {
            WebhookRequest(
                method: method, target: rawQuery.isEmpty ? path : path + "?" + rawQuery, headers: headers, body: body)
        }

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.timestamp == rhs.timestamp && lhs.method == rhs.method && lhs.path == rhs.path
                && lhs.rawQuery == rhs.rawQuery && lhs.headers.map(\.name) == rhs.headers.map(\.name)
                && lhs.headers.map(\.value) == rhs.headers.map(\.value) && lhs.body == rhs.body
        }
    }

    public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// One line of JSON, without the newline.
    public static func encode(_ entry: Entry) -> String {
        var members: [(key: String, value: JSONValue)] = [
            ("timestamp", .string(entry.timestamp)),
            ("method", .string(entry.method)),
            ("path", .string(entry.path)),
            ("query", .string(entry.rawQuery)),
            ("headers", .array(entry.headers.map { .array([.string($0.name), .string($0.value)]) })),
        ]
        if let text = String(validating: entry.body, as: UTF8.self) {
            members.append(("body", .string(text)))
        } else {
            members.append(("body", .string(Base64.encode(entry.body))))
            members.append(("bodyEncoding", .string("base64")))
        }
        return JSONText.encode(.object(JSONObject(members)))
    }

    public static func decode(_ value: JSONValue) -> Result<Entry, DecodeError> {
        guard case .object(let object) = value else {
            return .failure(DecodeError(message: "a capture line must be a JSON object"))
        }
        func text(_ key: String) -> String? {
            if case .string(let value)? = object[key] { return value }
            return nil
        }
        guard let method = text("method"), !method.isEmpty else {
            return .failure(DecodeError(message: "missing \"method\""))
        }
        guard var path = text("path"), !path.isEmpty else { return .failure(DecodeError(message: "missing \"path\"")) }
        var rawQuery = text("query") ?? ""
        if rawQuery.utf8.first == UInt8(ascii: "?") {
            rawQuery = String(decoding: rawQuery.utf8.dropFirst(), as: UTF8.self)
        }
        if rawQuery.isEmpty, path.utf8.contains(UInt8(ascii: "?")) {
            (path, rawQuery) = RequestTarget.splitAtQuery(path)
        }
        var headers: [(name: String, value: String)] = []
        switch object["headers"] {
        case .array(let items)?:
            for item in items {
                guard case .array(let pair) = item, pair.count == 2, case .string(let name) = pair[0],
                    case .string(let value) = pair[1]
                else { return .failure(DecodeError(message: "\"headers\" must be a list of [name, value] pairs")) }
                headers.append((name, value))
            }
        case .object(let map)?:
            // Accept {"name": "value"} as well, as hand-written captures use it.
            for member in map.members { headers.append((member.key, member.value.scalarText ?? "")) }
        case nil, .null?:
            break
        default:
            return .failure(DecodeError(message: "\"headers\" must be a list of [name, value] pairs"))
        }
        var body: [UInt8] = []
        switch object["body"] {
        case .string(let text)?:
            if Self.text(for: "bodyEncoding", in: object) == "base64" {
                guard let bytes = Base64.decode(text) else {
                    return .failure(DecodeError(message: "\"body\" is not valid base64"))
                }
                body = bytes
            } else {
                body = Array(text.utf8)
            }
        case .object?, .array?:
            // A body written as JSON itself.
            body = Array(JSONText.encode(object["body"]!).utf8)
        case nil, .null?:
            break
        default:
            return .failure(DecodeError(message: "\"body\" must be a string"))
        }
        return .success(
            Entry(
                timestamp: text("timestamp") ?? "", method: method, path: path, rawQuery: rawQuery, headers: headers,
                body: body))
    }

    private static func text(for key: String, in object: JSONObject) -> String? {
        if case .string(let value)? = object[key] { return value }
        return nil
    }
}

/// RFC 4648 base64, for bodies that are not text.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(value >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var value = UInt32(bytes[index]) << 16
            if rest == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(value >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): values.append(62)
            case UInt8(ascii: "/"), UInt8(ascii: "_"): values.append(63)
            case UInt8(ascii: "="), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "): continue
            default: return nil
            }
        }
        if values.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var value: UInt32 = 0
            for (offset, item) in chunk.enumerated() { value |= UInt32(item) << UInt32(18 - 6 * offset) }
            out.append(UInt8(value >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(value >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(value & 0xFF)) }
            index += 4
        }
        return out
    }
}
