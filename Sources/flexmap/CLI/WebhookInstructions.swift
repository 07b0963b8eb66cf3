import FlexMapCore
import FlexMapIO

/// The webhook URL of a stored mapping and the three ways to authenticate, as
/// ready-to-run curl commands with the key left as a placeholder.
enum WebhookInstructions {
    static let path = "/api/contacts/flex"
    static let keyPlaceholder = "YOUR_API_KEY"

    static func url(base: String, mapId: String) -> String {
        trimmedBase(base) + path + "?mapId=" + mapId
    }

    static func trimmedBase(_ base: String) -> String {
        base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    static func render(base: String, stored: Registry.StoredMapping) -> String {
        let endpoint = trimmedBase(base) + path
        let body = JSONText.encode(.object(sampleBody(stored.mapping)))
        var withCredentials = sampleBody(stored.mapping)
        withCredentials.members.insert(
            contentsOf: [
                ("orgId", .string(stored.orgId)), ("apiKey", .string(keyPlaceholder)), ("mapId", .string(stored.id)),
            ], at: 0)
        let bodyWithCredentials = JSONText.encode(.object(withCredentials))
        return """
            Webhook URL: \(url(base: base, mapId: stored.id))
            Status: \(stored.mapping.active ? "active" : "inactive (requests are skipped as mapping-inactive)")

            Setup: send orgId, apiKey and mapId one of three ways. Replace \(keyPlaceholder) with a key
            from `flexmap key create --org \(stored.orgId)`.

            1. Query parameters (easiest; works with most form builders):
               curl -X POST '\(endpoint)?orgId=\(stored.orgId)&apiKey=\(keyPlaceholder)&mapId=\(stored.id)' \\
                 -H 'Content-Type: application/json' \\
                 -d '\(shellQuoted(body))'

            2. JSON body (when your provider lets you shape the payload):
               curl -X POST '\(endpoint)' \\
                 -H 'Content-Type: application/json' \\
                 -d '\(shellQuoted(bodyWithCredentials))'

            3. Headers (most secure; for integrations you control):
               curl -X POST '\(endpoint)' \\
                 -H 'Content-Type: application/json' \\
                 -H 'x-org-id: \(stored.orgId)' -H 'x-api-key: \(keyPlaceholder)' -H 'x-map-id: \(stored.id)' \\
                 -d '\(shellQuoted(body))'
            """
    }

    /// Text safe inside single quotes in a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''")
    }

    /// A body the mapping reads: each field's first source with an example value.
    static func sampleBody(_ mapping: Mapping) -> JSONObject {
        var root = JSONObject()
        for rule in mapping.fields {
            guard let source = rule.sources.first else { continue }
            let value = example(for: rule.target)
            var keys: [String] = [source]
            if let path = try? FieldPath(source), path.steps.count > 1,
                path.steps.allSatisfy({ if case .key = $0 { return true } else { return false } })
            {
                keys = path.steps.compactMap { if case .key(let key) = $0 { return key } else { return nil } }
            }
            insert(value, at: keys[...], into: &root)
        }
        return root
    }

    private static func insert(_ value: JSONValue, at keys: ArraySlice<String>, into object: inout JSONObject) {
        guard let first = keys.first else { return }
        if keys.count == 1 {
            if object[first] == nil { object.members.append((first, value)) }
            return
        }
        var child = object[first]?.objectValue ?? JSONObject()
        insert(value, at: keys.dropFirst(), into: &child)
        object.removeAll(key: first)
        object.members.append((first, .object(child)))
    }

    private static func example(for target: Target) -> JSONValue {
        switch target {
        case .field(.firstName): return .string("John")
        case .field(.lastName): return .string("Smith")
        case .field(.email): return .string("john@example.com")
        case .field(.phone): return .string("+12015550123")
        case .field(.company): return .string("Acme")
        case .field(.crmId): return .string("12345")
        case .field(.crmSource): return .string("crm")
        case .field(.backupContactName): return .string("Jane Smith")
        case .field(.backupContactPhone): return .string("+12015550124")
        case .field(.countryCode): return .string("US")
        case .field(.country): return .string("United States")
        case .field(.tags): return .string("lead")
        case .variable: return .string("value")
        }
    }
}
