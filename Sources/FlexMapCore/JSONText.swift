/// Writes JSON text: compact, keys in the order given, strings escaped per RFC 8259.
public enum JSONText {
    public static func encode(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    public static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .uint(let number): out += String(number)
        case .double(let number):
            out += number.isFinite ? String(number) : "null"
        case .string(let text): quote(text, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += "," }
                quote(member.key, into: &out)
                out += ":"
                write(member.value, into: &out)
            }
            out += "}"
        }
    }

    public static func quote(_ text: String) -> String {
        var out = ""
        quote(text, into: &out)
        return out
    }

    public static func quote(_ text: String, into out: inout String) {
        // Most text needs no escape: copy it whole. (0xE2 leads U+2028 and U+2029.)
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }) {
            out += "\""
            out += text
            out += "\""
            return
        }
        // Else escape byte by byte: far faster than appending scalars to a String.
        let utf8 = Array(text.utf8)
        var escaped: [UInt8] = []
        escaped.reserveCapacity(utf8.count + 16)
        escaped.append(0x22)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            switch byte {
            case 0x22: escaped += [0x5C, 0x22]
            case 0x5C: escaped += [0x5C, 0x5C]
            case 0x0A: escaped += [0x5C, UInt8(ascii: "n")]
            case 0x0D: escaped += [0x5C, UInt8(ascii: "r")]
            case 0x09: escaped += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                escaped += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            case 0xE2
            where index + 2 < utf8.count && utf8[index + 1] == 0x80
                && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                // U+2028 and U+2029 end lines in JavaScript.
                escaped += Array((utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                index += 2
            default:
                escaped.append(byte)
            }
            index += 1
        }
        escaped.append(0x22)
        out += String(decoding: escaped, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Pretty-printed JSON with two-space indents, for files people read and version.
    public static func pretty(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            let allScalars = items.allSatisfy { $0.objectValue == nil && !$0.isArray }
            if allScalars {
                return "[" + items.map { encode($0) }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n")
                + "\n" + indent + "]"
        case .object(let object) where !object.isEmpty:
            return "{\n"
                + object.members.map { inner + quote($0.key) + ": " + pretty($0.value, indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return encode(value)
        }
    }
}

extension JSONValue {
    var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}
