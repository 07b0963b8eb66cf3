/* The floor under `flexmap replay`'s client: the least a libcurl multi loop can do per
 * request (one thread, reused easy handles, the same body and headers, no bookkeeping),
 * so bench/replay_bench.sh can show how much of the gap to wrk is libcurl's own cost.
 * Usage: curl_multi_floor URL CONCURRENCY SECONDS BODY_FILE; prints requests and seconds. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t sink(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: curl_multi_floor URL CONCURRENCY SECONDS BODY_FILE\n"); return 2; }
    const char *url = argv[1];
    int concurrency = atoi(argv[2]);
    double seconds = atof(argv[3]);
    static char body[65536];
    FILE *file = fopen(argv[4], "r");
    if (!file || !fgets(body, sizeof body, file)) { fprintf(stderr, "cannot read %s\n", argv[4]); return 1; }
    fclose(file);
    body[strcspn(body, "\n")] = 0;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)concurrency + 8);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Expect:");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "x-org-id: org_bench");
    headers = curl_slist_append(headers, "x-api-key: fmk_bench_not_a_real_key");
    headers = curl_slist_append(headers, "x-map-id: map_bench");
    for (int i = 0; i < concurrency; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_PROXY, "");
        curl_multi_add_handle(multi, easy);
    }
    long done = 0, failed = 0;
    double start = now();
    int running = 0;
    while (now() - start < seconds) {
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int queued;
        while ((message = curl_multi_info_read(multi, &queued))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            if (message->data.result != CURLE_OK) failed++;
            curl_multi_remove_handle(multi, easy);
            done++;
            curl_multi_add_handle(multi, easy);
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    double elapsed = now() - start;
    printf("JSON {\"requests\":%ld,\"failed\":%ld,\"seconds\":%.3f}\n", done, failed, elapsed);
    return 0;
}
