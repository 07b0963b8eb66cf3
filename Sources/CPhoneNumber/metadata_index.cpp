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

/// Digits and "$1"..."$9" only: what the metadata's transform rules are made of.
bool isSimpleTransformRule(const std::string &rule) {
    for (size_t i = 0; i < rule.size(); i++) {
        if (rule[i] >= '0' && rule[i] <= '9') continue;
        if (rule[i] == '$' && i + 1 < rule.size() && rule[i + 1] >= '1' && rule[i + 1] <= '9' &&
            (i + 2 == rule.size() || rule[i + 2] < '0' || rule[i + 2] > '9')) {
            i++;
            continue;
        }
        return false;
    }
    return true;
}

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

    ParseRules &parse = rules.parse;
    parse.countryCode = metadata.country_code();
    // Parse uses international_prefix() even when absent (then ""), so keep it as is.
    parse.internationalPrefix = table.indexOf(metadata.international_prefix());
    if (!metadata.national_prefix_for_parsing().empty()) {
        parse.nationalPrefixForParsing = table.indexOf(metadata.national_prefix_for_parsing());
    }
    parse.transformRule = metadata.national_prefix_transform_rule();
    parse.generalLengths.assign(metadata.general_desc().possible_length().begin(),
                                metadata.general_desc().possible_length().end());
    parse.generalLocalLengths.assign(metadata.general_desc().possible_length_local_only().begin(),
                                     metadata.general_desc().possible_length_local_only().end());
    // TestNumberLength reads the first possible length unchecked; and the transform
    // rules in the metadata are digits and "$1"/"$2" only, which is all we substitute.
    parse.useLibrary = parse.generalLengths.empty() || !isSimpleTransformRule(parse.transformRule);
    return rules;
}

/// The highest "$n" group a transform rule names (0 for none).
int highestGroup(const std::string &rule) {
    int highest = 0;
    for (size_t i = 0; i + 1 < rule.size(); i++) {
        if (rule[i] == '$' && rule[i + 1] >= '0' && rule[i + 1] <= '9') highest = std::max(highest, rule[i + 1] - '0');
    }
    return highest;
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
            rules.known = !regions.empty();
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
        for (const CallingCodeRules &rules : byCallingCode_) {
            for (const RegionRules &region : rules.regions) {
                if (region.region != "001") regions_[region.region] = &region;
            }
        }
        // Parse asks "is this a region?" of the library's region map; answer it only if
        // every region the library knows is here.
        parsable_ = regions_.size() == byRegion.size() - byRegion.count("ZZ");

        // Every pattern must compile in RE2 (libphonenumber itself uses ICU here); a
        // calling code with one that does not stays with the library.
        std::vector<bool> compiles(patterns_.size());
        std::vector<int> groups(patterns_.size());
        RE2::Options options;
        options.set_log_errors(false);
        for (size_t i = 0; i < patterns_.size(); i++) {
            RE2 compiled(patterns_[i], options);
            compiles[i] = compiled.ok();
            groups[i] = compiled.NumberOfCapturingGroups();
        }
        for (CallingCodeRules &rules : byCallingCode_) {
            for (RegionRules &region : rules.regions) {
                for (int pattern : patternsOf(region)) {
                    if (pattern >= 0 && !compiles[pattern]) rules.useLibrary = true;
                }
                ParseRules &parse = region.parse;
                for (int pattern : {parse.internationalPrefix, parse.nationalPrefixForParsing}) {
                    if (pattern >= 0 && !compiles[pattern]) parse.useLibrary = true;
                }
                // Parse captures at most two groups of the national prefix; a transform
                // rule must not name a group beyond those.
                int captured = parse.nationalPrefixForParsing >= 0 ? groups[parse.nationalPrefixForParsing] : 0;
                if (highestGroup(parse.transformRule) > std::min(captured, 2)) parse.useLibrary = true;
            }
        }
        usable_ = true;
    } catch (...) {
        usable_ = false;
    }
}

} // namespace phone
} // namespace flexmap
