import Foundation
import Testing

@testable import FlexMapFuzzing

/// Every input a fuzz target once crashed on (Fixtures/bad/<Target>/) and every fixture
/// (the seed corpora), replayed through the fuzz targets' own code: nothing may trap and
/// no oracle may complain.
@Suite struct FuzzRegressionTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// (target, file) for every file under Fixtures/bad/<Target>/.
    static var crashes: [(Harness.Target, String)] {
        var cases: [(Harness.Target, String)] = []
        for target in Harness.Target.allCases {
            let folder = repository + "/Fixtures/bad/" + target.rawValue
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") && name != "README.md" {
                cases.append((target, folder + "/" + name))
            }
        }
        return cases
    }

    @Test func everyCrashFoundStaysFixed() throws {
        for (target, path) in Self.crashes {
            let data = try #require(FileManager.default.contents(atPath: path))
            let violations = Harness.check(target, [UInt8](data))
            #expect(violations.isEmpty, "\(target.rawValue) \(path): \(violations)")
        }
    }

    /// The fixtures as the seed corpora hold them: a leading options byte of 0 (defaults)
    /// and one with a small record limit.
    @Test(arguments: [
        (Harness.Target.csv, "csv"), (.csv, "demo"), (.ndjson, "demo"), (.har, "captures"), (.gor, "captures"),
        (.capture, "captures"), (.mapping, "mappings"),
    ])
    func fixturesPassTheOracles(target: Harness.Target, folder: String) throws {
        let suffixes: [Harness.Target: [String]] = [
            .csv: [".csv"], .ndjson: [".ndjson"], .har: [".har"], .gor: [".gor"], .capture: [".ndjson"],
            .mapping: [".json"],
        ]
        let directory = Self.repository + "/Fixtures/" + folder
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        where suffixes[target]!.contains(where: name.hasSuffix) {
            let data = [UInt8](try #require(FileManager.default.contents(atPath: directory + "/" + name)))
            let inputs = target == .mapping ? [data] : [[0] + data, [0x88] + data]
            for input in inputs {
                let violations = Harness.check(target, input)
                #expect(violations.isEmpty, "\(target.rawValue) \(name) (options \(input.first!)): \(violations)")
            }
        }
    }

    @Test func serveAnswersAWellFormedRequestAndGarbage() {
        let good = """
            POST /api/contacts/flex?orgId={{ORG}}&apiKey={{KEY}}&mapId={{MAP}} HTTP/1.1\r
            Host: x\r
            Content-Type: application/json\r
            Content-Length: 25\r
            \r
            {"phone":"+12015550123"}\n
            """
        #expect(Harness.check(.serve, Array(good.utf8)).isEmpty)
        #expect(Harness.check(.serve, Array("\u{0}\u{1}GARBAGE\r\n\r\n".utf8)).isEmpty)
        #expect(Harness.check(.serve, []).isEmpty)
    }
}
