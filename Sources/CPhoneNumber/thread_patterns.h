// RE2 versions of the metadata patterns, compiled once per thread.
#ifndef FM_THREAD_PATTERNS_H
#define FM_THREAD_PATTERNS_H

#include <re2/re2.h>

#include <string>

namespace flexmap {
namespace phone {

/// This thread's compiled form of MetadataIndex pattern `index`, compiled on first use.
/// One RE2 per thread because a shared RE2 guards its DFA cache with a lock, which is
/// the very contention the fast path exists to avoid.
const RE2 &threadPattern(int index);

/// RegexBasedMatcher::MatchNationalNumber (allow_prefix_match false): does all of
/// `text` match? An absent pattern (-1, an empty national_number_pattern) never does.
bool fullMatch(int pattern, const std::string &text);

/// RegExp::Consume: does a prefix of `text` match (ICU's lookingAt)? On a match, sets
/// `length` to the length of the prefix matched.
bool prefixMatch(int pattern, const std::string &text, size_t *length = nullptr);

} // namespace phone
} // namespace flexmap

#endif
