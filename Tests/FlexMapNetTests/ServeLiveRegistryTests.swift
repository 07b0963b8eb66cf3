import FlexMapCore
import Foundation
import Testing

@testable import FlexMapNet

/// Registry changes made by other commands while serving.
@Suite(.serialized) struct ServeLiveRegistryTests {
    func waitFor(_ status: Int, _ request: () throws -> HTTPTestClient.Answer) throws -> Bool {
        for _ in 0..<50 {
            if try request().status == status { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test func deactivationAndRevocationTakeEffectWhileServing() throws {
        let fixture = try ServeFixture()
        let client = fixture.client
        #expect(try client.post(fixture.target(), json: #"{"phone":"\#(phone(1))"}"#).status == 201)

        try fixture.registry().setActive(mapping: fixture.mapId, false)
        #expect(try waitFor(403) { try client.post(fixture.target(), json: #"{"phone":"\#(phone(2))"}"#) })
        try fixture.registry().setActive(mapping: fixture.mapId, true)
        #expect(try waitFor(201) { try client.post(fixture.target(), json: #"{"phone":"\#(phone(3))"}"#) })

        try fixture.registry().revokeKey(id: fixture.keyId)
        #expect(try waitFor(401) { try client.post(fixture.target(), json: #"{"phone":"\#(phone(4))"}"#) })
        // From then on nothing gets in.
        let before = try fixture.contacts().count
        for index in 5..<10 {
            #expect(try client.post(fixture.target(), json: #"{"phone":"\#(phone(index))"}"#).status == 401)
        }
        #expect(try fixture.contacts().count == before)
        #expect(fixture.events.all.contains { if case .registryReloaded = $0 { return true } else { return false } })
    }
}
