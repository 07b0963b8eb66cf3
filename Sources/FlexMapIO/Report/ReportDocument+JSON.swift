import FlexMapCore

extension ReportDocument {
    /// summary.json: the summary's members, then the report's files.
    func json() -> String {
        let members = summary.jsonMembers + [("files", JSONValue.array(files.map { .string($0) }))]
        return JSONText.pretty(.object(JSONObject(members))) + "\n"
    }
}
