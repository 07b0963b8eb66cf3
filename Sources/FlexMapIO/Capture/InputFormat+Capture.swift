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
}
