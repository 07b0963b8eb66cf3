import FlexMapCore
import FlexMapIO

struct KeyCreateCommand: Command {
    static let name = "key create"
    static let abstract = "Create an API key for an organisation; it is printed once and only its hash is stored."
    static let usage = "key create --org ORG [--json]"
    static let options: [OptionSpec] = [
        .value("org", "ORG", "The organisation the key belongs to."),
        .flag("json", "Print one JSON object on stdout."),
    ]

    let org: String
    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument '\(parsed.positionals[0])'") }
        guard let org = parsed.value("org") else { throw UsageError("missing --org ORG") }
        self.org = org
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let key = try Registry(store: try Store.open(path: context.databasePath)).createKey(org: org)
        if json {
            context.console.out(
                JSONText.encode(
                    .object(
                        JSONObject([
                            ("keyId", .string(key.id)), ("apiKey", .string(key.apiKey)), ("orgId", .string(key.orgId)),
                        ]))))
        } else {
            context.console.out(key.apiKey)
            context.console.out(
                "Key \(key.id) for \(key.orgId). Copy the key now: flexmap stores only its hash and cannot show it again."
            )
        }
        return CommandLineTool.ExitCode.success
    }
}

struct KeyListCommand: Command {
    static let name = "key list"
    static let abstract = "List an organisation's API keys: prefix and dates, never the key."
    static let usage = "key list --org ORG [--json]"
    static let options: [OptionSpec] = [
        .value("org", "ORG", "The organisation."),
        .flag("json", "Print one JSON object on stdout."),
    ]

    let org: String
    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument '\(parsed.positionals[0])'") }
        guard let org = parsed.value("org") else { throw UsageError("missing --org ORG") }
        self.org = org
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let keys = try Registry(store: try Store.open(path: context.databasePath)).keys(org: org)
        if json {
            let items = keys.map { key in
                JSONValue.object(
                    JSONObject([
                        ("keyId", .string(key.id)), ("prefix", .string(key.prefix)),
                        ("createdAt", .string(key.createdAt)),
                        ("lastUsedAt", key.lastUsedAt.map(JSONValue.string) ?? .null),
                        ("revokedAt", key.revokedAt.map(JSONValue.string) ?? .null),
                    ]))
            }
            context.console.out(
                JSONText.encode(.object(JSONObject([("orgId", .string(org)), ("keys", .array(items))]))))
        } else {
            context.console.out(
                TextTable.render(
                    ["KEY ID", "PREFIX", "STATUS", "CREATED", "LAST USED"],
                    keys.map {
                        [
                            $0.id, $0.prefix + "…", $0.revokedAt == nil ? "active" : "revoked \($0.revokedAt!)",
                            $0.createdAt, $0.lastUsedAt ?? "never",
                        ]
                    }))
        }
        return CommandLineTool.ExitCode.success
    }
}

struct KeyRevokeCommand: Command {
    static let name = "key revoke"
    static let abstract = "Revoke an API key: requests with it are refused from now on."
    static let usage = "key revoke KEY_ID"
    static let options: [OptionSpec] = []
    static let arguments = [ArgumentSpec(name: "KEY_ID", help: "The key's id (key_…), as `key list` shows it.")]

    let id: String

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.count == 1 else { throw UsageError("give one KEY_ID") }
        if parsed.positionals[0].hasPrefix("fmk_") {
            throw UsageError(
                "give the key's id (key_…), not the key itself; `flexmap key list --org ORG` shows the ids")
        }
        id = parsed.positionals[0]
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let changed = try Registry(store: try Store.open(path: context.databasePath)).revokeKey(id: id)
        context.console.out(changed ? "Revoked \(id)." : "\(id) was already revoked.")
        return CommandLineTool.ExitCode.success
    }
}
