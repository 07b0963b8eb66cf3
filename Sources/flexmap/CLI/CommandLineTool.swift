import FlexMapCore
import FlexMapIO
import Foundation

/// The `flexmap` front end: finds the command, parses, runs, and turns errors into
/// messages and exit codes. Library code never prints or exits; this does.
enum CommandLineTool {
    static let version = "0.1.0"

    static var commands: [any Command.Type] {
        [
            InitCommand.self,
            ImportCommand.self,
            OrgCreateCommand.self,
            OrgListCommand.self,
            KeyCreateCommand.self,
            KeyListCommand.self,
            KeyRevokeCommand.self,
            MappingCreateCommand.self,
            MappingListCommand.self,
            MappingShowCommand.self,
            MappingActivateCommand.self,
            MappingDeactivateCommand.self,
            MappingUpdateCommand.self,
            MappingExportCommand.self,
            MappingDeleteCommand.self,
            ServeCommand.self,
            ReplayCommand.self,
        ]
    }

    /// Exit codes, as DESIGN.md fixes them.
    enum ExitCode {
        static let success: Int32 = 0
        static let failure: Int32 = 1
        static let usage: Int32 = 2
        static let rowsNotCreated: Int32 = 3
        /// replay: a --max-error-rate or --max-p99 threshold failed, or --verify found a mismatch.
        static let thresholdFailed: Int32 = 3
    }

    static func main(_ arguments: [String]) -> Int32 {
        let console = Console()
        let words = Array(arguments.dropFirst())
        if words.isEmpty || words == ["--help"] || words == ["-h"] || words == ["help"] {
            console.out(rootHelp)
            return words.isEmpty ? ExitCode.usage : ExitCode.success
        }
        if words == ["--version"] || words == ["version"] {
            console.out("flexmap \(version)")
            return ExitCode.success
        }
        var helpRequested = false
        var rest = words
        if rest.first == "help" {
            helpRequested = true
            rest.removeFirst()
        }
        // The longest command name that matches the first words.
        let match = commands.compactMap { command -> (any Command.Type, Int)? in
            let nameWords = command.name.split(separator: " ").map(String.init)
            return Array(rest.prefix(nameWords.count)) == nameWords ? (command, nameWords.count) : nil
        }.max { $0.1 < $1.1 }
        guard let (command, used) = match else {
            let group = rest.first ?? ""
            let members = commands.filter { $0.name.hasPrefix(group + " ") }
            if !members.isEmpty {
                console.out(groupHelp(group, members))
                return helpRequested || rest.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" })
                    ? ExitCode.success : ExitCode.usage
            }
            console.err("flexmap: error: unknown command '\(rest.first ?? "")'\n\n" + commandList)
            return ExitCode.usage
        }
        let commandWords = Array(rest.dropFirst(used))
        if helpRequested || commandWords.contains("--help") || commandWords.contains("-h") {
            console.out(command.helpText)
            return ExitCode.success
        }
        let parsed: ParsedArguments
        let instance: any Command
        do {
            parsed = try ParsedArguments(commandWords, options: command.allOptions)
            instance = try command.init(parsed)
        } catch {
            console.err("flexmap \(command.name): error: \(error.message)")
            console.err("usage: flexmap \(command.usage)")
            console.err("See 'flexmap \(command.name) --help'.")
            return ExitCode.usage
        }
        let environment = ProcessInfo.processInfo.environment
        let database = parsed.value("db") ?? environment["FLEXMAP_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "flexmap.db"
        let context = CommandContext(console: console, environment: environment, databasePath: database)
        do {
            return try instance.run(context)
        } catch let error as UsageError {
            console.err("flexmap \(command.name): error: \(error.message)")
            console.err("See 'flexmap \(command.name) --help'.")
            return ExitCode.usage
        } catch {
            console.err("flexmap \(command.name): error: \(error)")
            return ExitCode.failure
        }
    }

    static var commandList: String {
        var text = "COMMANDS:\n"
        for command in commands { text += HelpLayout.row(command.name, command.abstract) }
        return text
    }

    static func groupHelp(_ group: String, _ members: [any Command.Type]) -> String {
        var text = "USAGE: flexmap \(group) <subcommand>\n\nSUBCOMMANDS:\n"
        for command in members { text += HelpLayout.row(command.name, command.abstract) }
        text += "\nSee 'flexmap \(group) <subcommand> --help' for details."
        return text
    }

    static var rootHelp: String {
        """
        OVERVIEW: flexmap runs webhook mappings offline and at scale: CRM exports and captured
        webhook traffic in, contacts in a SQLite store out, with a report on every row.

        USAGE: flexmap <command> [options]

        \(commandList)
        Every command takes --db PATH (or $FLEXMAP_DB) and --help.
        Exit codes: 0 done (even with invalid rows), 1 could not complete, 2 usage error,
        3 with --fail-on-invalid when a row was not created, or when a replay threshold
        (--max-error-rate, --max-p99, --verify) failed.

        See 'flexmap <command> --help' for details.
        """
    }
}
