import FlexMapCore
import FlexMapIO
import Foundation
import Testing

@testable import FlexMapNet

/// The predictions --verify compares answers with, on a store of its own (no server).
@Suite struct ReplayPredictorTests {
    let folder: String
    let storePath: String
    let orgId: String
    let apiKey: String
    let mapId: String
    let updateMapId: String

    init() throws {
        folder = NSTemporaryDirectory() + "flexmap-predictor-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        storePath = folder + "/s.db"
        let store = try Store.create(path: storePath)
        let registry = Registry(store: store)
        let org = try registry.createOrganisation(name: "Acme")
        orgId = org.id
        apiKey = try registry.createKey(org: org.id).apiKey
        var mapping = try MappingLoader().load(json: ServeFixture.mappingJSON)
        mapId = try registry.createMapping(org: org.id, mapping: mapping).id
        mapping.onDuplicate = .update
        updateMapId = try registry.createMapping(org: org.id, mapping: mapping).id
    }

    func request(_ phone: String, key: String? = nil, mapId: String? = nil) -> WebhookRequest {
        WebhookRequest(
            method: "POST",
            target: "/api/contacts/flex?orgId=\(orgId)&apiKey=\(key ?? apiKey)&mapId=\(mapId ?? self.mapId)",
            headers: [("Content-Type", "application/json")], body: Array(#"{"phone":"\#(phone)"}"#.utf8))
    }

    /// Stores a contact through a connection of its own, as the endpoint would.
    func storeContact(_ phone: String) throws {
        let store = try Store.open(path: storePath)
        let pipeline = Pipeline(
            bound: BoundMapping(
                mapping: try MappingLoader().load(json: ServeFixture.mappingJSON), orgId: orgId, mappingId: mapId))
        guard case .contact(let contact) = pipeline.map(.json(.object(JSONObject([("phone", .string(phone))])))) else {
            Issue.record("not a contact")
            return
        }
        _ = try ContactWriter(store: store, dryRun: false).apply(
            contact, policy: .skip, now: "2026-01-01T00:00:00.000Z")
    }

    @Test func duplicatesFollowTheStoreAsItWasAndTheEarlierAnswers() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try storeContact(phone(1))
        let predictor = try ReplayPredictor(storePath: storePath, trustedKey: nil)
        // Written after the replay began: the snapshot does not see it.
        try storeContact(phone(2))

        let stored = try predictor.classify(request(phone(1)))
        #expect(try predictor.prediction(for: stored).reason == "duplicate")
        let later = try predictor.classify(request(phone(2)))
        #expect(
            try predictor.prediction(for: later).status == 201,
            "a contact stored after the replay began is not in the snapshot")

        // A new phone: created; once the endpoint answered 201, the next is a duplicate.
        let first = try predictor.classify(request(phone(3)))
        #expect(first.dedupeKey == "\(orgId)\u{1F}\(phone(3))")
        #expect(try predictor.prediction(for: first).status == 201)
        try predictor.settle(first, status: 201)
        let second = try predictor.classify(request(phone(3)))
        #expect(try predictor.prediction(for: second).reason == "duplicate")

        // If the endpoint failed it (503), the next one is still created.
        let failed = try predictor.classify(request(phone(4)))
        try predictor.settle(failed, status: 503)
        #expect(try predictor.prediction(for: predictor.classify(request(phone(4)))).status == 201)

        // No answer: either outcome is right for the next one.
        let lost = try predictor.classify(request(phone(5)))
        try predictor.settle(lost, status: nil)
        let after = try predictor.prediction(for: predictor.classify(request(phone(5))))
        #expect(after.accepts(status: 201, reason: nil, reasonGiven: true))
        #expect(after.accepts(status: 200, reason: "duplicate", reasonGiven: true))
        #expect(!after.accepts(status: 422, reason: "phone-too-short", reasonGiven: true))

        // The update policy answers duplicate-updated.
        let update = try predictor.classify(request(phone(1), mapId: updateMapId))
        #expect(try predictor.prediction(for: update).reason == "duplicate-updated")
        predictor.close()
    }

    @Test func refusalsArePredictedAsServeAnswersThem() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let predictor = try ReplayPredictor(storePath: storePath, trustedKey: nil)
        let wrongKey = try predictor.prediction(for: predictor.classify(request(phone(1), key: "fmk_not_a_key")))
        #expect(wrongKey.status == 401 && wrongKey.reason == "auth-invalid")
        #expect(try predictor.prediction(for: predictor.classify(request("12"))).status == 422)
        #expect(try predictor.prediction(for: predictor.classify(request(phone(1), mapId: "map_nope"))).status == 404)
        var get = request(phone(1))
        get.method = "GET"
        #expect(try predictor.prediction(for: predictor.classify(get)).status == 405)
        #expect(predictor.knowsMapping(mapId) && !predictor.knowsMapping("map_nope"))

        // --trust-key: a key the local store does not hold counts as valid.
        let trusting = try ReplayPredictor(storePath: storePath, trustedKey: "fmk_remote_key")
        #expect(try trusting.prediction(for: trusting.classify(request(phone(1), key: "fmk_remote_key"))).status == 201)
        #expect(try trusting.prediction(for: trusting.classify(request(phone(1), key: "fmk_other"))).status == 401)
    }

    @Test func aReasonlessAnswerIsJudgedByItsStatus() {
        let prediction = Prediction(status: 200, reason: "duplicate", outcome: "skipped", detail: "")
        #expect(prediction.accepts(status: 200, reason: nil, reasonGiven: false))
        #expect(!prediction.accepts(status: 200, reason: nil, reasonGiven: true))
        #expect(!prediction.accepts(status: 201, reason: nil, reasonGiven: false))
    }
}
