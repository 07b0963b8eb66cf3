import CSimdJSON

/// Owns a simdjson parser (CSimdJSON). Not thread-safe: use one per thread.
public final class JSONParser {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// simdjson's error code.
        public let code: Int32
        public let message: String
        public var description: String { message }
    }

    private let handle: OpaquePointer

    public init() {
        guard let handle = fm_json_parser_new() else {
            fatalError("simdjson: could not allocate a parser (out of memory)")
        }
        self.handle = handle
    }

    deinit { fm_json_parser_free(handle) }

    public func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSONValue {
        var nodes: UnsafePointer<fm_json_node>?
        var count = 0
        var message: UnsafePointer<CChar>?
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        let status = fm_json_parse(handle, base, bytes.count, &nodes, &count, &message)
        guard status == 0, let nodes else {
            throw ParseError(code: status, message: message.map { String(cString: $0) } ?? "invalid JSON")
        }
        var cursor = 0
        return Self.build(UnsafeBufferPointer(start: nodes, count: count), &cursor)
    }

    /// Whether `bytes` are one valid JSON object, without building its value (about
    /// twice as fast as `parse` where only the answer matters).
    public func isObject(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var nodes: UnsafePointer<fm_json_node>?
        var count = 0
        var message: UnsafePointer<CChar>?
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        guard fm_json_parse(handle, base, bytes.count, &nodes, &count, &message) == 0, let nodes, count > 0 else {
            return false
        }
        return fm_json_kind(rawValue: nodes[0].kind) == FM_JSON_OBJECT
    }

    public func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        do {
            return try bytes.withUnsafeBytes { buffer in try parse(buffer) }
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(code: 1000, message: "\(error)")
        }
    }

    public func parse(_ text: String) throws(ParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private static func string(_ node: fm_json_node) -> String {
        guard let text = node.text, node.length > 0 else { return "" }
        let buffer = UnsafeRawBufferPointer(start: text, count: node.length)
        // simdjson has validated the UTF-8 already.
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func build(_ nodes: UnsafeBufferPointer<fm_json_node>, _ cursor: inout Int) -> JSONValue {
        let node = nodes[cursor]
        cursor += 1
        switch fm_json_kind(rawValue: node.kind) {
        case FM_JSON_NULL: return .null
        case FM_JSON_TRUE: return .bool(true)
        case FM_JSON_FALSE: return .bool(false)
        case FM_JSON_INT: return .int(node.int_value)
        case FM_JSON_UINT: return .uint(node.uint_value)
        case FM_JSON_DOUBLE: return .double(node.double_value)
        case FM_JSON_STRING: return .string(string(node))
        case FM_JSON_ARRAY:
            var items: [JSONValue] = []
            items.reserveCapacity(Int(node.count))
            for _ in 0..<node.count { items.append(build(nodes, &cursor)) }
            return .array(items)
        case FM_JSON_OBJECT:
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(Int(node.count))
            for _ in 0..<node.count {
                let key = string(nodes[cursor])
                cursor += 1
                members.append((key, build(nodes, &cursor)))
            }
            return .object(JSONObject(members))
        default:
            return .null
        }
    }
}
