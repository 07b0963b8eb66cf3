extension Mapping {
    /// The mapping as the JSON a mapping file holds: what `mapping export` prints and
    /// `mapping create` takes back.
    public var jsonValue: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("name", .string(name)),
            ("action", .string(action)),
            ("active", .bool(active)),
        ]
        if let defaultRegion { members.append(("defaultRegion", .string(defaultRegion))) }
        members.append(("fields", .array(fields.map(\.jsonValue))))
        if !staticValues.isEmpty {
            members.append(
                ("staticValues", .object(JSONObject(staticValues.map { ($0.target.description, .string($0.value)) }))))
        }
        if !staticTags.isEmpty { members.append(("staticTags", .array(staticTags.map(JSONValue.string)))) }
        members.append(("onDuplicate", .string(onDuplicate.rawValue)))
        return .object(JSONObject(members))
    }

    public var prettyJSON: String { JSONText.pretty(jsonValue) + "\n" }
}

extension Mapping.FieldRule {
    var jsonValue: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("source", sources.count == 1 ? .string(sources[0]) : .array(sources.map(JSONValue.string))),
            ("target", .string(target.description)),
        ]
        if !transforms.isEmpty { members.append(("transforms", .array(transforms.map { .string($0.rawValue) }))) }
        return .object(JSONObject(members))
    }
}
