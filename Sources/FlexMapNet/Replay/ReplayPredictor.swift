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
    /// Another answer that is right too: an earlier request with the same phone ended
    /// without an answer, so whether it created the contact is not known.
    public var alternative: Alternative?

    public struct Alternative: Sendable, Equatable {
        public var status: Int
        public var reason: String?
    }

    /// Whether an answer with this status and reason (nil reason: none given, so only the
    /// status counts; see `reasonGiven`) is the one predicted.
    public func accepts(status: Int, reason: String?, reasonGiven: Bool) -> Bool {
        func same(_ expectedStatus: Int, _ expectedReason: String?) -> Bool {
            status == expectedStatus && (!reasonGiven || reason == expectedReason)
        }
        return same(self.status, self.reason) || alternative.map { same($0.status, $0.reason) } ?? false
    }
}

/// Predicts every request's answer for `--verify` from the store the endpoint uses: the
/// same WebhookProcessor `serve` runs (method and path, body, credentials, key, mapping,
/// pipeline), then the duplicate check.
///
/// In two steps, because a duplicate depends on what the endpoint did before:
/// - `classify`, when the request is read: a refusal is final (its status and reason);
///   a contact gets its dedupe key (organisation and E.164 phone), its duplicate policy,
///   and whether the store held that phone when the replay began (a read transaction
///   pins that snapshot, so contacts the replay itself creates do not show);
/// - `prediction`, when its answer is in: the scheduler sends requests with the same key
///   one at a time, in input order, so every earlier one has its answer by then. The
///   contact is a duplicate when the store held it, or an earlier request of this replay
///   created it or was told it exists (answered 201 or 200); created otherwise. After an earlier one ended without an
///   answer, either is right.
///
/// So a request the endpoint gets wrong shows as one mismatch, not as a trail of
/// duplicates that follow from it. What this replay created is kept in a scratch table
/// (on disk past its cache), not in memory. Nothing is written to the store.
///
/// The directory is the store's registry: a key the store does not know is predicted
/// 401. With `trustedKey`, the replay's own key counts as valid (for an endpoint whose
/// keys the local store does not hold, when its mappings are the same).
final class ReplayPredictor {
    enum Classified: Sendable {
        case final(Prediction)
        case contact(orgId: String, phone: String, policy: Mapping.DuplicatePolicy, storedBefore: Bool)

        var dedupeKey: String? {
            if case .contact(let orgId, let phone, _, _) = self { return orgId + "\u{1F}" + phone }
            return nil
        }
    }

    private let store: Store
    private let processor: WebhookProcessor
    private let exists: SQLiteStatement
    private let lookup: SQLiteStatement
    private let remember: SQLiteStatement

    /// What the replay learnt of a phone: the endpoint has it (it answered 201 or 200),
    /// or a request for it ended without an answer.
    enum State: Int64 {
        case exists = 1
        case unknown = 2
    }

    init(storePath: String, trustedKey: String?) throws {
        store = try Store.open(path: storePath)
        let snapshot = try RegistrySnapshot.load(from: store)
        let directory: any MappingDirectory =
            trustedKey.map { TrustingDirectory(base: snapshot, apiKey: $0) } ?? snapshot
        processor = WebhookProcessor(directory: directory)
        let database = store.database
        // An anonymous temporary database: private to this connection, gone when it closes.
        try database.execute("ATTACH DATABASE '' AS replay_scratch", context: "preparing --verify")
        try database.execute(
            "CREATE TABLE replay_scratch.phones (org_id TEXT NOT NULL, phone TEXT NOT NULL, state INTEGER NOT NULL, PRIMARY KEY (org_id, phone)) WITHOUT ROWID",
            context: "preparing --verify")
        exists = try database.prepare("SELECT 1 FROM main.contacts WHERE org_id = ?1 AND phone = ?2")
        lookup = try database.prepare("SELECT state FROM replay_scratch.phones WHERE org_id = ?1 AND phone = ?2")
        remember = try database.prepare(
            "INSERT INTO replay_scratch.phones (org_id, phone, state) VALUES (?1, ?2, ?3) ON CONFLICT (org_id, phone) DO UPDATE SET state = min(state, excluded.state)"
        )
        // Pin the store as it is now: a WAL reader keeps its snapshot until its
        // transaction ends, whatever the endpoint writes meanwhile.
        try database.execute("BEGIN", context: "starting the --verify snapshot")
        _ = try database.scalarInt("SELECT count(*) FROM (SELECT 1 FROM main.contacts LIMIT 1)")
    }

    deinit {
        close()
    }

    func close() {
        if store.database.isInTransaction { try? store.database.execute("ROLLBACK") }
    }

    /// Whether the store has this mapping (a record replay's --map must be there to verify).
    func knowsMapping(_ mapId: String) -> Bool { processor.directory.pipeline(mapId: mapId) != nil }

    func classify(_ request: WebhookRequest) throws -> Classified {
        let outcome = processor.process(request)
        switch outcome.mapped {
        case .problem(let reason, let detail):
            return .final(
                Prediction(
                    status: WebhookProcessor.httpStatus(for: reason, request: request), reason: reason.rawValue,
                    outcome: reason.kind.rawValue, detail: detail.isEmpty ? reason.explanation : detail))
        case .contact(let contact):
            let stored = try !exists.query([.text(contact.orgId), .text(contact.phone)]) { _ in true }.isEmpty
            return .contact(
                orgId: contact.orgId, phone: contact.phone, policy: outcome.onDuplicate, storedBefore: stored)
        }
    }

    /// The answer expected now that every earlier request with the same phone has its own.
    func prediction(for classified: Classified) throws -> Prediction {
        switch classified {
        case .final(let prediction):
            return prediction
        case .contact(let orgId, let phone, let policy, let storedBefore):
            let state =
                storedBefore
                ? nil : try lookup.query([.text(orgId), .text(phone)]) { State(rawValue: $0.int(0)) }.first ?? nil
            let duplicate = Self.duplicate(policy)
            if storedBefore || state == .exists { return duplicate }
            var created = Prediction(
                status: 201, reason: nil, outcome: OutcomeKind.created.rawValue, detail: "contact created")
            if state == .unknown {
                created.alternative = Prediction.Alternative(status: duplicate.status, reason: duplicate.reason)
                created.detail =
                    "contact created (or a duplicate: an earlier request with this phone ended without an answer)"
            }
            return created
        }
    }

    /// Notes what the endpoint said of a contact request: 201 created it, 200 says it
    /// exists; no answer leaves it unknown.
    func settle(_ classified: Classified, status: Int?) throws {
        guard case .contact(let orgId, let phone, _, let storedBefore) = classified, !storedBefore else { return }
        let state: State
        switch status {
        case 200?, 201?: state = .exists
        case nil: state = .unknown
        default: return
        }
        try remember.run([.text(orgId), .text(phone), .integer(state.rawValue)])
    }

    static func duplicate(_ policy: Mapping.DuplicatePolicy) -> Prediction {
        let reason: Reason = policy == .update ? .duplicateUpdated : .duplicate
        return Prediction(
            status: 200, reason: reason.rawValue, outcome: OutcomeKind.skipped.rawValue, detail: reason.explanation)
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
