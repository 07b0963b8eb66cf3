import FlexMapCore
import FlexMapIO

struct OrgCreateCommand: Command {
    static let name = "org create"
    static let abstract = "Create an organisation and print its orgId."
    static let usage = "org create NAME [--json]"
    static let options: [OptionSpec] = [.flag("json", "Print one JSON object on stdout.")]
    static let arguments = [ArgumentSpec(name: "NAME", help: "A name for people, such as \"Acme Dental\".")]

    let name: String
    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.count == 1 else { throw UsageError("give one NAME (quote it if it has spaces)") }
        name = parsed.positionals[0]
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let org = try Registry(store: try Store.open(path: context.databasePath)).createOrganisation(name: name)
        if json {
            context.console.out(
                JSONText.encode(.object(JSONObject([("orgId", .string(org.id)), ("name", .string(org.name))]))))
        } else {
            context.console.out(org.id)
            context.console.out("Created organisation '\(org.name)'. Next: flexmap key create --org \(org.id)")
        }
        return CommandLineTool.ExitCode.success
    }
}

struct OrgListCommand: Command {
    static let name = "org list"
    static let abstract = "List the organisations."
    static let usage = "org list [--json]"
    static let options: [OptionSpec] = [.flag("json", "Print one JSON object on stdout.")]

    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument '\(parsed.positionals[0])'") }
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let orgs = try Registry(store: try Store.open(path: context.databasePath)).organisations()
        if json {
            let items = orgs.map {
                JSONValue.object(
                    JSONObject([
                        ("orgId", .string($0.id)), ("name", .string($0.name)), ("createdAt", .string($0.createdAt)),
                    ]))
            }
            context.console.out(JSONText.encode(.object(JSONObject([("organisations", .array(items))]))))
        } else {
            context.console.out(
                TextTable.render(["ORG ID", "NAME", "CREATED"], orgs.map { [$0.id, $0.name, $0.createdAt] }))
        }
        return CommandLineTool.ExitCode.success
    }
}
