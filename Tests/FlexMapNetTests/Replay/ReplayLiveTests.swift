import FlexMapCore
import FlexMapIO
import Foundation
import Synchronization
import Testing

@testable import FlexMapNet

/// Replays against a real endpoint on loopback: `serve` in-process on a fresh store, or
/// a small HTTPDaemon handler that misbehaves on purpose.
@Suite(.serialized) struct ReplayLiveTests {
    /// NDJSON records for the fixture's mapping: `count` records over `phones` distinct
    /// phones (so many repeat), every 17th phone invalid.
    static func records(count: Int, phones: Int) -> String {
        var lines: [String] = []
        for index in 0..<count {
            let which = (index * 7919) % phones
            let number = which % 17 == 16 ? "12" : phone(which)
            lines.append(
                #"{"phone":"\#(number)","name":"Person \#(index)","email":"p\#(index)@example.com","plan":"p\#(index % 3)"}"#
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ text: String, in folder: String, name: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func configuration(
        _ fixture: ServeFixture, input: String, format: InputFormat = .ndjson, placement: AuthPlacement = .header,
        pacing: ReplayScheduler.Pacing = .closed(concurrency: 32), verify: Bool = true, report: String? = nil
    ) throws -> ReplayConfiguration {
        ReplayConfiguration(
            input: input, format: format, target: try ReplayTarget(parsing: fixture.url),
            credentials: ReplayCredentials(
                flags: [.orgId: fixture.orgId, .apiKey: fixture.apiKey, .mapId: fixture.mapId], placement: placement),
            pacing: pacing, timeout: 10,
            verify: verify ? ReplayConfiguration.Verification(storePath: fixture.storePath) : nil,
            reportDirectory: report)
    }

    @Test(arguments: [AuthPlacement.header, .query, .body])
    func verifyAgreesWithServeAtHighConcurrencyWithRepeatedPhones(placement: AuthPlacement) throws {
        let fixture = try ServeFixture()
        // A contact already stored: its phone's records are all duplicates.
        let seeded = try fixture.client.post(fixture.queryTarget, json: #"{"phone":"\#(phone(3))","name":"Before"}"#)
        #expect(seeded.status == 201)
        let input = try Self.write(Self.records(count: 600, phones: 150), in: fixture.folder, name: "records.ndjson")
        let report = fixture.folder + "/report"
        let result = try ReplayEngine(configuration(fixture, input: input, placement: placement, report: report)).run()
        let summary = result.summary
        #expect(summary.requests == 600)
        #expect(summary.verify?.compared == 600)
        #expect(summary.verify?.mismatches == 0, "\(result.mismatches.prefix(3))")
        #expect(summary.errorCount == 0)
        let created = summary.statusCounts[201] ?? 0
        // 150 phones, every 17th invalid (8 of them: 16, 33, …), one stored before.
        #expect(created == 150 - 8 - 1)
        #expect(summary.statusCounts[422] == 600 / 150 * 8)
        let contacts = try fixture.contacts()
        #expect(contacts.count == created + 1, "the store holds exactly what the 201 answers say")
        // Records sharing a phone went in input order: the first of each was created.
        let firstNames = Set(contacts.values.compactMap { $0[1] })
        for which in 0..<150 where which % 17 != 16 && which != 3 {
            let index = (0..<600).first { ($0 * 7919) % 150 == which }!
            #expect(
                firstNames.contains("Person \(index)"),
                "phone #\(which): its first record, \(index), is the one created")
        }
        #expect(summary.latency.count == 600)
        #expect(summary.latency.p50 <= summary.latency.p90 && summary.latency.p90 <= summary.latency.p99)
        #expect(summary.latency.p99 <= summary.latency.p999 && summary.latency.p999 <= summary.latency.max)
        // The key is in no file of the report.
        for name in try FileManager.default.contentsOfDirectory(atPath: report) {
            let text = try String(contentsOfFile: report + "/" + name, encoding: .utf8)
            #expect(!text.contains(fixture.apiKey), "\(name) holds the key")
        }
        let lines = try String(contentsOfFile: report + "/requests.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 600)
    }

    @Test func sameStoreTwiceGivesTheSameContacts() throws {
        var stores: [[String]] = []
        for _ in 0..<2 {
            let fixture = try ServeFixture()
            let input = try Self.write(Self.records(count: 400, phones: 60), in: fixture.folder, name: "r.ndjson")
            let result = try ReplayEngine(configuration(fixture, input: input, pacing: .closed(concurrency: 64))).run()
            #expect(result.summary.verify?.mismatches == 0)
            stores.append(try fixture.contacts().values.map { "\($0[0] ?? "")=\($0[1] ?? "")" }.sorted())
        }
        #expect(stores[0] == stores[1])
    }

    @Test func capturedRequestsAgreeWithServe() throws {
        let fixture = try ServeFixture()
        // Captured requests: credentials in each place, a wrong key, a GET, a duplicate.
        let key = fixture.apiKey
        let lines = [
            #"{"timestamp":"2026-03-02T09:30:01.000Z","method":"POST","path":"/api/contacts/flex","query":"orgId=\#(fixture.orgId)&apiKey=\#(key)&mapId=\#(fixture.mapId)","headers":[["Host","old.example:8080"],["Content-Type","application/json"],["Content-Length","40"]],"body":"{\"phone\":\"\#(phone(1))\",\"name\":\"A\"}"}"#,
            #"{"timestamp":"2026-03-02T09:30:01.100Z","method":"POST","path":"/api/contacts/flex","query":"","headers":[["Content-Type","application/json"],["X-Org-Id","\#(fixture.orgId)"],["X-Api-Key","\#(key)"],["X-Map-Id","\#(fixture.mapId)"]],"body":"{\"phone\":\"\#(phone(2))\"}"}"#,
            #"{"timestamp":"2026-03-02T09:30:01.200Z","method":"POST","path":"/api/contacts/flex","query":"mapId=\#(fixture.mapId)","headers":[["Content-Type","application/x-www-form-urlencoded"]],"body":"orgId=\#(fixture.orgId)&apiKey=\#(key)&phone=\#(phone(3).replacingOccurrences(of: "+", with: "%2B"))"}"#,
            #"{"timestamp":"2026-03-02T09:30:01.300Z","method":"POST","path":"/api/contacts/flex","query":"orgId=\#(fixture.orgId)&apiKey=fmk_WrongWrongWrongWrong&mapId=\#(fixture.mapId)","headers":[["Content-Type","application/json"]],"body":"{\"phone\":\"\#(phone(4))\"}"}"#,
            #"{"timestamp":"2026-03-02T09:30:01.400Z","method":"GET","path":"/api/contacts/flex","query":"","headers":[],"body":""}"#,
            #"{"timestamp":"2026-03-02T09:30:01.500Z","method":"POST","path":"/api/contacts/flex","query":"orgId=\#(fixture.orgId)&apiKey=\#(key)&mapId=\#(fixture.mapId)","headers":[["Content-Type","application/json"]],"body":"{\"phone\":\"\#(phone(1))\",\"name\":\"again\"}"}"#,
            #"{"timestamp":"2026-03-02T09:30:01.600Z","method":"POST","path":"/api/contacts/flex","query":"orgId=\#(fixture.orgId)&apiKey=\#(key)&mapId=\#(fixture.mapId)","headers":[["Content-Type","text/plain"]],"body":"phone"}"#,
        ]
        let input = try Self.write(
            lines.joined(separator: "\n") + "\n", in: fixture.folder, name: "traffic.capture.ndjson")
        var configuration = try configuration(
            fixture, input: input, format: .capture, pacing: .recorded(speed: 10, maxInFlight: 8))
        configuration.credentials = ReplayCredentials()  // as captured
        let report = fixture.folder + "/report"
        configuration.reportDirectory = report
        let result = try ReplayEngine(configuration).run()
        #expect(result.summary.verify?.mismatches == 0, "\(result.mismatches)")
        #expect(result.summary.statusCounts == [201: 3, 401: 1, 405: 1, 200: 1, 415: 1])
        #expect(try fixture.contacts().count == 3)
        #expect(result.summary.schedule != nil)
        for name in try FileManager.default.contentsOfDirectory(atPath: report) {
            let text = try String(contentsOfFile: report + "/" + name, encoding: .utf8)
            #expect(!text.contains(key) && !text.contains("fmk_WrongWrong"), "\(name) holds a key")
        }
    }

    @Test func givenCredentialsReplaceCapturedOnes() throws {
        let fixture = try ServeFixture()
        // Captured elsewhere: a redacted key, another organisation's id.
        let line =
            #"{"timestamp":"","method":"POST","path":"/api/contacts/flex","query":"orgId=org_elsewhere&apiKey=REDACTED","headers":[["Content-Type","application/json"],["Authorization","Bearer REDACTED"]],"body":"{\"mapId\":\"\#(fixture.mapId)\",\"phone\":\"\#(phone(9))\"}"}"#
        let input = try Self.write(line + "\n", in: fixture.folder, name: "c.capture.ndjson")
        var configuration = try configuration(fixture, input: input, format: .capture)
        configuration.credentials = ReplayCredentials(
            flags: [.orgId: fixture.orgId, .apiKey: fixture.apiKey], placement: .body)
        let result = try ReplayEngine(configuration).run()
        #expect(result.summary.statusCounts == [201: 1])
        #expect(result.summary.verify?.mismatches == 0)
    }

    @Test func retriesA503ThenGetsA201WithTheSameIdempotencyKey() throws {
        let handler = FlakyHandler(failures: 1)
        let daemon = try HTTPDaemon(options: HTTPDaemonOptions(port: 0, threads: 2), handler: handler)
        defer { daemon.stop() }
        let folder = NSTemporaryDirectory() + "flexmap-replay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try Self.write(
            "phone,name\n+12015550101,A\n+12015550102,B\n+12015550103,C\n", in: folder, name: "r.csv")
        let configuration = ReplayConfiguration(
            input: input, format: .csv, target: try ReplayTarget(parsing: "http://127.0.0.1:\(daemon.port)"),
            credentials: ReplayCredentials(flags: [.orgId: "org_1", .apiKey: "fmk_secret_value_123", .mapId: "map_1"]),
            pacing: .closed(concurrency: 2), retry: RetryPolicy(maxRetries: 2, baseDelay: 1_000_000),
            reportDirectory: folder + "/report")
        let result = try ReplayEngine(configuration).run()
        #expect(result.summary.requests == 3)
        #expect(result.summary.attempts == 6)
        #expect(result.summary.statusCounts == [201: 3])
        #expect(result.summary.retried.requests == 3)
        #expect(result.summary.retried.causes == ["503": 3])
        #expect(result.summary.latency.count == 3, "first tries")
        #expect(result.summary.retried.latency.count == 3)
        let keys = handler.keys
        #expect(keys.count == 6)
        #expect(Set(keys).count == 3, "each retry carries its first try's Idempotency-Key")
        #expect(keys.allSatisfy { $0.hasPrefix("fm-") && $0.count == 35 })
        // The body is the row as JSON with the header's names, the key in a header.
        #expect(handler.bodies.contains(#"{"phone":"+12015550101","name":"A"}"#))
        let lines = try String(contentsOfFile: folder + "/report/requests.ndjson", encoding: .utf8).split(
            separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.filter { $0.contains("\"attempt\":2") && $0.contains("\"final\":true") }.count == 3)
    }

    @Test func retryAfterIsHonouredAndCapped() throws {
        let handler = FlakyHandler(failures: 1, retryAfter: "1")
        let daemon = try HTTPDaemon(options: HTTPDaemonOptions(port: 0, threads: 1), handler: handler)
        defer { daemon.stop() }
        let folder = NSTemporaryDirectory() + "flexmap-replay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try Self.write(#"{"phone":"+12015550101"}"# + "\n", in: folder, name: "r.ndjson")
        let configuration = ReplayConfiguration(
            input: input, format: .ndjson, target: try ReplayTarget(parsing: "http://127.0.0.1:\(daemon.port)/hook"),
            credentials: ReplayCredentials(flags: [.orgId: "o", .apiKey: "k", .mapId: "m"]),
            pacing: .closed(concurrency: 1),
            retry: RetryPolicy(maxRetries: 1, baseDelay: 1_000_000, maxRetryAfter: 200_000_000))
        let result = try ReplayEngine(configuration).run()
        #expect(result.summary.statusCounts == [201: 1])
        // Retry-After: 1 capped at 200 ms: the whole request took at least that.
        #expect(result.summary.retried.latency.max >= 200)
        #expect(handler.paths.allSatisfy { $0 == "/hook" })
    }

    @Test func openModelSendsRateTimesDurationRequests() throws {
        let handler = FlakyHandler(failures: 0)
        let daemon = try HTTPDaemon(options: HTTPDaemonOptions(port: 0, threads: 2), handler: handler)
        defer { daemon.stop() }
        let folder = NSTemporaryDirectory() + "flexmap-replay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try Self.write(#"{"phone":"+12015550101"}"# + "\n", in: folder, name: "one.ndjson")
        let configuration = ReplayConfiguration(
            input: input, format: .ndjson, target: try ReplayTarget(parsing: "http://127.0.0.1:\(daemon.port)"),
            credentials: ReplayCredentials(flags: [.orgId: "o", .apiKey: "k", .mapId: "m"]),
            pacing: .open(perSecond: 200, maxInFlight: 64), duration: 1, loop: true)
        let result = try ReplayEngine(configuration).run()
        // Intended times 0, 5, …, 995 ms: exactly 200, however fast the machine is.
        #expect(result.summary.requests == 200)
        #expect(handler.keys.count == 200)
        let schedule = try #require(result.summary.schedule)
        #expect(schedule.askedPerSecond == 200)
        #expect(schedule.sent == 200)
        #expect(schedule.achievedPerSecond > 0)
    }

    @Test func connectionErrorsAreCountedByKind() throws {
        let folder = NSTemporaryDirectory() + "flexmap-replay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try Self.write(
            #"{"phone":"+12015550101"}"# + "\n" + #"{"phone":"+12015550102"}"# + "\n", in: folder, name: "r.ndjson")
        // Port 1 on loopback: nothing listens, the connection is refused.
        let configuration = ReplayConfiguration(
            input: input, format: .ndjson, target: try ReplayTarget(parsing: "http://127.0.0.1:1"),
            credentials: ReplayCredentials(flags: [.orgId: "o", .apiKey: "k", .mapId: "m"]), timeout: 5,
            retry: RetryPolicy(maxRetries: 1, baseDelay: 1_000_000), thresholds: ReplayThresholds(maxErrorRate: 0.5))
        let result = try ReplayEngine(configuration).run()
        #expect(result.summary.requests == 2)
        #expect(result.summary.errors[.connect] == 2)
        #expect(result.summary.attempts == 4)
        #expect(result.summary.errorRate == 1)
        #expect(result.summary.thresholdFailures.count == 1)
        #expect(result.summary.latency.count == 0)
    }

    @Test func droppedConnectionsAreResetsAndSlowAnswersTimeouts() throws {
        let folder = NSTemporaryDirectory() + "flexmap-replay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try Self.write(#"{"phone":"+12015550101"}"# + "\n", in: folder, name: "r.ndjson")
        func run(_ handler: any HTTPRequestHandler, timeout: Double) throws -> ReplaySummary {
            let daemon = try HTTPDaemon(options: HTTPDaemonOptions(port: 0, threads: 1), handler: handler)
            defer { daemon.stop() }
            let configuration = ReplayConfiguration(
                input: input, format: .ndjson, target: try ReplayTarget(parsing: "http://127.0.0.1:\(daemon.port)"),
                credentials: ReplayCredentials(flags: [.orgId: "o", .apiKey: "k", .mapId: "m"]),
                pacing: .closed(concurrency: 1), timeout: timeout)
            let summary = try ReplayEngine(configuration).run().summary
            // Let a stalled answer go out before the daemon stops.
            Thread.sleep(forTimeInterval: 0.5)
            return summary
        }
        let dropped = try run(DroppingHandler(), timeout: 5)
        #expect(dropped.errors == [.reset: 1])
        #expect(dropped.latency.count == 0)
        let slow = try run(StallingHandler(seconds: 0.4), timeout: 0.15)
        #expect(slow.errors == [.timeout: 1])
        #expect(slow.latency.count == 1, "a timeout's latency is the time it gave up after")
        // libcurl's own timer may end the transfer a fraction of a millisecond before replay's
        // clock reaches 150 ms (seen once in a loaded full test run: 149.79 ms).
        #expect(slow.latency.max >= 149 && slow.latency.max < 400, "\(slow.latency.max)")
    }
}

/// Answers 503 (with an optional Retry-After) to the first `failures` attempts of each
/// Idempotency-Key, then 201; remembers what it saw.
final class FlakyHandler: HTTPRequestHandler {
    let failures: Int
    let retryAfter: String?
    private let seen = Mutex<(keys: [String], bodies: [String], paths: [String])>(([], [], []))

    init(failures: Int, retryAfter: String? = "0") {
        self.failures = failures
        self.retryAfter = retryAfter
    }

    var keys: [String] { seen.withLock { $0.keys } }
    var bodies: [String] { seen.withLock { $0.bodies } }
    var paths: [String] { seen.withLock { $0.paths } }

    func headersReceived(_ exchange: HTTPExchange) -> HTTPResponse? { nil }

    func bodyReceived(_ exchange: HTTPExchange, _ bytes: UnsafeRawBufferPointer) -> Bool {
        exchange.body.append(contentsOf: bytes)
        return true
    }

    func requestComplete(_ exchange: HTTPExchange) -> HTTPReply {
        let key = exchange.header("Idempotency-Key") ?? ""
        let earlier = seen.withLock { seen -> Int in
            let count = seen.keys.filter { $0 == key }.count
            seen.keys.append(key)
            seen.bodies.append(String(decoding: exchange.body, as: UTF8.self))
            seen.paths.append(String(exchange.rawPath))
            return count
        }
        if earlier < failures {
            return .now(
                HTTPResponse.json(
                    503, #"{"outcome":"error","reason":"unavailable"}"#,
                    headers: retryAfter.map { [("Retry-After", $0)] } ?? []))
        }
        return .now(HTTPResponse.json(201, #"{"outcome":"created","reason":null}"#))
    }

    func requestFinished(_ exchange: HTTPExchange, answered: Bool) {}
}

/// Drops every connection once the body is in: no answer.
final class DroppingHandler: HTTPRequestHandler {
    func headersReceived(_ exchange: HTTPExchange) -> HTTPResponse? { nil }
    func bodyReceived(_ exchange: HTTPExchange, _ bytes: UnsafeRawBufferPointer) -> Bool { false }
    func requestComplete(_ exchange: HTTPExchange) -> HTTPReply { .now(HTTPResponse.json(201, "{}")) }
    func requestFinished(_ exchange: HTTPExchange, answered: Bool) {}
}

/// Answers 201, `seconds` late.
final class StallingHandler: HTTPRequestHandler {
    let seconds: Double
    init(seconds: Double) { self.seconds = seconds }
    func headersReceived(_ exchange: HTTPExchange) -> HTTPResponse? { nil }
    func bodyReceived(_ exchange: HTTPExchange, _ bytes: UnsafeRawBufferPointer) -> Bool { true }
    func requestComplete(_ exchange: HTTPExchange) -> HTTPReply {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { exchange.answer(HTTPResponse.json(201, "{}")) }
        return .later
    }
    func requestFinished(_ exchange: HTTPExchange, answered: Bool) {}
}
