/// Hides the secrets of captured requests before they are written anywhere: the report's
/// `rejected.ndjson` and `skipped.csv` keep each bad request as a capture line that can
/// be imported again, with every API key replaced by "REDACTED".
///
/// What is replaced:
/// - query and body fields named `apiKey`, `api_key` or `api-key` (any case, at any depth
///   of a JSON body; form fields too);
/// - the headers `x-api-key`, `authorization`, `proxy-authorization`, `cookie`,
///   `set-cookie` (whole values), and headers named like those fields (`apikey: …`);
/// - any other copy of those values in the request (a `Referer` URL, a nested field), and
///   in free text `apiKey=…`, `"apiKey":"…"`, `x-api-key: …`, `Authorization: …`,
///   `Bearer …` and flexmap's own key format `fmk_…` (for records too damaged to parse,
///   paths, anything echoed in a detail or a log).
///
/// orgId and mapId stay visible: they identify, they do not authenticate (a webhook URL
/// carries its mapId in the clear), and a rejected request can only be imported again,
/// with `--auth-override ORG:KEY`, if its mapId is still there.
public enum CaptureRedaction {
    public static let placeholder = "REDACTED"

    /// Copies of a secret are hunted everywhere only when it is at least this long; a
    /// shorter value is replaced where it stands but not in unrelated text.
    public static let minimumHuntedLength = 8

    /// Query and body field names that hold a secret.
    public static func isSecretParameter(_ name: String) -> Bool {
        switch name.lowercased() {
        case "apikey", "api_key", "api-key": return true
        default: return false
        }
    }

    /// Header names whose whole value is a secret.
    public static func isSecretHeader(_ name: String) -> Bool {
        switch name.lowercased() {
        case "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie": return true
        default: return false
        }
    }

    static func isSecretName(_ name: String) -> Bool { isSecretParameter(name) || isSecretHeader(name) }

    // MARK: - Requests

    /// The entry with its secrets replaced. Bytes that hold no secret are kept as they
    /// were; a JSON body that held one is written again compactly.
    public static func redact(_ entry: CaptureFormat.Entry, parser: JSONParser = JSONParser()) -> CaptureFormat.Entry {
        let queryParts = parameters(Array(entry.rawQuery.utf8))
        let body = Body(entry.body, parser: parser)
        let hunted = huntable(secrets(queryParts, entry.headers, body) + resolvedSecrets(entry, parser: parser))

        var out = entry
        out.timestamp = scrub(entry.timestamp, hunted: hunted)
        out.path = scrub(entry.path, hunted: hunted)
        out.rawQuery = String(decoding: rebuild(queryParts, hunted: hunted), as: UTF8.self)
        out.headers = entry.headers.map { header in
            // Names too: a capture or HAR file may put anything there.
            (
                scrub(header.name, hunted: hunted),
                isSecretName(header.name) ? placeholder : scrub(header.value, hunted: hunted)
            )
        }
        out.body = body.redacted(hunted: hunted)
        return out
    }

    /// The secret values a request carries (query and body fields named like a key, the
    /// values of secret headers and their token), whose copies the redaction hunts.
    public static func secrets(in entry: CaptureFormat.Entry, parser: JSONParser = JSONParser()) -> [String] {
        secrets(parameters(Array(entry.rawQuery.utf8)), entry.headers, Body(entry.body, parser: parser))
            + resolvedSecrets(entry, parser: parser)
    }

    /// The keys of the query and body as the endpoint reads them (WebhookRequest: the
    /// query decoded and cut at a `#`; the body decoded by its Content-Type), which may
    /// differ from the raw parts above: the key a request authenticates with is always
    /// hunted (FuzzCredentials).
    static func resolvedSecrets(_ entry: CaptureFormat.Entry, parser: JSONParser) -> [String] {
        let request = entry.request
        var secrets = request.query.filter { isSecretParameter($0.name) }.map(\.value)
        if case .success(let object) = WebhookProcessor.decodeBody(request, parser: parser) {
            collectSecrets(.object(object), into: &secrets)
        }
        return secrets
    }

    static func secrets(_ queryParts: [Parameter], _ headers: [(name: String, value: String)], _ body: Body) -> [String]
    {
        var secrets: [String] = []
        for part in queryParts where part.isSecret { secrets.append(part.value) }
        for header in headers where isSecretName(header.name) {
            secrets.append(header.value)
            let words = header.value.split(separator: " ", maxSplits: 1)
            if words.count == 2 { secrets.append(String(words[1]).trimmingWhitespace()) }
        }
        return secrets + body.secrets
    }

    /// A request body as the pipeline may map it: members named like a key (at any depth)
    /// and copies of the request's keys (`secrets`, in any string) replaced, so no key can
    /// reach a contact. The object comes back as it was when it holds none (the common
    /// case costs one look at each string).
    public static func withoutSecrets(_ object: JSONObject, secrets: [String]) -> JSONObject {
        let hunted = huntable(secrets)
        let value = JSONValue.object(object)
        guard holdsSecret(value, hunted: hunted) else { return object }
        return apply(value, hunted: hunted).objectValue ?? object
    }

    /// The secret values a request offers where the endpoint looks for a key (query and
    /// body fields named like one, `x-api-key`, `Authorization` and the like, a Bearer
    /// token), as `withoutSecrets` takes them.
    public static func offeredSecrets(_ request: WebhookRequest, body: JSONObject) -> [String] {
        var secrets: [String] = []
        for (name, value) in request.query where isSecretParameter(name) { secrets.append(value) }
        for member in body.members where isSecretParameter(member.key) {
            if let text = member.value.scalarText { secrets.append(text) }
        }
        for (name, value) in request.headers where isSecretName(name) {
            secrets.append(value)
            let words = value.split(separator: " ", maxSplits: 1)
            if words.count == 2 { secrets.append(String(words[1])) }
        }
        return secrets
    }

    static func holdsSecret(_ value: JSONValue, hunted: Hunted) -> Bool {
        switch value {
        case .string(let text):
            let bytes = Array(text.utf8)
            return (0..<bytes.count).contains { hunted.match(in: bytes, at: $0) != nil }
        case .array(let items):
            return items.contains { holdsSecret($0, hunted: hunted) }
        case .object(let object):
            return object.members.contains { isSecretName($0.key) || holdsSecret($0.value, hunted: hunted) }
        default:
            return false
        }
    }

    /// A JSON value (a damaged capture line, a HAR entry) with every secret replaced:
    /// members named like a credential, `{"name": "x-api-key", "value": …}` pairs (HAR
    /// headers and query lists), `["x-api-key", …]` pairs (capture headers), and copies
    /// of their values or `apiKey=…` text inside strings.
    public static func redact(_ value: JSONValue) -> JSONValue {
        var secrets: [String] = []
        collectSecrets(value, into: &secrets)
        return apply(value, hunted: huntable(secrets))
    }

    /// Free text (a damaged record) with secrets replaced: `apiKey=…` and `"apiKey":"…"`,
    /// `x-api-key: …`, `Authorization: …`, `Cookie: …` and `Bearer …`, plus `secrets`
    /// wherever they occur.
    public static func scrub(_ text: String, secrets: [String] = []) -> String {
        scrub(text, hunted: huntable(secrets))
    }

    public static func scrub(bytes: [UInt8], secrets: [String] = []) -> [UInt8] {
        scrub(bytes: bytes, hunted: huntable(secrets))
    }

    // MARK: - Parts

    /// One `name=value` part of a query string or form body, raw.
    struct Parameter {
        var raw: ArraySlice<UInt8>
        var rawName: ArraySlice<UInt8>
        var value: String
        var isSecret: Bool
    }

    static func parameters(_ bytes: [UInt8]) -> [Parameter] {
        guard !bytes.isEmpty else { return [] }
        return bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).map { part in
            let equals = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = part[part.startIndex..<(equals ?? part.endIndex)]
            let rawValue = equals.map { part[($0 + 1)...] } ?? []
            let name = PercentDecoding.decode(rawName, plusIsSpace: true) ?? String(decoding: rawName, as: UTF8.self)
            let value = PercentDecoding.decode(rawValue, plusIsSpace: true) ?? String(decoding: rawValue, as: UTF8.self)
            return Parameter(
                raw: part, rawName: rawName, value: value, isSecret: !value.isEmpty && isSecretParameter(name))
        }
    }

    static func rebuild(_ parts: [Parameter], hunted: Hunted) -> [UInt8] {
        var out: [UInt8] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            if part.isSecret {
                out += part.rawName
                out.append(UInt8(ascii: "="))
                out += Array(placeholder.utf8)
            } else {
                out += scrub(bytes: Array(part.raw), hunted: hunted)
            }
        }
        return out
    }

    /// A body as the redaction sees it: JSON, form fields, or other bytes.
    enum Body {
        case json(JSONValue, original: [UInt8])
        case form([Parameter])
        case other([UInt8])

        init(_ bytes: [UInt8], parser: JSONParser) {
            let first = bytes.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), let value = try? parser.parse(bytes) {
                self = .json(value, original: bytes)
            } else if first != nil, String(validating: bytes, as: UTF8.self) != nil,
                bytes.contains(UInt8(ascii: "=")), !bytes.contains(where: { $0 == 0x0A || $0 == 0x0D })
            {
                self = .form(CaptureRedaction.parameters(bytes))
            } else {
                self = .other(bytes)
            }
        }

        var secrets: [String] {
            switch self {
            case .json(let value, _):
                var found: [String] = []
                collectSecrets(value, into: &found)
                return found
            case .form(let parts): return parts.filter(\.isSecret).map(\.value)
            case .other: return []
            }
        }

        func redacted(hunted: Hunted) -> [UInt8] {
            switch self {
            case .json(let value, let original):
                let redacted = apply(value, hunted: hunted)
                return redacted == value ? original : Array(JSONText.encode(redacted).utf8)
            case .form(let parts): return rebuild(parts, hunted: hunted)
            case .other(let bytes): return scrub(bytes: bytes, hunted: hunted)
            }
        }
    }

    // MARK: - JSON

    static func collectSecrets(_ value: JSONValue, into secrets: inout [String]) {
        switch value {
        case .array(let items):
            if items.count == 2, case .string(let name) = items[0], isSecretName(name),
                case .string(let secret) = items[1]
            {
                secrets.append(secret)
            }
            for item in items { collectSecrets(item, into: &secrets) }
        case .object(let object):
            let namedSecret = object["name"].flatMap { $0.scalarText }.map(isSecretName) ?? false
            for member in object.members {
                if isSecretName(member.key) || (namedSecret && member.key == "value"),
                    let text = member.value.scalarText
                {
                    secrets.append(text)
                } else {
                    collectSecrets(member.value, into: &secrets)
                }
            }
        default:
            break
        }
    }

    static func apply(_ value: JSONValue, hunted: Hunted) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(scrub(text, hunted: hunted))
        case .array(let items):
            if items.count == 2, case .string(let name) = items[0], isSecretName(name), case .string = items[1] {
                return .array([items[0], .string(placeholder)])
            }
            return .array(items.map { apply($0, hunted: hunted) })
        case .object(let object):
            let namedSecret = object["name"].flatMap { $0.scalarText }.map(isSecretName) ?? false
            return .object(
                JSONObject(
                    object.members.map { member in
                        let secret = isSecretName(member.key) || (namedSecret && member.key == "value")
                        if secret, member.value.scalarText != nil { return (member.key, .string(placeholder)) }
                        return (member.key, apply(member.value, hunted: hunted))
                    }))
        default:
            return value
        }
    }

    // MARK: - Text

    /// The byte forms of secrets worth hunting: as they are and percent-encoded.
    static func huntable(_ secrets: [String]) -> Hunted {
        var forms: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for secret in secrets {
            let trimmed = secret.trimmingWhitespace()
            guard trimmed.utf8.count >= minimumHuntedLength, trimmed != placeholder else { continue }
            for form in [trimmed, PercentDecoding.encode(trimmed)] where seen.insert(Array(form.utf8)).inserted {
                forms.append(Array(form.utf8))
            }
        }
        return Hunted(forms)
    }

    /// The byte forms of the secrets to hunt, indexed by their first eight bytes (every
    /// form has at least `minimumHuntedLength`, 8), longest first: built once per request,
    /// so scrubbing costs time in proportion to the text, however many keys it names.
    struct Hunted {
        let byPrefix: [UInt64: [[UInt8]]]
        /// Whether some form starts with this byte: most positions are ruled out by it.
        let firstBytes: [Bool]

        init(_ forms: [[UInt8]]) {
            var byPrefix: [UInt64: [[UInt8]]] = [:]
            var firstBytes = [Bool](repeating: false, count: 256)
            for form in forms where form.count >= 8 {
                byPrefix[Self.key(form[...]), default: []].append(form)
                firstBytes[Int(form[0])] = true
            }
            for key in byPrefix.keys { byPrefix[key]!.sort { $0.count > $1.count } }
            self.byPrefix = byPrefix
            self.firstBytes = firstBytes
        }

        var isEmpty: Bool { byPrefix.isEmpty }

        static func key(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            var key: UInt64 = 0
            for byte in bytes.prefix(8) { key = key << 8 | UInt64(byte) }
            return key
        }

        /// The longest form that starts at `index` of `data`.
        func match(in data: [UInt8], at index: Int) -> Int? {
            guard index + 8 <= data.count, firstBytes[Int(data[index])],
                let candidates = byPrefix[Self.key(data[index..<(index + 8)])]
            else { return nil }
            return candidates.first {
                index + $0.count <= data.count && data[index..<(index + $0.count)].elementsEqual($0)
            }?
            .count
        }
    }

    static func scrub(_ text: String, hunted: Hunted) -> String {
        let bytes = Array(text.utf8)
        let scrubbed = scrub(bytes: bytes, hunted: hunted)
        return scrubbed == bytes ? text : String(decoding: scrubbed, as: UTF8.self)
    }

    static func scrub(bytes: [UInt8], hunted: Hunted) -> [UInt8] {
        scrubPatterns(replacingAll(hunted, in: bytes))
    }

    static let placeholderBytes = Array(placeholder.utf8)

    /// Every occurrence of a hunted form replaced by the placeholder (the longest where
    /// several start at one place), in one pass over `data`.
    static func replacingAll(_ hunted: Hunted, in data: [UInt8]) -> [UInt8] {
        guard !hunted.isEmpty, data.count >= 8 else { return data }
        var out: [UInt8] = []
        var index = 0
        var found = false
        while index < data.count {
            if let length = hunted.match(in: data, at: index) {
                if !found {
                    out.reserveCapacity(data.count)
                    out += data[..<index]
                    found = true
                }
                out += placeholderBytes
                index += length
                continue
            }
            if found { out.append(data[index]) }
            index += 1
        }
        return found ? out : data
    }

    private enum Pattern {
        /// `apiKey=…`, `"apiKey":"…"`, `x-api-key: …`: the value up to a delimiter.
        case parameter
        /// `Authorization: …`, `Cookie: …`: the rest of the line or string.
        case headerLine
        /// `Bearer …`: one token.
        case bearer
        /// `fmk_…`: a flexmap API key wherever it stands (a path, free text); the prefix stays.
        case keyToken
    }

    /// The prefix of the API keys flexmap makes, and the fewest characters after it that
    /// make such a word a key.
    static let keyTokenPrefix = "fmk_"
    static let keyTokenMinimum = 16

    private static let patterns: [(name: [UInt8], pattern: Pattern)] = {
        let named: [(String, Pattern)] = [
            ("apikey", .parameter), ("api_key", .parameter), ("api-key", .parameter),
            ("proxy-authorization", .headerLine), ("authorization", .headerLine), ("set-cookie", .headerLine),
            ("cookie", .headerLine), ("bearer", .bearer), (keyTokenPrefix, .keyToken),
        ]
        return named.map { (Array($0.0.utf8), $0.1) }
    }()

    static func scrubPatterns(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        var index = 0
        var changed = false
        outer: while index < data.count {
            let atBoundary = index == 0 || !isWordByte(data[index - 1])
            if atBoundary {
                for (name, pattern) in patterns where matches(name, in: data, at: index) {
                    let nameEnd = index + name.count
                    if case .keyToken = pattern {} else if nameEnd < data.count, isWordByte(data[nameEnd]) { continue }
                    guard let (valueStart, valueEnd) = valueRange(pattern, in: data, after: nameEnd) else { continue }
                    out += data[index..<valueStart]
                    if valueEnd > valueStart {
                        out += placeholderBytes
                        changed = changed || !data[valueStart..<valueEnd].elementsEqual(placeholderBytes)
                    }
                    index = valueEnd
                    continue outer
                }
            }
            out.append(data[index])
            index += 1
        }
        return changed ? out : data
    }

    /// Where the value that follows a pattern's name lies, or nil when the name is not
    /// followed by a value (it is just a word).
    private static func valueRange(_ pattern: Pattern, in data: [UInt8], after nameEnd: Int) -> (Int, Int)? {
        var cursor = nameEnd
        func skipSpaces() { while cursor < data.count, data[cursor] == 0x20 || data[cursor] == 0x09 { cursor += 1 } }
        func skipQuote() {
            if cursor + 1 < data.count, data[cursor] == UInt8(ascii: "\\"), data[cursor + 1] == UInt8(ascii: "\"") {
                cursor += 2
            } else if cursor < data.count, data[cursor] == UInt8(ascii: "\"") || data[cursor] == UInt8(ascii: "'") {
                cursor += 1
            }
        }
        let stop: (UInt8) -> Bool
        switch pattern {
        case .keyToken:
            while cursor < data.count, isWordByte(data[cursor]) { cursor += 1 }
            return cursor - nameEnd >= keyTokenMinimum ? (nameEnd, cursor) : nil
        case .bearer:
            guard cursor < data.count, data[cursor] == 0x20 || data[cursor] == 0x09 else { return nil }
            skipSpaces()
            stop = isValueDelimiter
        case .parameter, .headerLine:
            var isParameter = false
            if case .parameter = pattern { isParameter = true }
            // A form's list name: api_key[]=…
            if isParameter, cursor + 1 < data.count, data[cursor] == UInt8(ascii: "["),
                data[cursor + 1] == UInt8(ascii: "]")
            {
                cursor += 2
            }
            skipQuote()
            skipSpaces()
            guard cursor < data.count else { return nil }
            let separator = data[cursor]
            guard separator == UInt8(ascii: ":") || (isParameter && separator == UInt8(ascii: "=")) else { return nil }
            cursor += 1
            skipSpaces()
            skipQuote()
            if isParameter { stop = isValueDelimiter } else { stop = isLineDelimiter }
        }
        let start = cursor
        while cursor < data.count, !stop(data[cursor]) { cursor += 1 }
        return (start, cursor)
    }

    private static func matches(_ name: [UInt8], in data: [UInt8], at index: Int) -> Bool {
        guard index + name.count <= data.count else { return false }
        for offset in 0..<name.count {
            let byte = data[index + offset]
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lower != name[offset] { return false }
        }
        return true
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x5F
    }

    /// The end of a header value: the line, or the JSON string it sits in.
    private static func isLineDelimiter(_ byte: UInt8) -> Bool {
        byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func isValueDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"), 0x20, 0x09, 0x0A, 0x0D,
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"),
            UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "#"):
            return true
        default:
            return false
        }
    }
}
