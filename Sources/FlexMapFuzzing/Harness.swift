import Foundation

/// What the fuzz targets run. Each target feeds libFuzzer's bytes to one entry point here;
/// an entry point returns the oracle violations it found (empty when the input was handled
/// as flexmap promises). A crash, a trap or a hang is a finding by itself. The regression
/// tests replay `Fixtures/bad/<Target>/*` and the seed corpora through the same functions.
public enum Harness {
    /// The fuzz targets, by the name of their executable (`Fuzz/<name>/<name>.swift`).
    public enum Target: String, CaseIterable, Sendable {
        case csv = "FuzzCSV"
        case ndjson = "FuzzNDJSON"
        case har = "FuzzHAR"
        case gor = "FuzzGor"
        case capture = "FuzzCapture"
        case mapping = "FuzzMapping"
        case fieldPath = "FuzzFieldPath"
        case credentials = "FuzzCredentials"
        case form = "FuzzForm"
        case serve = "FuzzServe"
    }

    /// Runs one input through `target`; returns what broke a promise.
    public static func check(_ target: Target, _ data: [UInt8]) -> [String] {
        switch target {
        case .csv: return csv(data)
        case .ndjson: return ndjson(data)
        case .har: return capture(data, format: .har)
        case .gor: return capture(data, format: .gor)
        case .capture: return capture(data, format: .capture)
        case .mapping: return mapping(data)
        case .fieldPath: return fieldPath(data)
        case .credentials: return credentials(data)
        case .form: return form(data)
        case .serve: return serve(data)
        }
    }

    /// libFuzzer's entry: a violation is reported as a crash, so libFuzzer keeps the input.
    public static func fuzz(_ target: Target, _ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        let violations = check(target, bytes)
        if !violations.isEmpty {
            fatalError("\(target.rawValue): " + violations.joined(separator: "\n"))
        }
        return 0
    }
}

/// Collects oracle violations with a bound, so a broken input does not make megabytes of text.
struct Findings {
    private(set) var items: [String] = []

    mutating func add(_ message: @autoclosure () -> String) {
        if items.count < 20 { items.append(message()) }
    }

    mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { add(message()) }
    }
}

/// Reads structured values off the front of fuzz bytes (as LLVM's FuzzedDataProvider).
struct ByteReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    var isEmpty: Bool { bytes.isEmpty }

    mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// Bytes up to the next `separator` (not included), or all that is left.
    mutating func piece(until separator: UInt8) -> [UInt8] {
        if let end = bytes.firstIndex(of: separator) {
            let piece = Array(bytes[..<end])
            bytes = bytes[(end + 1)...]
            return piece
        }
        defer { bytes = [] }
        return Array(bytes)
    }

    mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }
}

/// Fuzz inputs as files, for readers that take a path: one private folder per process
/// (in /dev/shm when there is one), one file per call, removed after use.
enum ScratchFiles {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/flexmap-fuzz-\(getpid())"
        mkdir(path, 0o700)
        atexit {
            if let files = try? FileManager.default.contentsOfDirectory(atPath: ScratchFiles.directory) {
                for file in files { unlink(ScratchFiles.directory + "/" + file) }
            }
            rmdir(ScratchFiles.directory)
        }
        return path
    }()

    private static let counter = Counter()

    /// A new path in the folder, with `suffix`.
    static func path(_ suffix: String) -> String {
        directory + "/\(counter.next())\(suffix)"
    }

    /// Writes `bytes` to a new file and returns its path.
    static func write(_ bytes: [UInt8], suffix: String) -> String {
        let path = path(suffix)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(descriptor >= 0, "cannot create \(path): errno \(errno)")
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            precondition(written > 0, "cannot write \(path): errno \(errno)")
            offset += written
        }
        close(descriptor)
        return path
    }

    /// Removes a file or a folder with its files.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A counter many threads may bump (tests replay inputs in parallel).
final class Counter: @unchecked Sendable {
    // @unchecked: `value` is touched only while `lock` is held.
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
