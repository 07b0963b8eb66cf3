// Thin extern "C" shim over libphonenumber. Every C++ exception is caught here.
#include "fm_phone.h"

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

} // namespace

extern "C" fm_phone_status fm_phone_check(const char *number, size_t length, const char *region,
                                          char *e164, size_t e164_capacity) {
    try {
        const PhoneNumberUtil &phoneUtil = util();
        PhoneNumber parsed;
        std::string input(number, length);
        std::string regionCode = region ? std::string(region) : std::string("ZZ");
        PhoneNumberUtil::ErrorType error = phoneUtil.Parse(input, regionCode, &parsed);
        if (error != PhoneNumberUtil::NO_PARSING_ERROR) return fromParseError(error);
        if (!phoneUtil.IsValidNumber(parsed)) {
            // Only an invalid number pays for the reason.
            return fromPossibility(phoneUtil.IsPossibleNumberWithReason(parsed));
        }
        std::string formatted;
        phoneUtil.Format(parsed, PhoneNumberUtil::E164, &formatted);
        if (formatted.size() + 1 > e164_capacity) return FM_PHONE_INTERNAL_ERROR;
        std::memcpy(e164, formatted.c_str(), formatted.size() + 1);
        return FM_PHONE_VALID;
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
