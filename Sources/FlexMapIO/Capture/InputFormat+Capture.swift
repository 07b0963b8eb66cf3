import FlexMapCore
import Foundation

extension InputFormat {
    /// Whether a file's first non-blank line is a capture line (a JSON object with
    /// "method" and "path" strings), so `import --input traffic.ndjson` with no mapping
    /// can take `serve --capture` output for what it is. Reads at most the first MiB.
    public static func looksLikeCapture(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 1 << 20) else { return false }
        var bytes = [UInt8](head)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        for line in bytes.split(separator: 0x0A) {
            var text = line
            if text.last == 0x0D { text.removeLast() }
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard let object = (try? JSONParser().parse(Array(text)))?.objectValue,
                case .string? = object["method"], case .string? = object["path"]
            else { return false }
            return true
        }
        return false
    }

    /// Whether a file is an HTTP Archive whatever its name (`export.har.json`): a JSON
    /// object whose first member is "log", as every HAR writer puts it.
    public static func looksLikeHAR(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 4096) else { return false }
        var bytes = [UInt8](head)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        func skipSpace() {
            while let first = bytes.first, first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D {
                bytes.removeFirst()
            }
        }
        skipSpace()
        guard bytes.first == UInt8(ascii: "{") else { return false }
        bytes.removeFirst()
        skipSpace()
        return bytes.starts(with: Array("\"log\"".utf8))
    }
}
