import FlexMapCore
import FlexMapNet
import Foundation

extension Harness {
    /// The mapping loader. Oracles: a mapping that loads exports to JSON that loads back
    /// to the same mapping, and runs over CSV and JSON records without trapping.
    static func mapping(_ data: [UInt8]) -> [String] {
        var findings = Findings()
        let text = String(decoding: data, as: UTF8.self)
        guard let mapping = try? MappingLoader().load(json: text, file: "fuzz.json") else { return [] }
        do {
            let again = try MappingLoader().load(json: mapping.prettyJSON, file: "export.json")
            findings.check(again == mapping, "the exported mapping loads back different")
        } catch {
            findings.add("the exported mapping does not load: \(error)")
        }
        let sources = mapping.fields.flatMap(\.sources)
        let header = sources + ["extra"]
        let csv = Pipeline(bound: BoundMapping(mapping: mapping, orgId: "o", mappingId: "m", header: header))
        _ = csv.map(.columns(header.enumerated().map { $0.offset == 0 ? "+1 201 555 0123" : "v\($0.offset)" }))
        _ = csv.map(.columns([]))
        let json = Pipeline(bound: BoundMapping(mapping: mapping, orgId: "o", mappingId: "m"))
        var members: [(key: String, value: JSONValue)] = sources.map { ($0, .string("+12015550123")) }
        members.append(("nested", .object(JSONObject([("a", .array([.int(1), .string("x")]))]))))
        _ = json.map(.json(.object(JSONObject(members))))
        _ = json.map(.json(.array([])))
        return findings.items
    }

    /// Field paths. Oracles: a path that parses, written back in brackets, parses to the
    /// same steps; in a document built along it, it finds the value at its end.
    static func fieldPath(_ data: [UInt8]) -> [String] {
        var findings = Findings()
        let text = String(decoding: data, as: UTF8.self)
        guard let path = try? FieldPath(text) else { return [] }
        var canonical = ""
        for step in path.steps {
            switch step {
            case .key(let key):
                canonical += "[\""
                for scalar in key.unicodeScalars {
                    if scalar == "\"" || scalar == "\\" { canonical += "\\" }
                    canonical.unicodeScalars.append(scalar)
                }
                canonical += "\"]"
            case .index(let index):
                canonical += "[\(index)]"
            }
        }
        do {
            let again = try FieldPath(canonical)
            findings.check(
                again.steps == path.steps,
                "\(canonical.debugDescription) parses to other steps than \(text.debugDescription)")
        } catch {
            findings.add(
                "\(canonical.debugDescription), written from \(text.debugDescription), does not parse: \(error)")
        }
        // A document where the path leads somewhere (indexes kept small).
        guard path.steps.allSatisfy({ if case .index(let index) = $0 { return index < 64 } else { return true } })
        else {
            return findings.items
        }
        let leaf = JSONValue.string("leaf")
        var document = leaf
        for step in path.steps.reversed() {
            switch step {
            case .key(let key): document = .object(JSONObject([(key, document), ("other", .null)]))
            case .index(let index): document = .array(Array(repeating: .null, count: index) + [document])
            }
        }
        findings.check(path.value(in: document) == leaf, "\(text.debugDescription) does not find its leaf")
        _ = path.value(in: .null)
        return findings.items
    }

    /// Credential resolution on a request made of the input: a query string, header lines
    /// and a body (JSON or form), split by 0xFF bytes. Oracles: a failure's detail never
    /// holds an offered value (one with a digit: the details' own words have none); no key
    /// the request authenticates with survives the capture redaction.
    static func credentials(_ data: [UInt8]) -> [String] {
        var findings = Findings()
        var input = ByteReader(data)
        let flags = input.byte()
        let query = input.piece(until: 0xFF)
        let headerBlock = input.piece(until: 0xFF)
        let body = input.rest()
        var headers: [(name: String, value: String)] = []
        for line in headerBlock.split(separator: 0x0A) {
            let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 1, omittingEmptySubsequences: false)
            headers.append(
                (
                    String(decoding: parts[0], as: UTF8.self),
                    parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
                ))
        }
        switch flags & 3 {
        case 0: headers.append(("Content-Type", "application/json"))
        case 1: headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        default: break
        }
        let target = WebhookRequest.flexPath + "?" + String(decoding: query, as: UTF8.self)
        let request = WebhookRequest(method: "POST", target: target, headers: headers, body: body)

        var bodyFields: [(name: String, value: String)] = []
        if case .success(let object) = WebhookProcessor.decodeBody(request) {
            bodyFields = CredentialResolver.bodyFields(object)
        }
        let sources = CredentialSources(query: request.query, headers: request.headers, body: bodyFields)
        let offered = (sources.query + sources.body + sources.headers).map(\.value).filter { value in
            value.utf8.count >= 4 && value.utf8.contains { $0 >= 0x30 && $0 <= 0x39 }
        }
        let fallback: [CredentialResolver.Field: String] = flags & 4 != 0 ? [.mapId: "map_fuzz"] : [:]
        let override: [CredentialResolver.Field: String] = flags & 8 != 0 ? [.orgId: "org_fuzz"] : [:]
        if case .failure(let failure) = CredentialResolver.resolve(sources, fallback: fallback, override: override) {
            for value in offered where failure.detail.contains(value.trimmingWhitespace()) && !value.isBlank {
                findings.add("the failure detail holds an offered value: \(failure.detail.debugDescription)")
            }
        }
        let outcome = WebhookProcessor(directory: FuzzDirectory(), fallback: fallback, override: override).process(
            request)
        let redacted = FlexMapCore.CaptureRedaction.redact(
            CaptureFormat.Entry(
                timestamp: "", method: "POST", path: WebhookRequest.flexPath,
                rawQuery: String(decoding: query, as: UTF8.self),
                headers: headers, body: body))
        // What `serve --capture-redact` writes (FlexMapNet's own redaction).
        let served = FlexMapNet.ServeCaptureRedaction.redact(
            CaptureFormat.Entry(
                timestamp: "", method: "POST", path: WebhookRequest.flexPath,
                rawQuery: String(decoding: query, as: UTF8.self), headers: headers, body: body))
        for key in usedKeys(request) {
            // The parts of the line, not the line: its own member names ("method") are not keys.
            findings.check(
                !holds(redacted, key),
                "the redacted capture line holds the API key \(key.debugDescription): \(CaptureFormat.encode(redacted))"
            )
            findings.check(
                !holds(served, key),
                "serve --capture-redact keeps the API key \(key.debugDescription): \(CaptureFormat.encode(served))")
            if case .problem(_, let detail) = outcome.mapped {
                findings.check(
                    !holds(Array(detail.utf8), key),
                    "the outcome's detail holds the API key \(key.debugDescription): \(detail.debugDescription)")
            }
        }
        return findings.items
    }

    /// Form bodies and %-escapes. Oracles: pairs written back with `PercentDecoding.encode`
    /// decode to the same pairs; `object` keeps every value.
    static func form(_ data: [UInt8]) -> [String] {
        var findings = Findings()
        let text = String(decoding: data, as: UTF8.self)
        findings.check(
            PercentDecoding.decode(Array(PercentDecoding.encode(text).utf8)) == text,
            "encode then decode changes the text")
        guard let pairs = FormDecoding.pairs(data) else { return findings.items }
        let written = pairs.map { PercentDecoding.encode($0.name) + "=" + PercentDecoding.encode($0.value) }.joined(
            separator: "&")
        if let again = FormDecoding.pairs(Array(written.utf8)) {
            findings.check(
                again.count == pairs.count
                    && zip(again, pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value },
                "pairs written back decode to other pairs")
        } else {
            findings.add("pairs written back do not decode")
        }
        let object = FormDecoding.object(pairs)
        var values = 0
        for member in object.members {
            switch member.value {
            case .array(let items): values += items.count
            default: values += 1
            }
        }
        findings.check(values == pairs.count, "the form object holds \(values) values for \(pairs.count) pairs")
        return findings.items
    }
}

extension Harness {
    /// Whether any part of a capture entry holds `key`.
    static func holds(_ entry: CaptureFormat.Entry, _ key: String) -> Bool {
        let parts =
            [entry.timestamp, entry.method, entry.path, entry.rawQuery] + entry.headers.flatMap { [$0.name, $0.value] }
        return parts.contains { holds(Array($0.utf8), key) } || holds(entry.body, key)
    }
}
