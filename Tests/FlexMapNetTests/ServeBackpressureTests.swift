import FlexMapCore
import FlexMapIO
import Foundation
import Synchronization
import Testing

@testable import FlexMapNet

/// What happens while the store cannot be written: nobody is told "created" before the
/// commit, and a full writer queue answers 503 at once.
@Suite(.serialized) struct ServeBackpressureTests {
    @Test func answersWaitForTheCommitAndAFullQueueIs503() throws {
        let fixture = try ServeFixture { $0.writerQueueCapacity = 1 }
        let port = fixture.server.port
        // Another connection holds the write lock: the writer's BEGIN IMMEDIATE waits.
        let blocker = try Store.open(path: fixture.storePath)
        try blocker.database.execute("BEGIN IMMEDIATE")

        let answers = Mutex<[Int: Int]>([:])
        let group = DispatchGroup()
        for index in 0..<2 {
            onThread(group) {
                let answer = try? HTTPTestClient(port: port).post(
                    fixture.target(), json: #"{"phone":"\#(phone(index))"}"#)
                answers.withLock { $0[index] = answer?.status ?? -1 }
            }
            // The first is in the writer's transaction, the second waits in its queue.
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(answers.withLock { $0 }.isEmpty)
        let third = try fixture.client.post(fixture.target(), json: #"{"phone":"\#(phone(2))"}"#)
        #expect(third.status == 503)
        #expect(third.json?["reason"] as? String == "unavailable")
        #expect(third.header("Retry-After") == "1")

        try blocker.database.execute("COMMIT")
        group.wait()
        #expect(answers.withLock { $0 } == [0: 201, 1: 201])
        #expect(try fixture.contacts().count == 2)
    }

    @Test func aTransactionThatCannotCommitAnswers500AndStoresNothing() throws {
        let fixture = try ServeFixture()
        let blocker = try Store.open(path: fixture.storePath)
        try blocker.database.execute("BEGIN IMMEDIATE")
        // Longer than the writer's busy timeout (5 s): its transaction fails.
        let answer = try fixture.client.post(fixture.target(), json: #"{"phone":"\#(phone(7))"}"#)
        try blocker.database.execute("ROLLBACK")
        #expect(answer.status == 500)
        #expect(answer.json?["reason"] as? String == "store-error")
        #expect(answer.json?["outcome"] as? String == "error")
        #expect(try fixture.contacts().isEmpty)
        // The writer carries on.
        #expect(try fixture.client.post(fixture.target(), json: #"{"phone":"\#(phone(7))"}"#).status == 201)
        #expect(fixture.server.shutdown().writer.failedTransactions == 1)
    }
}
