import Testing

@testable import FlexMapCore

@Suite struct FieldPathTests {
    let record = try! JSONParser().parse(
        #"{"a":{"b":[{"c":"deep"},{"c":"second"}]},"key.with.dots":"dotted","answers":{"first name":"Ada"},"n":42}"#)

    @Test func dottedPathsAndIndexes() throws {
        #expect(try FieldPath("a.b[0].c").value(in: record) == .string("deep"))
        #expect(try FieldPath("a.b[1].c").value(in: record) == .string("second"))
        #expect(try FieldPath("n").value(in: record) == .int(42))
    }

    @Test func quotedKeysHoldDotsAndSpaces() throws {
        #expect(try FieldPath(#"["key.with.dots"]"#).value(in: record) == .string("dotted"))
        #expect(try FieldPath("answers['first name']").value(in: record) == .string("Ada"))
        #expect(try FieldPath("answers.first name").value(in: record) == .string("Ada"))
    }

    @Test func missingStepsGiveNil() throws {
        #expect(try FieldPath("a.b[5].c").value(in: record) == nil)
        #expect(try FieldPath("a.x").value(in: record) == nil)
        #expect(try FieldPath("n.x").value(in: record) == nil)
        #expect(try FieldPath("a[0]").value(in: record) == nil)
    }

    @Test(arguments: ["", "a..b", "a.", "a[", "a[x]", "a[-1]", #"a["open]"#, "a]b", "a[0]b"])
    func syntaxErrorsAreReported(_ text: String) {
        #expect(throws: FieldPath.SyntaxError.self) { try FieldPath(text) }
    }

    @Test func errorSaysWhere() {
        do {
            _ = try FieldPath("a[x]")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("index"))
            #expect(error.description.contains("'a[x]'"))
        }
    }
}

@Suite struct TransformTests {
    @Test func textTransforms() {
        #expect(Transform.trim.apply("  Ada \t") == "Ada")
        #expect(Transform.lowercase.apply("ADA@X.COM") == "ada@x.com")
        #expect(Transform.uppercase.apply("gb") == "GB")
        #expect(Transform.titlecase.apply("o'brien anne-marie MCDONALD") == "O'Brien Anne-Marie Mcdonald")
        #expect(Transform.digits.apply("+1 (415) 555-2671") == "14155552671")
        #expect(Transform.collapseWhitespace.apply("  Ada \n  King   Lovelace ") == "Ada King Lovelace")
    }

    @Test func nameSplitting() {
        #expect(Transform.firstName.apply("Ada King Lovelace") == "Ada")
        #expect(Transform.lastName.apply("Ada King Lovelace") == "King Lovelace")
        #expect(Transform.firstName.apply("Lovelace, Ada") == "Ada")
        #expect(Transform.lastName.apply("Lovelace, Ada") == "Lovelace")
        #expect(Transform.firstName.apply("Cher") == "Cher")
        #expect(Transform.lastName.apply("Cher") == "")
        #expect(Transform.firstName.apply("   ") == "")
    }
}

@Suite struct JSONParserTests {
    @Test func keepsKeyOrderAndNumbers() throws {
        let value = try JSONParser().parse(
            #"{"z":1,"a":-2,"m":18446744073709551615,"d":1.5,"t":true,"n":null,"s":"é\n"}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["z", "a", "m", "d", "t", "n", "s"])
        #expect(object["a"] == .int(-2))
        #expect(object["m"] == .uint(18_446_744_073_709_551_615))
        #expect(object["d"]?.scalarText == "1.5")
        #expect(object["t"]?.scalarText == "true")
        #expect(object["n"]?.scalarText == nil)
        #expect(object["s"] == .string("é\n"))
    }

    @Test func wholeDoublesPrintWithoutFraction() {
        #expect(JSONValue.double(14155552671).scalarText == "14155552671")
    }

    @Test func invalidDocumentsThrow() {
        let parser = JSONParser()
        for text in ["{", "{\"a\":}", "nope", "", "{\"a\":1} x", "\u{FF}"] {
            #expect(throws: JSONParser.ParseError.self, "\(text)") { try parser.parse(text) }
        }
        let invalidUTF8: [UInt8] = [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]
        #expect(throws: JSONParser.ParseError.self) { try parser.parse(invalidUTF8) }
    }

    @Test func roundTripsThroughTheWriter() throws {
        let text = #"{"a":[1,"two",{"three":null}],"b\"q":"line\nbreak\u0001"}"#
        let value = try JSONParser().parse(text)
        #expect(try JSONParser().parse(JSONText.encode(value)) == value)
        #expect(JSONText.encode(value).contains("\\u0001"))
    }
}
