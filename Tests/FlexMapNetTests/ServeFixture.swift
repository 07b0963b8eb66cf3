import FlexMapCore
import FlexMapIO
import Foundation

@testable import FlexMapNet

/// A store with two organisations, keys and mappings, and a WebhookServer on a free
/// loopback port in front of it. Shut down and removed at the end of the test.
final class ServeFixture: Sendable {
    let folder: String
    let storePath: String
    let orgId: String
    let apiKey: String
    let keyId: String
    let mapId: String
    let inactiveMapId: String
    let otherOrgMapId: String
    let server: WebhookServer
    let events = EventLog()

    static let mappingJSON = """
        {"name":"test","defaultRegion":"US","fields":[
          {"source":"phone","target":"phone"},
          {"source":"name","target":"first_name"},
          {"source":"email","target":"email"},
          {"source":"tags","target":"tags"},
          {"source":"plan","target":"variables.plan"}
        ],"staticTags":["web"],"onDuplicate":"skip"}
        """

    init(_ configure: (inout ServeConfiguration) -> Void = { _ in }) throws {
        folder = NSTemporaryDirectory() + "flexmap-serve-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        storePath = folder + "/s.db"
        do {
            let store = try Store.create(path: storePath)
            let registry = Registry(store: store)
            let org = try registry.createOrganisation(name: "Acme")
            let other = try registry.createOrganisation(name: "Globex")
            let key = try registry.createKey(org: org.id)
            _ = try registry.createKey(org: other.id)
            var mapping = try MappingLoader().load(json: Self.mappingJSON)
            orgId = org.id
            apiKey = key.apiKey
            keyId = key.id
            mapId = try registry.createMapping(org: org.id, mapping: mapping).id
            mapping.active = false
            inactiveMapId = try registry.createMapping(org: org.id, mapping: mapping).id
            mapping.active = true
            otherOrgMapId = try registry.createMapping(org: other.id, mapping: mapping).id
        }
        var configuration = ServeConfiguration(
            storePath: storePath, http: HTTPDaemonOptions(port: 0, threads: 2), registryReloadSeconds: 0.1,
            drainTimeoutSeconds: 10)
        configure(&configuration)
        let events = self.events
        server = try WebhookServer(configuration) { events.append($0) }
    }

    deinit {
        server.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }

    var client: HTTPTestClient { HTTPTestClient(port: server.port) }
    var url: String { server.url }

    /// The webhook target with every credential in the query.
    var queryTarget: String {
        "\(WebhookRequest.flexPath)?orgId=\(orgId)&apiKey=\(apiKey)&mapId=\(mapId)"
    }

    func target(mapId: String? = nil) -> String {
        "\(WebhookRequest.flexPath)?orgId=\(orgId)&apiKey=\(apiKey)&mapId=\(mapId ?? self.mapId)"
    }

    /// Stored contacts: id → (phone, first_name, mapping_id, tags, variables), read on a new connection.
    func contacts() throws -> [Int64: [String?]] {
        let store = try Store.open(path: storePath)
        let rows = try store.database.prepare(
            "SELECT id, phone, first_name, mapping_id, contact_tags, contact_variables, email FROM contacts"
        ).query { row in (row.int(0), (1..<7).map { row.text(Int32($0)) }) }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    func registry() throws -> Registry { Registry(store: try Store.open(path: storePath)) }
}

/// Events a server emitted, from any thread.
final class EventLog: @unchecked Sendable {
    // @unchecked: `items` is touched only while `lock` is held.
    private let lock = NSLock()
    private var items: [ServeEvent] = []

    func append(_ event: ServeEvent) {
        lock.lock()
        items.append(event)
        lock.unlock()
    }

    var all: [ServeEvent] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// A valid US number per index: +1 201 2xx xxxx.
func phone(_ index: Int) -> String { "+1201\(2_000_000 + index)" }
