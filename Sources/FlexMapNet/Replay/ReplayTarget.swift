import FlexMapCore

/// Where a replay sends its requests: `http(s)://host[:port][/path][?query]`.
public struct ReplayTarget: Sendable, Equatable {
    /// `http://127.0.0.1:8080`: scheme and authority.
    public var origin: String
    /// The path the URL names; nil when it names none ("/" or nothing), in which case
    /// records go to the webhook path and captured requests to their own path.
    public var path: String?
    /// Query parameters of the URL (decoded), credentials taken out (see `credentials`).
    public var query: [(name: String, value: String)]
    /// Credentials the URL carries in its query (a webhook URL carries its mapId).
    public var credentials: [CredentialResolver.Field: String]

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(parsing text: String) throws(Invalid) {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw Invalid(message: "--target must be an http:// or https:// URL, such as http://127.0.0.1:8080")
        }
        let schemeEnd = text.index(text.startIndex, offsetBy: lower.hasPrefix("https://") ? 8 : 7)
        var rest = text[schemeEnd...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains(where: { $0 == " " }) else {
            throw Invalid(
                message: authority.contains("@")
                    ? "--target must not carry a user or password; give credentials with --org, --key and --map"
                    : "--target has no host: \(text)")
        }
        origin = String(text[..<schemeEnd]).lowercased() + authority
        let pathAndQuery = rest[authorityEnd...]
        let split = pathAndQuery.firstIndex(of: "?")
        let rawPath = split.map { pathAndQuery[..<$0] } ?? pathAndQuery
        path = rawPath.isEmpty || rawPath == "/" ? nil : String(rawPath)
        var query: [(name: String, value: String)] = []
        var credentials: [CredentialResolver.Field: String] = [:]
        if let split {
            guard let pairs = FormDecoding.pairs(Array(pathAndQuery[pathAndQuery.index(after: split)...].utf8)) else {
                throw Invalid(message: "--target has a broken %-escape in its query")
            }
            for (name, value) in pairs {
                if let field = CredentialResolver.Field.allCases.first(where: {
                    $0.parameterNames.contains(name.lowercased())
                }) {
                    credentials[field] = value
                } else {
                    query.append((name, value))
                }
            }
        }
        self.query = query
        self.credentials = credentials
    }

    /// The URL for people: the API key, if the URL held one, replaced.
    public var display: String {
        var text = origin + (path ?? "")
        var parts = query.map { PercentDecoding.encode($0.name) + "=" + PercentDecoding.encode($0.value) }
        for field in CredentialResolver.Field.allCases {
            guard let value = credentials[field] else { continue }
            parts.append(
                field.rawValue + "=" + (field == .apiKey ? CaptureRedaction.placeholder : PercentDecoding.encode(value))
            )
        }
        if !parts.isEmpty { text += "?" + parts.joined(separator: "&") }
        return text
    }

    public static func == (lhs: ReplayTarget, rhs: ReplayTarget) -> Bool {
        lhs.origin == rhs.origin && lhs.path == rhs.path && lhs.credentials == rhs.credentials
            && lhs.query.map(\.name) == rhs.query.map(\.name) && lhs.query.map(\.value) == rhs.query.map(\.value)
    }
}

/// Where `--auth` puts the credentials: the three ways the product's docs show.
public enum AuthPlacement: String, Sendable, CaseIterable {
    /// `x-org-id`, `x-api-key`, `x-map-id` headers ("most secure").
    case header
    /// `?orgId=…&apiKey=…&mapId=…` ("easiest").
    case query
    /// `orgId`, `apiKey`, `mapId` as the first members of the JSON body (or form fields).
    case body
}

/// The credentials a replay sends, which replace whatever a captured request or record
/// carries: from --org/--key/--map (or FLEXMAP_ORG, FLEXMAP_KEY, FLEXMAP_MAP), placed
/// where --auth says, and from the target URL's query (a webhook URL's mapId), which
/// stay in the query unless a flag gives the same credential.
public struct ReplayCredentials: Sendable, Equatable {
    public struct Given: Sendable, Equatable {
        public var value: String
        public var placement: AuthPlacement
    }

    public var fields: [CredentialResolver.Field: Given]

    public init(
        flags: [CredentialResolver.Field: String] = [:], placement: AuthPlacement = .header,
        target: [CredentialResolver.Field: String] = [:]
    ) {
        var fields: [CredentialResolver.Field: Given] = [:]
        for (field, value) in target where !value.isEmpty { fields[field] = Given(value: value, placement: .query) }
        for (field, value) in flags where !value.isEmpty { fields[field] = Given(value: value, placement: placement) }
        self.fields = fields
    }

    public subscript(field: CredentialResolver.Field) -> String? { fields[field]?.value }

    /// The given fields with this placement, in the order the docs write them: orgId,
    /// apiKey, mapId.
    public func placed(_ placement: AuthPlacement) -> [(field: CredentialResolver.Field, value: String)] {
        CredentialResolver.Field.allCases.compactMap { field in
            fields[field].flatMap { $0.placement == placement ? (field, $0.value) : nil }
        }
    }

    public var isComplete: Bool { CredentialResolver.Field.allCases.allSatisfy { fields[$0] != nil } }
    public var isEmpty: Bool { fields.isEmpty }
    public var apiKey: String? { fields[.apiKey]?.value }

    /// The header a credential goes in.
    static func headerName(_ field: CredentialResolver.Field) -> String {
        switch field {
        case .orgId: return "x-org-id"
        case .apiKey: return "x-api-key"
        case .mapId: return "x-map-id"
        }
    }
}
