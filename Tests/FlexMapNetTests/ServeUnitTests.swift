import FlexMapCore
import FlexMapIO
import Foundation
import Synchronization
import Testing

@testable import FlexMapNet

/// The pure parts: answers, redaction, and the group-commit writer alone.
@Suite struct ServeUnitTests {
    @Test func answersAreTheContractsJSON() {
        #expect(
            ServeAnswer.created(mapId: "map_1", contactId: 7).json
                == #"{"outcome":"created","reason":null,"detail":"contact created","mapId":"map_1","contactId":7}"#)
        let duplicate = ServeAnswer.problem(.duplicate, detail: "d", mapId: "map_1")
        #expect(duplicate.status == 200)
        #expect(duplicate.json == #"{"outcome":"skipped","reason":"duplicate","detail":"d","mapId":"map_1"}"#)
        #expect(ServeAnswer.problem(.phoneTooShort, detail: "x").outcome == "invalidPhone")
        #expect(ServeAnswer.problem(.authInvalid, detail: "x").status == 401)
        #expect(ServeAnswer.problem(.mappingInactive, detail: "x").status == 403)
        #expect(ServeAnswer.tooLarge(limit: 10).status == 413)
        let wrongMethod = ServeAnswer.methodNotAllowed(method: "GET", path: "/api/contacts/flex", allow: "POST")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.response.headers.contains { $0.name == "Allow" && $0.value == "POST" })
        let busy = ServeAnswer.unavailable("busy")
        #expect(busy.status == 503 && busy.outcome == "error")
        #expect(busy.response.headers.contains { $0.name == "Retry-After" })
    }

    @Test func redactionHidesTheKeyEverywhereItCanBe() {
        let entry = CaptureFormat.Entry(
            timestamp: "t", method: "POST", path: "/api/contacts/flex", rawQuery: "mapId=m&API_KEY=secret&x=%20y",
            headers: [
                ("X-Api-Key", "secret"), ("Authorization", "Bearer secret"), ("Cookie", "s=secret"),
                ("x-org-id", "org"),
            ],
            body: Array(
                #"{"apiKey":"secret","nested":{"api_key":"secret"},"list":[{"apikey":"secret"}],"phone":"+1"}"#.utf8))
        let redacted = ServeCaptureRedaction.redact(entry)
        #expect(redacted.rawQuery == "mapId=m&API_KEY=REDACTED&x=%20y")
        #expect(redacted.headers.map(\.value) == ["REDACTED", "Bearer REDACTED", "REDACTED", "org"])
        let body = String(decoding: redacted.body, as: UTF8.self)
        #expect(!body.contains("secret"))
        #expect(body.contains(#""phone":"+1""#))
        // Untouched when there is nothing to hide, byte for byte.
        let plain = Array(#"{ "phone" : "+1" }"#.utf8)
        #expect(ServeCaptureRedaction.redactBody(plain) == plain)
        #expect(
            String(decoding: ServeCaptureRedaction.redactBody(Array("a=1&apikey=s3&b=2".utf8)), as: UTF8.self)
                == "a=1&apikey=REDACTED&b=2")
        // Neither JSON nor a form but naming a key: hidden as a whole.
        #expect(ServeCaptureRedaction.redactBody(Array(#"{"apiKey":"s3""#.utf8)) == Array("REDACTED".utf8))
    }

    @Test func theWriterCommitsInGroupsAndAnswersAfterCommit() throws {
        let folder = NSTemporaryDirectory() + "flexmap-committer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/s.db"
        _ = try Store.create(path: path)
        let committer = try ContactCommitter(storePath: path, maxGroup: 64)
        let results = Mutex<[Int: ContactCommitter.Result]>([:])
        let reader = try Store.open(path: path)
        let committedWhenAnswered = Mutex<[Bool]>([])
        for index in 0..<500 {
            let contact = Contact(orgId: "o", mappingId: "m", phone: phone(index % 400))
            let accepted = committer.submit(contact, policy: .skip) { result in
                results.withLock { $0[index] = result }
                // The row is visible to another connection: the transaction committed.
                if case .created(let id) = result, index % 50 == 0 {
                    let seen =
                        (try? Store.open(path: path).database.scalarInt(
                            "SELECT count(*) FROM contacts WHERE id = \(id)")) == 1
                    committedWhenAnswered.withLock { $0.append(seen) }
                }
            }
            #expect(accepted)
        }
        committer.close()
        #expect(!committer.submit(Contact(orgId: "o", mappingId: "m", phone: phone(1)), policy: .skip) { _ in })
        let all = results.withLock { $0 }
        #expect(all.count == 500)
        #expect(all.values.filter { if case .created = $0 { return true } else { return false } }.count == 400)
        #expect(all.values.filter { $0 == .duplicate }.count == 100)
        let statistics = committer.snapshot
        #expect(statistics.contacts == 500)
        #expect(statistics.transactions < 500)
        #expect(statistics.largestGroup <= 64)
        #expect(committedWhenAnswered.withLock { $0 }.allSatisfy { $0 })
        #expect(try reader.database.scalarInt("SELECT count(*) FROM contacts") == 400)
    }
}
