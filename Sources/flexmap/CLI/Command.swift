import Foundation

/// What every command gets to run with.
struct CommandContext {
    let console: Console
    let environment: [String: String]
    /// The store path: --db, else FLEXMAP_DB, else ./flexmap.db.
    let databasePath: String
}

/// A subcommand, shaped like swift-argument-parser's: a name, a one-sentence abstract,
/// its options, a parsing + validation step, and `run`.
protocol Command {
    /// The words after `flexmap`: "import", "mapping create".
    static var name: String { get }
    static var abstract: String { get }
    /// The usage line after `flexmap `.
    static var usage: String { get }
    static var options: [OptionSpec] { get }
    static var arguments: [ArgumentSpec] { get }
    /// More help, printed after the options.
    static var discussion: String? { get }

    /// Reads and validates the parsed words (throws a UsageError for exit code 2).
    init(_ parsed: ParsedArguments) throws(UsageError)

    /// Runs; returns the exit code.
    func run(_ context: CommandContext) throws -> Int32
}

extension Command {
    static var arguments: [ArgumentSpec] { [] }
    static var discussion: String? { nil }

    /// The command's options plus the ones every command takes.
    static var allOptions: [OptionSpec] {
        options + [
            .value("db", "PATH", "The store file (default: $FLEXMAP_DB, else ./flexmap.db)."),
            .flag("help", short: "h", "Show help for this command."),
        ]
    }

    static var helpText: String {
        var text = "OVERVIEW: \(abstract)\n\nUSAGE: flexmap \(usage)\n"
        if !arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            for argument in arguments { text += HelpLayout.row("<\(argument.name)>", argument.help) }
        }
        text += "\nOPTIONS:\n"
        for option in allOptions {
            var left = option.short.map { "-\($0), " } ?? ""
            left += "--\(option.name)"
            if case .value(let placeholder, _) = option.kind { left += " \(placeholder)" }
            text += HelpLayout.row(left, option.help)
        }
        if let discussion { text += "\n" + discussion + "\n" }
        return text
    }
}

enum HelpLayout {
    static let column = 26

    static func row(_ left: String, _ help: String) -> String {
        let padded = "  " + left
        if padded.count + 2 > column {
            return padded + "\n" + String(repeating: " ", count: column) + help + "\n"
        }
        return padded + String(repeating: " ", count: column - padded.count) + help + "\n"
    }
}
