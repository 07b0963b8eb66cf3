// The validity and parsing rules of libphonenumber's compiled-in metadata, copied once into
// plain immutable tables so many threads can read them without any lock.
#ifndef FM_METADATA_INDEX_H
#define FM_METADATA_INDEX_H

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace flexmap {
namespace phone {

/// One PhoneNumberDesc, reduced to what IsNumberMatchingDesc reads.
struct NumberDesc {
    /// Index into MetadataIndex::patterns(), or -1 when national_number_pattern is
    /// empty (libphonenumber's matcher then never matches).
    int pattern = -1;
    /// True when the desc lists possible lengths; then only those lengths can match.
    bool hasLengths = false;
    /// Bit n set when n is a possible length (lengths outside 0...63, such as the
    /// metadata's -1 for "no numbers", set no bit and so never match).
    uint64_t lengths = 0;
};

/// What Parse reads of a region's metadata.
struct ParseRules {
    int countryCode = 0;
    int internationalPrefix = -1;       // pattern index of international_prefix (maybe "")
    int nationalPrefixForParsing = -1;  // pattern index, or -1 when empty (nothing to strip)
    std::string transformRule;          // national_prefix_transform_rule, "$1"-style
    std::vector<int> generalLengths;    // general_desc possible lengths, in metadata order
    std::vector<int> generalLocalLengths;
    /// True when a rule is one the fast parser does not reproduce (a pattern RE2
    /// cannot compile, an unusual transform rule): such numbers go to the library.
    bool useLibrary = false;
};

/// The metadata of one region (or non-geographical entity) sharing a calling code.
struct RegionRules {
    std::string region;           // "GB", or "001" for a non-geographical entity
    int leadingDigits = -1;       // pattern index when the metadata has leading_digits
    bool sameMobileAndFixedLine = false;
    NumberDesc general;
    // In the order GetNumberTypeHelper tries them; any match means "not UNKNOWN".
    NumberDesc premiumRate, tollFree, sharedCost, voip, personalNumber, pager, uan, voicemail;
    NumberDesc fixedLine, mobile;
    ParseRules parse;
};

/// The regions of one country calling code, in libphonenumber's own order (its main
/// country first), as GetRegionCodesForCountryCallingCode gives them.
struct CallingCodeRules {
    std::vector<RegionRules> regions;
    /// True when a pattern did not compile in RE2 or a region had no metadata: numbers
    /// with this calling code are then checked by libphonenumber itself.
    bool useLibrary = false;
    /// True when the library maps this calling code to regions (GetRegionCodeForCountryCode
    /// gives a region, not "ZZ").
    bool known = false;
};

/// Built once from the metadata libphonenumber compiled in (the same bytes its
/// PhoneNumberUtil loads), then only read.
class MetadataIndex {
public:
    /// The process-wide index; built on first use (thread-safe static initialisation).
    static const MetadataIndex &shared();

    /// False when the metadata could not be loaded; every check then goes to the library.
    bool usable() const { return usable_; }

    /// False when the fast parser cannot tell regions apart exactly as the library
    /// does (a region's metadata was missing); every parse then goes to the library.
    bool parsable() const { return usable_ && parsable_; }

    /// The rules for a calling code, or nullptr when no region uses it.
    const CallingCodeRules *rulesFor(int callingCode) const {
        if (callingCode < 0 || callingCode >= static_cast<int>(byCallingCode_.size())) return nullptr;
        const CallingCodeRules &rules = byCallingCode_[callingCode];
        return rules.regions.empty() && !rules.useLibrary ? nullptr : &rules;
    }

    /// The rules of a geographical region ("GB"), as IsValidRegionCode and
    /// GetMetadataForRegion see it; nullptr for anything else ("001", "ZZ", "gb").
    const RegionRules *region(const std::string &code) const {
        auto found = regions_.find(code);
        return found == regions_.end() ? nullptr : found->second;
    }

    /// GetRegionCodeForCountryCode(callingCode) != "ZZ".
    bool isKnownCallingCode(int callingCode) const {
        return callingCode > 0 && callingCode < static_cast<int>(byCallingCode_.size()) &&
               byCallingCode_[callingCode].known;
    }

    /// Every distinct pattern the rules refer to, by index.
    const std::vector<std::string> &patterns() const { return patterns_; }

private:
    MetadataIndex();
    bool usable_ = false;
    bool parsable_ = false;
    std::vector<CallingCodeRules> byCallingCode_;  // indexed by calling code (1...999)
    std::vector<std::string> patterns_;
    std::unordered_map<std::string, const RegionRules *> regions_;  // geographical only
};

} // namespace phone
} // namespace flexmap

#endif
