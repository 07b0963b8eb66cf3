import FlexMapIO

struct InitCommand: Command {
    static let name = "init"
    static let abstract = "Create the store (an SQLite file) or bring an existing one up to date."
    static let usage = "init [--db PATH] [--json]"
    static let options: [OptionSpec] = [
        .flag("json", "Print one JSON object on stdout.")
    ]
    static let discussion: String? = """
        The store gets an organisation with id 'default', which imports with --mapping use
        unless --org names another. Running init again is safe: it only applies migrations.
        """

    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument '\(parsed.positionals[0])'") }
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let store = try Store.create(path: context.databasePath)
        try store.ensureDefaultOrganisation()
        let version = try store.schemaVersion()
        if json {
            context.console.out(
                "{\"db\":\(JSONQuote.quote(context.databasePath)),\"schemaVersion\":\(version),\"defaultOrgId\":\"default\"}"
            )
        } else {
            context.console.out("Store ready: \(context.databasePath) (schema version \(version))")
            context.console.out(
                "Next: flexmap import --input EXPORT.csv --mapping MAPPING.json --db \(context.databasePath)")
        }
        return CommandLineTool.ExitCode.success
    }
}
