/// A contact field a mapping can fill, with the product's limits.
public enum ContactField: String, Sendable, CaseIterable, Hashable {
    case firstName = "first_name"
    case lastName = "last_name"
    case email
    case phone
    case company
    case crmId = "crm_id"
    case crmSource = "crm_source"
    case backupContactName = "backup_contact_name"
    case backupContactPhone = "backup_contact_phone"
    case countryCode = "country_code"
    case country
    case tags

    /// The most characters (Unicode scalars) the field may hold; nil where the value is
    /// checked another way (phones, country code, tags).
    public var limit: Int? {
        switch self {
        case .firstName, .lastName, .backupContactName: return 100
        case .email, .company, .crmId, .crmSource, .country: return 255
        case .phone, .backupContactPhone, .countryCode, .tags: return nil
        }
    }
}

/// Where a mapped value goes: a contact field or a custom variable.
public enum Target: Sendable, Hashable, CustomStringConvertible {
    case field(ContactField)
    case variable(String)

    /// Variable names: letters, digits, `_`, `-` and `.`, at most 64 characters.
    public static let variableNameLimit = 64
    /// A custom variable's value may hold at most this many characters.
    public static let variableValueLimit = 10_000
    /// One tag may hold at most this many characters.
    public static let tagLimit = 100

    public init?(_ text: String) {
        if let field = ContactField(rawValue: text) {
            self = .field(field)
            return
        }
        let prefix = "variables."
        guard text.hasPrefix(prefix) else { return nil }
        let name = String(text.dropFirst(prefix.count))
        guard Target.isValidVariableName(name) else { return nil }
        self = .variable(name)
    }

    public static func isValidVariableName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= variableNameLimit
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                        || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" || scalar == ".")
            }
    }

    public var description: String {
        switch self {
        case .field(let field): return field.rawValue
        case .variable(let name): return "variables." + name
        }
    }

    public static var allowedDescription: String {
        ContactField.allCases.map(\.rawValue).joined(separator: ", ") + ", or variables.<name>"
    }
}
