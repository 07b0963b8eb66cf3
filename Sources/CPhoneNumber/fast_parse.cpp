#include "fast_parse.h"

#include "metadata_index.h"
#include "thread_patterns.h"

#include <algorithm>
#include <string>

// Each function below names the PhoneNumberUtil step it reproduces. The steps are
// those of ParseHelper with keep_raw_input false, narrowed to "plain" input: with only
// ASCII digits and + - . ( ) / and spaces, the library's extension, RFC 3966, alpha and
// Unicode digit handling cannot apply (each needs a character outside that set), which
// leaves prefix and length rules, all read from the same metadata the library uses.

namespace flexmap {
namespace phone {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using ErrorType = PhoneNumberUtil::ErrorType;
using ValidationResult = PhoneNumberUtil::ValidationResult;

namespace {

const size_t kMaxPlainLength = 64;  // far inside the library's own input limits
const size_t kMinLengthForNsn = 2;
const size_t kMaxLengthForNsn = 17;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isPlain(char c) {
    return isDigit(c) || c == ' ' || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}

/// ExtractPossibleNumber: drop what comes before the first plus or digit (the valid
/// start characters), then TrimUnwantedEndChars: drop trailing characters that are not
/// digits, letters or '#' (for plain input, every non-digit). The "second number"
/// pattern needs an 'x', so it never applies here.
std::string extractPossibleNumber(const std::string &input) {
    size_t start = 0;
    while (start < input.size() && input[start] != '+' && !isDigit(input[start])) start++;
    size_t end = input.size();
    while (end > start && !isDigit(input[end - 1])) end--;
    return input.substr(start, end - start);
}

/// IsViablePhoneNumber: the valid-phone-number pattern, "two digits, or any pluses then
/// at least three digits among punctuation". Every plain character other than '+' is
/// punctuation there, and its optional extension part needs characters plain input
/// cannot have.
bool isViable(const std::string &number) {
    if (number.size() < kMinLengthForNsn) return false;
    if (number.size() == 2 && isDigit(number[0]) && isDigit(number[1])) return true;
    size_t digits = 0;
    for (size_t i = number.find_first_not_of('+'); i < number.size(); i++) {
        if (number[i] == '+') return false;
        if (isDigit(number[i])) digits++;
    }
    return digits >= 3;
}

/// Normalize (NormalizeDigitsOnly, as plain input has no letters): keep the digits.
void normalizeDigits(std::string *number) {
    number->erase(std::remove_if(number->begin(), number->end(), [](char c) { return !isDigit(c); }),
                  number->end());
}

/// TestNumberLength for type UNKNOWN, which reads the general desc's lengths.
ValidationResult testNumberLength(const std::string &number, const ParseRules &rules) {
    const std::vector<int> &possible = rules.generalLengths;  // never empty (see ParseRules)
    if (possible.front() == -1) return PhoneNumberUtil::INVALID_LENGTH;
    int length = static_cast<int>(number.size());
    const std::vector<int> &local = rules.generalLocalLengths;
    if (std::find(local.begin(), local.end(), length) != local.end()) return PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY;
    if (possible.front() == length) return PhoneNumberUtil::IS_POSSIBLE;
    if (possible.front() > length) return PhoneNumberUtil::TOO_SHORT;
    if (possible.back() < length) return PhoneNumberUtil::TOO_LONG;
    return std::find(possible.begin() + 1, possible.end(), length) != possible.end() ? PhoneNumberUtil::IS_POSSIBLE
                                                                                      : PhoneNumberUtil::INVALID_LENGTH;
}

/// The ICU adapter's Replace of the match at the start by a "$1"-style rule (groups that
/// took no part give nothing).
std::string substitute(const std::string &rule, const re2::StringPiece *groups, int count) {
    std::string result;
    for (size_t i = 0; i < rule.size(); i++) {
        if (rule[i] == '$' && i + 1 < rule.size()) {
            int group = rule[++i] - '0';
            if (group < count) result.append(groups[group].data(), groups[group].size());
            continue;
        }
        result += rule[i];
    }
    return result;
}

/// MaybeStripNationalPrefixAndCarrierCode (the carrier code is not kept). The library
/// first asks for two capture groups (carrier code, then the part of the prefix to keep),
/// failing when the pattern has fewer, then for one; so the kept part is group 2 of a
/// pattern with two or more groups, group 1 of a pattern with one, none without groups.
void maybeStripNationalPrefix(const RegionRules &region, std::string *number) {
    const ParseRules &rules = region.parse;
    if (number->empty() || rules.nationalPrefixForParsing < 0) return;
    const RE2 &prefix = threadPattern(rules.nationalPrefixForParsing);
    int groups = prefix.NumberOfCapturingGroups();
    int count = std::min(groups, 2) + 1;
    re2::StringPiece match[3];
    bool matched = prefix.Match(*number, 0, number->size(), RE2::ANCHOR_START, match, count);
    if (!matched) return;
    bool viableOriginal = fullMatch(region.general.pattern, *number);
    size_t kept = groups >= 2 ? match[2].size() : groups == 1 ? match[1].size() : 0;
    std::string stripped;
    if (!rules.transformRule.empty() && kept > 0) {
        stripped = substitute(rules.transformRule, match, count) + number->substr(match[0].size());
    } else {
        stripped = number->substr(match[0].size());
    }
    // Keep the original if it was a possible national number and the result is not.
    if (viableOriginal && !fullMatch(region.general.pattern, stripped)) return;
    *number = stripped;
}

/// ParsePrefixAsIdd on a normalized (all digit) number.
bool parsePrefixAsIdd(int pattern, std::string *number) {
    size_t length = 0;
    if (!prefixMatch(pattern, *number, &length)) return false;
    // Calling codes never start with 0, so an IDD followed by 0 is not one.
    if (length < number->size() && (*number)[length] == '0') return false;
    number->erase(0, length);
    return true;
}

/// ExtractCountryCode: the shortest one-to-three-digit prefix the library knows.
int extractCountryCode(const MetadataIndex &index, std::string *number) {
    if (number->empty() || (*number)[0] == '0') return 0;
    for (size_t length = 1; length <= 3; length++) {
        int callingCode = std::stoi(number->substr(0, length));
        if (index.isKnownCallingCode(callingCode)) {
            number->erase(0, length);
            return callingCode;
        }
    }
    return 0;
}

/// MaybeExtractCountryCode (with MaybeStripInternationalPrefixAndNormalize): leaves
/// `number` normalized and sets `callingCode` (0 when the number has none of its own),
/// or returns the library's error.
ErrorType maybeExtractCountryCode(const MetadataIndex &index, const RegionRules *defaultRegion,
                                  std::string *number, int *callingCode) {
    bool international = false;
    if ((*number)[0] == '+') {
        number->erase(0, number->find_first_not_of('+'));
        normalizeDigits(number);
        international = true;
    } else {
        normalizeDigits(number);
        // Without a default region the library's IDD pattern is "NonMatch".
        international = defaultRegion && parsePrefixAsIdd(defaultRegion->parse.internationalPrefix, number);
    }
    if (international) {
        if (number->size() <= kMinLengthForNsn) return PhoneNumberUtil::TOO_SHORT_AFTER_IDD;
        int extracted = extractCountryCode(index, number);
        if (extracted == 0) return PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR;
        *callingCode = extracted;
        return PhoneNumberUtil::NO_PARSING_ERROR;
    }
    if (defaultRegion) {
        // The default region's calling code written without a plus: take it off when
        // that turns a number the region's general pattern rejects into one it accepts,
        // or when the number is too long with it.
        const ParseRules &rules = defaultRegion->parse;
        std::string prefix = std::to_string(rules.countryCode);
        if (number->compare(0, prefix.size(), prefix) == 0) {
            std::string potential = number->substr(prefix.size());
            maybeStripNationalPrefix(*defaultRegion, &potential);
            int general = defaultRegion->general.pattern;
            if ((!fullMatch(general, *number) && fullMatch(general, potential)) ||
                testNumberLength(*number, rules) == PhoneNumberUtil::TOO_LONG) {
                *number = potential;
                *callingCode = rules.countryCode;
                return PhoneNumberUtil::NO_PARSING_ERROR;
            }
        }
    }
    *callingCode = 0;
    return PhoneNumberUtil::NO_PARSING_ERROR;
}

/// SetItalianLeadingZerosForPhoneNumber.
void setItalianLeadingZeros(const std::string &nationalNumber, PhoneNumber *number) {
    if (nationalNumber.size() > 1 && nationalNumber[0] == '0') {
        number->set_italian_leading_zero(true);
        size_t zeros = 1;
        // An all-zero number keeps its last zero as the number itself.
        while (zeros < nationalNumber.size() - 1 && nationalNumber[zeros] == '0') zeros++;
        if (zeros != 1) number->set_number_of_leading_zeros(static_cast<int32_t>(zeros));
    }
}

FastParse fail(ErrorType reason, ErrorType *error) {
    *error = reason;
    return FastParse::failed;
}

} // namespace

FastParse parseNumber(const std::string &input, const std::string &region, PhoneNumber *number, ErrorType *error) {
    const MetadataIndex &index = MetadataIndex::shared();
    if (!index.parsable() || input.size() > kMaxPlainLength) return FastParse::unsupported;
    if (!std::all_of(input.begin(), input.end(), isPlain)) return FastParse::unsupported;

    // BuildNationalNumberForParsing (no ";phone-context=" or ";isub=" possible).
    std::string extracted = extractPossibleNumber(input);
    if (!isViable(extracted)) return fail(PhoneNumberUtil::NOT_A_NUMBER, error);
    // CheckRegionForParsing: without a known region, only a number starting with + will do.
    const RegionRules *defaultRegion = index.region(region);
    if (!defaultRegion && extracted[0] != '+') return fail(PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR, error);
    if (defaultRegion && defaultRegion->parse.useLibrary) return FastParse::unsupported;

    std::string normalized = extracted;
    int callingCode = 0;
    ErrorType status = maybeExtractCountryCode(index, defaultRegion, &normalized, &callingCode);
    if (status != PhoneNumberUtil::NO_PARSING_ERROR) {
        if (status != PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR || extracted[0] != '+') return fail(status, error);
        // The library strips the plus and tries once more, heeding only whether that
        // found a calling code, not its error.
        normalized = extracted.substr(extracted.find_first_not_of('+'));
        callingCode = 0;
        maybeExtractCountryCode(index, defaultRegion, &normalized, &callingCode);
        if (callingCode == 0) return fail(PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR, error);
    }

    // The metadata for the rest: the calling code's main region (or non-geographical
    // entity), else the default region.
    const RegionRules *countryRegion = defaultRegion;
    if (callingCode != 0) {
        const CallingCodeRules *rules = index.rulesFor(callingCode);
        if (!rules || rules->useLibrary || rules->regions.empty()) return FastParse::unsupported;
        countryRegion = &rules->regions.front();
    } else if (defaultRegion) {
        callingCode = defaultRegion->parse.countryCode;
    }
    if (normalized.size() < kMinLengthForNsn) return fail(PhoneNumberUtil::TOO_SHORT_NSN, error);
    if (countryRegion) {
        if (countryRegion->parse.useLibrary) return FastParse::unsupported;
        std::string potential = normalized;
        maybeStripNationalPrefix(*countryRegion, &potential);
        // Strip the national prefix only if what remains could be a number by length.
        ValidationResult result = testNumberLength(potential, countryRegion->parse);
        if (result != PhoneNumberUtil::TOO_SHORT && result != PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY &&
            result != PhoneNumberUtil::INVALID_LENGTH) {
            normalized = potential;
        }
    }
    if (normalized.size() < kMinLengthForNsn) return fail(PhoneNumberUtil::TOO_SHORT_NSN, error);
    if (normalized.size() > kMaxLengthForNsn) return fail(PhoneNumberUtil::TOO_LONG_NSN, error);

    PhoneNumber parsed;
    parsed.set_country_code(callingCode);
    setItalianLeadingZeros(normalized, &parsed);
    parsed.set_national_number(std::stoull(normalized));  // at most 17 digits
    number->Swap(&parsed);
    return FastParse::parsed;
}

} // namespace phone
} // namespace flexmap
