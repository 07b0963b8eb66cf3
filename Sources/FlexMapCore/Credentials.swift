/// The three values that authenticate a webhook request.
public struct Credentials: Sendable, Equatable {
    public var orgId: String
    public var apiKey: String
    public var mapId: String

    public init(orgId: String, apiKey: String, mapId: String) {
        self.orgId = orgId
        self.apiKey = apiKey
        self.mapId = mapId
    }
}

/// Where one request's credentials may be: query parameters, headers, body fields.
public struct CredentialSources: Sendable, Equatable {
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    /// Top-level JSON body fields with scalar values, or form fields.
    public var body: [(name: String, value: String)]

    public init(
        query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        body: [(name: String, value: String)] = []
    ) {
        self.query = query
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: CredentialSources, rhs: CredentialSources) -> Bool {
        func same(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        }
        return same(lhs.query, rhs.query) && same(lhs.headers, rhs.headers) && same(lhs.body, rhs.body)
    }
}

/// Finds orgId, apiKey and mapId in a request. Pure; never puts a value in a message.
public enum CredentialResolver {
    public enum Field: String, Sendable, CaseIterable {
        case orgId, apiKey, mapId

        /// Names accepted in the query string and body (compared without case).
        public var parameterNames: [String] {
            switch self {
            case .orgId: return ["orgid", "org_id"]
            case .apiKey: return ["apikey", "api_key"]
            case .mapId: return ["mapid", "map_id"]
            }
        }

        /// Header names (compared without case).
        public var headerNames: [String] {
            switch self {
            case .orgId: return ["x-org-id", "x-organization-id"]
            case .apiKey: return ["x-api-key"]
            case .mapId: return ["x-map-id"]
            }
        }
    }

    public struct Failure: Error, Sendable, Equatable {
        public var reason: Reason
        public var detail: String
    }

    /// True for a query or body field name that carries a credential; such fields are
    /// removed before mapping.
    public static func isCredentialName(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return Field.allCases.contains { $0.parameterNames.contains(lowered) }
    }

    /// Each credential's one value, or a failure: `credentials-ambiguous` when one is
    /// given twice with different values, `auth-missing` when one is absent and no
    /// fallback fills it. `override` replaces what the request says (importing traffic
    /// captured in another environment).
    public static func resolve(
        _ sources: CredentialSources, fallback: [Field: String] = [:], override: [Field: String] = [:]
    ) -> Result<Credentials, Failure> {
        var found: [Field: (value: String, place: String)] = [:]
        var conflict: (Field, String, String)?
        func offer(_ field: Field, _ value: String, _ place: String) {
            if override[field] != nil { return }
            let trimmed = value.trimmingWhitespace()
            guard !trimmed.isEmpty, conflict == nil else { return }
            if let earlier = found[field] {
                if earlier.value != trimmed { conflict = (field, earlier.place, place) }
                return
            }
            found[field] = (trimmed, place)
        }
        for field in Field.allCases {
            for (name, value) in sources.query where field.parameterNames.contains(name.lowercased()) {
                offer(field, value, "query")
            }
            for (name, value) in sources.body where field.parameterNames.contains(name.lowercased()) {
                offer(field, value, "body")
            }
            for (name, value) in sources.headers {
                let lowered = name.lowercased()
                if field.headerNames.contains(lowered) { offer(field, value, "header \(lowered)") }
                if field == .apiKey, lowered == "authorization" {
                    let parts = value.split(separator: " ", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "bearer" {
                        offer(field, String(parts[1]), "header authorization")
                    }
                }
            }
        }
        if let (field, first, second) = conflict {
            let places = first == second ? "twice in the \(first)" : "in the \(first) and the \(second)"
            return .failure(
                Failure(
                    reason: .credentialsAmbiguous,
                    detail: "\(field.rawValue) is given \(places) with different values; send it once"))
        }
        for (field, value) in override { found[field] = (value, "override") }
        for (field, value) in fallback where found[field] == nil { found[field] = (value, "fallback") }
        let missing = Field.allCases.filter { found[$0] == nil }
        guard missing.isEmpty, let orgId = found[.orgId], let apiKey = found[.apiKey], let mapId = found[.mapId] else {
            return .failure(
                Failure(
                    reason: .authMissing,
                    detail:
                        "missing \(missing.map(\.rawValue).joined(separator: ", ")); send orgId, apiKey and mapId as query parameters, body fields or x-org-id / x-api-key / x-map-id headers"
                ))
        }
        return .success(Credentials(orgId: orgId.value, apiKey: apiKey.value, mapId: mapId.value))
    }

    /// The scalar top-level fields of a JSON body, as credential sources.
    public static func bodyFields(_ object: JSONObject) -> [(name: String, value: String)] {
        object.members.compactMap { member in
            guard isCredentialName(member.key), let text = member.value.scalarText else { return nil }
            return (member.key, text)
        }
    }

    /// The body without its credential fields.
    public static func stripped(_ object: JSONObject) -> JSONObject {
        JSONObject(object.members.filter { !isCredentialName($0.key) })
    }
}
