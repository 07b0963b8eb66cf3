// Thin extern "C" shim over libphonenumber. Every C++ exception is caught here.
#include "fm_phone.h"

#include "fast_parse.h"
#include "fast_validity.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <set>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

const PhoneNumberUtil &util() {
    static const PhoneNumberUtil *instance = PhoneNumberUtil::GetInstance();
    return *instance;
}

fm_phone_status fromParseError(PhoneNumberUtil::ErrorType error) {
    switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return FM_PHONE_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::NOT_A_NUMBER: return FM_PHONE_NOT_A_NUMBER;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return FM_PHONE_TOO_SHORT;
    case PhoneNumberUtil::TOO_SHORT_NSN: return FM_PHONE_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG_NSN: return FM_PHONE_TOO_LONG;
    default: return FM_PHONE_NOT_A_NUMBER;
    }
}

fm_phone_status fromPossibility(PhoneNumberUtil::ValidationResult result) {
    switch (result) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return FM_PHONE_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::TOO_SHORT: return FM_PHONE_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG: return FM_PHONE_TOO_LONG;
    case PhoneNumberUtil::INVALID_LENGTH: return FM_PHONE_INVALID_LENGTH;
    default: return FM_PHONE_NOT_ASSIGNED;
    }
}

/// Parses as fm_phone_check documents: true with the number in `parsed`, or false with
/// the reason in `failure`.
bool parse(const char *number, size_t length, const char *region, PhoneNumber *parsed,
           fm_phone_status *failure) {
    std::string input(number, length);
    std::string regionCode = region ? std::string(region) : std::string("ZZ");
    PhoneNumberUtil::ErrorType error = util().Parse(input, regionCode, parsed);
    if (error == PhoneNumberUtil::NO_PARSING_ERROR) return true;
    *failure = fromParseError(error);
    return false;
}

/// parse, but through the fast parser when it reproduces the library for this input.
bool fastParse(const char *number, size_t length, const char *region, PhoneNumber *parsed,
               fm_phone_status *failure) {
    std::string input(number, length);
    std::string regionCode = region ? std::string(region) : std::string("ZZ");
    PhoneNumberUtil::ErrorType error = PhoneNumberUtil::NO_PARSING_ERROR;
    switch (flexmap::phone::parseNumber(input, regionCode, parsed, &error)) {
    case flexmap::phone::FastParse::parsed: return true;
    case flexmap::phone::FastParse::failed: *failure = fromParseError(error); return false;
    case flexmap::phone::FastParse::unsupported: break;
    }
    return parse(number, length, region, parsed, failure);
}

/// The verdict once validity is known: why, for an invalid number, or its E.164 form.
fm_phone_status conclude(const PhoneNumber &parsed, bool valid, char *e164, size_t e164_capacity) {
    // Only an invalid number pays for the reason. IsPossibleNumberWithReason reads
    // possible lengths only (no regex, no lock), so both paths share it.
    if (!valid) return fromPossibility(util().IsPossibleNumberWithReason(parsed));
    std::string formatted;
    util().Format(parsed, PhoneNumberUtil::E164, &formatted);
    if (formatted.size() + 1 > e164_capacity) return FM_PHONE_INTERNAL_ERROR;
    std::memcpy(e164, formatted.c_str(), formatted.size() + 1);
    return FM_PHONE_VALID;
}

} // namespace

extern "C" fm_phone_status fm_phone_check(const char *number, size_t length, const char *region,
                                          char *e164, size_t e164_capacity) {
    try {
        PhoneNumber parsed;
        fm_phone_status failure = FM_PHONE_INTERNAL_ERROR;
        if (!fastParse(number, length, region, &parsed, &failure)) return failure;
        return conclude(parsed, flexmap::phone::isValidNumber(parsed), e164, e164_capacity);
    } catch (...) {
        return FM_PHONE_INTERNAL_ERROR;
    }
}

extern "C" fm_phone_status fm_phone_check_reference(const char *number, size_t length, const char *region,
                                                    char *e164, size_t e164_capacity) {
    try {
        PhoneNumber parsed;
        fm_phone_status failure = FM_PHONE_INTERNAL_ERROR;
        if (!parse(number, length, region, &parsed, &failure)) return failure;
        return conclude(parsed, util().IsValidNumber(parsed), e164, e164_capacity);
    } catch (...) {
        return FM_PHONE_INTERNAL_ERROR;
    }
}

extern "C" int fm_phone_is_supported_region(const char *region) {
    try {
        std::set<std::string> regions;
        util().GetSupportedRegions(&regions);
        return regions.count(std::string(region)) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" size_t fm_phone_supported_regions(char *buffer, size_t capacity) {
    try {
        std::set<std::string> regions;
        util().GetSupportedRegions(&regions);
        std::string joined;
        for (const auto &code : regions) {
            if (!joined.empty()) joined += ",";
            joined += code;
        }
        if (buffer && capacity > joined.size()) std::memcpy(buffer, joined.c_str(), joined.size() + 1);
        return joined.size() + 1;
    } catch (...) {
        return 0;
    }
}

extern "C" size_t fm_phone_examples(const char *region, char *buffer, size_t capacity) {
    try {
        const PhoneNumberUtil &phoneUtil = util();
        std::string lines;
        std::string code = region ? std::string(region) : std::string();
        auto add = [&](const PhoneNumber &number, bool national) {
            std::string nationalForm, internationalForm;
            if (national) phoneUtil.Format(number, PhoneNumberUtil::NATIONAL, &nationalForm);
            phoneUtil.Format(number, PhoneNumberUtil::INTERNATIONAL, &internationalForm);
            lines += nationalForm + '\t' + internationalForm + '\n';
        };
        if (code == "001") {
            std::set<int> callingCodes;
            phoneUtil.GetSupportedGlobalNetworkCallingCodes(&callingCodes);
            for (int callingCode : callingCodes) {
                PhoneNumber number;
                if (phoneUtil.GetExampleNumberForNonGeoEntity(callingCode, &number)) add(number, false);
            }
        } else {
            std::set<PhoneNumberUtil::PhoneNumberType> types;
            phoneUtil.GetSupportedTypesForRegion(code, &types);
            for (PhoneNumberUtil::PhoneNumberType type : types) {
                PhoneNumber number;
                if (phoneUtil.GetExampleNumberForType(code, type, &number)) add(number, true);
            }
        }
        if (buffer && capacity > lines.size()) std::memcpy(buffer, lines.c_str(), lines.size() + 1);
        return lines.size() + 1;
    } catch (...) {
        return 0;
    }
}
