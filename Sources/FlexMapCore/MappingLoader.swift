/// Reads a mapping from JSON text and checks every part of it, so that a mapping that
/// loads can run. Errors name the JSON path and what is allowed there.
public struct MappingLoader {
    public static let topLevelKeys = [
        "name", "action", "active", "defaultRegion", "fields", "staticValues", "staticTags", "onDuplicate",
    ]
    public static let fieldKeys = ["source", "target", "transforms"]

    /// Checks a region code; the default accepts the regions libphonenumber knows.
    public var isKnownRegion: @Sendable (String) -> Bool

    public init(isKnownRegion: @escaping @Sendable (String) -> Bool = PhoneValidator.isSupportedRegion) {
        self.isKnownRegion = isKnownRegion
    }

    public func load(json text: String, file: String? = nil) throws(MappingError) -> Mapping {
        let root: JSONValue
        do {
            root = try JSONParser().parse(text)
        } catch {
            throw MappingError(file: file, path: "$", message: "not valid JSON (\(error.message))")
        }
        do {
            return try load(root)
        } catch var error {
            error.file = file
            throw error
        }
    }

    public func load(_ root: JSONValue) throws(MappingError) -> Mapping {
        guard case .object(let object) = root else {
            throw MappingError(
                path: "$", message: "expected an object with \(Self.topLevelKeys.joined(separator: ", "))")
        }
        try Self.rejectUnknownKeys(object, allowed: Self.topLevelKeys, at: "$")

        let name = try Self.string(object["name"], at: "$.name", required: true)!.trimmingWhitespace()
        guard !name.isEmpty else { throw MappingError(path: "$.name", message: "must not be empty") }
        let action = try Self.string(object["action"], at: "$.action", required: false) ?? "createContact"
        guard Mapping.actions.contains(action) else {
            throw MappingError(
                path: "$.action",
                message: "unknown action '\(action)'; allowed: \(Mapping.actions.joined(separator: ", "))")
        }
        var active = true
        if let value = object["active"] {
            guard case .bool(let flag) = value else {
                throw MappingError(path: "$.active", message: "expected true or false, found \(value.kindName)")
            }
            active = flag
        }
        var defaultRegion: String?
        if let text = try Self.string(object["defaultRegion"], at: "$.defaultRegion", required: false) {
            let region = text.uppercased()
            guard region.count == 2, isKnownRegion(region) else {
                throw MappingError(
                    path: "$.defaultRegion",
                    message: "'\(text)' is not a region code; use two letters such as US, GB or DE")
            }
            defaultRegion = region
        }
        let fields = try loadFields(object["fields"])
        let staticValues = try loadStaticValues(object["staticValues"])
        let staticTags = try loadStaticTags(object["staticTags"])
        var onDuplicate = Mapping.DuplicatePolicy.skip
        if let text = try Self.string(object["onDuplicate"], at: "$.onDuplicate", required: false) {
            guard let policy = Mapping.DuplicatePolicy(rawValue: text) else {
                throw MappingError(
                    path: "$.onDuplicate",
                    message:
                        "unknown policy '\(text)'; allowed: \(Mapping.DuplicatePolicy.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            onDuplicate = policy
        }
        let mapping = Mapping(
            name: name, action: action, active: active, defaultRegion: defaultRegion, fields: fields,
            staticValues: staticValues, staticTags: staticTags, onDuplicate: onDuplicate)
        try Self.requirePhone(mapping)
        return mapping
    }

    private func loadFields(_ value: JSONValue?) throws(MappingError) -> [Mapping.FieldRule] {
        guard let value else {
            throw MappingError(
                path: "$.fields", message: "missing; list the field mappings, at least one with target \"phone\"")
        }
        guard case .array(let items) = value else {
            throw MappingError(
                path: "$.fields", message: "expected an array of field mappings, found \(value.kindName)")
        }
        var rules: [Mapping.FieldRule] = []
        var seenTargets: [Target: Int] = [:]
        for (index, item) in items.enumerated() {
            let at = "$.fields[\(index)]"
            guard case .object(let object) = item else {
                throw MappingError(path: at, message: "expected an object with source, target and transforms")
            }
            try Self.rejectUnknownKeys(object, allowed: Self.fieldKeys, at: at)
            let sources = try Self.sources(object["source"], at: at + ".source")
            let targetText = try Self.string(object["target"], at: at + ".target", required: true)!
            guard let target = Target(targetText) else {
                throw MappingError(
                    path: at + ".target",
                    message:
                        "unknown target '\(targetText)'\(Self.suggestion(targetText, ContactField.allCases.map(\.rawValue))); allowed: \(Target.allowedDescription)"
                )
            }
            if let earlier = seenTargets[target] {
                throw MappingError(
                    path: at + ".target",
                    message:
                        "target '\(targetText)' is already filled by $.fields[\(earlier)]; list both sources in one field: \"source\": [\"A\", \"B\"]"
                )
            }
            seenTargets[target] = index
            var transforms: [Transform] = []
            if let list = object["transforms"] {
                guard case .array(let names) = list else {
                    throw MappingError(path: at + ".transforms", message: "expected an array of transform names")
                }
                for (position, name) in names.enumerated() {
                    let transformPath = at + ".transforms[\(position)]"
                    guard case .string(let text) = name, let transform = Transform(rawValue: text) else {
                        let shown = name.scalarText ?? name.kindName
                        throw MappingError(
                            path: transformPath,
                            message:
                                "unknown transform '\(shown)'\(Self.suggestion(shown, Transform.allCases.map(\.rawValue))); allowed: \(Transform.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    transforms.append(transform)
                }
            }
            rules.append(Mapping.FieldRule(sources: sources, target: target, transforms: transforms))
        }
        return rules
    }

    private func loadStaticValues(_ value: JSONValue?) throws(MappingError) -> [(target: Target, value: String)] {
        guard let value else { return [] }
        guard case .object(let object) = value else {
            throw MappingError(path: "$.staticValues", message: "expected an object of target: value")
        }
        var result: [(target: Target, value: String)] = []
        for member in object.members {
            let at = "$.staticValues" + Self.keyPath(member.key)
            guard let target = Target(member.key) else {
                throw MappingError(
                    path: at,
                    message:
                        "unknown target '\(member.key)'\(Self.suggestion(member.key, ContactField.allCases.map(\.rawValue))); allowed: \(Target.allowedDescription)"
                )
            }
            if target == .field(.tags) {
                throw MappingError(path: at, message: "tags cannot be a static value; list them in staticTags")
            }
            guard let text = member.value.scalarText, member.value.objectValue == nil else {
                throw MappingError(path: at, message: "expected a string, found \(member.value.kindName)")
            }
            result.append((target, text))
        }
        return result
    }

    private func loadStaticTags(_ value: JSONValue?) throws(MappingError) -> [String] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            throw MappingError(path: "$.staticTags", message: "expected an array of strings")
        }
        var tags: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let tag) = item, !tag.isBlank else {
                throw MappingError(path: "$.staticTags[\(index)]", message: "expected a non-empty string")
            }
            let trimmed = tag.trimmingWhitespace()
            guard trimmed.unicodeScalars.count <= Target.tagLimit else {
                throw MappingError(
                    path: "$.staticTags[\(index)]", message: "a tag holds at most \(Target.tagLimit) characters")
            }
            if !tags.contains(trimmed) { tags.append(trimmed) }
        }
        return tags
    }

    private static func requirePhone(_ mapping: Mapping) throws(MappingError) {
        let phoneMapped =
            mapping.fields.contains { $0.target == .field(.phone) }
            || mapping.staticValues.contains { $0.target == .field(.phone) }
        if !phoneMapped {
            throw MappingError(
                path: "$.fields",
                message:
                    "no field has target \"phone\"; a contact needs a valid phone number, so map the column that holds it"
            )
        }
    }

    private static func sources(_ value: JSONValue?, at path: String) throws(MappingError) -> [String] {
        guard let value else {
            throw MappingError(path: path, message: "missing; give a column name or JSON path, or a list of them")
        }
        var texts: [String] = []
        switch value {
        case .string(let text): texts = [text]
        case .array(let items):
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw MappingError(path: "\(path)[\(index)]", message: "expected a string, found \(item.kindName)")
                }
                texts.append(text)
            }
            if texts.isEmpty { throw MappingError(path: path, message: "the list of sources is empty") }
        default:
            throw MappingError(
                path: path, message: "expected a column name or JSON path, or a list of them; found \(value.kindName)")
        }
        for (index, text) in texts.enumerated() {
            let at = texts.count > 1 || value.isArray ? "\(path)[\(index)]" : path
            if text.isBlank { throw MappingError(path: at, message: "must not be empty") }
            do {
                _ = try FieldPath(text)
            } catch {
                throw MappingError(path: at, message: "not a valid field path: \(error.description)")
            }
        }
        return texts
    }

    private static func string(_ value: JSONValue?, at path: String, required: Bool) throws(MappingError) -> String? {
        guard let value else {
            if required { throw MappingError(path: path, message: "missing; expected a string") }
            return nil
        }
        guard case .string(let text) = value else {
            throw MappingError(path: path, message: "expected a string, found \(value.kindName)")
        }
        return text
    }

    private static func rejectUnknownKeys(_ object: JSONObject, allowed: [String], at path: String) throws(MappingError)
    {
        for key in object.keys where !allowed.contains(key) {
            throw MappingError(
                path: path + keyPath(key),
                message: "unknown key\(suggestion(key, allowed)); allowed keys: \(allowed.joined(separator: ", "))")
        }
    }

    static func keyPath(_ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
            }
        return plain ? "." + key : "[" + JSONText.quote(key) + "]"
    }

    /// " (did you mean 'x'?)" when a close name exists.
    static func suggestion(_ text: String, _ names: [String]) -> String {
        let lowered = normalized(text)
        var best: (name: String, distance: Int)?
        for name in names {
            let distance = editDistance(lowered, normalized(name))
            if distance <= max(1, name.count / 3), distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        return best.map { " (did you mean '\($0.name)'?)" } ?? ""
    }

    private static func normalized(_ text: String) -> String {
        String(text.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
