import FlexMapCore

/// Formatting and escaping shared by summary.md and report.html. Locale-free on
/// purpose: a report reads the same on every machine.
package enum ReportText {
    /// 1234567 -> "1,234,567".
    package static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    /// A share of `total` as people read it: "12.3%", "<0.1%" for a tiny non-zero
    /// part, "100%" and "0%" without decimals.
    package static func percent(_ part: Int, of total: Int) -> String {
        guard total > 0, part > 0 else { return "0%" }
        if part == total { return "100%" }
        let share = Double(part) * 100 / Double(total)
        if share < 0.1 { return "<0.1%" }
        if share > 99.9 { return ">99.9%" }
        return fixed(share, decimals: 1) + "%"
    }

    /// "0.42 s", "12.3 s", "4 min 5 s", "1 h 2 min".
    package static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 10 { return fixed(seconds, decimals: 2) + " s" }
        if seconds < 60 { return fixed(seconds, decimals: 1) + " s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \((whole % 3600) / 60) min"
    }

    /// Rows per second, whole above 100.
    package static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "0" }
        if perSecond >= 100 { return count(Int(perSecond.rounded())) }
        return fixed(perSecond, decimals: 1)
    }

    /// `value` with exactly `decimals` digits after the point ("1.50").
    package static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        guard decimals > 0 else { return String(scaled) }
        let magnitude = String(scaled.magnitude)
        let padded = String(repeating: "0", count: max(0, decimals + 1 - magnitude.count)) + magnitude
        let split = padded.index(padded.endIndex, offsetBy: -decimals)
        return (scaled < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
    }

    /// `value` rounded to `decimals` places, for JSON numbers.
    package static func rounded(_ value: Double, decimals: Int) -> Double {
        guard value.isFinite else { return 0 }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }

    /// At most `limit` characters, with "…" when cut, on one line.
    package static func oneLine(_ text: String, limit: Int) -> String {
        var out = ""
        var length = 0
        for character in text {
            if length == limit { return out + "…" }
            out.append(character.isNewline || character == "\t" ? " " : character)
            length += 1
        }
        return out
    }

    /// Text safe in HTML element content and in quoted attribute values.
    package static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline have no business in a page.
                if (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Text that Markdown shows literally, on one line, safe inside a table cell. An
    /// underscore inside a word ("crm_id") cannot start emphasis, so it stays bare and
    /// the file reads well as plain text.
    package static func markdown(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        for (index, character) in characters.enumerated() {
            switch character {
            case "\\", "`", "*", "[", "]", "<", ">", "|", "&", "~":
                out += "\\" + String(character)
            case "_":
                let wordy = { (at: Int) in
                    characters.indices.contains(at) && (characters[at].isLetter || characters[at].isNumber)
                }
                out += wordy(index - 1) && wordy(index + 1) ? "_" : "\\_"
            default:
                out.append(character.isNewline || character == "\t" ? " " : character)
            }
        }
        return out
    }

    /// A word for a POSIX shell: as is when it is plainly safe, else single-quoted.
    package static func shellWord(_ text: String) -> String {
        let safe =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                        || "-_./=:@%+,".unicodeScalars.contains(scalar))
            }
        if safe { return text }
        return "'" + text.replacingAll("'", with: "'\\''") + "'"
    }

    /// How people name an outcome.
    package static func title(_ kind: OutcomeKind) -> String {
        switch kind {
        case .created: return "Created"
        case .skipped: return "Skipped"
        case .invalidPhone: return "Invalid phone"
        case .rejected: return "Rejected"
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
