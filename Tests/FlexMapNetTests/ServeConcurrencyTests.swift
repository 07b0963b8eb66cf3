import FlexMapCore
import Foundation
import Synchronization
import Testing

@testable import FlexMapNet

/// Many clients at once, and shutdown under load: a 2xx always means stored.
@Suite(.serialized) struct ServeConcurrencyTests {
    @Test func concurrentDuplicatesOfOnePhoneCreateExactlyOne() throws {
        let fixture = try ServeFixture()
        let target = fixture.url + fixture.target()
        let statuses = Mutex<[Int]>([])
        onThreads(16) { index in
            // The same number written in different ways.
            let written = index % 2 == 0 ? "+1 201 555 0177" : "(201) 555-0177"
            let answer = try? Curl.run([
                target, "-H", "Content-Type: application/json", "-d", #"{"phone":"\#(written)","name":"n\#(index)"}"#,
            ])
            statuses.withLock { $0.append(answer?.status ?? -1) }
        }
        let seen = statuses.withLock { $0 }
        #expect(seen.filter { $0 == 201 }.count == 1, "\(seen)")
        #expect(seen.filter { $0 == 200 }.count == 15, "\(seen)")
        #expect(try fixture.contacts().count == 1)
    }

    @Test func theStoreHoldsExactlyTheContactsThatGot201() throws {
        let fixture = try ServeFixture()
        let client = fixture.client
        let created = Mutex<[Int64]>([])
        let statuses = Mutex<[Int: Int]>([:])
        onThreads(8) { worker in
            for step in 0..<40 {
                let index = worker * 40 + step
                let body: String
                var target = fixture.target()
                switch index % 5 {
                case 0: body = #"{"phone":"\#(phone(index / 2))"}"#  // some repeat across workers
                case 1: body = #"{"phone":"\#(phone(1000 + index))","name":"N\#(index)"}"#
                case 2: body = #"{"phone":"555"}"#
                case 3:
                    body = #"{"phone":"\#(phone(2000 + index))"}"#
                    target = fixture.target(mapId: fixture.inactiveMapId)
                default: body = #"{"phone":"\#(phone(index % 7))"}"#
                }
                guard let answer = try? client.post(target, json: body) else {
                    statuses.withLock { $0[-1, default: 0] += 1 }
                    continue
                }
                statuses.withLock { $0[answer.status, default: 0] += 1 }
                if answer.status == 201, let id = answer.json?["contactId"] as? Int {
                    created.withLock { $0.append(Int64(id)) }
                }
            }
        }
        let ids = created.withLock { $0 }
        let stored = try fixture.contacts()
        #expect(Set(ids).count == ids.count)
        #expect(Set(stored.keys) == Set(ids))
        let counts = statuses.withLock { $0 }
        #expect(counts[-1] == nil)
        #expect(counts.values.reduce(0, +) == 320)
        #expect(counts[422] == 64)
        #expect(counts[403] == 64)
        #expect(Set(stored.values.compactMap { $0[0] }).count == stored.count)
    }

    @Test func shutdownWithRequestsInFlightLosesNothing() throws {
        let fixture = try ServeFixture()
        let port = fixture.server.port
        let created = Mutex<[Int64]>([])
        let statuses = Mutex<[Int: Int]>([:])
        let counter = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        // Two slow clients are mid-body when shutdown starts.
        for slow in 0..<2 {
            onThread(group) {
                let body = Array(#"{"phone":"\#(phone(90_000 + slow))","name":"Slow"}"#.utf8)
                if let answer = try? HTTPTestClient(port: port).send(
                    "POST", fixture.target(), headers: [("Content-Type", "application/json")], body: body, pieceSize: 4,
                    pause: 0.05)
                {
                    statuses.withLock { $0[answer.status, default: 0] += 1 }
                    if answer.status == 201, let id = answer.json?["contactId"] as? Int {
                        created.withLock { $0.append(Int64(id)) }
                    }
                } else {
                    statuses.withLock { $0[-2, default: 0] += 1 }
                }
            }
        }
        // Busy clients, each request on a new connection, until the server is gone.
        for _ in 0..<6 {
            onThread(group) {
                let client = HTTPTestClient(port: port)
                while !stop.load(ordering: .relaxed) {
                    let index = counter.add(1, ordering: .relaxed).newValue
                    guard let answer = try? client.post(fixture.target(), json: #"{"phone":"\#(phone(index))"}"#) else {
                        statuses.withLock { $0[-1, default: 0] += 1 }
                        if counter.load(ordering: .relaxed) > 0 { Thread.sleep(forTimeInterval: 0.01) }
                        continue
                    }
                    statuses.withLock { $0[answer.status, default: 0] += 1 }
                    if answer.status == 201, let id = answer.json?["contactId"] as? Int {
                        created.withLock { $0.append(Int64(id)) }
                    }
                }
            }
        }
        Thread.sleep(forTimeInterval: 0.4)
        let summary = fixture.server.shutdown()
        stop.store(true, ordering: .relaxed)
        group.wait()

        let ids = created.withLock { $0 }
        let counts = statuses.withLock { $0 }
        let stored = try fixture.contacts()
        #expect(summary.abandoned == 0)
        #expect(counts[201, default: 0] > 10, "\(counts)")
        // The slow clients were in flight: both answered and stored.
        #expect(counts[-2] == nil, "\(counts)")
        #expect(stored.values.filter { $0[1] == "Slow" }.count == 2)
        // Every 201 is stored, and nothing is stored that was not answered 201.
        #expect(Set(stored.keys) == Set(ids), "\(counts)")
        #expect(summary.statistics.byStatus[201] == ids.count)
        #expect(summary.writer.contacts == ids.count)
    }
}
