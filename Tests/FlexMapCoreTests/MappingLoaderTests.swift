import Testing

@testable import FlexMapCore

@Suite struct MappingLoaderTests {
    static let designExample = """
        {
          "name": "HubSpot contacts export",
          "action": "createContact",
          "active": true,
          "defaultRegion": "US",
          "fields": [
            {"source": "Record ID", "target": "crm_id"},
            {"source": "First Name", "target": "first_name", "transforms": ["trim"]},
            {"source": ["Mobile Phone Number", "Phone Number"], "target": "phone"},
            {"source": "properties.email", "target": "email", "transforms": ["trim", "lowercase"]},
            {"source": "Company Name", "target": "company"},
            {"source": "Lifecycle Stage", "target": "variables.stage"}
          ],
          "staticValues": {"crm_source": "hubspot", "variables.campaign": "spring-import"},
          "staticTags": ["imported", "hubspot"],
          "onDuplicate": "skip"
        }
        """

    @Test func loadsTheDesignExample() throws {
        let mapping = try MappingLoader().load(json: Self.designExample)
        #expect(mapping.name == "HubSpot contacts export")
        #expect(mapping.defaultRegion == "US")
        #expect(mapping.fields.count == 6)
        #expect(mapping.fields[2].sources == ["Mobile Phone Number", "Phone Number"])
        #expect(mapping.fields[3].transforms == [.trim, .lowercase])
        #expect(mapping.fields[5].target == .variable("stage"))
        #expect(mapping.staticValues.map(\.target) == [.field(.crmSource), .variable("campaign")])
        #expect(mapping.staticTags == ["imported", "hubspot"])
        #expect(mapping.onDuplicate == .skip)
    }

    @Test func exportRoundTrips() throws {
        let mapping = try MappingLoader().load(json: Self.designExample)
        let again = try MappingLoader().load(json: mapping.prettyJSON)
        #expect(again == mapping)
    }

    func error(_ json: String) -> MappingError? {
        do {
            _ = try MappingLoader().load(json: json, file: "m.json")
            return nil
        } catch {
            return error
        }
    }

    static let phone = #"{"source":"Phone","target":"phone"}"#

    @Test func unknownTopLevelKeyNamesPathAndSuggests() throws {
        let found = try #require(error(#"{"name":"x","fields":[\#(Self.phone)],"staticTag":["a"]}"#))
        #expect(found.path == "$.staticTag")
        #expect(found.description.hasPrefix("m.json: $.staticTag: unknown key (did you mean 'staticTags'?)"))
    }

    @Test func unknownTargetNamesFieldIndex() throws {
        let found = try #require(error(#"{"name":"x","fields":[\#(Self.phone),{"source":"A","target":"firstname"}]}"#))
        #expect(found.path == "$.fields[1].target")
        #expect(found.message.contains("did you mean 'first_name'"))
        #expect(found.message.contains("variables.<name>"))
    }

    @Test func unknownTransformNamesItsPosition() throws {
        let found = try #require(
            error(#"{"name":"x","fields":[{"source":"P","target":"phone","transforms":["trim","lower"]}]}"#))
        #expect(found.path == "$.fields[0].transforms[1]")
        #expect(found.message.contains("allowed: trim, lowercase"))
    }

    @Test func otherProblems() throws {
        let cases: [(String, String)] = [
            (#"{"fields":[\#(Self.phone)]}"#, "$.name"),
            (#"{"name":"x","fields":[{"source":"A","target":"first_name"}]}"#, "$.fields"),
            (#"{"name":"x","defaultRegion":"XX","fields":[\#(Self.phone)]}"#, "$.defaultRegion"),
            (#"{"name":"x","active":"yes","fields":[\#(Self.phone)]}"#, "$.active"),
            (#"{"name":"x","action":"deleteContact","fields":[\#(Self.phone)]}"#, "$.action"),
            (#"{"name":"x","onDuplicate":"merge","fields":[\#(Self.phone)]}"#, "$.onDuplicate"),
            (#"{"name":"x","fields":[\#(Self.phone),{"source":"a..b","target":"email"}]}"#, "$.fields[1].source"),
            (#"{"name":"x","fields":[\#(Self.phone),{"source":["A",3],"target":"email"}]}"#, "$.fields[1].source[1]"),
            (#"{"name":"x","fields":[\#(Self.phone),{"source":"A","target":"phone"}]}"#, "$.fields[1].target"),
            (#"{"name":"x","fields":[\#(Self.phone)],"staticValues":{"tags":"a"}}"#, "$.staticValues.tags"),
            (
                #"{"name":"x","fields":[\#(Self.phone)],"staticValues":{"variables.bad name":"a"}}"#,
                #"$.staticValues["variables.bad name"]"#
            ),
            (#"{"name":"x","fields":[\#(Self.phone)],"staticTags":[""]}"#, "$.staticTags[0]"),
            (#"{"name":"x","fields":[{"source":"P","target":"phone","extra":1}]}"#, "$.fields[0].extra"),
            (#"["not an object"]"#, "$"),
            (#"{"name":"x","#, "$"),
        ]
        for (json, path) in cases {
            let found = error(json)
            #expect(found?.path == path, "\(json) -> \(String(describing: found))")
        }
    }
}
