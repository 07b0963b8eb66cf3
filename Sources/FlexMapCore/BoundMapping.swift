/// A mapping made ready for one input: sources resolved to CSV columns or JSON paths.
public struct BoundMapping: Sendable {
    enum Accessor: Sendable {
        /// A CSV column by position.
        case column(Int, name: String)
        /// A source the CSV header does not have: always empty.
        case absentColumn(name: String)
        /// A JSON source: the top-level key spelled exactly so, else the path.
        case json(literal: String, path: FieldPath)

        var sourceName: String {
            switch self {
            case .column(_, let name), .absentColumn(let name): return name
            case .json(let literal, _): return literal
            }
        }
    }

    struct Rule: Sendable {
        let accessors: [Accessor]
        let target: Target
        let transforms: [Transform]
    }

    public let mapping: Mapping
    public let orgId: String
    public let mappingId: String
    let rules: [Rule]
    /// CSV columns the mapping reads, in ascending order.
    public let neededColumns: [Int]
    /// Sources that match no CSV column, as sentences for the user.
    public let warnings: [String]

    /// Binds for JSON records.
    public init(mapping: Mapping, orgId: String, mappingId: String) {
        self.mapping = mapping
        self.orgId = orgId
        self.mappingId = mappingId
        self.rules = mapping.fields.map { rule in
            Rule(
                accessors: rule.sources.map { source in
                    // Checked when the mapping was loaded.
                    .json(literal: source, path: (try? FieldPath(source)) ?? FieldPath.literal(source))
                }, target: rule.target, transforms: rule.transforms)
        }
        self.neededColumns = []
        self.warnings = []
    }

    /// Binds for CSV rows with this header. A source names a column exactly; failing
    /// that, the one column equal to it ignoring case and surrounding spaces.
    public init(mapping: Mapping, orgId: String, mappingId: String, header: [String]) {
        self.mapping = mapping
        self.orgId = orgId
        self.mappingId = mappingId
        var exact: [String: Int] = [:]
        var loose: [String: [Int]] = [:]
        for (index, name) in header.enumerated() {
            if exact[name] == nil { exact[name] = index }
            loose[name.trimmingWhitespace().lowercased(), default: []].append(index)
        }
        var needed = Set<Int>()
        var warnings: [String] = []
        self.rules = mapping.fields.map { rule in
            let accessors: [Accessor] = rule.sources.map { source in
                if let index = exact[source]
                    ?? loose[source.trimmingWhitespace().lowercased()].flatMap({ $0.count == 1 ? $0[0] : nil })
                {
                    needed.insert(index)
                    return .column(index, name: source)
                }
                warnings.append(
                    "source '\(source)' (target \(rule.target)) is not a column of the input; it will be empty")
                return .absentColumn(name: source)
            }
            return Rule(accessors: accessors, target: rule.target, transforms: rule.transforms)
        }
        self.neededColumns = needed.sorted()
        self.warnings = warnings
    }
}

extension FieldPath {
    /// A one-step path for a source that is not path syntax (only reached if a mapping
    /// skipped the loader's checks).
    static func literal(_ key: String) -> FieldPath {
        // "[\"…\"]" always parses.
        try! FieldPath("[" + JSONText.quote(key) + "]")
    }
}
