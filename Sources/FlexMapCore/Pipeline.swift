/// Turns one record into a contact or a reason it is not one. Pure: no I/O, no shared
/// state, so workers run it in parallel.
public struct Pipeline: Sendable {
    public let bound: BoundMapping
    let phones: PhoneValidator

    public init(bound: BoundMapping, phones: PhoneValidator = PhoneValidator()) {
        self.bound = bound
        self.phones = phones
    }

    public var mapping: Mapping { bound.mapping }

    public func map(_ record: RecordValues) -> MappedRecord {
        if !mapping.active { return .problem(.mappingInactive) }
        if case .json(let value) = record {
            guard case .object(let object) = value else {
                return .problem(.notAnObject, detail: "the record is \(value.kindName), not an object")
            }
            if Self.isEmpty(object) { return .problem(.emptyRow) }
        }

        // 1. Collect each target's value: the first non-empty source, transformed.
        var values = TargetValues()
        var tagValues: [String] = []
        for rule in bound.rules {
            var found: (text: String, items: [String]?, source: String)?
            for accessor in rule.accessors {
                switch read(accessor, from: record) {
                case .empty: continue
                case .text(let text): found = (text, nil, accessor.sourceName)
                case .list(let items): found = (items.joined(separator: ", "), items, accessor.sourceName)
                case .object:
                    return .problem(
                        .unsupportedValue,
                        detail:
                            "source '\(accessor.sourceName)' (target \(rule.target)) holds an object; map one of its fields, such as \(accessor.sourceName).name"
                    )
                }
                if found != nil { break }
            }
            guard let found else { continue }
            // A NUL byte is no text a contact can hold (C strings end at it, so other
            // programs would read the value cut short): the row is rejected, not cut.
            if found.text.utf8.contains(0) {
                return .problem(
                    .fieldInvalid,
                    detail:
                        "\(rule.target) (from '\(found.source)') holds a NUL byte (U+0000); remove it from the input")
            }
            if rule.target == .field(.tags) {
                let items = found.items ?? Self.splitTags(found.text)
                for item in items {
                    let tag = rule.transforms.reduce(item) { $1.apply($0) }.trimmingWhitespace()
                    if !tag.isEmpty { tagValues.append(tag) }
                }
                continue
            }
            let text = rule.transforms.reduce(found.text) { $1.apply($0) }
            if !text.isBlank { values.set(rule.target, text, source: found.source) }
        }
        for (target, value) in mapping.staticValues where values[target] == nil && !value.isBlank {
            values.set(target, value, source: "staticValues")
        }

        // 2. The phone decides first: without a valid one there is no contact.
        var region = mapping.defaultRegion
        var countryCode: String?
        if let code = values[.countryCode] {
            let upper = code.trimmingWhitespace().uppercased()
            guard upper.unicodeScalars.count == 2, PhoneValidator.isSupportedRegion(upper) else {
                return .problem(
                    .fieldInvalid,
                    detail:
                        "country_code (from '\(values.source(.countryCode))') is not a two-letter region code such as US or DE"
                )
            }
            countryCode = upper
            region = upper
        }
        guard let phoneText = values[.phone] else {
            return .problem(.phoneMissing, detail: "no value in \(describeSources(of: .field(.phone)))")
        }
        let phone: String
        switch phones.check(phoneText, region: region) {
        case .valid(let e164): phone = e164
        case .invalid(let reason):
            return .problem(
                reason,
                detail: "phone (from '\(values.source(.phone))', region \(region ?? "none")): \(reason.explanation)")
        }

        // 3. Every other field within its limits.
        var contact = Contact(orgId: bound.orgId, mappingId: bound.mappingId, phone: phone)
        for field in Contact.textFieldOrder {
            guard var text = values[field] else { continue }
            switch field {
            case .countryCode:
                text = countryCode ?? text
            case .backupContactPhone:
                guard case .valid(let e164) = phones.check(text, region: region) else {
                    return .problem(
                        .backupPhoneInvalid,
                        detail: "backup_contact_phone (from '\(values.source(field))') is not a valid phone number")
                }
                text = e164
            default:
                if let limit = field.limit {
                    let length = text.utf8.count <= limit ? text.utf8.count : text.unicodeScalars.count
                    if length > limit {
                        return .problem(
                            .fieldTooLong,
                            detail:
                                "\(field.rawValue) (from '\(values.source(field))') has \(length) characters; the limit is \(limit)"
                        )
                    }
                }
            }
            contact.set(field, text)
        }
        if contact.crmId == nil, values.source(.crmSource) == "staticValues" {
            // A static crm_source labels rows that carry a crm_id; it cannot make a pair alone.
            contact.crmSource = nil
        }
        if (contact.crmId == nil) != (contact.crmSource == nil) {
            let missing = contact.crmId == nil ? "crm_id" : "crm_source"
            return .problem(
                .crmPairIncomplete,
                detail:
                    "\(missing) is empty but \(missing == "crm_id" ? "crm_source" : "crm_id") is set; give both or neither (a static value can fill crm_source)"
            )
        }
        for (name, value) in values.variables {
            if value.utf8.count > Target.variableValueLimit, value.unicodeScalars.count > Target.variableValueLimit {
                return .problem(
                    .fieldTooLong,
                    detail:
                        "variables.\(name) has \(value.unicodeScalars.count) characters; the limit is \(Target.variableValueLimit)"
                )
            }
            contact.variables[name] = value
        }
        for tag in tagValues + mapping.staticTags where !contact.tags.contains(tag) {
            if tag.unicodeScalars.count > Target.tagLimit {
                return .problem(
                    .fieldTooLong,
                    detail: "a tag has \(tag.unicodeScalars.count) characters; the limit is \(Target.tagLimit)")
            }
            contact.tags.append(tag)
        }
        return .contact(contact)
    }

    // MARK: - Reading sources

    enum SourceValue {
        case empty
        case text(String)
        case list([String])
        case object
    }

    func read(_ accessor: BoundMapping.Accessor, from record: RecordValues) -> SourceValue {
        switch (accessor, record) {
        case (.column(let index, _), .columns(let columns)):
            guard index < columns.count, let text = columns[index], !text.isBlank else { return .empty }
            return .text(text)
        case (.json(let literal, let path), .json(let root)):
            let value = root.objectValue?[literal] ?? path.value(in: root)
            return Self.sourceValue(value)
        default:
            return .empty
        }
    }

    static func sourceValue(_ value: JSONValue?) -> SourceValue {
        guard let value else { return .empty }
        switch value {
        case .null: return .empty
        case .object: return .object
        case .array(let items):
            var texts: [String] = []
            for item in items {
                if item.objectValue != nil || item.isArray { return .object }
                if let text = item.scalarText, !text.isBlank { texts.append(text) }
            }
            return texts.isEmpty ? .empty : .list(texts)
        default:
            guard let text = value.scalarText, !text.isBlank else { return .empty }
            return .text(text)
        }
    }

    static func splitTags(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "|" }).map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty }
    }

    static func isEmpty(_ object: JSONObject) -> Bool {
        object.members.allSatisfy { member in
            switch member.value {
            case .null: return true
            case .string(let text): return text.isBlank
            case .array(let items): return items.isEmpty
            case .object(let inner): return isEmpty(inner)
            default: return false
            }
        }
    }

    private func describeSources(of target: Target) -> String {
        let names = bound.rules.filter { $0.target == target }.flatMap { $0.accessors.map(\.sourceName) }
        if names.isEmpty { return "any source (no field maps to \(target))" }
        return names.map { "'\($0)'" }.joined(separator: " or ")
    }
}
