import FlexMapCore
import FlexMapIO

/// `--auth-override ORG:KEY`: every captured request authenticates as ORG with KEY,
/// whatever orgId and apiKey it carried (traffic captured in another environment). Only
/// with the explicit flag; the key is checked before the run and never printed.
struct AuthOverride {
    let orgId: String
    /// nil: the key comes from $FLEXMAP_AUTH_KEY (kept out of shell history and `ps`).
    let apiKey: String?

    static let environmentKey = "FLEXMAP_AUTH_KEY"

    init(_ text: String) throws(UsageError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let org = String(parts[0]).trimmingWhitespace()
        guard !org.isEmpty else {
            throw UsageError(
                "--auth-override needs ORG:KEY (an orgId, a colon, an API key), or ORG with the key in $\(Self.environmentKey)"
            )
        }
        orgId = org
        if parts.count == 2 {
            let key = String(parts[1]).trimmingWhitespace()
            guard !key.isEmpty else {
                throw UsageError(
                    "--auth-override \(org): the key after the colon is empty; give ORG:KEY, or ORG alone with the key in $\(Self.environmentKey)"
                )
            }
            apiKey = key
        } else {
            apiKey = nil
        }
    }

    /// The flag as a message may repeat it: without the key.
    var flag: String {
        apiKey == nil ? "--auth-override \(orgId)" : "--auth-override \(orgId):YOUR_API_KEY"
    }
}

extension ImportCommand {
    /// What authenticates and maps captured requests: the store's registry, with the
    /// overrides the flags ask for, checked before anything is read.
    /// The keys that authenticate requests are noted in `keyUse`.
    func processor(store: Store, mapId: String?, keyUse: KeyUseLog, context: CommandContext) throws -> WebhookProcessor
    {
        let directory = try RegistrySnapshot.load(from: store)
        var override: [CredentialResolver.Field: String] = [:]
        if let mapId {
            let stored = try Registry(store: store).requireMapping(id: mapId)
            override[.mapId] = stored.id
            if let authOverride, stored.orgId != authOverride.orgId {
                throw StoreError.invalid(
                    "mapping \(stored.id) belongs to organisation \(stored.orgId), not to \(authOverride.orgId) of --auth-override"
                )
            }
        }
        if let authOverride {
            let org = authOverride.orgId
            let fromEnvironment = context.environment[AuthOverride.environmentKey].flatMap { $0.isEmpty ? nil : $0 }
            guard let key = authOverride.apiKey ?? fromEnvironment else {
                throw UsageError(
                    "--auth-override \(org) without a key reads it from $\(AuthOverride.environmentKey), which is not set"
                )
            }
            guard try store.organisationExists(org) else {
                throw StoreError.invalid(
                    "--auth-override: no organisation '\(org)' in \(context.databasePath); list them with `flexmap org list`"
                )
            }
            guard directory.isValidKey(orgId: org, apiKey: key) else {
                throw StoreError.invalid(
                    "--auth-override: the key given is not a live key of organisation \(org); see `flexmap key list --org \(org)`"
                )
            }
            override[.orgId] = org
            override[.apiKey] = key
        }
        return WebhookProcessor(directory: KeyUseRecordingDirectory(directory, log: keyUse), override: override)
    }
}
