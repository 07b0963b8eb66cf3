#include "fast_validity.h"

#include "metadata_index.h"

#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace flexmap {
namespace phone {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/// This thread's compiled patterns, by MetadataIndex pattern index, compiled on first
/// use. One RE2 per thread because a shared RE2 guards its DFA cache with a lock, which
/// is the very contention this path exists to avoid.
class ThreadPatterns {
public:
    const RE2 &get(int index) {
        if (compiled_.empty()) compiled_.resize(MetadataIndex::shared().patterns().size());
        std::unique_ptr<RE2> &slot = compiled_[index];
        if (!slot) {
            RE2::Options options;
            // A library does not write to stderr. RE2's default memory budget is ample:
            // the largest metadata pattern compiles to under 600 instructions.
            options.set_log_errors(false);
            slot.reset(new RE2(MetadataIndex::shared().patterns()[index], options));
        }
        return *slot;
    }

private:
    std::vector<std::unique_ptr<RE2>> compiled_;
};

thread_local ThreadPatterns threadPatterns;

/// RegexBasedMatcher::MatchNationalNumber with allow_prefix_match false.
bool fullMatch(int pattern, const std::string &text) {
    if (pattern < 0) return false;  // empty national_number_pattern never matches
    return threadPatterns.get(pattern).Match(text, 0, text.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

/// RegExp::Consume: does a prefix of `text` match (ICU's lookingAt).
bool prefixMatch(int pattern, const std::string &text) {
    return threadPatterns.get(pattern).Match(text, 0, text.size(), RE2::ANCHOR_START, nullptr, 0);
}

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
