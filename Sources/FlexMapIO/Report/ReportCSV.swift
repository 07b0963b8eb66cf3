/// CSV cells as the report's row files write them (RFC 4180 quoting with the input's
/// delimiter), at the byte level so raw rows pass through untouched.
enum ReportCSV {
    static let quote = UInt8(ascii: "\"")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    /// Appends `cell`, quoted when it holds the delimiter, a quote or a line break.
    static func appendCell(_ cell: some Collection<UInt8>, delimiter: UInt8, into out: inout [UInt8]) {
        let needsQuotes = cell.contains { $0 == delimiter || $0 == quote || $0 == newline || $0 == carriageReturn }
        guard needsQuotes else {
            out.append(contentsOf: cell)
            return
        }
        out.append(quote)
        for byte in cell {
            if byte == quote { out.append(quote) }
            out.append(byte)
        }
        out.append(quote)
    }

    /// Appends a cell of text (a detail we wrote, a JSON record's line): neutralised
    /// against spreadsheet formulas, then quoted as needed.
    static func appendTextCell(_ text: String, delimiter: UInt8, into out: inout [UInt8]) {
        appendCell(neutralised(Array(text.utf8)), delimiter: delimiter, into: &out)
    }

    // MARK: - CSV injection

    // rejected.csv and skipped.csv are opened in spreadsheets, and their rows come from
    // files nobody checked: a cell such as `=HYPERLINK(…)`, `@SUM(…)` or
    // `-2+3+cmd|' /C calc'!A0` runs as a formula there. So every cell that a spreadsheet
    // would take for a formula gets a `'` in front of its first character (after any
    // leading white space), which spreadsheets show as text and hide. A formula starts
    // with `=`, `@`, or `+` / `-` followed by anything but a phone-like rest (digits,
    // spaces, `( ) - . /`), or with the full-width forms of those four signs.
    //
    // The trade-off: the rows are no longer byte for byte as they came in, only cell for
    // cell, and a neutralised cell imports again with its `'` (a name `=Ann` comes back as
    // `'=Ann`). Phone numbers (`+1 415 555 0100`, `-5`) are left alone so the rows that
    // matter most import again unchanged, at the cost of letting through arithmetic
    // without a function call (`+1-2`), which cannot reach outside the sheet.

    static let singleQuote = UInt8(ascii: "'")

    /// Whether a cell's text is a formula for a spreadsheet (see above).
    static func isFormula(_ cell: some Collection<UInt8>) -> Bool {
        guard let start = cell.firstIndex(where: { !isWhiteSpace($0) }) else { return false }
        let rest = cell[start...]
        switch rest.first {
        case UInt8(ascii: "="), UInt8(ascii: "@"):
            return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            // A phone-like rest (or none: a lone "-" marks an empty value) is not a formula.
            var hasDigit = false
            var blank = true
            for byte in rest.dropFirst() {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): hasDigit = true
                case UInt8(ascii: " "), UInt8(ascii: "\t"): continue
                case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"):
                    break
                default: return true
                }
                blank = false
            }
            return !(hasDigit || blank)
        case 0xEF:
            // Full-width = @ + - (U+FF1D, U+FF20, U+FF0B, U+FF0D): some spreadsheets read them as the ASCII ones.
            let next = Array(rest.dropFirst().prefix(2))
            return next.count == 2 && next[0] == 0xBC && [0x9D, 0xA0, 0x8B, 0x8D].contains(next[1])
        default:
            return false
        }
    }

    static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == newline || byte == carriageReturn
    }

    /// The cell with a `'` before its first non-space character when it is a formula.
    static func neutralised(_ cell: [UInt8]) -> [UInt8] {
        guard isFormula(cell), let start = cell.firstIndex(where: { !isWhiteSpace($0) }) else { return cell }
        var out = cell
        out.insert(singleQuote, at: start)
        return out
    }

    static func neutralised(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let out = neutralised(bytes)
        return out.count == bytes.count ? text : String(decoding: out, as: UTF8.self)
    }

    /// A raw CSV record (or header line) with a `'` put before the first character of each
    /// cell that is a formula, every other byte as it was: cells are found as libcsv finds
    /// them (a quote opens a quoted field only at the start of a field, after optional
    /// spaces; `""` inside one is a quote), so the record still reads as the same cells,
    /// each neutralised cell with a `'` in front. A broken record (a stray quote) is
    /// treated the same way, best effort.
    static func neutralisedRecord(_ record: some Collection<UInt8>, delimiter: UInt8) -> [UInt8] {
        let bytes = Array(record)
        var insertAt: [Int] = []
        var index = 0
        while true {
            // At the start of a field.
            var cursor = index
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") {
                cursor += 1
            }
            var content: [UInt8] = []
            var first: Int?
            if cursor < bytes.count, bytes[cursor] == quote {
                cursor += 1
                while cursor < bytes.count {
                    let byte = bytes[cursor]
                    if byte == quote {
                        if cursor + 1 < bytes.count, bytes[cursor + 1] == quote {
                            if first == nil { first = cursor }
                            content.append(quote)
                            cursor += 2
                            continue
                        }
                        cursor += 1
                        break
                    }
                    if first == nil, !isWhiteSpace(byte) { first = cursor }
                    content.append(byte)
                    cursor += 1
                }
                // Anything after the closing quote (a broken record) up to the delimiter.
                while cursor < bytes.count, bytes[cursor] != delimiter {
                    content.append(bytes[cursor])
                    cursor += 1
                }
            } else {
                cursor = index
                while cursor < bytes.count, bytes[cursor] != delimiter {
                    if first == nil, !isWhiteSpace(bytes[cursor]) { first = cursor }
                    content.append(bytes[cursor])
                    cursor += 1
                }
            }
            if let first, isFormula(content) { insertAt.append(first) }
            guard cursor < bytes.count else { break }
            index = cursor + 1  // past the delimiter
        }
        guard !insertAt.isEmpty else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + insertAt.count)
        var previous = 0
        for position in insertAt {
            out.append(contentsOf: bytes[previous..<position])
            out.append(singleQuote)
            previous = position
        }
        out.append(contentsOf: bytes[previous...])
        return out
    }

    /// The bytes without one final line ending ("\n", "\r\n" or "\r").
    static func withoutLineEnding(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        if end > bytes.startIndex, bytes[end - 1] == newline { end -= 1 }
        if end > bytes.startIndex, bytes[end - 1] == carriageReturn { end -= 1 }
        return bytes[..<end]
    }

    /// True when a record's bytes end inside a quoted field (an unterminated quote, or
    /// a record cut at a size limit). Follows libcsv's reading: a quote opens a quoted
    /// field only at the start of a field (after optional spaces), `""` inside one is a
    /// literal quote.
    static func endsInsideQuotes(_ record: some Collection<UInt8>, delimiter: UInt8) -> Bool {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var inQuotes = false
        var justClosed = false
        var atFieldStart = true
        for byte in record {
            if inQuotes {
                if byte == quote {
                    inQuotes = false
                    justClosed = true
                }
                continue
            }
            if justClosed {
                justClosed = false
                if byte == quote {  // "" inside a quoted field
                    inQuotes = true
                    continue
                }
            }
            if byte == delimiter {
                atFieldStart = true
            } else if atFieldStart && byte == quote {
                inQuotes = true
                atFieldStart = false
            } else if atFieldStart && (byte == space || byte == tab) {
                continue
            } else {
                atFieldStart = false
            }
        }
        return inQuotes
    }
}
