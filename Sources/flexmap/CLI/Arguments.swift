/// One option or flag a command takes, as its help shows it.
struct OptionSpec: Sendable {
    enum Kind: Sendable {
        /// `--name` alone.
        case flag
        /// `--name VALUE` or `--name=VALUE`; `repeatable` collects every use.
        case value(placeholder: String, repeatable: Bool)
    }

    let name: String
    let short: Character?
    let kind: Kind
    let help: String
    /// Other names the option answers to (what other tools call it).
    var aliases: [String] = []

    static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, kind: .flag, help: help)
    }

    static func value(
        _ name: String, _ placeholder: String, short: Character? = nil, repeatable: Bool = false,
        aliases: [String] = [], _ help: String
    )
        -> OptionSpec
    {
        OptionSpec(
            name: name, short: short, kind: .value(placeholder: placeholder, repeatable: repeatable), help: help,
            aliases: aliases)
    }

    var takesValue: Bool {
        if case .value = kind { return true }
        return false
    }
}

/// A positional argument.
struct ArgumentSpec: Sendable {
    let name: String
    let help: String
    var optional = false
}

/// A usage mistake: exit code 2, with the command's usage line.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Parsed command-line words.
struct ParsedArguments {
    private(set) var flags: Set<String> = []
    private(set) var values: [String: [String]] = [:]
    private(set) var positionals: [String] = []

    /// Parses `words` against `options`; `--` ends options.
    init(_ words: [String], options: [OptionSpec]) throws(UsageError) {
        var index = 0
        var onlyPositionals = false
        func spec(named name: String) throws(UsageError) -> OptionSpec {
            if let found = options.first(where: { $0.name == name || $0.aliases.contains(name) }) { return found }
            let suggestion = options.map(\.name).min { distance($0, name) < distance($1, name) }
            let hint = suggestion.flatMap { distance($0, name) <= 2 ? " (did you mean --\($0)?)" : nil } ?? ""
            throw UsageError("unknown option --\(name)\(hint)")
        }
        while index < words.count {
            let word = words[index]
            index += 1
            if onlyPositionals || word == "-" || !word.hasPrefix("-") {
                positionals.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            var name: String
            var inlineValue: String?
            if word.hasPrefix("--") {
                name = String(word.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
            } else {
                guard word.count == 2, let found = options.first(where: { $0.short == word.last }) else {
                    throw UsageError("unknown option \(word)")
                }
                name = found.name
            }
            let option = try spec(named: name)
            name = option.name
            switch option.kind {
            case .flag:
                if inlineValue != nil { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
            case .value(let placeholder, let repeatable):
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < words.count else {
                        throw UsageError("--\(name) needs a value: --\(name) \(placeholder)")
                    }
                    value = words[index]
                    index += 1
                }
                if !repeatable, values[name] != nil { throw UsageError("--\(name) is given twice") }
                values[name, default: []].append(value)
            }
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    func int(_ name: String, range: ClosedRange<Int>? = nil) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else { throw UsageError("--\(name) needs a whole number, not '\(text)'") }
        if let range, !range.contains(number) {
            throw UsageError("--\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    func double(_ name: String) throws(UsageError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw UsageError("--\(name) needs a number, not '\(text)'")
        }
        return number
    }
}

private func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
