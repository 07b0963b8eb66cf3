import Testing

@testable import FlexMapCore

@Suite struct PipelineTests {
    func pipeline(_ json: String) throws -> Pipeline {
        let mapping = try MappingLoader().load(json: json)
        return Pipeline(bound: BoundMapping(mapping: mapping, orgId: "org1", mappingId: "map1"))
    }

    func record(_ json: String) throws -> RecordValues {
        .json(try JSONParser().parse(json))
    }

    static let form = """
        {"name":"form","defaultRegion":"US","fields":[
          {"source":["contact.mobile","contact.phone"],"target":"phone"},
          {"source":"contact.name","target":"first_name","transforms":["first-name"]},
          {"source":"contact.name","target":"last_name","transforms":["last-name"]},
          {"source":"contact.email","target":"email","transforms":["trim","lowercase"]},
          {"source":"contact.country","target":"country_code"},
          {"source":"contact.interests","target":"tags"},
          {"source":"contact.crm","target":"crm_id"},
          {"source":"contact.stage","target":"variables.stage"},
          {"source":"contact.backup","target":"backup_contact_phone"}
        ],
        "staticValues":{"crm_source":"typeform","variables.stage":"lead"},
        "staticTags":["web","typeform"]}
        """

    @Test func mapsAFullRecord() throws {
        let result = try pipeline(Self.form).map(
            record(
                #"{"contact":{"mobile":"","phone":"(415) 555-2671","name":"Ada King Lovelace","email":" Ada@Example.COM ","interests":["web","math"],"crm":12345}}"#
            ))
        guard case .contact(let contact) = result else {
            Issue.record("expected a contact, got \(result)")
            return
        }
        #expect(contact.phone == "+14155552671")
        #expect(contact.orgId == "org1")
        #expect(contact.mappingId == "map1")
        #expect(contact.firstName == "Ada")
        #expect(contact.lastName == "King Lovelace")
        #expect(contact.email == "ada@example.com")
        #expect(contact.crmId == "12345")
        #expect(contact.crmSource == "typeform")
        #expect(contact.tags == ["web", "math", "typeform"])
        #expect(contact.variables == ["stage": "lead"])
    }

    @Test func countryCodeIsTheRegion() throws {
        let result = try pipeline(Self.form).map(record(#"{"contact":{"phone":"020 7946 0958","country":"gb"}}"#))
        guard case .contact(let contact) = result else {
            Issue.record("expected a contact, got \(result)")
            return
        }
        #expect(contact.phone == "+442079460958")
        #expect(contact.countryCode == "GB")
    }

    @Test func invalidCountryCodeIsRejected() throws {
        let result = try pipeline(Self.form).map(record(#"{"contact":{"phone":"+14155552671","country":"USA"}}"#))
        guard case .problem(let reason, let detail) = result else {
            Issue.record("expected a problem")
            return
        }
        #expect(reason == .fieldInvalid)
        #expect(detail.contains("country_code"))
    }

    @Test func phoneVerdicts() throws {
        let form = try pipeline(Self.form)
        let cases: [(String, Reason)] = [
            (#"{"contact":{"name":"No Phone"}}"#, .phoneMissing),
            (#"{"contact":{"phone":"call me"}}"#, .phoneNotANumber),
            (#"{"contact":{"phone":"12"}}"#, .phoneTooShort),
            (#"{"contact":{"phone":"415555"}}"#, .phoneTooShort),
            (#"{"contact":{"phone":"+1 415 555 26711234"}}"#, .phoneTooLong),
            (#"{"contact":{"phone":"+999 123456"}}"#, .phoneInvalidCountryCode),
            (#"{"contact":{"phone":"(123) 555-2671"}}"#, .phoneNotAssigned),
        ]
        for (json, expected) in cases {
            let result = form.map(try record(json))
            guard case .problem(let reason, let detail) = result else {
                Issue.record("\(json): expected \(expected), got \(result)")
                continue
            }
            #expect(reason == expected, "\(json): \(detail)")
            #expect(reason.kind == .invalidPhone)
        }
    }

    @Test func limitsRejectWithTheFieldNamed() throws {
        let long = String(repeating: "x", count: 101)
        let result = try pipeline(Self.form).map(
            record(#"{"contact":{"phone":"+14155552671","name":"\#(long) Smith"}}"#))
        #expect(
            result
                == .problem(
                    .fieldTooLong, detail: "first_name (from 'contact.name') has 101 characters; the limit is 100"))
    }

    @Test func crmIdNeedsItsSource() throws {
        let mapping = #"{"name":"x","fields":[{"source":"p","target":"phone"},{"source":"id","target":"crm_id"}]}"#
        let result = try pipeline(mapping).map(record(#"{"p":"+14155552671","id":"7"}"#))
        guard case .problem(.crmPairIncomplete, _) = result else {
            Issue.record("expected crm-pair-incomplete, got \(result)")
            return
        }
    }

    @Test func staticCrmSourceAloneIsDropped() throws {
        guard case .contact(let contact) = try pipeline(Self.form).map(record(#"{"contact":{"phone":"+14155552671"}}"#))
        else {
            Issue.record("expected a contact")
            return
        }
        #expect(contact.crmId == nil)
        #expect(contact.crmSource == nil)
    }

    @Test func invalidBackupPhoneIsRejected() throws {
        let result = try pipeline(Self.form).map(record(#"{"contact":{"phone":"+14155552671","backup":"555"}}"#))
        guard case .problem(.backupPhoneInvalid, _) = result else {
            Issue.record("expected backup-phone-invalid, got \(result)")
            return
        }
    }

    @Test func objectWhereTextIsNeeded() throws {
        let result = try pipeline(Self.form).map(record(#"{"contact":{"phone":{"number":"+14155552671"}}}"#))
        guard case .problem(.unsupportedValue, let detail) = result else {
            Issue.record("expected unsupported-value, got \(result)")
            return
        }
        #expect(detail.contains("contact.phone"))
    }

    @Test func emptyAndNonObjectRecords() throws {
        let form = try pipeline(Self.form)
        #expect(form.map(try record("{}")) == .problem(.emptyRow))
        #expect(form.map(try record(#"{"a":null,"b":"  ","c":[]}"#)) == .problem(.emptyRow))
        guard case .problem(.notAnObject, _) = form.map(try record("[1]")) else {
            Issue.record("expected not-an-object")
            return
        }
    }

    @Test func inactiveMappingSkipsEverything() throws {
        let inactive = try pipeline(#"{"name":"x","active":false,"fields":[{"source":"p","target":"phone"}]}"#)
        #expect(inactive.map(try record(#"{"p":"+14155552671"}"#)) == .problem(.mappingInactive))
    }

    @Test func literalTopLevelKeyWinsOverPath() throws {
        let mapping = try pipeline(#"{"name":"x","fields":[{"source":"properties.phone","target":"phone"}]}"#)
        guard case .contact(let flat) = mapping.map(try record(#"{"properties.phone":"+14155552671"}"#)) else {
            Issue.record("flat key not read")
            return
        }
        #expect(flat.phone == "+14155552671")
        guard case .contact(let nested) = mapping.map(try record(#"{"properties":{"phone":"+442079460958"}}"#)) else {
            Issue.record("nested path not read")
            return
        }
        #expect(nested.phone == "+442079460958")
    }

    @Test func csvColumnsBindByHeader() throws {
        let mapping = try MappingLoader().load(
            json:
                #"{"name":"x","defaultRegion":"US","fields":[{"source":["Mobile","Phone"],"target":"phone"},{"source":"first name","target":"first_name"},{"source":"Missing","target":"company"}]}"#
        )
        let bound = BoundMapping(
            mapping: mapping, orgId: "o", mappingId: "m", header: ["ID", "First Name", "Phone", "Mobile"])
        #expect(bound.neededColumns == [1, 2, 3])
        #expect(bound.warnings.count == 1)
        #expect(bound.warnings.first?.contains("'Missing'") == true)
        let result = Pipeline(bound: bound).map(.columns([nil, "Ada", "(415) 555-2671", " "]))
        guard case .contact(let contact) = result else {
            Issue.record("expected a contact, got \(result)")
            return
        }
        #expect(contact.phone == "+14155552671")
        #expect(contact.firstName == "Ada")
        #expect(contact.company == nil)
    }
}
