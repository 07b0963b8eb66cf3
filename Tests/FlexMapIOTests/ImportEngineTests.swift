import FlexMapCore
import Foundation
import Testing

@testable import FlexMapIO

@Suite struct ImportEngineTests {
    let folder = TemporaryFolder()

    func store() throws -> Store {
        let store = try Store.create(path: folder.path + "/store.db")
        try store.ensureDefaultOrganisation()
        return store
    }

    func request(
        _ input: String, mapping: Mapping, dryRun: Bool = false, workers: Int = 2, batchSize: Int = 3,
        report: String = "report"
    )
        -> ImportRequest
    {
        ImportRequest(
            input: input, format: .ndjson, mapping: mapping, orgId: "default", mappingId: "m1", dryRun: dryRun,
            workers: workers, batchSize: batchSize, reportDirectory: folder.path + "/" + report)
    }

    static let records = """
        {"phone":"+1 415 555 2671","name":"Ada","tags":"a, b"}
        {"phone":"(415) 555-2671","name":"Ada again","email":"ada@example.com","tags":"c"}
        {"phone":"+44 20 7946 0958","name":"Grace"}
        not json

        {"phone":"12345","name":"Short"}
        {}
        {"name":"No phone"}
        {"phone":"+4915123456789","name":"Björn"}
        """

    @Test func everyRowEndsInExactlyOneOutcome() throws {
        let input = folder.file("in.ndjson", Self.records)
        let store = try store()
        let result = try ImportEngine(store: store).run(request(input, mapping: try simpleMapping()))
        let summary = result.summary
        #expect(summary.total == 8)
        #expect(summary.created == 3)
        #expect(summary.skipped == 2)
        #expect(summary.invalidPhone == 2)
        #expect(summary.rejected == 1)
        #expect(summary.blankLines == 1)
        #expect(summary.reasons[.duplicate] == 1)
        #expect(summary.reasons[.emptyRow] == 1)
        #expect(summary.reasons[.invalidJSON] == 1)
        #expect(summary.reasons[.phoneMissing] == 1)
        #expect(try store.count("SELECT count(*) FROM contacts") == 3)
        // The first row in input order wins the duplicate.
        let ada = try store.database.prepare(
            "SELECT first_name, contact_tags FROM contacts WHERE phone = '+14155552671'"
        )
        .query { ($0.text(0), $0.text(1)) }
        #expect(ada.first?.0 == "Ada")
        #expect(ada.first?.1 == #"["a","b"]"#)
    }

    @Test func duplicatesAcrossRunsAreSkipped() throws {
        let input = folder.file("in.ndjson", Self.records)
        let store = try store()
        _ = try ImportEngine(store: store).run(request(input, mapping: try simpleMapping()))
        let second = try ImportEngine(store: store).run(request(input, mapping: try simpleMapping(), report: "again"))
        #expect(second.summary.created == 0)
        #expect(second.summary.reasons[.duplicate] == 4)
        #expect(try store.count("SELECT count(*) FROM contacts") == 3)
    }

    @Test func updatePolicyMergesNonEmptyFieldsAndTags() throws {
        let input = folder.file("in.ndjson", Self.records)
        let store = try store()
        let result = try ImportEngine(store: store).run(
            request(input, mapping: try simpleMapping(onDuplicate: "update")))
        #expect(result.summary.reasons[.duplicateUpdated] == 1)
        #expect(result.summary.updated == 1)
        let rows = try store.database.prepare(
            "SELECT first_name, email, contact_tags FROM contacts WHERE phone = '+14155552671'"
        ).query { [$0.text(0), $0.text(1), $0.text(2)] }
        #expect(rows.first == ["Ada again", "ada@example.com", #"["a","b","c"]"#])
    }

    @Test func dryRunWritesNothingButReportsTheSame() throws {
        let input = folder.file("in.ndjson", Self.records)
        let store = try store()
        // One contact already stored: the dry run must see it.
        _ = try ImportEngine(store: store).run(
            request(
                folder.file("one.ndjson", #"{"phone":"+442079460958"}"#), mapping: try simpleMapping(), report: "one"))
        let before = try store.dumpContacts()
        let dry = try ImportEngine(store: store).run(
            request(input, mapping: try simpleMapping(), dryRun: true, report: "dry"))
        #expect(try store.dumpContacts() == before)
        #expect(try store.count("SELECT count(*) FROM runs") == 1)
        #expect(dry.summary.created == 2)
        #expect(dry.summary.reasons[.duplicate] == 2)

        let real = try ImportEngine(store: store).run(request(input, mapping: try simpleMapping(), report: "real"))
        #expect(real.summary.created == dry.summary.created)
        #expect(real.summary.reasons == dry.summary.reasons)
    }

    @Test func inactiveMappingSkipsEveryRow() throws {
        let input = folder.file("in.ndjson", Self.records)
        let store = try store()
        let result = try ImportEngine(store: store).run(request(input, mapping: try simpleMapping(active: false)))
        #expect(result.summary.total == 8)
        #expect(result.summary.skipped == 8)
        #expect(result.summary.reasons == [.mappingInactive: 8])
        #expect(try store.count("SELECT count(*) FROM contacts") == 0)
    }

    @Test func oneWorkerAndEightWorkersGiveTheSameStore() throws {
        var lines: [String] = []
        for index in 0..<3000 {
            // Every 7th row repeats an earlier number: which one wins must not depend on threads.
            let number = index % 7 == 6 ? (index - 3) : index
            lines.append(#"{"phone":"+1 415 555 \#(String(format: "%04d", number % 10000))","name":"n\#(index)"}"#)
            if index % 97 == 0 { lines.append("broken \(index)") }
        }
        let input = folder.file("many.ndjson", lines.joined(separator: "\n"))
        var dumps: [[String]] = []
        var summaries: [RunSummary] = []
        for workers in [1, 8] {
            let path = folder.path + "/w\(workers).db"
            let store = try Store.create(path: path, clock: { "2026-01-01T00:00:00.000Z" })
            let result = try ImportEngine(store: store).run(
                ImportRequest(
                    input: input, format: .ndjson, mapping: try simpleMapping(), orgId: "default", mappingId: "m1",
                    workers: workers, batchSize: 50, reportDirectory: folder.path + "/r\(workers)"))
            dumps.append(try store.dumpContacts())
            summaries.append(result.summary)
        }
        #expect(dumps[0].count > 2000)
        #expect(dumps[0] == dumps[1])
        #expect(summaries[0].reasons == summaries[1].reasons)
        #expect(summaries[0].total == 3000 + 31)
        // Every report file is the same too, but for the run's timing and worker count.
        for file in ["rejected.ndjson", "skipped.csv", "summary.md", "summary.json", "report.html"] {
            let one = Self.withoutTiming(folder.read("r1/" + file), reportFolder: "r1")
            let eight = Self.withoutTiming(folder.read("r8/" + file), reportFolder: "r8")
            #expect(!one.isEmpty)
            #expect(one == eight, "\(file)")
        }
    }

    /// A report with the lines that hold the run's duration, rate, start time and worker
    /// count left out, and the report's own folder name made neutral: the rest must not
    /// depend on threads.
    static func withoutTiming(_ text: String, reportFolder: String) -> [String] {
        let volatile = [
            "durationSeconds", "rowsPerSecond", "startedAt", "workers", "rows/s", "Started", "worker",
            "<th>Duration</th>", "<th>Rows per second</th>", "<th>Workers</th>",
        ]
        return text.split(separator: "\n")
            .filter { line in !volatile.contains { line.contains($0) } }
            .map { $0.replacingOccurrences(of: "/\(reportFolder)/", with: "/REPORT/") }
    }

    @Test func resumeContinuesAfterTheLastCommit() throws {
        var lines: [String] = []
        for index in 0..<500 { lines.append(#"{"phone":"+1 415 555 \#(String(format: "%04d", index))"}"#) }
        let input = folder.file("resume.ndjson", lines.joined(separator: "\n"))
        let store = try store()
        let cancel = CancellationFlag()
        var batches = 0
        let first = try ImportEngine(store: store).run(
            request(input, mapping: try simpleMapping(), batchSize: 40), cancel: cancel
        ) { _ in
            batches += 1
            if batches == 3 { cancel.cancel() }
        }
        #expect(first.interrupted)
        #expect(first.summary.total == 120)
        #expect(try store.count("SELECT count(*) FROM contacts") == 120)

        var again = request(input, mapping: try simpleMapping(), batchSize: 40)
        again.resume = true
        let second = try ImportEngine(store: store).run(again)
        #expect(!second.interrupted)
        #expect(second.summary.resumed)
        #expect(second.summary.total == 500)
        #expect(second.summary.created == 500)
        #expect(second.resumedFrom?.records == 120)
        #expect(try store.count("SELECT count(*) FROM contacts") == 500)
        #expect(try store.count("SELECT count(*) FROM runs WHERE status = 'completed'") == 1)

        // Nothing left to resume.
        #expect(throws: ImportError.self) { try ImportEngine(store: store).run(again) }
    }

    @Test func missingInputNamesTheFile() throws {
        let store = try store()
        do {
            _ = try ImportEngine(store: store).run(request(folder.path + "/nope.ndjson", mapping: try simpleMapping()))
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.description.contains("nope.ndjson"))
            #expect(error.description.contains("No such file"))
        }
    }
}
