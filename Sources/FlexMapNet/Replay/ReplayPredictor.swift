import FlexMapCore
import FlexMapIO

/// What the endpoint should answer a request, by the local pipeline.
public struct Prediction: Sendable, Equatable {
    /// 201 created, 200 duplicate, 4xx as `serve` answers a refusal.
    public var status: Int
    /// The reason `serve` would name; nil for created.
    public var reason: String?
    /// created, skipped, invalidPhone or rejected.
    public var outcome: String
    public var detail: String
    /// The organisation and E.164 phone the contact would have: requests that share it
    /// are sent one at a time, in input order.
    public var dedupeKey: String?
}

/// Predicts every request's answer for `--verify`, in input order, from the store the
/// endpoint uses: the same WebhookProcessor `serve` runs (method and path, body,
/// credentials, key, mapping, pipeline) and the same duplicate check. Duplicates count
/// the contacts already stored when the replay began (a read transaction pins that
/// snapshot of the store, so contacts the replay itself creates do not show) and the
/// requests of this replay predicted to create one before (a scratch table, as
/// `import --dry-run` keeps). Nothing is written to the store.
///
/// The directory is the store's registry: a key the store does not know is predicted
/// 401. With `trustKey`, the replay's own key counts as valid (for an endpoint whose
/// keys the local store does not hold, when the mappings are the same).
final class ReplayPredictor {
    private let store: Store
    private let writer: ContactWriter
    private let processor: WebhookProcessor
    private let now: String

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    init(storePath: String, trustedKey: String?) throws {
        store = try Store.open(path: storePath)
        let snapshot = try RegistrySnapshot.load(from: store)
        let directory: any MappingDirectory = trustedKey.map { TrustingDirectory(base: snapshot, apiKey: $0) } ?? snapshot
        processor = WebhookProcessor(directory: directory)
        writer = try ContactWriter(store: store, dryRun: true)
        now = store.clock()
        // Pin the store as it is now: WAL readers keep their snapshot until the end of
        // their transaction, whatever the endpoint writes meanwhile.
        try store.database.execute("BEGIN", context: "starting the verify snapshot")
        _ = try store.database.scalarInt("SELECT count(*) FROM (SELECT 1 FROM main.contacts LIMIT 1)")
    }

    deinit {
        close()
    }

    func close() {
        if store.database.isInTransaction { try? store.database.execute("ROLLBACK") }
    }

    /// Whether the store has this mapping (a record replay's --map must be there to verify).
    func knowsMapping(_ mapId: String) -> Bool { processor.directory.pipeline(mapId: mapId) != nil }

    func predict(_ request: WebhookRequest) throws -> Prediction {
        let outcome = processor.process(request)
        switch outcome.mapped {
        case .problem(let reason, let detail):
            return Prediction(
                status: WebhookProcessor.httpStatus(for: reason, request: request), reason: reason.rawValue,
                outcome: reason.kind.rawValue, detail: detail.isEmpty ? reason.explanation : detail, dedupeKey: nil)
        case .contact(let contact):
            let key = contact.orgId + "\u{1F}" + contact.phone
            switch try writer.apply(contact, policy: outcome.onDuplicate, now: now) {
            case .created:
                return Prediction(status: 201, reason: nil, outcome: OutcomeKind.created.rawValue, detail: "contact created", dedupeKey: key)
            case .duplicate:
                return Prediction(
                    status: 200, reason: Reason.duplicate.rawValue, outcome: OutcomeKind.skipped.rawValue,
                    detail: Reason.duplicate.explanation, dedupeKey: key)
            case .updated:
                return Prediction(
                    status: 200, reason: Reason.duplicateUpdated.rawValue, outcome: OutcomeKind.skipped.rawValue,
                    detail: Reason.duplicateUpdated.explanation, dedupeKey: key)
            }
        }
    }
}

/// The store's registry, except that one API key (the replay's own) is taken as a live
/// key of any organisation.
struct TrustingDirectory: MappingDirectory {
    let base: RegistrySnapshot
    let apiKey: String

    func isValidKey(orgId: String, apiKey: String) -> Bool {
        (!self.apiKey.isEmpty && Crypto.constantTimeEqual(Array(apiKey.utf8), Array(self.apiKey.utf8)))
            || base.isValidKey(orgId: orgId, apiKey: apiKey)
    }

    func pipeline(mapId: String) -> (orgId: String, pipeline: Pipeline)? { base.pipeline(mapId: mapId) }
}
