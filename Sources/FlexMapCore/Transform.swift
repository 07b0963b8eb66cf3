/// A named text transform applied to a mapped value, in the order the mapping lists them.
public enum Transform: String, Sendable, CaseIterable, Hashable {
    case trim
    case lowercase
    case uppercase
    case titlecase
    case digits
    case collapseWhitespace = "collapse-whitespace"
    /// The first name of a full name: "Ada Lovelace" -> "Ada", "Lovelace, Ada" -> "Ada".
    case firstName = "first-name"
    /// The last name of a full name: "Ada King Lovelace" -> "King Lovelace",
    /// "Lovelace, Ada" -> "Lovelace".
    case lastName = "last-name"

    public func apply(_ text: String) -> String {
        switch self {
        case .trim: return text.trimmingWhitespace()
        case .lowercase: return text.lowercased()
        case .uppercase: return text.uppercased()
        case .titlecase: return Self.titlecased(text)
        case .digits: return String(text.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
        case .collapseWhitespace: return Self.words(text).joined(separator: " ")
        case .firstName: return Self.splitName(text).first
        case .lastName: return Self.splitName(text).last
        }
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    static func splitName(_ text: String) -> (first: String, last: String) {
        let trimmed = text.trimmingWhitespace()
        if let comma = trimmed.firstIndex(of: ",") {
            // "Last, First" as many CRMs export it.
            let last = words(String(trimmed[..<comma])).joined(separator: " ")
            let first = words(String(trimmed[trimmed.index(after: comma)...])).joined(separator: " ")
            return (first, last)
        }
        let parts = words(trimmed)
        guard let first = parts.first else { return ("", "") }
        return (first, parts.dropFirst().joined(separator: " "))
    }

    static func titlecased(_ text: String) -> String {
        var result = ""
        var atWordStart = true
        for character in text {
            if character.isLetter {
                result += atWordStart ? character.uppercased() : character.lowercased()
                atWordStart = false
            } else {
                result.append(character)
                atWordStart = character.isWhitespace || character == "-" || character == "'" || character == "’"
            }
        }
        return result
    }
}

extension String {
    /// The string without leading and trailing white space (including no-break space).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespaceScalar }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isWhitespaceScalar })!
        if first == scalars.startIndex, last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }

    /// True when the string holds nothing but white space.
    public var isBlank: Bool {
        var copy = self
        // Fast path over UTF-8 for ASCII; Unicode white space otherwise.
        if let ascii = copy.withUTF8({ bytes -> Bool? in
            for byte in bytes {
                if byte >= 0x80 { return nil }
                if byte != 0x20 && (byte < 0x09 || byte > 0x0D) { return false }
            }
            return true
        }) {
            return ascii
        }
        return unicodeScalars.allSatisfy(\.isWhitespaceScalar)
    }
}

extension Unicode.Scalar {
    /// White space as Character.isWhitespace sees it, decided per scalar.
    var isWhitespaceScalar: Bool {
        switch value {
        case 0x20, 0x09...0x0D: return true
        case 0..<0x80: return false
        default: return properties.isWhitespace
        }
    }
}
