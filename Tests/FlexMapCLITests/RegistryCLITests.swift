import Foundation
import Testing

/// Issue 3's check: a store built from scratch through the CLI only.
@Suite struct RegistryCLITests {
    let scratch = Scratch()

    @Test func twoOrganisationsKeysAndMappings() throws {
        let cli = scratch.runner
        #expect(try cli.run(["init", "--db", "s.db"]).status == 0)
        let acme = firstLine(try cli.run(["org", "create", "Acme Dental", "--db", "s.db"]))
        let globex = firstLine(try cli.run(["org", "create", "Globex Clinics", "--db", "s.db"]))
        #expect(acme.hasPrefix("org_") && globex.hasPrefix("org_") && acme != globex)

        let keyResult = try cli.run(["key", "create", "--org", acme, "--db", "s.db", "--json"])
        let keyJSON = try #require(jsonObject(keyResult.stdout))
        let acmeKey = try #require(keyJSON["apiKey"] as? String)
        let acmeKeyId = try #require(keyJSON["keyId"] as? String)
        let globexKey = firstLine(try cli.run(["key", "create", "--org", globex, "--db", "s.db"]))
        #expect(acmeKey.hasPrefix("fmk_") && globexKey.hasPrefix("fmk_") && acmeKey != globexKey)

        let list = try cli.run(["key", "list", "--org", acme, "--db", "s.db"])
        #expect(list.stdout.contains(acmeKeyId))
        #expect(!list.stdout.contains(acmeKey))

        // Two mappings for Acme, one for Globex, each with its own URL.
        let form = try cli.run([
            "mapping", "create", "--org", acme, "--file", fixture("mappings/form-leads.json"), "--db", "s.db",
            "--base-url", "https://hooks.example.com",
        ])
        let formId = firstLine(form)
        #expect(formId.hasPrefix("map_") && formId.count >= 24)
        #expect(form.stdout.contains("https://hooks.example.com/api/contacts/flex?mapId=\(formId)"))
        #expect(form.stdout.contains("-H 'x-api-key: YOUR_API_KEY'"))
        #expect(form.stdout.contains("apiKey=YOUR_API_KEY"))
        #expect(form.stdout.contains(#""apiKey":"YOUR_API_KEY""#))
        let hubspotId = firstLine(
            try cli.run([
                "mapping", "create", "--org", acme, "--file", fixture("mappings/hubspot.json"), "--db", "s.db",
            ]))
        let globexResult = try cli.run([
            "mapping", "create", "--org", globex, "--file", fixture("mappings/excel-de.json"), "--db", "s.db", "--json",
        ])
        let globexJSON = try #require(jsonObject(globexResult.stdout))
        let globexMapId = try #require(globexJSON["mapId"] as? String)
        #expect((globexJSON["webhookUrl"] as? String)?.hasSuffix("mapId=\(globexMapId)") == true)
        #expect(Set([formId, hubspotId, globexMapId]).count == 3)

        // Import through a stored mapping: contacts carry its id.
        let imported = try cli.run([
            "import", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--map", formId, "--report", "r1",
            "--json",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        let counts = try #require(jsonObject(imported.stdout))
        let created = try #require(counts["created"] as? Int)
        #expect(created > 0)

        let listed = try #require(
            jsonObject(try cli.run(["mapping", "list", "--org", acme, "--db", "s.db", "--json"]).stdout))
        let mappings = try #require(listed["mappings"] as? [[String: Any]])
        #expect(mappings.count == 2)
        #expect(mappings.first { $0["mapId"] as? String == formId }?["contacts"] as? Int == created)

        // Export gives back a file create takes.
        let exported = try cli.run(["mapping", "export", formId, "--db", "s.db"])
        scratch.file("exported.json", exported.stdout)
        #expect(
            firstLine(try cli.run(["mapping", "create", "--org", globex, "--file", "exported.json", "--db", "s.db"]))
                .hasPrefix("map_"))

        // Deactivated: a re-import is all mapping-inactive skips.
        #expect(try cli.run(["mapping", "deactivate", formId, "--db", "s.db"]).status == 0)
        let again = try #require(
            jsonObject(
                try cli.run([
                    "import", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--map", formId, "--report",
                    "r2",
                    "--json",
                ]).stdout))
        let total = try #require(again["total"] as? Int)
        #expect(again["skipped"] as? Int == total)
        #expect((again["reasons"] as? [String: Int]) == ["mapping-inactive": total])
        #expect(try cli.run(["mapping", "activate", formId, "--db", "s.db"]).status == 0)

        // Delete asks for --yes; contacts stay.
        #expect(try cli.run(["mapping", "delete", formId, "--db", "s.db"]).status == 2)
        #expect(try cli.run(["mapping", "delete", formId, "--db", "s.db", "--yes"]).status == 0)
        #expect(try cli.run(["mapping", "show", formId, "--db", "s.db"]).status == 1)
        let contacts = try cli.run([
            "import", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--map", formId,
        ])
        #expect(contacts.status == 1)

        // Revoke.
        #expect(try cli.run(["key", "revoke", acmeKeyId, "--db", "s.db"]).stdout.contains("Revoked"))
        #expect(try cli.run(["key", "list", "--org", acme, "--db", "s.db"]).stdout.contains("revoked"))

        // The raw keys appear nowhere: not in the store (with its WAL) nor in any report.
        for (name, data) in scratch.allFiles() {
            for key in [acmeKey, globexKey] {
                #expect(data.range(of: Data(key.utf8)) == nil, "key found in \(name)")
            }
        }
    }

    @Test func unknownOrganisationIsAClearError() throws {
        let cli = scratch.runner
        try cli.run(["init", "--db", "s.db"])
        let result = try cli.run(["key", "create", "--org", "org_nope", "--db", "s.db"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no organisation 'org_nope'"))
    }
}
