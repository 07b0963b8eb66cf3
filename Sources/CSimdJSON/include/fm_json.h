#ifndef FM_JSON_H
#define FM_JSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fm_json_kind {
    FM_JSON_NULL = 0,
    FM_JSON_TRUE = 1,
    FM_JSON_FALSE = 2,
    FM_JSON_INT = 3,
    FM_JSON_UINT = 4,
    FM_JSON_DOUBLE = 5,
    FM_JSON_STRING = 6,
    FM_JSON_ARRAY = 7,   // followed by `count` values
    FM_JSON_OBJECT = 8,  // followed by `count` pairs: a FM_JSON_KEY node, then its value
    FM_JSON_KEY = 9
} fm_json_kind;

/// One node of a document flattened in pre-order. Strings point into the parser's
/// memory and stay valid until the next parse with the same parser.
typedef struct fm_json_node {
    uint32_t kind;
    uint32_t count;
    const char *text;
    size_t length;
    int64_t int_value;
    uint64_t uint_value;
    double double_value;
} fm_json_node;

typedef struct fm_json_parser fm_json_parser;

/// A parser owns its buffers; use one per thread.
fm_json_parser *fm_json_parser_new(void);
void fm_json_parser_free(fm_json_parser *parser);

/// Parses `length` bytes (no padding needed: they are copied). On success returns 0 and
/// sets `nodes` / `count` to the flattened document. On failure returns simdjson's error
/// code (> 0) and sets `message` to a static description.
int fm_json_parse(fm_json_parser *parser, const char *data, size_t length,
                  const fm_json_node **nodes, size_t *count, const char **message);

#ifdef __cplusplus
}
#endif

#endif
