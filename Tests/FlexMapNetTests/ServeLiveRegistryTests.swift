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

    @Test func aKeyOrMappingCreatedWhileServingWorksAtOnce() throws {
        // No timed reload in this test: only the recheck on a turned-away request.
        let fixture = try ServeFixture { $0.registryReloadSeconds = 3600 }
        let client = fixture.client
        let registry = try fixture.registry()
        let key = try registry.createKey(org: fixture.orgId)
        let mapping = try registry.createMapping(
            org: fixture.orgId, mapping: MappingLoader().load(json: ServeFixture.mappingJSON))
        let target = "\(WebhookRequest.flexPath)?orgId=\(fixture.orgId)&apiKey=\(key.apiKey)&mapId=\(mapping.id)"
        #expect(try client.post(target, json: #"{"phone":"\#(phone(20))"}"#).status == 201)

        // Activated a moment ago: taken at once too.
        #expect(
            try client.post(fixture.target(mapId: fixture.inactiveMapId), json: #"{"phone":"\#(phone(21))"}"#).status
                == 403)
        try registry.setActive(mapping: fixture.inactiveMapId, true)
        Thread.sleep(forTimeInterval: 0.25)  // past the spacing of rechecks
        #expect(
            try client.post(fixture.target(mapId: fixture.inactiveMapId), json: #"{"phone":"\#(phone(22))"}"#).status
                == 201)

        // A wrong key is still a wrong key, however often it comes.
        let wrong = "\(WebhookRequest.flexPath)?orgId=\(fixture.orgId)&apiKey=fmk_wrong&mapId=\(fixture.mapId)"
        for index in 0..<20 {
            #expect(try client.post(wrong, json: #"{"phone":"\#(phone(30 + index))"}"#).status == 401)
        }
        #expect(try fixture.contacts().count == 2)
    }
}
