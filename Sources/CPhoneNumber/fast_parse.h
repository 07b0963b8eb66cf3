// libphonenumber's Parse, reproduced for plainly written numbers over MetadataIndex
// with per-thread RE2 patterns; anything else is left to the library.
#ifndef FM_FAST_PARSE_H
#define FM_FAST_PARSE_H

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>

namespace flexmap {
namespace phone {

enum class FastParse {
    parsed,      // `number` holds what PhoneNumberUtil::Parse would give
    failed,      // `error` holds the error PhoneNumberUtil::Parse would return
    unsupported  // not a case reproduced here: call PhoneNumberUtil::Parse
};

/// Exactly `PhoneNumberUtil::Parse(input, region, number)` for input made only of ASCII
/// digits, spaces and + - . ( ) / (at most 64 bytes): the characters of nearly every
/// phone field, and ones that rule out extensions, letters, RFC 3966 and non-ASCII
/// digits, so the parts of Parse left to reproduce are prefix stripping and lengths.
/// May throw (std::bad_alloc).
FastParse parseNumber(const std::string &input, const std::string &region,
                      i18n::phonenumbers::PhoneNumber *number,
                      i18n::phonenumbers::PhoneNumberUtil::ErrorType *error);

} // namespace phone
} // namespace flexmap

#endif
