#include "fast_validity.h"

#include "metadata_index.h"
#include "thread_patterns.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <string>

namespace flexmap {
namespace phone {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/// PhoneNumberUtil::IsNumberMatchingDesc.
bool matches(const std::string &nsn, const NumberDesc &desc) {
    if (desc.hasLengths) {
        size_t length = nsn.size();
        if (length >= 64 || !((desc.lengths >> length) & 1)) return false;
    }
    return fullMatch(desc.pattern, nsn);
}

/// PhoneNumberUtil::GetNumberTypeHelper(...) != UNKNOWN. The library returns a type as
/// soon as one desc matches and UNKNOWN only when none does, so "any of them matches"
/// is the same answer; fixed line and mobile go first because most numbers are.
bool hasKnownType(const std::string &nsn, const RegionRules &rules) {
    if (!matches(nsn, rules.general)) return false;
    if (matches(nsn, rules.fixedLine)) return true;
    // With identical patterns the library never looks at mobile on its own.
    if (!rules.sameMobileAndFixedLine && matches(nsn, rules.mobile)) return true;
    return matches(nsn, rules.premiumRate) || matches(nsn, rules.tollFree) || matches(nsn, rules.sharedCost) ||
           matches(nsn, rules.voip) || matches(nsn, rules.personalNumber) || matches(nsn, rules.pager) ||
           matches(nsn, rules.uan) || matches(nsn, rules.voicemail);
}

/// PhoneNumberUtil::GetNationalSignificantNumber.
std::string nationalSignificantNumber(const PhoneNumber &number) {
    std::string nsn;
    if (number.italian_leading_zero()) nsn.assign(std::max(number.number_of_leading_zeros(), 0), '0');
    nsn += std::to_string(number.national_number());
    return nsn;
}

} // namespace

bool isValidNumber(const PhoneNumber &number) {
    const MetadataIndex &index = MetadataIndex::shared();
    if (!index.usable()) return PhoneNumberUtil::GetInstance()->IsValidNumber(number);
    const CallingCodeRules *rules = index.rulesFor(number.country_code());
    // No region for the calling code: the library's region is "ZZ", which has no metadata.
    if (!rules) return false;
    if (rules->useLibrary) return PhoneNumberUtil::GetInstance()->IsValidNumber(number);

    std::string nsn = nationalSignificantNumber(number);
    // GetRegionCodeForNumber: the only region, or among several the first whose
    // leading digits match the start of the number or, without leading digits, the
    // first the number has a type in. IsValidNumberForRegion then asks for a type in it.
    if (rules->regions.size() == 1) return hasKnownType(nsn, rules->regions.front());
    for (const RegionRules &region : rules->regions) {
        if (region.leadingDigits >= 0) {
            if (prefixMatch(region.leadingDigits, nsn)) return hasKnownType(nsn, region);
        } else if (hasKnownType(nsn, region)) {
            return true;
        }
    }
    return false;  // region "ZZ"
}

} // namespace phone
} // namespace flexmap
