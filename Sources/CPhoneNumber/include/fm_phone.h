#ifndef FM_PHONE_H
#define FM_PHONE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Verdicts of fm_phone_check, in the order libphonenumber reaches them.
typedef enum fm_phone_status {
    FM_PHONE_VALID = 0,
    FM_PHONE_NOT_A_NUMBER = 1,           // Parse: NOT_A_NUMBER
    FM_PHONE_INVALID_COUNTRY_CODE = 2,   // Parse or possibility: no usable country calling code
    FM_PHONE_TOO_SHORT = 3,              // Parse TOO_SHORT_NSN / TOO_SHORT_AFTER_IDD, or possibility TOO_SHORT
    FM_PHONE_TOO_LONG = 4,               // Parse TOO_LONG_NSN, or possibility TOO_LONG
    FM_PHONE_INVALID_LENGTH = 5,         // possibility INVALID_LENGTH: a length no number of the region has
    FM_PHONE_NOT_ASSIGNED = 6,           // possible length, but not in an assigned range (IsValidNumber false)
    FM_PHONE_INTERNAL_ERROR = 7          // a C++ exception was caught
} fm_phone_status;

/// Parses `number` (UTF-8, `length` bytes) with `region` (two letters, or NULL / "ZZ" for
/// none) and checks it with IsValidNumber. On FM_PHONE_VALID writes the E.164 form,
/// NUL-terminated, into `e164` (capacity `e164_capacity`, 24 bytes are always enough).
/// Thread-safe; never throws.
///
/// The fast path: Parse (for plainly written numbers: ASCII digits, spaces, + - . ( ) /)
/// and IsValidNumber reproduced over the library's own metadata with RE2 patterns
/// compiled per thread, so threads share no lock; libphonenumber's Parse for any other
/// input, and its Format and IsPossibleNumberWithReason (lock-free) for the rest. Gives
/// exactly fm_phone_check_reference's answers.
fm_phone_status fm_phone_check(const char *number, size_t length, const char *region,
                               char *e164, size_t e164_capacity);

/// The same check done wholly by libphonenumber (its regex cache takes a global lock
/// for every pattern it looks up): the reference the fast path is tested against.
fm_phone_status fm_phone_check_reference(const char *number, size_t length, const char *region,
                                         char *e164, size_t e164_capacity);

/// Writes libphonenumber's example numbers for `region` as lines "NATIONAL\tINTERNATIONAL\n"
/// (one per number type that has an example), or for "001" one line "\tINTERNATIONAL\n"
/// per non-geographical entity. Returns the length needed including the final NUL
/// (1 for an unknown region); writes only when `capacity` is enough.
size_t fm_phone_examples(const char *region, char *buffer, size_t capacity);

/// 1 when libphonenumber has metadata for this two-letter region code, else 0.
int fm_phone_is_supported_region(const char *region);

/// Writes the supported region codes as "AD,AE,..." into `buffer`; returns the length needed.
size_t fm_phone_supported_regions(char *buffer, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
