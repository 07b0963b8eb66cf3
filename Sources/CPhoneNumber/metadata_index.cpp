#include "metadata_index.h"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>

#include <algorithm>
#include <list>
#include <map>
#include <set>
#include <unordered_map>

// libphonenumber exports these (see `nm -D libphonenumber.so`) but the -dev package
// ships no header for them: they are the serialized PhoneMetadataCollection that
// PhoneNumberUtil's constructor parses, so reading them gives exactly its rules.
namespace i18n {
namespace phonenumbers {
int metadata_size();
const void *metadata_get();
} // namespace phonenumbers
} // namespace i18n

namespace flexmap {
namespace phone {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/// Collects distinct pattern strings and hands out their indices.
class PatternTable {
public:
    int indexOf(const std::string &pattern) {
        auto found = indices_.find(pattern);
        if (found != indices_.end()) return found->second;
        int index = static_cast<int>(patterns_.size());
        patterns_.push_back(pattern);
        indices_.emplace(pattern, index);
        return index;
    }
    std::vector<std::string> take() { return std::move(patterns_); }

private:
    std::vector<std::string> patterns_;
    std::unordered_map<std::string, int> indices_;
};

NumberDesc reduce(const PhoneNumberDesc &desc, PatternTable &table) {
    NumberDesc reduced;
    // An absent desc reads as the default instance: empty pattern, no lengths, which
    // libphonenumber's matcher treats as "never matches"; keep that meaning.
    if (!desc.national_number_pattern().empty()) reduced.pattern = table.indexOf(desc.national_number_pattern());
    reduced.hasLengths = desc.possible_length_size() > 0;
    for (int length : desc.possible_length()) {
        if (length >= 0 && length < 64) reduced.lengths |= uint64_t(1) << length;
    }
    return reduced;
}

RegionRules reduce(const std::string &region, const PhoneMetadata &metadata, PatternTable &table) {
    RegionRules rules;
    rules.region = region;
    if (metadata.has_leading_digits()) rules.leadingDigits = table.indexOf(metadata.leading_digits());
    rules.sameMobileAndFixedLine = metadata.same_mobile_and_fixed_line_pattern();
    rules.general = reduce(metadata.general_desc(), table);
    rules.premiumRate = reduce(metadata.premium_rate(), table);
    rules.tollFree = reduce(metadata.toll_free(), table);
    rules.sharedCost = reduce(metadata.shared_cost(), table);
    rules.voip = reduce(metadata.voip(), table);
    rules.personalNumber = reduce(metadata.personal_number(), table);
    rules.pager = reduce(metadata.pager(), table);
    rules.uan = reduce(metadata.uan(), table);
    rules.voicemail = reduce(metadata.voicemail(), table);
    rules.fixedLine = reduce(metadata.fixed_line(), table);
    rules.mobile = reduce(metadata.mobile(), table);
    return rules;
}

std::vector<int> patternsOf(const RegionRules &rules) {
    std::vector<int> used{rules.leadingDigits};
    for (const NumberDesc *desc : {&rules.general, &rules.premiumRate, &rules.tollFree, &rules.sharedCost,
                                   &rules.voip, &rules.personalNumber, &rules.pager, &rules.uan,
                                   &rules.voicemail, &rules.fixedLine, &rules.mobile}) {
        used.push_back(desc->pattern);
    }
    return used;
}

} // namespace

const MetadataIndex &MetadataIndex::shared() {
    static const MetadataIndex *index = new MetadataIndex();  // never destroyed: threads may outlive exit
    return *index;
}

MetadataIndex::MetadataIndex() {
    try {
        PhoneMetadataCollection collection;
        if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size())) {
            return;
        }
        std::map<std::string, const PhoneMetadata *> byRegion;
        std::map<int, const PhoneMetadata *> nonGeographical;
        for (const PhoneMetadata &metadata : collection.metadata()) {
            if (metadata.id() == "001") nonGeographical[metadata.country_code()] = &metadata;
            else byRegion[metadata.id()] = &metadata;
        }

        // The region order per calling code is the library's own (main country first,
        // then metadata order), taken from its public API rather than re-derived.
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        std::set<int> callingCodes;
        util.GetSupportedCallingCodes(&callingCodes);
        PatternTable table;
        byCallingCode_.resize(1000);
        for (int callingCode : callingCodes) {
            if (callingCode <= 0 || callingCode >= 1000) continue;
            CallingCodeRules &rules = byCallingCode_[callingCode];
            std::list<std::string> regions;
            util.GetRegionCodesForCountryCallingCode(callingCode, &regions);
            for (const std::string &region : regions) {
                const PhoneMetadata *metadata = nullptr;
                if (region == "001") {
                    auto found = nonGeographical.find(callingCode);
                    if (found != nonGeographical.end()) metadata = found->second;
                } else {
                    auto found = byRegion.find(region);
                    if (found != byRegion.end()) metadata = found->second;
                }
                if (!metadata || metadata->country_code() != callingCode) {
                    rules.useLibrary = true;
                    continue;
                }
                rules.regions.push_back(reduce(region, *metadata, table));
            }
            // The library looks up a shared calling code's regions by region code, which
            // finds no metadata for "001"; no calling code does that, but if one did,
            // leave it to the library rather than guess.
            if (regions.size() > 1 && std::find(regions.begin(), regions.end(), "001") != regions.end()) {
                rules.useLibrary = true;
            }
        }
        patterns_ = table.take();

        // Every pattern must compile in RE2 (libphonenumber itself uses ICU here); a
        // calling code with one that does not stays with the library.
        std::vector<bool> compiles(patterns_.size());
        RE2::Options options;
        options.set_log_errors(false);
        for (size_t i = 0; i < patterns_.size(); i++) compiles[i] = RE2(patterns_[i], options).ok();
        for (CallingCodeRules &rules : byCallingCode_) {
            for (const RegionRules &region : rules.regions) {
                for (int pattern : patternsOf(region)) {
                    if (pattern >= 0 && !compiles[pattern]) rules.useLibrary = true;
                }
            }
        }
        usable_ = true;
    } catch (...) {
        usable_ = false;
    }
}

} // namespace phone
} // namespace flexmap
