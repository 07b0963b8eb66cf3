import FlexMapCore
import FlexMapIO
import Foundation

/// What a running server tells its front end (the library never prints).
public enum ServeEvent: Sendable {
    /// One answered request (only with `logRequests`).
    case request(ServeLogEntry)
    case registryReloaded(mappings: Int)
    case registryFailed(String)
    /// What the daemon refused or cut short in the last second or so (slow clients,
    /// connection floods, malformed requests, endless bodies), by kind; always emitted.
    case refused([HTTPRefusal: Int])

    /// `refused` as one log line: "refused: 600 × connections closed without a complete request head …".
    public static func refusalLine(_ counts: [HTTPRefusal: Int]) -> String {
        let parts = counts.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key.description < $1.key.description
        }
        .map { "\($0.value) × \($0.key)" }
        return "refused: " + parts.joined(separator: " · ")
    }
}

/// One request as a log line shows it. It never holds the query string, a header or
/// the body, so no credential can reach a log through it.
public struct ServeLogEntry: Sendable, Equatable {
    public var receivedAt: Date
    public var method: String
    /// The path only, cleaned of control characters.
    public var path: String
    public var status: Int
    public var outcome: String
    public var reason: String?
    public var mapId: String?
    public var milliseconds: Double

    /// `2026-12-04T20:00:00.123Z POST /api/contacts/flex 201 created - map_… 1.42ms`
    public var line: String {
        let duration = String(format: "%.2fms", milliseconds)
        return
            "\(Timestamp.iso8601(receivedAt)) \(method) \(path) \(status) \(outcome) \(reason ?? "-") \(mapId ?? "-") \(duration)"
    }

    static func clean(_ text: Substring, limit: Int) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(limit).map { $0.value < 0x21 || $0.value == 0x7F ? "?" : $0 }))
    }

    /// A request path as answers and logs show it: cleaned, and with anything that looks
    /// like a key (`…apiKey=…`, `fmk_…`) replaced, since clients put keys in odd places.
    static func shown(path: Substring, limit: Int = 200) -> String {
        clean(Substring(FlexMapCore.CaptureRedaction.scrub(String(path))), limit: limit)
    }
}
