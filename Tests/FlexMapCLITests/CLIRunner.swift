import Foundation

/// Runs the built `flexmap` binary, as a user would.
struct CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary next to the test bundle (SwiftPM builds it because the tests depend on it).
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["FLEXMAP_BIN"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" || directory.path.hasSuffix(".xctest") {
            directory = directory.deletingLastPathComponent()
        }
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("flexmap").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/flexmap").path
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    var directory: String
    var environment: [String: String] = [:]

    @discardableResult
    func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "FLEXMAP_DB")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes while the process runs so a full pipe cannot block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the binary without waiting (for kill tests).
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// A fresh temporary folder per test, removed at the end.
final class Scratch {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "flexmap-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func file(_ name: String, _ contents: String) -> String {
        let target = path + "/" + name
        _ = FileManager.default.createFile(atPath: target, contents: Data(contents.utf8))
        return target
    }

    var runner: CLIRunner { CLIRunner(directory: path) }

    /// Every file under the folder, recursively, as bytes.
    func allFiles() -> [(String, Data)] {
        let enumerator = FileManager.default.enumerator(atPath: path)
        var files: [(String, Data)] = []
        while let name = enumerator?.nextObject() as? String {
            let full = path + "/" + name
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: full)
            {
                files.append((name, data))
            }
        }
        return files
    }
}

func fixture(_ relative: String) -> String { CLIRunner.repository + "/Fixtures/" + relative }

/// The first line a command printed on stdout (an id that `create` commands print).
func firstLine(_ result: CLIRunner.Result) -> String {
    String(result.stdout.split(separator: "\n").first ?? "")
}

/// A `flexmap serve --port 0` a test started.
struct ServeProcess {
    let process: Process
    /// What it printed on stdout until its first line was whole.
    let printed: Data
    /// Its standard output, after `printed`.
    let output: Pipe

    /// "Listening on http://127.0.0.1:PORT".
    var firstLine: String {
        String(decoding: printed, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }
    var url: String { String(firstLine.dropFirst("Listening on ".count)) }
    var port: UInt16 {
        UInt16(
            firstLine.split(separator: ":").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
                ?? "")
            ?? 0
    }
}

extension CLIRunner {
    /// Starts `flexmap` with `arguments` (a `serve --port 0`) in the folder and waits for
    /// the line that says where it listens.
    func startServe(_ arguments: [String], standardError: Any = FileHandle.nullDevice) throws -> ServeProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = standardError
        try process.run()
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")) {
            let piece = output.fileHandleForReading.availableData
            if piece.isEmpty { break }
            first.append(piece)
        }
        return ServeProcess(process: process, printed: first, output: output)
    }
}

extension Scratch {
    /// `init`, then one organisation, its key and a mapping from `mappingJSON`, through the
    /// CLI: (orgId, apiKey, mapId).
    func liveStore(mappingJSON: String) throws -> (String, String, String) {
        let cli = runner
        try cli.run(["init", "--db", "s.db"])
        let org = firstLine(try cli.run(["org", "create", "Acme", "--db", "s.db"]))
        let key = firstLine(try cli.run(["key", "create", "--org", org, "--db", "s.db"]))
        file("m.json", mappingJSON)
        let map = firstLine(try cli.run(["mapping", "create", "--org", org, "--file", "m.json", "--db", "s.db"]))
        return (org, key, map)
    }
}

func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}
