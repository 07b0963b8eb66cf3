import Foundation
import Testing

@Suite struct HelpAndExitCodeTests {
    let scratch = Scratch()

    static let commands = [
        "init", "import", "org create", "org list", "key create", "key list", "key revoke", "mapping create",
        "mapping list", "mapping show", "mapping activate", "mapping deactivate", "mapping update", "mapping export",
        "mapping delete", "serve", "replay",
    ]

    /// Golden help texts: UPDATE_GOLDEN=1 rewrites them after an intended change.
    @Test(arguments: commands)
    func helpMatchesGolden(_ command: String) throws {
        let result = try scratch.runner.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        let golden =
            CLIRunner.repository + "/Tests/FlexMapCLITests/Golden/" + command.replacingOccurrences(of: " ", with: "-")
            + ".txt"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try result.stdout.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: golden, encoding: .utf8)
        #expect(result.stdout == expected)
        #expect(result.stdout.hasPrefix("OVERVIEW: "))
        #expect(result.stdout.contains("--db PATH"))
    }

    @Test func rootHelpListsEveryCommand() throws {
        let result = try scratch.runner.run(["--help"])
        #expect(result.status == 0)
        for command in Self.commands { #expect(result.stdout.contains("  " + command + " "), "\(command)") }
        #expect(try scratch.runner.run([]).status == 2)
    }

    @Test func usageErrorsExitWith2AndSayWhatToDo() throws {
        let cases: [([String], String)] = [
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["import"], "missing --input"),
            (["import", "--input", "x.csv"], "missing the mapping"),
            (
                ["import", "--input", "x.csv", "--mapping", "m.json", "--workers", "0"],
                "--workers must be between 1 and 256"
            ),
            (["import", "--input", "x.csv", "--mapping", "m.json", "--wrokers", "2"], "did you mean --workers?"),
            (["import", "--input", "-", "--mapping", "m.json"], "needs --format"),
            (["import", "--input", "x.json", "--mapping", "m.json"], "one record per line"),
            (["import", "--input", "x.csv", "--mapping", "m.json", "--dry-run", "--resume"], "do not go together"),
            (
                ["import", "--input", "x.csv", "--mapping", "m.json", "--delimiter", "ab"],
                "--delimiter takes one character"
            ),
            (["key", "create"], "missing --org"),
            (["key", "revoke", "fmk_abc"], "not the key itself"),
            (["mapping", "show"], "give one mapping ID"),
        ]
        for (arguments, message) in cases {
            let result = try scratch.runner.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func groupWithoutSubcommandListsItsSubcommands() throws {
        let result = try scratch.runner.run(["mapping"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("mapping create"))
        #expect(try scratch.runner.run(["mapping", "--help"]).status == 0)
    }

    @Test func runFailuresExitWith1AndNameTheFile() throws {
        let runner = scratch.runner
        #expect(try runner.run(["init", "--db", "s.db"]).status == 0)
        let noStore = try runner.run(["import", "--db", "other.db", "--input", "x.csv", "--mapping", "m.json"])
        #expect(noStore.status == 1)
        #expect(noStore.stderr.contains("flexmap init"))

        let missingInput = try runner.run([
            "import", "--db", "s.db", "--input", "nope.ndjson", "--mapping", fixture("mappings/form-leads.json"),
        ])
        #expect(missingInput.status == 1)
        #expect(missingInput.stderr.contains("nope.ndjson: cannot open"))

        scratch.file("bad.json", #"{"name":"x","fields":[{"source":"p","target":"phone_number"}]}"#)
        let badMapping = try runner.run(["import", "--db", "s.db", "--input", "in.ndjson", "--mapping", "bad.json"])
        #expect(badMapping.status == 1)
        #expect(badMapping.stderr.contains("bad.json: $.fields[0].target: unknown target 'phone_number'"))
    }

    @Test func failOnInvalidExitsWith3() throws {
        let runner = scratch.runner
        try runner.run(["init", "--db", "s.db"])
        let arguments = [
            "import", "--db", "s.db", "--input", fixture("demo/form-leads.ndjson"), "--mapping",
            fixture("mappings/form-leads.json"), "--report", "r", "--quiet",
        ]
        #expect(try runner.run(arguments).status == 0)
        #expect(try runner.run(arguments + ["--fail-on-invalid"]).status == 3)
    }

    @Test func versionPrints() throws {
        let result = try scratch.runner.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("flexmap "))
    }
}
