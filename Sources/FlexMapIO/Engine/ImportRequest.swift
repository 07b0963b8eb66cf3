import FlexMapCore

/// Everything one import needs to know.
public struct ImportRequest: Sendable {
    /// A path, or "-" for standard input.
    public var input: String
    public var format: InputFormat
    public var readerOptions: ReaderOptions
    public var target: ImportTarget
    public var dryRun: Bool
    public var workers: Int
    /// Records per batch: the unit of parallel work.
    public var batchSize: Int
    /// A transaction ends after at least this many records (or a second): fewer, larger
    /// commits write each hot index page once instead of once per batch.
    public var commitRows: Int = 20_000
    /// nil: `reports/<timestamp>-import` under the current directory.
    public var reportDirectory: String?
    public var resume: Bool

    public init(
        input: String, format: InputFormat, readerOptions: ReaderOptions = ReaderOptions(), mapping: Mapping,
        orgId: String, mappingId: String, dryRun: Bool = false, workers: Int = 1, batchSize: Int = 2000,
        reportDirectory: String? = nil, resume: Bool = false
    ) {
        self.input = input
        self.format = format
        self.readerOptions = readerOptions
        self.target = .mapping(mapping, orgId: orgId, mappingId: mappingId)
        self.dryRun = dryRun
        self.workers = workers
        self.batchSize = batchSize
        self.reportDirectory = reportDirectory
        self.resume = resume
    }
}

extension ImportRequest {
    /// An import of captured webhook requests: each request names its own organisation
    /// and mapping, and is authenticated as the live endpoint would.
    public init(
        input: String, format: InputFormat, readerOptions: ReaderOptions = ReaderOptions(), processor: WebhookProcessor,
        dryRun: Bool = false, workers: Int = 1, batchSize: Int = 2000, reportDirectory: String? = nil,
        resume: Bool = false
    ) {
        self.init(
            input: input, format: format, readerOptions: readerOptions, mapping: Mapping(name: "", fields: []),
            orgId: "",
            mappingId: "", dryRun: dryRun, workers: workers, batchSize: batchSize, reportDirectory: reportDirectory,
            resume: resume)
        target = .webhook(processor)
    }
}

/// What records are mapped with.
public enum ImportTarget: Sendable {
    /// One mapping for every record.
    case mapping(Mapping, orgId: String, mappingId: String)
    /// Captured requests: each one's credentials pick the mapping, as the endpoint does.
    case webhook(WebhookProcessor)

    /// The orgId and mappingId that journal and summary give a capture import: each
    /// request names its own.
    public static let perRequest = "per-request"

    /// Names for the journal and summary.
    var orgId: String {
        if case .mapping(_, let orgId, _) = self { return orgId }
        return Self.perRequest
    }

    var mappingId: String {
        if case .mapping(_, _, let mappingId) = self { return mappingId }
        return Self.perRequest
    }

    var mappingName: String {
        if case .mapping(let mapping, _, _) = self { return mapping.name }
        return "each request's own"
    }

    var fingerprintText: String {
        switch self {
        case .mapping(let mapping, _, _): return JSONText.encode(mapping.jsonValue)
        case .webhook(let processor):
            // The override's API key stays out: this text is hashed into the run journal,
            // and nothing derived from a key belongs in the store.
            return "webhook:"
                + processor.override.filter { $0.key != .apiKey }.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: ",")
        }
    }
}

/// How an import ended.
public struct ImportResult: Sendable {
    public var summary: RunSummary
    public var reportDirectory: String
    /// True when a stop request (SIGINT) ended it early; `--resume` continues.
    public var interrupted: Bool
    /// Where a resumed run picked up, when it was one.
    public var resumedFrom: ReaderPosition?
}

/// Progress after each committed batch.
public struct ImportProgress: Sendable {
    public var records: Int
    public var bytesRead: Int64
    public var totalBytes: Int64?
    public var elapsedSeconds: Double
}

/// Problems that stop an import before or while it runs, other than input, store and
/// report errors (which keep their own types).
public enum ImportError: Error, Sendable, CustomStringConvertible {
    case nothingToResume(input: String)
    case resumeNotPossible(String)
    case inputChanged(input: String)
    case mappingChanged(input: String)

    public var description: String {
        switch self {
        case .nothingToResume(let input):
            return "\(input): no interrupted import of this input with this mapping to resume; run without --resume"
        case .resumeNotPossible(let why):
            return why
        case .inputChanged(let input):
            return
                "\(input): the file changed since the interrupted import; run without --resume to start over (contacts already stored will count as duplicates)"
        case .mappingChanged(let input):
            return
                "\(input): the mapping changed since the interrupted import; resume with the same mapping, or run without --resume"
        }
    }
}
