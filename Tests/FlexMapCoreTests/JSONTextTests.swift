import FlexMapCore
import Foundation
import Testing

@Suite("JSONText")
struct JSONTextTests {
    @Test func quoteEscapesWhatJSONRequires() {
        #expect(JSONText.quote("plain text") == #""plain text""#)
        #expect(JSONText.quote("") == #""""#)
        #expect(JSONText.quote(#"a"b\c"#) == #""a\"b\\c""#)
        #expect(JSONText.quote("\n\r\t\u{1}\u{1f}") == #""\n\r\t\u0001\u001f""#)
        #expect(JSONText.quote("x\u{2028}y\u{2029}z") == #""x\u2028y\u2029z""#)
        #expect(JSONText.quote("é€😀\u{7f}") == "\"é€😀\u{7f}\"")
        #expect(JSONText.quote("é\"€") == "\"é\\\"€\"")
        #expect(JSONText.quote("\u{2027}\u{2030}\"") == "\"\u{2027}\u{2030}\\\"\"")
    }

    @Test func quotedTextReadsBackTheSame() throws {
        var generator = SystemRandomNumberGenerator()
        let pool: [Unicode.Scalar] = [
            "a", "\"", "\\", "\n", "\u{0}", "\u{1f}", "é", "\u{2028}", "\u{2029}", "😀", "/", " ",
        ]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                text.unicodeScalars.append(pool.randomElement(using: &generator)!)
            }
            let json = "[" + JSONText.quote(text) + "]"
            let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
            #expect(parsed == [text], "\(json)")
        }
    }
}
