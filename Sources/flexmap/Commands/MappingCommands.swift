import FlexMapCore
import FlexMapIO
import Foundation

/// Options and output shared by the mapping commands.
enum MappingOutput {
    static let baseURLOption = OptionSpec.value(
        "base-url", "URL", "Where the webhook endpoint runs (default: http://127.0.0.1:8080).")
    static let defaultBaseURL = "http://127.0.0.1:8080"

    static func json(_ stored: Registry.StoredMapping, baseURL: String) -> JSONValue {
        .object(
            JSONObject([
                ("mapId", .string(stored.id)), ("orgId", .string(stored.orgId)), ("name", .string(stored.mapping.name)),
                ("active", .bool(stored.mapping.active)),
                ("webhookUrl", .string(WebhookInstructions.url(base: baseURL, mapId: stored.id))),
                ("contacts", .int(Int64(stored.contactCount))), ("createdAt", .string(stored.createdAt)),
                ("updatedAt", .string(stored.updatedAt)), ("definition", stored.mapping.jsonValue),
            ]))
    }

    static func registry(_ context: CommandContext) throws -> Registry {
        Registry(store: try Store.open(path: context.databasePath))
    }

    static func oneId(_ parsed: ParsedArguments) throws(UsageError) -> String {
        guard parsed.positionals.count == 1 else {
            throw UsageError("give one mapping ID (map_…); `flexmap mapping list` shows them")
        }
        return parsed.positionals[0]
    }
}

struct MappingCreateCommand: Command {
    static let name = "mapping create"
    static let abstract = "Store a mapping for an organisation; prints its mapId, webhook URL and setup instructions."
    static let usage = "mapping create --org ORG --file M.json [--base-url URL] [--json]"
    static let options: [OptionSpec] = [
        .value("org", "ORG", "The organisation the mapping belongs to."),
        .value("file", "M.json", short: "f", "The mapping file (checked before it is stored)."),
        MappingOutput.baseURLOption,
        .flag("json", "Print one JSON object on stdout."),
    ]

    let org: String
    let file: String
    let baseURL: String
    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.isEmpty else {
            throw UsageError("unexpected argument '\(parsed.positionals[0])'; give the file with --file")
        }
        guard let org = parsed.value("org") else { throw UsageError("missing --org ORG") }
        guard let file = parsed.value("file") else { throw UsageError("missing --file M.json") }
        self.org = org
        self.file = file
        baseURL = parsed.value("base-url") ?? MappingOutput.defaultBaseURL
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let mapping = try MappingFile.load(file)
        let stored = try MappingOutput.registry(context).createMapping(org: org, mapping: mapping)
        if json {
            context.console.out(JSONText.encode(MappingOutput.json(stored, baseURL: baseURL)))
        } else {
            context.console.out(stored.id)
            context.console.out("Mapping '\(mapping.name)' stored for \(org).")
            context.console.out(WebhookInstructions.render(base: baseURL, stored: stored))
        }
        return CommandLineTool.ExitCode.success
    }
}

struct MappingUpdateCommand: Command {
    static let name = "mapping update"
    static let abstract = "Replace a stored mapping's definition with a mapping file; its mapId and URL stay."
    static let usage = "mapping update ID --file M.json"
    static let options: [OptionSpec] = [.value("file", "M.json", short: "f", "The new mapping file.")]
    static let arguments = [ArgumentSpec(name: "ID", help: "The mapId (map_…).")]

    let id: String
    let file: String

    init(_ parsed: ParsedArguments) throws(UsageError) {
        id = try MappingOutput.oneId(parsed)
        guard let file = parsed.value("file") else { throw UsageError("missing --file M.json") }
        self.file = file
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let mapping = try MappingFile.load(file)
        try MappingOutput.registry(context).updateMapping(id: id, mapping: mapping)
        context.console.out("Updated \(id) ('\(mapping.name)', \(mapping.active ? "active" : "inactive")).")
        return CommandLineTool.ExitCode.success
    }
}

struct MappingListCommand: Command {
    static let name = "mapping list"
    static let abstract = "List stored mappings: name, status, mapId, contacts created, webhook URL."
    static let usage = "mapping list [--org ORG] [--base-url URL] [--json]"
    static let options: [OptionSpec] = [
        .value("org", "ORG", "Only this organisation's mappings."),
        MappingOutput.baseURLOption,
        .flag("json", "Print one JSON object on stdout."),
    ]

    let org: String?
    let baseURL: String
    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument '\(parsed.positionals[0])'") }
        org = parsed.value("org")
        baseURL = parsed.value("base-url") ?? MappingOutput.defaultBaseURL
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let registry = try MappingOutput.registry(context)
        if let org, try registry.organisation(org) == nil {
            throw StoreError.invalid("no organisation '\(org)'; list them with `flexmap org list`")
        }
        let mappings = try registry.mappings(org: org)
        if json {
            context.console.out(
                JSONText.encode(
                    .object(
                        JSONObject([("mappings", .array(mappings.map { MappingOutput.json($0, baseURL: baseURL) }))]))))
        } else if mappings.isEmpty {
            context.console.out("No mappings. Create one with: flexmap mapping create --org ORG --file M.json")
        } else {
            context.console.out(
                TextTable.render(
                    ["NAME", "STATUS", "MAP ID", "ORG", "CONTACTS", "WEBHOOK URL"],
                    mappings.map {
                        [
                            $0.mapping.name, $0.mapping.active ? "active" : "inactive", $0.id, $0.orgId,
                            Format.count($0.contactCount),
                            WebhookInstructions.url(base: baseURL, mapId: $0.id),
                        ]
                    }))
        }
        return CommandLineTool.ExitCode.success
    }
}

struct MappingShowCommand: Command {
    static let name = "mapping show"
    static let abstract = "Show a stored mapping: status, webhook URL, setup instructions and definition."
    static let usage = "mapping show ID [--base-url URL] [--json]"
    static let options: [OptionSpec] = [MappingOutput.baseURLOption, .flag("json", "Print one JSON object on stdout.")]
    static let arguments = [ArgumentSpec(name: "ID", help: "The mapId (map_…).")]

    let id: String
    let baseURL: String
    let json: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        id = try MappingOutput.oneId(parsed)
        baseURL = parsed.value("base-url") ?? MappingOutput.defaultBaseURL
        json = parsed.flag("json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let stored = try MappingOutput.registry(context).requireMapping(id: id)
        if json {
            context.console.out(JSONText.encode(MappingOutput.json(stored, baseURL: baseURL)))
        } else {
            context.console.out(stored.id)
            context.console.out("Name: \(stored.mapping.name)")
            context.console.out("Organisation: \(stored.orgId)")
            context.console.out("Contacts created: \(Format.count(stored.contactCount))")
            context.console.out("Created: \(stored.createdAt) · updated: \(stored.updatedAt)")
            context.console.out(WebhookInstructions.render(base: baseURL, stored: stored))
            context.console.out("\nDefinition (flexmap mapping export \(stored.id)):")
            context.console.out(stored.mapping.prettyJSON, terminator: "")
        }
        return CommandLineTool.ExitCode.success
    }
}

struct MappingExportCommand: Command {
    static let name = "mapping export"
    static let abstract = "Print a stored mapping as the JSON file `mapping create` takes, for versioning in git."
    static let usage = "mapping export ID"
    static let options: [OptionSpec] = []
    static let arguments = [ArgumentSpec(name: "ID", help: "The mapId (map_…).")]

    let id: String

    init(_ parsed: ParsedArguments) throws(UsageError) {
        id = try MappingOutput.oneId(parsed)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let stored = try MappingOutput.registry(context).requireMapping(id: id)
        context.console.out(stored.mapping.prettyJSON, terminator: "")
        return CommandLineTool.ExitCode.success
    }
}

struct MappingActivateCommand: Command {
    static let name = "mapping activate"
    static let abstract = "Switch a mapping on: it takes data in again."
    static let usage = "mapping activate ID"
    static let options: [OptionSpec] = []
    static let arguments = [ArgumentSpec(name: "ID", help: "The mapId (map_…).")]

    let id: String

    init(_ parsed: ParsedArguments) throws(UsageError) {
        id = try MappingOutput.oneId(parsed)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        try MappingOutput.registry(context).setActive(mapping: id, true)
        context.console.out("\(id) is active.")
        return CommandLineTool.ExitCode.success
    }
}

struct MappingDeactivateCommand: Command {
    static let name = "mapping deactivate"
    static let abstract = "Switch a mapping off without deleting it: rows are skipped as mapping-inactive."
    static let usage = "mapping deactivate ID"
    static let options: [OptionSpec] = []
    static let arguments = [ArgumentSpec(name: "ID", help: "The mapId (map_…).")]

    let id: String

    init(_ parsed: ParsedArguments) throws(UsageError) {
        id = try MappingOutput.oneId(parsed)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        try MappingOutput.registry(context).setActive(mapping: id, false)
        context.console.out("\(id) is inactive: it takes nothing in until `flexmap mapping activate \(id)`.")
        return CommandLineTool.ExitCode.success
    }
}

struct MappingDeleteCommand: Command {
    static let name = "mapping delete"
    static let abstract = "Delete a stored mapping (needs --yes); the contacts it created stay."
    static let usage = "mapping delete ID --yes"
    static let options: [OptionSpec] = [.flag("yes", short: "y", "Confirm the deletion.")]
    static let arguments = [ArgumentSpec(name: "ID", help: "The mapId (map_…).")]

    let id: String
    let confirmed: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        id = try MappingOutput.oneId(parsed)
        confirmed = parsed.flag("yes")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let registry = try MappingOutput.registry(context)
        let stored = try registry.requireMapping(id: id)
        guard confirmed else {
            throw UsageError(
                "deleting '\(stored.mapping.name)' (\(id)) cannot be undone; add --yes to confirm (its \(stored.contactCount) contacts stay; `mapping export \(id)` saves the definition)"
            )
        }
        try registry.deleteMapping(id: id)
        context.console.out(
            "Deleted \(id) ('\(stored.mapping.name)'); its \(Format.count(stored.contactCount)) contacts stay.")
        return CommandLineTool.ExitCode.success
    }
}
