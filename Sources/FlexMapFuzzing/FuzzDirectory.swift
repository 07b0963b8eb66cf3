import FlexMapCore

/// The organisations, key and mappings fuzzed requests authenticate against: the
/// placeholders the capture fixtures hold (`{{ORG}}`, `{{KEY}}`, `{{MAP}}`) and a key long
/// enough for the redaction to hunt its copies.
struct FuzzDirectory: MappingDirectory {
    static let orgIds: Set<String> = ["{{ORG}}", "org_fuzz"]
    static let apiKeys: Set<String> = ["{{KEY}}", "fmk_FuzzKey0123456789abcdef"]
    static let mapIds: Set<String> = ["{{MAP}}", "map_fuzz"]
    static let otherMapId = "map_other"

    /// Every target, a JSON path, a list and a transform of each kind.
    static let mappingJSON = """
        {"name":"fuzz","defaultRegion":"US","fields":[
          {"source":["phone","Phone Number","contact.phones[0]"],"target":"phone"},
          {"source":"name","target":"first_name","transforms":["trim","first-name"]},
          {"source":"name","target":"last_name","transforms":["last-name","titlecase"]},
          {"source":"email","target":"email","transforms":["trim","lowercase"]},
          {"source":"company[\\"legal.name\\"]","target":"company","transforms":["collapse-whitespace"]},
          {"source":"crm.id","target":"crm_id","transforms":["digits"]},
          {"source":"backup.name","target":"backup_contact_name","transforms":["uppercase"]},
          {"source":"backup.phone","target":"backup_contact_phone"},
          {"source":"country_code","target":"country_code"},
          {"source":"country","target":"country"},
          {"source":["tags","labels"],"target":"tags"},
          {"source":"plan","target":"variables.plan"},
          {"source":"answers[1].text","target":"variables.answer"}
        ],
        "staticValues":{"crm_source":"fuzz","variables.campaign":"c"},"staticTags":["fuzz"],"onDuplicate":"update"}
        """

    static let mapping: Mapping = try! MappingLoader().load(json: mappingJSON)

    let pipeline = Pipeline(
        bound: BoundMapping(mapping: FuzzDirectory.mapping, orgId: "org_fuzz", mappingId: "map_fuzz"))

    func isValidKey(orgId: String, apiKey: String) -> Bool {
        Self.orgIds.contains(orgId) && Self.apiKeys.contains(apiKey)
    }

    func pipeline(mapId: String) -> (orgId: String, pipeline: Pipeline)? {
        if Self.mapIds.contains(mapId) { return ("org_fuzz", pipeline) }
        if mapId == Self.otherMapId { return ("org_other", pipeline) }
        return nil
    }
}
