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

    /// Appends text we made (a detail): neutralised against spreadsheet formulas, then
    /// quoted as needed.
    static func appendTextCell(_ text: String, delimiter: UInt8, into out: inout [UInt8]) {
        appendCell(neutralised(text).utf8, delimiter: delimiter, into: &out)
    }

    /// CSV injection: a spreadsheet runs a cell that begins with `=`, `+`, `-` or `@`
    /// (or with tab or CR before one) as a formula. Such a cell gets a leading `'`,
    /// which spreadsheets show as text and hide.
    static func neutralised(_ text: String) -> String {
        guard let first = text.utf8.first else { return text }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\t"), carriageReturn:
            return "'" + text
        default:
            return text
        }
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
