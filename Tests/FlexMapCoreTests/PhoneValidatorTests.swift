import FlexMapCore
import Testing

/// Verdicts checked by hand against the PyPI package phonenumbers==8.12.57 (the same
/// metadata as Debian's libphonenumber 8.12.57), asserted for both engines.
@Suite struct PhoneValidatorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        let region: String?
        let expected: PhoneValidator.Verdict
        var testDescription: String { "\(text) [\(region ?? "nil")]" }

        init(_ text: String, _ region: String?, _ e164: String) {
            self.text = text
            self.region = region
            self.expected = .valid(e164: e164)
        }

        init(_ text: String, _ region: String?, invalid reason: Reason) {
            self.text = text
            self.region = region
            self.expected = .invalid(reason)
        }
    }

    static let validNumbers: [Case] = [
        Case("020 7946 0018", "GB", "+442079460018"),
        Case("+44 20 7946 0018", nil, "+442079460018"),
        Case("+44 7911 123456", nil, "+447911123456"),
        Case("(650) 253-0000", "US", "+16502530000"),
        Case("650.253.0000", "US", "+16502530000"),
        Case("+1 650-253-0000", "DE", "+16502530000"),
        Case("030 123456", "DE", "+4930123456"),
        Case("06 12 34 56 78", "FR", "+33612345678"),
        Case("+33 6 12 34 56 78", nil, "+33612345678"),
        // Italy keeps the leading zero of fixed lines in the national number.
        Case("02 1234 5678", "IT", "+390212345678"),
        Case("+39 02 1234 5678", nil, "+390212345678"),
        Case("3123456789", "IT", "+393123456789"),
        Case("03-1234-5678", "JP", "+81312345678"),
        Case("+81 90 1234 5678", nil, "+819012345678"),
        Case("(11) 91234-5678", "BR", "+5511912345678"),
        Case("98765 43210", "IN", "+919876543210"),
        Case("0412 345 678", "AU", "+61412345678"),
        Case("8 (912) 345-67-89", "RU", "+79123456789"),
        // Calling codes shared by several regions: the region comes from leading digits.
        Case("+1 242 359 1234", nil, "+12423591234"),
        Case("+1 684 733 1234", nil, "+16847331234"),
        Case("+47 51 23 45 67", nil, "+4751234567"),
        Case("+262 269 61 23 45", nil, "+262269612345"),
        Case("+262 692 12 34 56", nil, "+262692123456"),
        Case("+590 590 27 12 34", nil, "+590590271234"),
        Case("+290 22158", nil, "+29022158"),
        // Non-geographical entities.
        Case("+800 1234 5678", nil, "+80012345678"),
        Case("+979 123456789", nil, "+979123456789"),
        // International prefixes, and a calling code written without its plus.
        Case("0044 20 7946 0018", "DE", "+442079460018"),
        Case("011 44 20 7946 0018", "US", "+442079460018"),
        Case("0039 06 1234 5678", "FR", "+390612345678"),
        Case("44 20 7946 0018", "GB", "+442079460018"),
        // Extensions are dropped from E.164; letters are keypad digits.
        Case("020 7946 0018 ext. 123", "GB", "+442079460018"),
        Case("+1 (650) 253-0000 x45", "US", "+16502530000"),
        Case("1-800-FLOWERS", "US", "+18003569377"),
        Case("tel:+1-650-253-0000", nil, "+16502530000"),
        Case("＋４４ ２０ ７９４６ ００１８", nil, "+442079460018"),
        Case("+44 20 7946 0018", "ZZ", "+442079460018"),
    ]

    static let invalidNumbers: [Case] = [
        Case("", "US", invalid: .phoneMissing),
        Case("   ", "US", invalid: .phoneMissing),
        Case("hello", "US", invalid: .phoneNotANumber),
        Case("n/a", "US", invalid: .phoneNotANumber),
        Case("1", "US", invalid: .phoneNotANumber),
        Case("+999 1234 5678", nil, invalid: .phoneInvalidCountryCode),
        Case("020 7946 0018", nil, invalid: .phoneInvalidCountryCode),
        Case("020 7946 0018", "ZZ", invalid: .phoneInvalidCountryCode),
        Case("12", "US", invalid: .phoneTooShort),
        Case("123", "GB", invalid: .phoneTooShort),
        Case("+44 1", "GB", invalid: .phoneTooShort),  // Parse: TOO_SHORT_NSN
        Case("00", "GB", invalid: .phoneTooShort),  // Parse: TOO_SHORT_AFTER_IDD
        Case("+1 65025300", nil, invalid: .phoneTooShort),
        Case("0207946001823456789", "GB", invalid: .phoneTooLong),  // Parse: TOO_LONG_NSN
        Case("(201) 555-01234", "US", invalid: .phoneTooLong),
        Case("+1 6502530000000", nil, invalid: .phoneTooLong),
        Case("+65 222222222", nil, invalid: .phoneInvalidLength),
        Case("6123 45678", "SG", invalid: .phoneInvalidLength),
        Case("+41 22 222 22 22 2", nil, invalid: .phoneInvalidLength),
        Case("+1 200 555 0123", nil, invalid: .phoneNotAssigned),
        Case("555-0123", "US", invalid: .phoneNotAssigned),  // possible only locally
        Case("07946 0018", "GB", invalid: .phoneNotAssigned),
        Case("+290 8 1234", nil, invalid: .phoneNotAssigned),
        Case("+882 3421 2345", nil, invalid: .phoneNotAssigned),
        Case("+1 9999999999", nil, invalid: .phoneNotAssigned),
    ]

    @Test(arguments: validNumbers, PhoneValidator.Engine.allCases)
    func validNumberGivesE164(_ example: Case, engine: PhoneValidator.Engine) {
        #expect(PhoneValidator(engine: engine).check(example.text, region: example.region) == example.expected)
    }

    @Test(arguments: invalidNumbers, PhoneValidator.Engine.allCases)
    func invalidNumberGivesReason(_ example: Case, engine: PhoneValidator.Engine) {
        #expect(PhoneValidator(engine: engine).check(example.text, region: example.region) == example.expected)
    }

    @Test func everyInvalidReasonIsCovered() {
        let covered = Set(
            Self.invalidNumbers.compactMap { example -> Reason? in
                if case .invalid(let reason) = example.expected { return reason }
                return nil
            })
        #expect(covered == Set(Reason.allCases.filter { $0.kind == .invalidPhone }))
    }

    @Test(arguments: PhoneValidator.Engine.allCases)
    func regionDecidesNationalNumbers(_ engine: PhoneValidator.Engine) {
        let validator = PhoneValidator(engine: engine)
        // The same digits are a valid number of one region, not of another, and no
        // number without a region unless written internationally.
        #expect(validator.check("020 7946 0018", region: "GB") == .valid(e164: "+442079460018"))
        #expect(validator.check("020 7946 0018", region: nil) == .invalid(.phoneInvalidCountryCode))
        #expect(validator.check("020 7946 0018", region: "US") != .valid(e164: "+442079460018"))
        // A number written internationally keeps its own country whatever the region.
        for region in [nil, "GB", "US", "JP"] {
            #expect(validator.check("+44 20 7946 0018", region: region) == .valid(e164: "+442079460018"))
        }
    }

    @Test func supportedRegions() {
        #expect(PhoneValidator.supportedRegions.count > 240)
        for region in ["US", "GB", "DE", "FR", "IT", "JP", "BR", "IN", "AU", "GG", "AX", "TA"] {
            #expect(PhoneValidator.isSupportedRegion(region), "\(region)")
        }
        for region in ["ZZ", "001", "", "gb", "USA", "XX", "EU"] {
            #expect(!PhoneValidator.isSupportedRegion(region), "\(region)")
        }
    }

    @Test func everyRegionHasValidExampleNumbers() {
        let fast = PhoneValidator(engine: .fast)
        for region in PhoneValidator.supportedRegions.sorted() {
            let examples = PhoneValidator.exampleNumbers(region: region)
            #expect(!examples.isEmpty, "\(region)")
            for example in examples {
                guard case .valid(let e164) = fast.check(example.international, region: nil) else {
                    Issue.record("\(region) example \(example.international) is not valid")
                    continue
                }
                if let national = example.national {
                    #expect(fast.check(national, region: region) == .valid(e164: e164), "\(region) \(national)")
                }
            }
        }
        #expect(!PhoneValidator.exampleNumbers(region: "001").isEmpty)
        #expect(PhoneValidator.exampleNumbers(region: "XX").isEmpty)
    }
}
