/// What a webhook endpoint knows about organisations, keys and mappings. The store
/// provides it (a snapshot the serve threads can share); tests provide their own.
public protocol MappingDirectory: Sendable {
    /// True when `apiKey` is a live key of organisation `orgId`.
    func isValidKey(orgId: String, apiKey: String) -> Bool
    /// The stored mapping with this mapId: its organisation and ready pipeline.
    func pipeline(mapId: String) -> (orgId: String, pipeline: Pipeline)?
}

/// The outcome of one webhook request before the store sees it.
public struct WebhookOutcome: Sendable, Equatable {
    public var mapped: MappedRecord
    /// Known once the request authenticated.
    public var mapId: String?
    public var orgId: String?
    public var onDuplicate: Mapping.DuplicatePolicy

    public init(
        mapped: MappedRecord, mapId: String? = nil, orgId: String? = nil, onDuplicate: Mapping.DuplicatePolicy = .skip
    ) {
        self.mapped = mapped
        self.mapId = mapId
        self.orgId = orgId
        self.onDuplicate = onDuplicate
    }
}

/// What the live endpoint does with a request, as a pure function: check it is a
/// webhook request, decode its body, authenticate it, find its mapping, strip the
/// credentials and map it. `serve` and `import --format har|gor|capture` both run this.
public struct WebhookProcessor: Sendable {
    public let directory: any MappingDirectory
    /// Credentials to use where a request has none.
    public let fallback: [CredentialResolver.Field: String]
    /// Credentials that replace the request's (`--auth-override`, for traffic captured in
    /// another environment).
    public let override: [CredentialResolver.Field: String]

    public init(
        directory: any MappingDirectory, fallback: [CredentialResolver.Field: String] = [:],
        override: [CredentialResolver.Field: String] = [:]
    ) {
        self.directory = directory
        self.fallback = fallback
        self.override = override
    }

    public func process(_ request: WebhookRequest) -> WebhookOutcome {
        func fail(_ reason: Reason, _ detail: String) -> WebhookOutcome {
            WebhookOutcome(mapped: .problem(reason, detail: detail))
        }
        if let refusal = Self.refusal(ofTarget: request) { return fail(refusal.reason, refusal.detail) }
        let body: JSONObject
        switch Self.decodeBody(request) {
        case .success(let object): body = object
        case .failure(let failure): return fail(failure.reason, failure.detail)
        }
        let sources = CredentialSources(
            query: request.query, headers: request.headers, body: CredentialResolver.bodyFields(body))
        let credentials: Credentials
        switch CredentialResolver.resolve(sources, fallback: fallback, override: override) {
        case .success(let found): credentials = found
        case .failure(let failure): return fail(failure.reason, failure.detail)
        }
        // Details quote the orgId and mapId a client sent: whatever it put there, never its key.
        func shown(_ text: String) -> String { CaptureRedaction.scrub(text, secrets: [credentials.apiKey]) }
        guard directory.isValidKey(orgId: credentials.orgId, apiKey: credentials.apiKey) else {
            if credentials.apiKey == "REDACTED" {
                return fail(
                    .authInvalid,
                    "the captured API key was redacted; import or replay with --auth-override ORG:KEY (or replay --key)"
                )
            }
            return fail(.authInvalid, "the API key is not a live key of organisation \(shown(credentials.orgId))")
        }
        guard let (mappingOrg, pipeline) = directory.pipeline(mapId: credentials.mapId) else {
            return fail(.mappingUnknown, "no mapping \(shown(credentials.mapId))")
        }
        guard mappingOrg == credentials.orgId else {
            return fail(.mappingOtherOrg, "mapping \(shown(credentials.mapId)) belongs to another organisation")
        }
        // Credentials out, and any copy of a key the request carries (a note, a nested
        // field): a key never reaches a contact.
        let record = CaptureRedaction.withoutSecrets(
            CredentialResolver.stripped(body),
            secrets: [credentials.apiKey] + CaptureRedaction.offeredSecrets(request, body: body))
        let mapped = pipeline.map(.json(.object(record)))
        return WebhookOutcome(
            mapped: mapped, mapId: credentials.mapId, orgId: credentials.orgId,
            onDuplicate: pipeline.mapping.onDuplicate)
    }

    /// `not-a-webhook-request` unless the request is a POST to the flex path.
    public static func refusal(ofTarget request: WebhookRequest) -> BodyFailure? {
        // The detail quotes the method and path: without key-like text or the keys the
        // request offers elsewhere.
        func shown(_ text: String) -> String {
            CaptureRedaction.scrub(text, secrets: CaptureRedaction.offeredSecrets(request, body: JSONObject()))
        }
        guard request.method.uppercased() == "POST", request.path == WebhookRequest.flexPath else {
            return BodyFailure(
                reason: .notAWebhookRequest,
                detail:
                    "\(shown(request.method)) \(shown(request.path)) is not a webhook request (POST \(WebhookRequest.flexPath))"
            )
        }
        return nil
    }

    /// The status the endpoint answers a request with, given its outcome's reason (nil:
    /// created, 201). Like `Reason.httpStatus`, except that a wrong method on the flex
    /// path is 405, as `serve` answers it.
    public static func httpStatus(for reason: Reason?, request: WebhookRequest) -> Int {
        guard let reason else { return 201 }
        if reason == .notAWebhookRequest, request.path == WebhookRequest.flexPath, request.method.uppercased() != "POST"
        {
            return 405
        }
        return reason.httpStatus
    }

    public struct BodyFailure: Error, Sendable, Equatable {
        public var reason: Reason
        public var detail: String
    }

    /// The body as an object: JSON or form fields, by Content-Type (sniffed when absent).
    public static func decodeBody(_ request: WebhookRequest, parser: JSONParser = JSONParser()) -> Result<
        JSONObject, BodyFailure
    > {
        let type = MediaType(request.header("content-type") ?? "")
        var kind = type?.essence
        if kind == nil {
            let first = request.body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            kind =
                first == UInt8(ascii: "{")
                ? "application/json"
                : (request.body.contains(UInt8(ascii: "=")) ? "application/x-www-form-urlencoded" : nil)
        }
        if let charset = type?.parameters["charset"]?.lowercased(), !["utf-8", "utf8", "us-ascii"].contains(charset) {
            return .failure(
                BodyFailure(
                    reason: .unsupportedMediaType,
                    detail: "charset \(CaptureRedaction.scrub(charset)) is not supported; send UTF-8"))
        }
        switch kind {
        case "application/json", "text/json":
            if request.body.isEmpty {
                return .failure(BodyFailure(reason: .emptyRow, detail: "the request has no body"))
            }
            do {
                let value = try parser.parse(request.body)
                guard case .object(let object) = value else {
                    return .failure(
                        BodyFailure(reason: .notAnObject, detail: "the JSON body is \(value.kindName), not an object"))
                }
                return .success(object)
            } catch {
                return .failure(
                    BodyFailure(reason: .invalidJSON, detail: "the JSON body is not valid: \(error.message)"))
            }
        case "application/x-www-form-urlencoded":
            guard let pairs = FormDecoding.pairs(request.body) else {
                return .failure(
                    BodyFailure(reason: .invalidUTF8, detail: "the form body has a broken %-escape or is not UTF-8"))
            }
            return .success(FormDecoding.object(pairs))
        default:
            let shown = CaptureRedaction.scrub(type?.essence ?? "none")
            return .failure(
                BodyFailure(
                    reason: .unsupportedMediaType,
                    detail:
                        "Content-Type \(shown) is not supported; send application/json or application/x-www-form-urlencoded"
                ))
        }
    }
}

/// A parsed Content-Type: `application/json; charset=utf-8`.
public struct MediaType: Sendable, Equatable {
    /// type/subtype, lower-cased.
    public var essence: String
    public var parameters: [String: String]

    public init?(_ text: String) {
        let parts = text.split(separator: ";").map { String($0).trimmingWhitespace() }
        guard let first = parts.first, first.contains("/") else { return nil }
        essence = first.lowercased()
        parameters = [:]
        for part in parts.dropFirst() {
            let pieces = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard pieces.count == 2 else { continue }
            var value = pieces[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            parameters[pieces[0].lowercased()] = value
        }
    }
}
