import FlexMapCore

/// A phone field as an import would see it: the text and the row's region.
public struct PhoneSample: Sendable, Hashable {
    public let text: String
    public let region: String?

    public init(text: String, region: String?) {
        self.text = text
        self.region = region
    }
}

/// Generates phone inputs deterministically from libphonenumber's own example numbers of
/// every region, varied the way CRM exports vary them.
///
/// - `realistic` is what the benchmark measures: national and international forms with
///   assorted punctuation, every region, about one in ten invalid, some junk.
/// - `adversarial` is what the differential test feeds both engines: the realistic mix
///   plus random digit strings of every length, junk and letters, extensions, RFC 3966,
///   non-ASCII digits, digit insertions and deletions, and odd regions.
public struct PhoneSampleGenerator: Sendable {
    public enum Mix: String, Sendable, CaseIterable {
        case realistic
        case adversarial
    }

    public let mix: Mix
    private var random: SplitMix64
    private let catalog = PhoneCatalog.shared

    public init(seed: UInt64, mix: Mix) {
        self.mix = mix
        self.random = SplitMix64(seed: seed)
    }

    /// `count` samples from `seed`: the same arguments always give the same samples.
    public static func samples(count: Int, seed: UInt64, mix: Mix) -> [PhoneSample] {
        var generator = PhoneSampleGenerator(seed: seed, mix: mix)
        return (0..<count).map { _ in generator.next() }
    }

    public mutating func next() -> PhoneSample {
        switch mix {
        case .realistic: return realistic()
        case .adversarial: return adversarial()
        }
    }

    // MARK: - Realistic

    private mutating func realistic() -> PhoneSample {
        // Half the rows from the markets CRM exports are mostly made of (the largest
        // libphonenumber patterns are theirs), half from any region, so all appear.
        let (region, example) =
            random.chance(50)
            ? catalog.randomCommonExample(using: &random) : catalog.randomExample(using: &random)
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<52:  // national form, as typed in the region
            guard let national = example.national else { return PhoneSample(text: example.international, region: nil) }
            return PhoneSample(text: restyle(vary(national)), region: region)
        case 52..<80:  // international form, with the row's region or another or none
            let text = restyle(vary(example.international))
            let pick = Int.random(in: 0..<100, using: &random)
            let rowRegion = pick < 60 ? region : pick < 85 ? nil : catalog.regions.randomElement(using: &random)
            return PhoneSample(text: text, region: rowRegion)
        case 80..<86:  // E.164 already
            return PhoneSample(text: e164(vary(example.international)), region: random.chance(50) ? nil : region)
        case 86..<90:  // dialled with an international prefix from Europe or North America
            let digits = e164(vary(example.international)).dropFirst()
            if random.chance(50) {
                return PhoneSample(
                    text: "00 " + digits, region: ["DE", "FR", "GB", "IT", "ES"].randomElement(using: &random))
            }
            return PhoneSample(text: "011 " + digits, region: "US")
        case 90..<96:  // a digit too many or too few
            let text = example.national ?? example.international
            return PhoneSample(text: random.chance(50) ? dropDigit(text) : addDigit(text), region: region)
        default:  // junk people type into phone fields
            let junk = [
                "", "n/a", "-", "unknown", "call me", "none", "0", "123", "tbd", "jane@example.com",
                "see notes", "+", "()", "000000",
            ]
            return PhoneSample(text: junk.randomElement(using: &random)!, region: region)
        }
    }

    /// Replaces the last one to four digits, as real subscriber numbers differ from the
    /// example; most stay valid, some land in unassigned ranges.
    private mutating func vary(_ text: String) -> String {
        var characters = Array(text)
        var remaining = Int.random(in: 1...4, using: &random)
        for index in characters.indices.reversed() where remaining > 0 && characters[index].isASCIIDigit {
            characters[index] = Character(String(Int.random(in: 0...9, using: &random)))
            remaining -= 1
        }
        return String(characters)
    }

    /// Rewrites the spaces between digit groups as CRMs do: dashes, dots, nothing, or
    /// parentheses around the first group; sometimes stray whitespace around it all.
    private mutating func restyle(_ text: String) -> String {
        var styled: String
        switch Int.random(in: 0..<6, using: &random) {
        case 0: styled = text.replacingSpaces(with: "-")
        case 1: styled = text.replacingSpaces(with: ".")
        case 2: styled = text.replacingSpaces(with: "")
        case 3: styled = text.parenthesizingFirstGroup()
        default: styled = text
        }
        if random.chance(5) { styled = " " + styled + " " }
        return styled
    }

    private func e164(_ text: String) -> String {
        "+" + text.filter(\.isASCIIDigit)
    }

    private mutating func dropDigit(_ text: String) -> String {
        var characters = Array(text)
        let digits = characters.indices.filter { characters[$0].isASCIIDigit }
        guard let index = digits.dropFirst(2).randomElement(using: &random) else { return text }
        characters.remove(at: index)
        return String(characters)
    }

    private mutating func addDigit(_ text: String) -> String {
        text + String(Int.random(in: 0...9, using: &random))
    }

    // MARK: - Adversarial

    private mutating func adversarial() -> PhoneSample {
        let (region, example) = catalog.randomExample(using: &random)
        let base = random.chance(60) ? (example.national ?? example.international) : example.international
        let text: String
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<25: return realistic()
        case 25..<37: text = randomDigits()
        case 37..<45: text = mutateDigits(base)
        case 45..<50: text = base + extensions.randomElement(using: &random)!
        case 50..<54: text = withLetters(base)
        case 54..<58: text = withUnicode(base)
        case 58..<61: text = rfc3966(base)
        case 61..<65: text = callingCodeWithoutPlus(example)
        case 65..<70: text = randomJunk()
        case 70..<73: text = nonGeographical()
        case 73..<75: text = String(repeating: base, count: Int.random(in: 2...12, using: &random))
        default: text = plainVariant(example)
        }
        return PhoneSample(text: text, region: oddRegion(near: region))
    }

    private let extensions = [
        " ext. 123", " x45", " #12", ",,123", ";ext=7", " ext 9999999999999999999999", " X 1",
        "#", " extn: 44", " int 5", ";isub=12", " anexo 3", ", 12", "~55", " доб 4", "ｘ12",
    ]

    /// Plain characters only (digits, spaces, + - . ( ) /), varied where Parse has rules:
    /// international prefixes, national and carrier prefixes, pluses, and punctuation
    /// anywhere, with the row's region often not the number's.
    private mutating func plainVariant(_ example: PhoneValidator.ExampleNumber) -> String {
        let international = example.international.dropFirst()
        let callingCode = String(international.prefix { $0 != " " })
        let nationalDigits = (example.national ?? String(international)).filter(\.isASCIIDigit)
        let significant = String(international.dropFirst(callingCode.count)).filter(\.isASCIIDigit)
        var text: String
        switch Int.random(in: 0..<6, using: &random) {
        case 0:  // an international prefix, real or not, then the calling code
            text = internationalPrefixes.randomElement(using: &random)! + " " + callingCode + " " + significant
        case 1:  // a national or carrier prefix before the significant number
            text =
                String(
                    (0..<Int.random(in: 1...3, using: &random)).map { _ in
                        Character(String(Int.random(in: 0...9, using: &random)))
                    }) + significant
        case 2:  // digits slipped in after the national prefix (carrier codes, mobile tokens)
            var digits = Array(nationalDigits)
            let extra = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                Character(String(Int.random(in: 0...9, using: &random)))
            }
            digits.insert(contentsOf: extra, at: min(1, digits.count))
            text = String(digits)
        case 3:  // pluses and zeros around the calling code
            text =
                ["++", "+0", "+00", "+ ", "+(", "(+", "+-", "0+", "+011 "].randomElement(using: &random)!
                + callingCode + (random.chance(50) ? ")" : " ") + significant
        case 4:  // the calling code and national prefix both
            text = callingCode + " " + nationalDigits
        default:  // the national digits as they are
            text = random.chance(50) ? nationalDigits : significant
        }
        return sprinkle(text)
    }

    private let internationalPrefixes = [
        "00", "011", "0011", "010", "001", "002", "009", "0010", "810", "8 10", "000",
        "119", "0012", "0014", "99", "990", "994", "1", "0", "+00", "00 0", "012",
    ]

    /// Plain punctuation put in at random places, sometimes doubled or leading.
    private mutating func sprinkle(_ text: String) -> String {
        var characters = Array(text)
        let punctuation: [Character] = [" ", " ", "-", ".", "(", ")", "/", "+"]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let index = Int.random(in: 0...characters.count, using: &random)
            characters.insert(punctuation.randomElement(using: &random)!, at: index)
        }
        return String(characters)
    }

    /// Digit strings of every length from 0 to 25, bare or with a plus or an IDD.
    private mutating func randomDigits() -> String {
        let length = Int.random(in: 0...25, using: &random)
        let digits = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return "+" + digits
        case 1: return "00" + digits
        case 2: return "0" + digits
        default: return digits
        }
    }

    /// Inserts, deletes or replaces digits anywhere, and doubles or drops prefixes.
    private mutating func mutateDigits(_ text: String) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let index = characters.isEmpty ? 0 : Int.random(in: 0..<characters.count, using: &random)
            let digit = Character(String(Int.random(in: 0...9, using: &random)))
            switch Int.random(in: 0..<5, using: &random) {
            case 0: characters.insert(digit, at: index)
            case 1: if !characters.isEmpty { characters.remove(at: index) }
            case 2: if !characters.isEmpty { characters[index] = digit }
            case 3: characters.insert("0", at: characters.first == "+" ? 1 : 0)
            default: characters = Array(characters.prefix(while: { $0 != " " })) + characters
            }
        }
        return String(characters)
    }

    /// Vanity letters in place of digits, or letters mixed in.
    private mutating func withLetters(_ text: String) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz")
        var characters = Array(text)
        let digits = characters.indices.filter { characters[$0].isASCIIDigit }
        for index in digits.shuffled(using: &random).prefix(Int.random(in: 1...7, using: &random)) {
            characters[index] = letters.randomElement(using: &random)!
        }
        return String(characters)
    }

    /// Fullwidth or Arabic-Indic digits, fullwidth plus, non-breaking spaces.
    private mutating func withUnicode(_ text: String) -> String {
        let style = Int.random(in: 0..<4, using: &random)
        return String(
            text.map { character -> Character in
                guard let digit = character.wholeNumberValue, character.isASCIIDigit else {
                    if character == "+" && style != 3 { return "＋" }
                    if character == " " && style == 3 { return "\u{00A0}" }
                    return character
                }
                switch style {
                case 0: return Character(Unicode.Scalar(0xFF10 + UInt32(digit))!)  // fullwidth
                case 1: return Character(Unicode.Scalar(0x0660 + UInt32(digit))!)  // Arabic-Indic
                case 2: return random.chance(50) ? Character(Unicode.Scalar(0x06F0 + UInt32(digit))!) : character
                default: return character
                }
            })
    }

    /// RFC 3966 forms, valid and not.
    private mutating func rfc3966(_ text: String) -> String {
        let digits = text.filter(\.isASCIIDigit)
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return "tel:" + digits + ";phone-context=+44"
        case 1: return "tel:+" + digits
        case 2: return digits + ";phone-context=example.com"
        case 3: return "tel:" + digits + ";phone-context="
        default: return "tel:" + digits + ";isub=1234;phone-context=+1"
        }
    }

    /// The calling code written without a plus ("44 20 7946 0018"), which the library
    /// strips only when that makes a better number for the row's region.
    private mutating func callingCodeWithoutPlus(_ example: PhoneValidator.ExampleNumber) -> String {
        let international = example.international.dropFirst()
        return random.chance(50) ? String(international) : String(international.filter(\.isASCIIDigit))
    }

    private mutating func randomJunk() -> String {
        let alphabet = Array("0123456789 +-().,;:#*/\\x~abcdeXYZ\t\n\"'@!?_[]{}٣５")
        let length = Int.random(in: 0...30, using: &random)
        return String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
    }

    private mutating func nonGeographical() -> String {
        guard let example = catalog.nonGeographical.randomElement(using: &random) else { return "+800 1234 5678" }
        return random.chance(70) ? vary(example.international) : mutateDigits(example.international)
    }

    /// The sample's own region mostly, else none, another, or ones that are not regions.
    private mutating func oddRegion(near region: String) -> String? {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<45: return region
        case 45..<60: return nil
        case 60..<85: return catalog.regions.randomElement(using: &random)
        default:
            return ["ZZ", "001", "", "gb", "us", "XX", "USA", "UK", "EU", "1"].randomElement(using: &random)
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    fileprivate func replacingSpaces(with separator: String) -> String {
        split(separator: " ", omittingEmptySubsequences: false).joined(separator: separator)
    }

    /// "020 7946 0018" -> "(020) 7946 0018"; "+44 20 7946 0018" -> "+44 (20) 7946 0018".
    fileprivate func parenthesizingFirstGroup() -> String {
        var groups = split(separator: " ").map(String.init)
        let index = groups.first?.hasPrefix("+") == true ? 1 : 0
        guard index < groups.count - 1 else { return self }
        groups[index] = "(" + groups[index] + ")"
        return groups.joined(separator: " ")
    }
}
