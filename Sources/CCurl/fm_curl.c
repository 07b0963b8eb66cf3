#include "fm_curl.h"

#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

CURLcode fm_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode fm_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode fm_curl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode fm_curl_easy_setopt_data_callback(CURL *handle, CURLoption option, fm_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode fm_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode fm_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode fm_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLMcode fm_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

int fm_curl_multi_next_message(CURLM *multi, fm_curl_message *message) {
    int queued = 0;
    CURLMsg *next = curl_multi_info_read(multi, &queued);
    if (next == NULL) return 0;
    message->done = next->msg == CURLMSG_DONE;
    message->handle = next->easy_handle;
    message->result = next->data.result;
    return 1;
}

int fm_timer_create(void) {
    return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

int fm_timer_arm(int fd, uint64_t monotonic_ns) {
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = (time_t)(monotonic_ns / 1000000000u);
    spec.it_value.tv_nsec = (long)(monotonic_ns % 1000000000u);
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

void fm_timer_clear(int fd) {
    uint64_t expirations;
    ssize_t ignored = read(fd, &expirations, sizeof expirations);
    (void)ignored;
}

uint64_t fm_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}
