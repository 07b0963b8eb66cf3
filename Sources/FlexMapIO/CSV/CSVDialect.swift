/// What a CSV input's first lines say about its form: byte order mark, Excel's `sep=`
/// line, the delimiter. Pure functions over bytes.
enum CSVDialect {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let quote = UInt8(ascii: "\"")
    static let comma = UInt8(ascii: ",")
    /// The delimiters sniffed when the header has no comma, in order of preference.
    static let otherDelimiters: [UInt8] = [UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]

    /// `line` without its final LF or CRLF.
    static func content<C: BidirectionalCollection<UInt8>>(of line: C) -> C.SubSequence {
        var end = line.endIndex
        if end > line.startIndex, line[line.index(before: end)] == 0x0A {
            end = line.index(before: end)
            if end > line.startIndex, line[line.index(before: end)] == 0x0D { end = line.index(before: end) }
        }
        return line[line.startIndex..<end]
    }

    /// True for a line that is empty or holds only line-ending bytes.
    static func isBlank<C: Collection<UInt8>>(_ line: C) -> Bool {
        line.allSatisfy { $0 == 0x0A || $0 == 0x0D }
    }

    /// A byte that cannot be a delimiter: the quote, CR, LF.
    static func isUsableDelimiter(_ byte: UInt8) -> Bool {
        byte != quote && byte != 0x0A && byte != 0x0D
    }

    /// The delimiter an Excel `sep=X` line names, or nil when `line` is not one.
    /// Accepts `sep=X` and `"sep=X"` (any case), followed by nothing but more X (Excel
    /// pads the line with delimiters when it saves a file that has one).
    static func sepLineDelimiter<C: BidirectionalCollection<UInt8>>(_ line: C) -> UInt8? {
        var bytes = Array(content(of: line))
        var quoted = false
        if bytes.first == quote {
            quoted = true
            bytes.removeFirst()
        }
        let prefix = Array("sep=".utf8)
        guard bytes.count > prefix.count,
            zip(bytes, prefix).allSatisfy({ $0 | 0x20 == $1 })  // "SEP=" too
        else { return nil }
        let delimiter = bytes[prefix.count]
        var rest = bytes[(prefix.count + 1)...]
        if quoted {
            guard rest.first == quote else { return nil }
            rest = rest.dropFirst()
        }
        guard rest.allSatisfy({ $0 == delimiter }), isUsableDelimiter(delimiter) else { return nil }
        return delimiter
    }

    /// Guesses the delimiter from a header line: a comma if there is one outside
    /// quotes, else the most frequent of `;`, tab and `|` outside quotes, else a comma
    /// (a one-column file).
    static func sniffDelimiter<C: Collection<UInt8>>(_ line: C) -> UInt8 {
        var inQuotes = false
        var commas = 0
        var counts = [0, 0, 0]
        for byte in line {
            if byte == quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == comma {
                    commas += 1
                } else if let index = otherDelimiters.firstIndex(of: byte) {
                    counts[index] += 1
                }
            }
        }
        if commas > 0 { return comma }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }),
            counts[best] > 0
        else { return comma }
        return otherDelimiters[best]
    }

    /// True when `line` holds a carriage return outside quotes that is not part of its
    /// final CRLF: the mark of old Mac (CR-only) line endings when it is the header.
    static func hasBareCarriageReturnOutsideQuotes<C: BidirectionalCollection<UInt8>>(_ line: C) -> Bool {
        var inQuotes = false
        for byte in content(of: line) {
            if byte == quote {
                inQuotes.toggle()
            } else if byte == 0x0D, !inQuotes {
                return true
            }
        }
        return false
    }

    /// How to name a delimiter in messages.
    static func name(of delimiter: UInt8) -> String {
        switch delimiter {
        case 0x09: return "tab"
        case comma: return "comma"
        case UInt8(ascii: ";"): return "semicolon"
        case UInt8(ascii: "|"): return "pipe"
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(delimiter)))'"
        default: return "byte 0x" + String(delimiter, radix: 16)
        }
    }
}
