import CPhoneNumber

/// Owns every call into libphonenumber (through the CPhoneNumber shim).
public struct PhoneValidator: Sendable {
    public enum Verdict: Sendable, Equatable {
        case valid(e164: String)
        case invalid(Reason)
    }

    /// How validity is decided; both give libphonenumber's verdicts exactly.
    public enum Engine: String, Sendable, CaseIterable {
        /// libphonenumber's Parse (for plainly written numbers) and IsValidNumber
        /// reproduced over its own metadata in per-thread RE2 patterns: about 15 times
        /// faster on one thread, and scales with threads.
        case fast
        /// libphonenumber alone: slower, and its regex cache locks out other threads.
        case reference
    }

    public let engine: Engine

    public init(engine: Engine = .fast) {
        self.engine = engine
    }

    /// Checks `text` as a number of `region` (two letters) or, without a region, as an
    /// international number. Valid means libphonenumber's `IsValidNumber`.
    public func check(_ text: String, region: String?) -> Verdict {
        if text.isBlank { return .invalid(.phoneMissing) }
        let capacity = 32  // E.164 needs at most 17 bytes with its NUL
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { e164 in
            let status = call(text, region: region, e164: e164.baseAddress!, capacity: capacity)
            switch status {
            case FM_PHONE_VALID:
                return .valid(e164: String(cString: e164.baseAddress!))
            case FM_PHONE_NOT_A_NUMBER: return .invalid(.phoneNotANumber)
            case FM_PHONE_INVALID_COUNTRY_CODE: return .invalid(.phoneInvalidCountryCode)
            case FM_PHONE_TOO_SHORT: return .invalid(.phoneTooShort)
            case FM_PHONE_TOO_LONG: return .invalid(.phoneTooLong)
            case FM_PHONE_INVALID_LENGTH: return .invalid(.phoneInvalidLength)
            case FM_PHONE_NOT_ASSIGNED: return .invalid(.phoneNotAssigned)
            default: return .invalid(.phoneNotANumber)
            }
        }
    }

    private func call(_ text: String, region: String?, e164: UnsafeMutablePointer<CChar>, capacity: Int)
        -> fm_phone_status
    {
        let check = engine == .fast ? fm_phone_check : fm_phone_check_reference
        var input = text
        return input.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                guard let region else { return check(chars.baseAddress, chars.count, nil, e164, capacity) }
                return region.withCString { check(chars.baseAddress, chars.count, $0, e164, capacity) }
            }
        }
    }

    /// The two-letter regions libphonenumber has metadata for.
    public static let supportedRegions: Set<String> = {
        let needed = fm_phone_supported_regions(nil, 0)
        var buffer = [CChar](repeating: 0, count: needed)
        _ = fm_phone_supported_regions(&buffer, needed)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Set(text.split(separator: ",").map(String.init))
    }()

    @Sendable public static func isSupportedRegion(_ region: String) -> Bool {
        supportedRegions.contains(region)
    }

    /// One of libphonenumber's example numbers, as it formats it.
    public struct ExampleNumber: Sendable, Hashable {
        /// National format ("020 7183 8750"); nil for a non-geographical entity.
        public let national: String?
        /// International format ("+44 20 7183 8750").
        public let international: String
    }

    /// libphonenumber's example numbers of `region`, one per number type it has (fixed
    /// line, mobile, toll free...); for "001", one per non-geographical calling code.
    public static func exampleNumbers(region: String) -> [ExampleNumber] {
        let needed = region.withCString { fm_phone_examples($0, nil, 0) }
        guard needed > 1 else { return [] }
        var buffer = [CChar](repeating: 0, count: needed)
        let written = region.withCString { fm_phone_examples($0, &buffer, needed) }
        guard written == needed else { return [] }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return ExampleNumber(national: parts[0].isEmpty ? nil : String(parts[0]), international: String(parts[1]))
        }
    }
}
