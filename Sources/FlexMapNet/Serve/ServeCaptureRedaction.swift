import FlexMapCore

/// What `serve --capture-redact` hides: the API key wherever a request can carry it
/// (query parameters, form fields and JSON members at any depth named apiKey / api_key, the
/// x-api-key header, the token of `Authorization`), and the values of
/// `Proxy-Authorization` and `Cookie`. orgId and mapId stay, so a redacted capture
/// still says which mapping each request was for; give the key again when replaying or
/// importing it. A body that names an API key but is neither valid JSON nor a form is
/// replaced by `REDACTED` as a whole. Copies of a key anywhere else in the request go too
/// (FlexMapCore's CaptureRedaction, which the import reports use for whole requests).
public enum ServeCaptureRedaction {
    static let placeholder = CaptureRedaction.placeholder

    public static func redact(_ entry: CaptureFormat.Entry) -> CaptureFormat.Entry {
        var redacted = entry
        redacted.rawQuery =
            redactForm(Array(entry.rawQuery.utf8)).map { String(decoding: $0, as: UTF8.self) } ?? placeholder
        redacted.headers = entry.headers.map { redactHeader($0) }
        redacted.body = redactBody(entry.body)
        // Then every other copy of those keys (a Referer, a header name, another field),
        // and key-like text, as the import reports hunt them.
        let secrets = CaptureRedaction.secrets(in: entry)
        func scrub(_ text: String) -> String { CaptureRedaction.scrub(text, secrets: secrets) }
        redacted.path = scrub(redacted.path)
        redacted.rawQuery = scrub(redacted.rawQuery)
        redacted.headers = redacted.headers.map { (scrub($0.name), scrub($0.value)) }
        redacted.body = CaptureRedaction.scrub(bytes: redacted.body, secrets: secrets)
        return redacted
    }

    static func isKeyName(_ name: String) -> Bool {
        CredentialResolver.Field.apiKey.parameterNames.contains(name.lowercased())
    }

    static func redactHeader(_ header: (name: String, value: String)) -> (name: String, value: String) {
        let lowered = header.name.lowercased()
        if CredentialResolver.Field.apiKey.headerNames.contains(lowered) || lowered == "cookie" {
            return (header.name, placeholder)
        }
        if lowered == "authorization" || lowered == "proxy-authorization" {
            let parts = header.value.split(separator: " ", maxSplits: 1)
            return (header.name, parts.count == 2 ? "\(parts[0]) \(placeholder)" : placeholder)
        }
        return header
    }

    /// name=value pairs with the API key's values replaced, the rest byte for byte; nil
    /// when a name cannot be decoded.
    static func redactForm(_ bytes: [UInt8]) -> [UInt8]? {
        if bytes.isEmpty { return bytes }
        var parts: [[UInt8]] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(pieces[0], plusIsSpace: true) else { return nil }
            if isKeyName(name) {
                parts.append(Array(pieces[0]) + Array("=\(placeholder)".utf8))
            } else {
                parts.append(Array(part))
            }
        }
        return Array(parts.joined(separator: [UInt8(ascii: "&")]))
    }

    static func redactBody(_ body: [UInt8]) -> [UInt8] {
        let lowered = String(decoding: body, as: UTF8.self).lowercased()
        guard lowered.contains("apikey") || lowered.contains("api_key") || lowered.contains("api%5fkey") else {
            return body
        }
        let first = body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        if first == UInt8(ascii: "{") {
            guard let value = try? JSONParser().parse(body) else { return Array(placeholder.utf8) }
            let (cleaned, changed) = redactJSON(value)
            return changed ? Array(JSONText.encode(cleaned).utf8) : body
        }
        return redactForm(body) ?? Array(placeholder.utf8)
    }

    /// Replaces the value of every member named like an API key, at any depth.
    static func redactJSON(_ value: JSONValue) -> (JSONValue, Bool) {
        switch value {
        case .object(let object):
            var changed = false
            let members = object.members.map { member -> (key: String, value: JSONValue) in
                if isKeyName(member.key) {
                    changed = true
                    return (member.key, .string(placeholder))
                }
                let (inner, innerChanged) = redactJSON(member.value)
                changed = changed || innerChanged
                return (member.key, inner)
            }
            return (.object(JSONObject(members)), changed)
        case .array(let items):
            var changed = false
            let cleaned = items.map { item -> JSONValue in
                let (inner, innerChanged) = redactJSON(item)
                changed = changed || innerChanged
                return inner
            }
            return (.array(cleaned), changed)
        default:
            return (value, false)
        }
    }
}
