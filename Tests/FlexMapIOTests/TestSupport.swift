import FlexMapCore
import Foundation

@testable import FlexMapIO

/// A fresh temporary folder per test, removed at the end.
final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "flexmap-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ contents: String) -> String {
        let target = path + "/" + name
        _ = FileManager.default.createFile(atPath: target, contents: Data(contents.utf8))
        return target
    }

    func file(_ name: String, bytes: [UInt8]) -> String {
        let target = path + "/" + name
        _ = FileManager.default.createFile(atPath: target, contents: Data(bytes))
        return target
    }

    func read(_ name: String) -> String {
        (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? ""
    }
}

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func mapping(_ name: String) throws -> Mapping {
        try MappingLoader().load(json: String(contentsOfFile: path("mappings/" + name), encoding: .utf8))
    }
}

extension Store {
    /// Every contact as text lines, in id order, for comparing stores.
    func dumpContacts() throws -> [String] {
        let statement = try database.prepare("SELECT id, \(ContactWriter.columns) FROM contacts ORDER BY id")
        return try statement.query { row in
            (0..<18).map { row.text(Int32($0)) ?? "NULL" }.joined(separator: "|")
        }
    }

    func count(_ sql: String) throws -> Int {
        Int(try database.scalarInt(sql) ?? -1)
    }
}

/// A mapping for small NDJSON records: {"phone":..., "name":..., "tags":...}.
let simpleMappingJSON = """
    {"name":"simple","defaultRegion":"US","fields":[
      {"source":"phone","target":"phone"},
      {"source":"name","target":"first_name"},
      {"source":"email","target":"email"},
      {"source":"tags","target":"tags"}
    ]}
    """

func simpleMapping(onDuplicate: String = "skip", active: Bool = true) throws -> Mapping {
    var mapping = try MappingLoader().load(json: simpleMappingJSON)
    mapping.onDuplicate = Mapping.DuplicatePolicy(rawValue: onDuplicate)!
    mapping.active = active
    return mapping
}
