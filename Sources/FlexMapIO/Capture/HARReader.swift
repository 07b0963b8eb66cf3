import FlexMapCore

/// Reads an HTTP Archive (HAR 1.2) as browsers (Chrome, Firefox, Safari) and proxies
/// (Charles, Fiddler, mitmproxy) export it: every `log.entries[].request` is one record,
/// taken in `startedDateTime` order (stable for equal times; an entry without a readable
/// time stays behind the entry before it in the file). Read per request: `method`, `url`
/// with its query (or `queryString` when the URL has none), `headers` (HTTP/2
/// pseudo-headers such as `:authority` are left out), and `postData`: its `text`
/// (base64-decoded when marked `"_encoding": "base64"`), or else its `params` made into a
/// form body; `mimeType` stands in for a missing Content-Type header. Responses, timings,
/// cookies lists, pages and `_`-prefixed fields are ignored. An entry that is not a
/// request (no method or url, headers not `{name, value}`, broken base64) is rejected as
/// `malformed-request`. Reports name each request "entry N", N its 1-based position in
/// `log.entries`, which is also the report's line.
public final class HARReader: RecordReader {
    /// A HAR is one JSON document, parsed whole (simdjson needs all of it at once): this
    /// bounds what one import holds in memory, about three times the file at the peak
    /// (the bytes, simdjson's tape, the entries without their responses). Split larger
    /// archives, e.g. `jq -c '.log.entries[]'`, or export fewer requests.
    public static let maxDocumentBytes = 1 << 30

    struct Item {
        /// 0-based index in `log.entries`.
        var index: Int
        var entry: JSONValue
    }

    private var items: [Item] = []
    private var cursor: Int
    private let records = CaptureRecords()
    private let maxRecordBytes: Int
    private let size: Int64
    public let blankLines = 0
    public let warnings: [String] = []
    public let header: [String]? = nil
    public var reportFormat: ReportInputFormat { .json }
    public var bytesRead: Int64 { items.isEmpty ? size : size * Int64(cursor) / Int64(items.count) }
    public var totalBytes: Int64? { size }

    /// Reads and parses the whole archive. With `position` (a resume), skips the
    /// requests an earlier run took.
    public init(
        source: ByteSource, maxRecordBytes: Int = 16 << 20, position: ReaderPosition? = nil,
        maxDocumentBytes: Int = HARReader.maxDocumentBytes
    ) throws(InputError) {
        self.maxRecordBytes = maxRecordBytes
        var bytes = try Self.readAll(source, limit: maxDocumentBytes)
        size = Int64(bytes.count)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let document: JSONValue
        do {
            document = try records.parse(bytes)
        } catch {
            throw InputError(file: source.name, message: "not a HAR file: the JSON is not valid (\(error.message))")
        }
        bytes = []
        guard case .array(let entries)? = document.objectValue?["log"]?.objectValue?["entries"] else {
            throw InputError(
                file: source.name,
                message:
                    "not a HAR file: no log.entries list (export it from the browser's Network panel: Save all as HAR)")
        }
        // Sort keys: the entry's instant, or the one before it in the file.
        var keyed: [(key: Double, item: Item)] = []
        keyed.reserveCapacity(entries.count)
        var previous = -Double.greatestFiniteMagnitude
        for (index, entry) in entries.enumerated() {
            var kept = entry
            if var object = entry.objectValue {
                object.removeAll(key: "response")  // not needed, and often the bulk of a HAR
                kept = .object(object)
            }
            if case .string(let text)? = entry.objectValue?["startedDateTime"], let seconds = ISO8601.seconds(text) {
                previous = seconds
            }
            keyed.append((previous, Item(index: index, entry: kept)))
        }
        keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.item.index < $1.item.index }
        items = keyed.map(\.item)
        cursor = min(position?.records ?? 0, items.count)
    }

    public func next() throws(InputError) -> InputRecord? {
        guard cursor < items.count else { return nil }
        let item = items[cursor]
        cursor += 1
        let endOffset = size * Int64(cursor) / Int64(items.count)
        let name = "entry \(item.index + 1)"
        switch Self.captureEntry(item.entry, maxBodyBytes: maxRecordBytes) {
        case .success(let entry):
            return records.request(entry, number: cursor, line: item.index + 1, endOffset: endOffset, label: name)
        case .failure(let failure):
            return records.damaged(
                json: item.entry, number: cursor, line: item.index + 1, endOffset: endOffset, reason: failure.reason,
                detail: "\(name): \(failure.message)", label: name)
        }
    }

    static func readAll(_ source: ByteSource, limit: Int) throws(InputError) -> [UInt8] {
        if let size = source.size, size > Int64(limit) {
            throw tooLarge(source, limit: limit)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let result: Result<Int, InputError> = chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(InputError) in try source.read(into: buffer) }
            }
            let count = try result.get()
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else { throw tooLarge(source, limit: limit) }
            bytes += chunk[0..<count]
        }
    }

    static func tooLarge(_ source: ByteSource, limit: Int) -> InputError {
        InputError(
            file: source.name,
            message:
                "the HAR file is larger than \(limit >> 20) MiB, the most flexmap reads as one document; export fewer requests, or turn it into capture lines and import those with --format capture"
        )
    }

    struct Failure: Error {
        var reason: Reason
        var message: String
    }

    /// One HAR entry as a captured request.
    static func captureEntry(_ value: JSONValue, maxBodyBytes: Int) -> Result<CaptureFormat.Entry, Failure> {
        func fail(_ message: String, _ reason: Reason = .malformedRequest) -> Result<CaptureFormat.Entry, Failure> {
            .failure(Failure(reason: reason, message: message))
        }
        guard let entry = value.objectValue else { return fail("the entry is \(value.kindName), not an object") }
        guard let request = entry["request"]?.objectValue else { return fail("the entry has no request") }
        guard case .string(let method)? = request["method"], !method.isEmpty else {
            return fail("request.method is missing")
        }
        guard case .string(let url)? = request["url"], !url.isEmpty else { return fail("request.url is missing") }
        var (path, rawQuery) = CaptureRecords.split(target: url)
        if rawQuery.isEmpty, case .array(let items)? = request["queryString"], !items.isEmpty {
            guard let pairs = pairs(items) else { return fail("request.queryString is not a list of {name, value}") }
            rawQuery = formText(pairs)
        }
        var headers: [(name: String, value: String)] = []
        switch request["headers"] {
        case .array(let items)?:
            guard let pairs = pairs(items) else { return fail("request.headers is not a list of {name, value}") }
            headers = pairs.filter { !$0.name.hasPrefix(":") }
        case nil, .null?: break
        default: return fail("request.headers is not a list of {name, value}")
        }
        var body: [UInt8] = []
        if let postData = request["postData"]?.objectValue {
            let encoding = (postData["_encoding"] ?? postData["encoding"])?.scalarText?.lowercased()
            if case .string(let text)? = postData["text"], !text.isEmpty {
                if encoding == "base64" {
                    guard let decoded = Base64.decode(text) else {
                        return fail("request.postData.text is marked base64 but is not valid base64")
                    }
                    body = decoded
                } else {
                    body = Array(text.utf8)
                }
            } else if case .array(let items)? = postData["params"], !items.isEmpty {
                guard let pairs = pairs(items) else {
                    return fail("request.postData.params is not a list of {name, value}")
                }
                body = Array(formText(pairs).utf8)
            }
            if case .string(let mimeType)? = postData["mimeType"], !mimeType.isEmpty,
                !headers.contains(where: { $0.name.lowercased() == "content-type" })
            {
                headers.append(("Content-Type", mimeType))
            }
        }
        guard body.count <= maxBodyBytes else {
            return fail(
                "the body has \(body.count) bytes; the limit is \(maxBodyBytes) (--max-record-bytes)", .recordTooLarge)
        }
        var timestamp = ""
        if case .string(let started)? = entry["startedDateTime"] { timestamp = started }
        return .success(
            CaptureFormat.Entry(
                timestamp: timestamp, method: method, path: path, rawQuery: rawQuery, headers: headers, body: body))
    }

    /// `[{"name": …, "value": …}]` as pairs; nil when an item is not such an object.
    static func pairs(_ items: [JSONValue]) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for item in items {
            guard let object = item.objectValue, case .string(let name)? = object["name"] else { return nil }
            pairs.append((name, object["value"]?.scalarText ?? ""))
        }
        return pairs
    }

    /// Query or form text from HAR pairs. Browsers differ: Firefox and the HAR spec's
    /// examples give values decoded, Chrome as they were sent. A value holding a `%XX`
    /// escape is taken as sent; any other is encoded.
    static func formText(_ pairs: [(name: String, value: String)]) -> String {
        func encoded(_ text: String) -> String { hasEscape(text) ? text : PercentDecoding.encode(text) }
        return pairs.map { encoded($0.name) + "=" + encoded($0.value) }.joined(separator: "&")
    }

    static func hasEscape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3 else { return false }
        for index in 0..<(bytes.count - 2) where bytes[index] == UInt8(ascii: "%") {
            if isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) { return true }
        }
        return false
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }
}
