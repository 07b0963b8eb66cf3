#ifndef FM_CURL_H
#define FM_CURL_H

/* Typed wrappers over libcurl's variadic calls (curl_easy_setopt, curl_multi_setopt,
 * curl_easy_getinfo), which Swift cannot call. One wrapper per argument type; each
 * returns libcurl's own code. Nothing else: the Swift side owns every decision. */

#include <curl/curl.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef size_t (*fm_curl_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode fm_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode fm_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/* Strings, lists (curl_slist *), and context pointers. */
CURLcode fm_curl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value);
/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION. */
CURLcode fm_curl_easy_setopt_data_callback(CURL *handle, CURLoption option, fm_curl_data_callback callback);

CURLcode fm_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode fm_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode fm_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

CURLMcode fm_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/* The CURLMsg fields Swift needs (its union is awkward to read from Swift). */
typedef struct {
    int done;           /* 1 when msg == CURLMSG_DONE */
    CURL *handle;
    CURLcode result;
} fm_curl_message;

/* The next message of curl_multi_info_read, or 0 when there is none. */
int fm_curl_multi_next_message(CURLM *multi, fm_curl_message *message);

/* A timerfd on CLOCK_MONOTONIC for curl_multi_poll's extra descriptors: a scheduled
 * send wakes the loop to the microsecond, where curl_multi_poll's own timeout counts
 * whole milliseconds. fm_timer_create returns -1 (errno set) on failure. */
int fm_timer_create(void);
/* Fires at `monotonic_ns` (CLOCK_MONOTONIC nanoseconds); 0 disarms. Returns 0 or -1. */
int fm_timer_arm(int fd, uint64_t monotonic_ns);
/* Reads the expiry count so the descriptor stops being readable. */
void fm_timer_clear(int fd);
/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t fm_monotonic_ns(void);

#ifdef __cplusplus
}
#endif

#endif
