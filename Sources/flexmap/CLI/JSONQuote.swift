import FlexMapCore

/// JSON helpers for --json output, over the core's JSON writer.
enum JSONQuote {
    static func quote(_ text: String) -> String { JSONText.quote(text) }
}
