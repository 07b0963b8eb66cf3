/// Splits request targets at their ASCII delimiters (`?`, `#`, `://`, `/`) byte by byte.
/// String's Character view would not: a `?` followed by a combining mark is one Character,
/// so `firstIndex(of: "?")` misses it and the query (credentials and all) would be taken
/// for part of the path (FuzzCredentials).
public enum RequestTarget {
    /// A request target ("/p?q", "https://host/p?q#f") as its raw path ("/" when empty)
    /// and raw query (after `?`, before `#`), neither decoded.
    public static func split(_ target: String) -> (path: String, rawQuery: String) {
        let bytes = Array(target.utf8)
        var start = 0
        if bytes.first != UInt8(ascii: "/"), let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
            bytes[colon...].starts(with: "://".utf8)
        {
            start =
                bytes[(colon + 3)...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? bytes.count
        }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let (path, query) = splitAtQuery(bytes[start..<end])
        return (path.isEmpty ? "/" : path, query)
    }

    /// The text before the first `?` and after it ("" when there is none).
    public static func splitAtQuery(_ text: some StringProtocol) -> (before: String, after: String) {
        splitAtQuery(Array(text.utf8)[...])
    }

    static func splitAtQuery(_ bytes: ArraySlice<UInt8>) -> (before: String, after: String) {
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else {
            return (String(decoding: bytes, as: UTF8.self), "")
        }
        return (String(decoding: bytes[..<mark], as: UTF8.self), String(decoding: bytes[(mark + 1)...], as: UTF8.self))
    }
}
