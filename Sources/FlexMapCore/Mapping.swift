/// A webhook mapping: how one outside system's records become contacts.
public struct Mapping: Sendable, Equatable {
    public enum DuplicatePolicy: String, Sendable, CaseIterable {
        /// Keep the existing contact; the row is skipped as `duplicate`.
        case skip
        /// Merge the row's non-empty fields and its tags into the existing contact.
        case update
    }

    public struct FieldRule: Sendable, Equatable {
        /// Where the value comes from; the first non-empty source wins.
        public var sources: [String]
        public var target: Target
        public var transforms: [Transform]

        public init(sources: [String], target: Target, transforms: [Transform] = []) {
            self.sources = sources
            self.target = target
            self.transforms = transforms
        }
    }

    public static let actions = ["createContact"]

    public var name: String
    public var action: String
    public var active: Bool
    /// The region for numbers written without a country code, when the row has no
    /// `country_code`.
    public var defaultRegion: String?
    public var fields: [FieldRule]
    /// Values for targets the source left empty, in file order.
    public var staticValues: [(target: Target, value: String)]
    public var staticTags: [String]
    public var onDuplicate: DuplicatePolicy

    public init(
        name: String, action: String = "createContact", active: Bool = true, defaultRegion: String? = nil,
        fields: [FieldRule], staticValues: [(target: Target, value: String)] = [], staticTags: [String] = [],
        onDuplicate: DuplicatePolicy = .skip
    ) {
        self.name = name
        self.action = action
        self.active = active
        self.defaultRegion = defaultRegion
        self.fields = fields
        self.staticValues = staticValues
        self.staticTags = staticTags
        self.onDuplicate = onDuplicate
    }

    public static func == (lhs: Mapping, rhs: Mapping) -> Bool {
        lhs.name == rhs.name && lhs.action == rhs.action && lhs.active == rhs.active
            && lhs.defaultRegion == rhs.defaultRegion && lhs.fields == rhs.fields
            && lhs.staticValues.map(\.target) == rhs.staticValues.map(\.target)
            && lhs.staticValues.map(\.value) == rhs.staticValues.map(\.value)
            && lhs.staticTags == rhs.staticTags && lhs.onDuplicate == rhs.onDuplicate
    }
}
