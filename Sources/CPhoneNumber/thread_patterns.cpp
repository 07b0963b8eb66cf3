#include "thread_patterns.h"

#include "metadata_index.h"

#include <memory>
#include <vector>

namespace flexmap {
namespace phone {

namespace {

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

} // namespace

const RE2 &threadPattern(int index) { return threadPatterns.get(index); }

bool fullMatch(int pattern, const std::string &text) {
    if (pattern < 0) return false;
    return threadPattern(pattern).Match(text, 0, text.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

bool prefixMatch(int pattern, const std::string &text, size_t *length) {
    // RE2's default (leftmost-first) semantics pick the match a backtracking engine such
    // as ICU picks, so the prefix length is the one libphonenumber consumes.
    re2::StringPiece whole;
    if (!threadPattern(pattern).Match(text, 0, text.size(), RE2::ANCHOR_START, &whole, 1)) return false;
    if (length) *length = whole.size();
    return true;
}

} // namespace phone
} // namespace flexmap
