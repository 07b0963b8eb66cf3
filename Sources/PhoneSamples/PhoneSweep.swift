import FlexMapCore

/// Every example number of every region and non-geographical entity, in the forms
/// people write it (national, digits only, with the calling code with and without a
/// plus, after an international prefix of one country or another), each with every
/// region and with none as the row's region: a systematic complement to the random
/// adversarial mix, crossing each region's parsing rules with every other's numbers.
public struct PhoneSweep: Sendable {
    /// The rows' regions: every supported region, and none.
    public let regions: [String?]
    /// The numbers, each in all its forms.
    public let forms: [[String]]

    /// All of it, or with only the given rows' regions (nil for none).
    public init(regions: [String?]? = nil) {
        let catalog = PhoneCatalog.shared
        self.regions = regions ?? catalog.regions.map(Optional.some) + [nil]
        forms = (catalog.examples.joined() + catalog.nonGeographical).map(Self.forms(of:))
    }

    /// Inputs in all: every form of every number with every region.
    public var count: Int { forms.reduce(0) { $0 + $1.count } * regions.count }

    /// The samples of example number `index`: each of its forms with each region.
    public func samples(ofExample index: Int) -> [PhoneSample] {
        forms[index].flatMap { text in regions.map { PhoneSample(text: text, region: $0) } }
    }

    static let internationalPrefixes = [
        "00", "011", "0011", "010", "001", "810", "8~10", "0010", "009", "0012",
        "119", "00 1", "1", "0",
    ]

    static func forms(of example: PhoneValidator.ExampleNumber) -> [String] {
        let international = example.international.dropFirst()
        let callingCode = String(international.prefix { $0 != " " })
        let significant = String(international.dropFirst(callingCode.count)).filter(\.isASCIIDigit)
        var forms = [
            callingCode + significant, callingCode + " " + significant, "+" + callingCode + significant,
            "+" + callingCode + "0" + significant,
        ]
        if let national = example.national {
            forms += [national, national.filter(\.isASCIIDigit), callingCode + " " + national.filter(\.isASCIIDigit)]
        }
        forms += internationalPrefixes.map { $0 + callingCode + significant }
        return forms
    }
}
