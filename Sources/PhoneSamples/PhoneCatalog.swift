import FlexMapCore

/// Every region's example numbers, read once from libphonenumber.
struct PhoneCatalog: Sendable {
    static let shared = PhoneCatalog()

    let regions: [String]
    let examples: [[PhoneValidator.ExampleNumber]]
    let nonGeographical: [PhoneValidator.ExampleNumber]

    private init() {
        let regions = PhoneValidator.supportedRegions.sorted()
        self.regions = regions
        self.examples = regions.map { PhoneValidator.exampleNumbers(region: $0) }
        self.nonGeographical = PhoneValidator.exampleNumbers(region: "001")
    }

    /// Markets weighted roughly by how often they fill a CRM export.
    static let commonMarkets: [(region: String, weight: Int)] = [
        ("US", 30), ("GB", 8), ("CA", 6), ("DE", 5), ("FR", 4), ("AU", 4), ("IN", 4), ("BR", 3), ("MX", 3),
        ("ES", 2), ("IT", 2), ("NL", 2), ("IE", 2), ("ZA", 2), ("NZ", 1), ("SE", 1), ("CH", 1), ("JP", 1),
        ("SG", 1), ("AE", 1), ("PH", 1), ("NG", 1), ("PL", 1), ("BE", 1),
    ]

    /// A common market chosen by weight, then one of its examples.
    func randomCommonExample(using random: inout SplitMix64) -> (String, PhoneValidator.ExampleNumber) {
        var ticket = Int.random(in: 0..<Self.commonMarkets.reduce(0) { $0 + $1.weight }, using: &random)
        for market in Self.commonMarkets {
            ticket -= market.weight
            if ticket < 0, let index = regions.firstIndex(of: market.region),
                let example = examples[index].randomElement(using: &random)
            {
                return (market.region, example)
            }
        }
        return randomExample(using: &random)
    }

    /// A region chosen uniformly (so every region appears), then one of its examples.
    func randomExample(using random: inout SplitMix64) -> (String, PhoneValidator.ExampleNumber) {
        while true {
            let index = Int.random(in: 0..<regions.count, using: &random)
            if let example = examples[index].randomElement(using: &random) { return (regions[index], example) }
        }
    }
}
