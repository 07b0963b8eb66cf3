import CPhoneNumber

/// Owns every call into libphonenumber (through the CPhoneNumber shim).
public struct PhoneValidator: Sendable {
    public enum Verdict: Sendable, Equatable {
        case valid(e164: String)
        case invalid(Reason)
    }

    public init() {}

    /// Checks `text` as a number of `region` (two letters) or, without a region, as an
    /// international number. Valid means libphonenumber's `IsValidNumber`.
    public func check(_ text: String, region: String?) -> Verdict {
        if text.isBlank { return .invalid(.phoneMissing) }
        var buffer = [CChar](repeating: 0, count: 32)
        var input = text
        let status: fm_phone_status = input.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let region {
                    return region.withCString { fm_phone_check(chars.baseAddress, chars.count, $0, &buffer, buffer.count) }
                }
                return fm_phone_check(chars.baseAddress, chars.count, nil, &buffer, buffer.count)
            }
        }
        switch status {
        case FM_PHONE_VALID:
            return .valid(e164: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        case FM_PHONE_NOT_A_NUMBER: return .invalid(.phoneNotANumber)
        case FM_PHONE_INVALID_COUNTRY_CODE: return .invalid(.phoneInvalidCountryCode)
        case FM_PHONE_TOO_SHORT: return .invalid(.phoneTooShort)
        case FM_PHONE_TOO_LONG: return .invalid(.phoneTooLong)
        case FM_PHONE_INVALID_LENGTH: return .invalid(.phoneInvalidLength)
        case FM_PHONE_NOT_ASSIGNED: return .invalid(.phoneNotAssigned)
        default: return .invalid(.phoneNotANumber)
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
}
