/// A path into a JSON record: `a.b[0].c`, `a["key.with.dots"]`, `['first name']`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let text: String
        public let offset: Int
        public let message: String
        public var description: String { "\(message) at character \(offset + 1) of '\(text)'" }
    }

    public let text: String
    public let steps: [Step]

    public var description: String { text }

    public init(_ text: String) throws(SyntaxError) {
        self.text = text
        self.steps = try Self.parse(Array(text.unicodeScalars), text: text)
    }

    /// The value at this path, or nil when some step is missing.
    public func value(in root: JSONValue) -> JSONValue? {
        var current = root
        for step in steps {
            switch (step, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else { return nil }
                current = next
            case (.index(let index), .array(let items)):
                guard index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    private static func parse(_ scalars: [Unicode.Scalar], text: String) throws(SyntaxError) -> [Step] {
        func fail(_ message: String, _ at: Int) -> SyntaxError {
            SyntaxError(text: text, offset: at, message: message)
        }
        var steps: [Step] = []
        var position = 0
        var expectName = true  // at the start or after a dot
        if scalars.isEmpty { throw fail("empty path", 0) }
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == "[" {
                position += 1
                guard position < scalars.count else { throw fail("'[' is not closed", position - 1) }
                let opening = scalars[position]
                if opening == "\"" || opening == "'" {
                    var key = String.UnicodeScalarView()
                    position += 1
                    var closed = false
                    while position < scalars.count {
                        let character = scalars[position]
                        if character == "\\", position + 1 < scalars.count {
                            key.append(scalars[position + 1])
                            position += 2
                            continue
                        }
                        if character == opening {
                            closed = true
                            position += 1
                            break
                        }
                        key.append(character)
                        position += 1
                    }
                    guard closed else { throw fail("quoted key is not closed", position) }
                    guard position < scalars.count, scalars[position] == "]" else {
                        throw fail("expected ']' after the quoted key", position)
                    }
                    position += 1
                    steps.append(.key(String(key)))
                } else {
                    var digits = ""
                    while position < scalars.count, scalars[position] != "]" {
                        digits.unicodeScalars.append(scalars[position])
                        position += 1
                    }
                    guard position < scalars.count else { throw fail("'[' is not closed", position) }
                    guard let index = Int(digits), index >= 0, digits.allSatisfy(\.isASCII) else {
                        throw fail(
                            "expected an index (0, 1, ...) or a quoted key inside [ ]",
                            position - digits.unicodeScalars.count)
                    }
                    position += 1
                    steps.append(.index(index))
                }
                expectName = false
                if position < scalars.count, scalars[position] == "." {
                    position += 1
                    expectName = true
                    if position == scalars.count { throw fail("path ends with '.'", position - 1) }
                }
                continue
            }
            guard expectName else { throw fail("expected '.' or '['", position) }
            var name = String.UnicodeScalarView()
            let start = position
            while position < scalars.count, scalars[position] != ".", scalars[position] != "[" {
                if scalars[position] == "]" { throw fail("']' without '['", position) }
                name.append(scalars[position])
                position += 1
            }
            if name.isEmpty { throw fail("empty name", start) }
            steps.append(.key(String(name)))
            expectName = false
            if position < scalars.count, scalars[position] == "." {
                position += 1
                expectName = true
                if position == scalars.count { throw fail("path ends with '.'", position - 1) }
            }
        }
        return steps
    }
}
