import FlexMapCore
import FlexMapIO
import Foundation

struct ImportCommand: Command {
    static let name = "import"
    static let abstract = "Run an export or captured webhook traffic into the store, with a report on every row."
    static let usage =
        "import --input FILE|- (--map ID | --mapping M.json) [--format csv|ndjson|har|gor|capture] [--auth-override ORG:KEY] [--dry-run] [--workers N] [--report DIR] [--resume] [--json]"
    static let options: [OptionSpec] = [
        .value("input", "FILE", short: "i", "The export to read; - reads standard input."),
        .value(
            "map", "ID", "A stored mapping (map_…) to run, as its webhook would; with captures, every request's mapId."),
        .value("mapping", "M.json", short: "m", "A mapping file to run."),
        .value("org", "ORG", "With --mapping: the organisation contacts belong to (default: 'default')."),
        .value("format", "FORMAT", "csv, ndjson, har, gor or capture (default: from the file name)."),
        .value(
            "auth-override", "ORG:KEY",
            "Captures only: authenticate every request as ORG with KEY (traffic captured elsewhere); ORG alone takes the key from $FLEXMAP_AUTH_KEY."
        ),
        .value("delimiter", "CHAR", "CSV delimiter: , ; tab or | (default: a sep= line, else guessed)."),
        .flag("dry-run", short: "n", "Check everything and write the report, but store nothing."),
        .value("workers", "N", "Threads that map and validate (default: the number of cores)."),
        .value("batch-size", "N", "Records per batch and per transaction (default: 2000)."),
        .value("max-record-bytes", "N", "Reject records larger than this (default: 16777216)."),
        .value("report", "DIR", "Where to write the report (default: reports/<time>-import)."),
        .flag("resume", "Continue an interrupted import of the same input and mapping."),
        .flag("fail-on-invalid", "Exit with 3 when any row was not created."),
        .flag("json", "Print the summary as one JSON object on stdout."),
        .flag("quiet", short: "q", "Print nothing but errors (and the --json line)."),
    ]
    static let discussion: String? = """
        Every row ends in exactly one of created, skipped (duplicate, mapping-inactive,
        empty-row), invalid-phone or rejected. The report folder holds summary.json,
        summary.md, report.html, the bad rows verbatim with their reason (rejected.csv or
        rejected.ndjson) and skipped.csv. Ctrl-C stops after the current batch; run the
        same command with --resume to continue.

        CAPTURED TRAFFIC: a HAR export (.har), a GoReplay recording (.gor) or serve's
        capture NDJSON (.capture.ndjson; any .ndjson of capture lines when no mapping is
        given) runs every request through what the webhook endpoint does: method and path,
        body, credentials, key check, mapping, contact. No --map or --mapping is needed:
        each request names its own. --map ID sends every request to that mapping;
        --mapping M.json checks the bodies against a mapping file without authenticating
        them. Reports name each request by its line (HAR: entry number; gor: the line of
        its header, and its id) and keep bad ones as capture lines with API keys replaced
        by REDACTED.

        EXAMPLES:
          flexmap import --input contacts.csv --mapping hubspot.json
          flexmap import --input contacts.csv --map map_3kT9… --workers 4
          flexmap import --input leads.ndjson --mapping form.json --dry-run --json
          cat export.csv | flexmap import --input - --format csv --mapping hubspot.json
          flexmap import --input session.har --dry-run
          flexmap import --input staging.gor --auth-override org_3kT9…:fmk_…
        """

    let input: String
    let mappingSource: MappingSource
    let org: String?
    let format: InputFormat
    let readerOptions: ReaderOptions
    let dryRun: Bool
    let workers: Int
    let batchSize: Int
    let report: String?
    let resume: Bool
    let authOverride: AuthOverride?
    let formatGiven: Bool
    let failOnInvalid: Bool
    let json: Bool
    let quiet: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        if let word = parsed.positionals.first {
            // `--auth-override ORG KEY` (a space for the colon) must not echo the key.
            guard !word.hasPrefix("fmk_") else {
                throw UsageError(
                    "unexpected argument (an API key, not shown); --auth-override takes ORG:KEY as one word")
            }
            throw UsageError("unexpected argument '\(word)'; give the file with --input")
        }
        guard let input = parsed.value("input") else {
            throw UsageError("missing --input FILE (or - for standard input)")
        }
        self.input = input
        let map = parsed.value("map")
        let mappingFile = parsed.value("mapping")
        if map != nil, mappingFile != nil { throw UsageError("give --map ID or --mapping M.json, not both") }
        formatGiven = parsed.value("format") != nil
        if let name = parsed.value("format") {
            guard let format = InputFormat(rawValue: name) else {
                throw UsageError(
                    "unknown format '\(name)'; use one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            self.format = format
        } else if input == "-" {
            throw UsageError("reading standard input needs --format csv, ndjson, har, gor or capture")
        } else if let guessed = InputFormat.guess(path: input) {
            // An .ndjson file with no mapping can only be a capture (serve --capture FILE).
            format =
                guessed == .ndjson && map == nil && mappingFile == nil && InputFormat.looksLikeCapture(path: input)
                ? .capture : guessed
        } else if input.lowercased().hasSuffix(".json"), InputFormat.looksLikeHAR(path: input) {
            format = .har
        } else if input.lowercased().hasSuffix(".json") {
            throw UsageError(
                "\(input): a .json file is one document; give one record per line (NDJSON, e.g. `jq -c '.[]' \(input) > records.ndjson`) or say --format ndjson if it already is"
            )
        } else {
            throw UsageError(
                "cannot tell the format of '\(input)' from its name; add --format csv, ndjson, har, gor or capture")
        }
        switch (map, mappingFile) {
        case (_, let file?): mappingSource = .file(file)
        case (let id?, nil): mappingSource = format.isCapture ? .requests(mapId: id) : .stored(id)
        case (nil, nil):
            guard format.isCapture else {
                throw UsageError("missing the mapping: --map ID (stored) or --mapping M.json (a file)")
            }
            mappingSource = .requests(mapId: nil)
        }
        org = parsed.value("org")
        if org != nil, !mappingSource.isFile {
            throw UsageError(
                format.isCapture
                    ? "--org goes with --mapping; captured requests name their organisation (or use --auth-override ORG:KEY)"
                    : "--org goes with --mapping; a stored mapping (--map) already belongs to an organisation")
        }
        if let text = parsed.value("auth-override") {
            guard format.isCapture else {
                throw UsageError("--auth-override applies to captured requests (--format har, gor or capture)")
            }
            guard case .requests = mappingSource else {
                throw UsageError(
                    "--auth-override does not go with --mapping, which maps the bodies without authenticating them")
            }
            authOverride = try AuthOverride(text)
        } else {
            authOverride = nil
        }
        var delimiter: UInt8?
        if let text = parsed.value("delimiter") {
            switch text {
            case "tab", "\\t", "\t": delimiter = UInt8(ascii: "\t")
            default:
                guard text.utf8.count == 1, let byte = text.utf8.first, byte != UInt8(ascii: "\""),
                    byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r")
                else {
                    throw UsageError("--delimiter takes one character such as , ; | or the word tab, not '\(text)'")
                }
                delimiter = byte
            }
        }
        let maxRecordBytes = try parsed.int("max-record-bytes", range: 1024...(1 << 30)) ?? (16 << 20)
        readerOptions = ReaderOptions(delimiter: delimiter, maxRecordBytes: maxRecordBytes)
        dryRun = parsed.flag("dry-run")
        workers = try parsed.int("workers", range: 1...256) ?? ProcessInfo.processInfo.activeProcessorCount
        batchSize = try parsed.int("batch-size", range: 1...1_000_000) ?? 2000
        report = parsed.value("report")
        resume = parsed.flag("resume")
        if resume && dryRun {
            throw UsageError("--resume and --dry-run do not go together: a dry run stores nothing to resume")
        }
        if resume && input == "-" { throw UsageError("--resume needs a file: standard input cannot be read again") }
        failOnInvalid = parsed.flag("fail-on-invalid")
        json = parsed.flag("json")
        quiet = parsed.flag("quiet")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let console = context.console
        let store = try Store.open(path: context.databasePath)
        let request: ImportRequest
        let keyUse = KeyUseLog()
        switch mappingSource {
        case .stored(let id):
            let stored = try Registry(store: store).requireMapping(id: id)
            request = ImportRequest(
                input: input, format: format, readerOptions: readerOptions, mapping: stored.mapping,
                orgId: stored.orgId,
                mappingId: stored.id, dryRun: dryRun, workers: workers, batchSize: batchSize, reportDirectory: report,
                resume: resume)
        case .file(let file):
            let mapping = try MappingFile.load(file)
            let orgId = org ?? Store.defaultOrganisationId
            // A dry run writes nothing, not even the default organisation.
            if org == nil, !dryRun { try store.ensureDefaultOrganisation() }
            guard try store.organisationExists(orgId) || (org == nil && dryRun) else {
                throw StoreError.invalid(
                    "no organisation '\(orgId)' in \(context.databasePath); create one with `flexmap org create NAME`")
            }
            request = ImportRequest(
                input: input, format: format, readerOptions: readerOptions, mapping: mapping, orgId: orgId,
                mappingId: "file:" + (file as NSString).lastPathComponent, dryRun: dryRun, workers: workers,
                batchSize: batchSize, reportDirectory: report, resume: resume)
        case .requests(let mapId):
            request = ImportRequest(
                input: input, format: format, readerOptions: readerOptions,
                processor: try processor(store: store, mapId: mapId, keyUse: keyUse, context: context), dryRun: dryRun,
                workers: workers, batchSize: batchSize, reportDirectory: report, resume: resume)
        }

        if format == .ndjson, !formatGiven, !quiet, input != "-", InputFormat.looksLikeCapture(path: input) {
            console.err(
                "flexmap: note: \(input) holds captured requests (serve --capture lines) but is read as records; add --format capture to import them as requests"
            )
        }
        let trap = SignalTrap(
            console: console, message: "flexmap: stopping after the current batch (Ctrl-C again to quit at once)")
        let progress = ProgressLine(console: console, enabled: !quiet)
        let result: ImportResult
        do {
            result = try ImportEngine(store: store).run(request, cancel: trap.flag) { progress.update($0) }
            progress.clear()
        } catch {
            progress.clear()
            throw error
        }
        withExtendedLifetime(trap) {}
        // A dry run writes nothing, not even when a key was last used.
        if !dryRun { try Registry(store: store).recordKeyUse(ids: keyUse.drain()) }

        if json {
            console.out(
                SummaryJSON.line(
                    result.summary, reportDirectory: result.reportDirectory, interrupted: result.interrupted))
        } else if !quiet {
            console.out(SummaryText.render(result.summary, reportDirectory: result.reportDirectory))
        }
        if result.interrupted {
            // The same command again, with the key of --auth-override left for the user to give.
            var flags = [
                mappingSource.flag, formatGiven ? "--format \(format.rawValue)" : "", authOverride?.flag ?? "",
            ]
            flags = flags.filter { !$0.isEmpty }
            console.err(
                "flexmap: stopped after \(Format.count(result.summary.total)) rows; everything counted is committed. Continue with:\n  flexmap import --input \(input) \(flags.joined(separator: " ")) --resume"
                    + (context.databasePath == "flexmap.db" ? "" : " --db \(context.databasePath)"))
            return CommandLineTool.ExitCode.failure
        }
        if failOnInvalid && result.summary.created < result.summary.total {
            return CommandLineTool.ExitCode.rowsNotCreated
        }
        return CommandLineTool.ExitCode.success
    }
}

/// Where an import's mapping comes from.
enum MappingSource {
    case stored(String)
    case file(String)
    /// Captured requests: each names its mapping, unless `--map` names one for all.
    case requests(mapId: String?)

    var isFile: Bool {
        if case .file = self { return true }
        return false
    }

    var flag: String {
        switch self {
        case .stored(let id), .requests(let id?): return "--map \(id)"
        case .file(let path): return "--mapping \(path)"
        case .requests(nil): return ""
        }
    }
}

/// Loads a mapping file, with errors that name the file and JSON path.
enum MappingFile {
    static func load(_ path: String) throws -> Mapping {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.invalid("\(path): cannot read the mapping file (check the path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError.invalid("\(path): the mapping file is not UTF-8 text")
        }
        return try MappingLoader().load(json: text, file: path)
    }
}
