/// The values a record gives each target, with the source each came from: fixed slots
/// for contact fields (no hashing per row), a short list for variables.
struct TargetValues {
    private var fields = [String?](repeating: nil, count: ContactField.allCases.count)
    private var fieldSources = [String?](repeating: nil, count: ContactField.allCases.count)
    private(set) var variables: [(name: String, value: String)] = []
    private var variableSources: [String] = []

    subscript(field: ContactField) -> String? { fields[field.slot] }

    subscript(target: Target) -> String? {
        switch target {
        case .field(let field): return fields[field.slot]
        case .variable(let name): return variables.first { $0.name == name }?.value
        }
    }

    mutating func set(_ target: Target, _ value: String, source: String) {
        switch target {
        case .field(let field):
            fields[field.slot] = value
            fieldSources[field.slot] = source
        case .variable(let name):
            if let index = variables.firstIndex(where: { $0.name == name }) {
                variables[index].value = value
                variableSources[index] = source
            } else {
                variables.append((name, value))
                variableSources.append(source)
            }
        }
    }

    /// Where a field's value came from ("?" when it has none).
    func source(_ field: ContactField) -> String { fieldSources[field.slot] ?? "?" }
}

extension ContactField {
    /// The field's position in `allCases`.
    var slot: Int {
        switch self {
        case .firstName: return 0
        case .lastName: return 1
        case .email: return 2
        case .phone: return 3
        case .company: return 4
        case .crmId: return 5
        case .crmSource: return 6
        case .backupContactName: return 7
        case .backupContactPhone: return 8
        case .countryCode: return 9
        case .country: return 10
        case .tags: return 11
        }
    }
}
