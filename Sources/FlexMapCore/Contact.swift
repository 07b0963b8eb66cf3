/// A contact as the product's contacts API defines it, ready to store.
public struct Contact: Sendable, Equatable {
    public var orgId: String
    public var mappingId: String
    /// E.164, the organisation's dedupe key.
    public var phone: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var company: String?
    public var crmId: String?
    public var crmSource: String?
    public var backupContactName: String?
    /// E.164 when present.
    public var backupContactPhone: String?
    public var countryCode: String?
    public var country: String?
    /// In order of first appearance, without repeats.
    public var tags: [String]
    public var variables: [String: String]

    public init(orgId: String, mappingId: String, phone: String) {
        self.orgId = orgId
        self.mappingId = mappingId
        self.phone = phone
        self.tags = []
        self.variables = [:]
    }

    /// The optional text fields with their names, in the contacts API's order.
    public static let textFields: [(field: ContactField, keyPath: WritableKeyPath<Contact, String?> & Sendable)] = [
        (.firstName, \.firstName), (.lastName, \.lastName), (.email, \.email), (.company, \.company),
        (.crmId, \.crmId), (.crmSource, \.crmSource), (.backupContactName, \.backupContactName),
        (.backupContactPhone, \.backupContactPhone), (.countryCode, \.countryCode), (.country, \.country),
    ]

    /// The optional text fields in the contacts API's order.
    public static let textFieldOrder: [ContactField] = textFields.map(\.field)

    /// Sets an optional text field (not phone or tags).
    public mutating func set(_ field: ContactField, _ value: String?) {
        switch field {
        case .firstName: firstName = value
        case .lastName: lastName = value
        case .email: email = value
        case .company: company = value
        case .crmId: crmId = value
        case .crmSource: crmSource = value
        case .backupContactName: backupContactName = value
        case .backupContactPhone: backupContactPhone = value
        case .countryCode: countryCode = value
        case .country: country = value
        case .phone, .tags: break
        }
    }

    /// An optional text field's value (nil for phone and tags).
    public func value(of field: ContactField) -> String? {
        switch field {
        case .firstName: return firstName
        case .lastName: return lastName
        case .email: return email
        case .company: return company
        case .crmId: return crmId
        case .crmSource: return crmSource
        case .backupContactName: return backupContactName
        case .backupContactPhone: return backupContactPhone
        case .countryCode: return countryCode
        case .country: return country
        case .phone, .tags: return nil
        }
    }

    /// Merges `other` into this contact as `onDuplicate: update` does: its non-empty
    /// fields replace ours, its tags and variables are added. Phone and organisation stay.
    public mutating func merge(_ other: Contact) {
        for (_, keyPath) in Contact.textFields {
            if let value = other[keyPath: keyPath], !value.isEmpty { self[keyPath: keyPath] = value }
        }
        for tag in other.tags where !tags.contains(tag) { tags.append(tag) }
        for (name, value) in other.variables where !value.isEmpty { variables[name] = value }
    }

    /// `contact_tags` as stored: a JSON array.
    public var tagsJSON: String {
        if tags.isEmpty { return "[]" }
        var out = "["
        for (index, tag) in tags.enumerated() {
            if index > 0 { out += "," }
            JSONText.quote(tag, into: &out)
        }
        return out + "]"
    }

    /// `contact_variables` as stored: a JSON object with sorted keys.
    public var variablesJSON: String {
        if variables.isEmpty { return "{}" }
        var out = "{"
        for (index, name) in variables.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            JSONText.quote(name, into: &out)
            out += ":"
            JSONText.quote(variables[name]!, into: &out)
        }
        return out + "}"
    }
}
