// libphonenumber's IsValidNumber, reproduced over MetadataIndex with RE2 patterns
// compiled once per thread, so concurrent checks share no lock.
#ifndef FM_FAST_VALIDITY_H
#define FM_FAST_VALIDITY_H

#include <phonenumbers/phonenumber.pb.h>

namespace flexmap {
namespace phone {

/// Exactly `PhoneNumberUtil::IsValidNumber(number)`: falls back to the library for a
/// calling code whose rules could not be taken over. May throw (std::bad_alloc).
bool isValidNumber(const i18n::phonenumbers::PhoneNumber &number);

} // namespace phone
} // namespace flexmap

#endif
