// Thin extern "C" shim over simdjson's DOM parser: parses one document and flattens it
// into a pre-order node array that Swift walks in one pass.
#include "fm_json.h"

#include <simdjson.h>

#include <cstring>
#include <vector>

struct fm_json_parser {
    simdjson::dom::parser parser;
    std::vector<char> buffer;
    std::vector<fm_json_node> nodes;
};

namespace {

fm_json_node makeNode(fm_json_kind kind) {
    fm_json_node node;
    std::memset(&node, 0, sizeof node);
    node.kind = kind;
    return node;
}

void flatten(simdjson::dom::element element, std::vector<fm_json_node> &out) {
    using simdjson::dom::element_type;
    switch (element.type()) {
    case element_type::NULL_VALUE:
        out.push_back(makeNode(FM_JSON_NULL));
        break;
    case element_type::BOOL:
        out.push_back(makeNode(bool(element) ? FM_JSON_TRUE : FM_JSON_FALSE));
        break;
    case element_type::INT64: {
        fm_json_node node = makeNode(FM_JSON_INT);
        node.int_value = int64_t(element);
        out.push_back(node);
        break;
    }
    case element_type::UINT64: {
        fm_json_node node = makeNode(FM_JSON_UINT);
        node.uint_value = uint64_t(element);
        out.push_back(node);
        break;
    }
    case element_type::DOUBLE: {
        fm_json_node node = makeNode(FM_JSON_DOUBLE);
        node.double_value = double(element);
        out.push_back(node);
        break;
    }
    case element_type::STRING: {
        std::string_view text = std::string_view(element);
        fm_json_node node = makeNode(FM_JSON_STRING);
        node.text = text.data();
        node.length = text.size();
        out.push_back(node);
        break;
    }
    case element_type::ARRAY: {
        simdjson::dom::array array = simdjson::dom::array(element);
        size_t at = out.size();
        out.push_back(makeNode(FM_JSON_ARRAY));
        uint32_t count = 0;
        for (simdjson::dom::element child : array) {
            flatten(child, out);
            count++;
        }
        out[at].count = count;
        break;
    }
    case element_type::OBJECT: {
        simdjson::dom::object object = simdjson::dom::object(element);
        size_t at = out.size();
        out.push_back(makeNode(FM_JSON_OBJECT));
        uint32_t count = 0;
        for (simdjson::dom::key_value_pair field : object) {
            fm_json_node key = makeNode(FM_JSON_KEY);
            key.text = field.key.data();
            key.length = field.key.size();
            out.push_back(key);
            flatten(field.value, out);
            count++;
        }
        out[at].count = count;
        break;
    }
    }
}

} // namespace

extern "C" fm_json_parser *fm_json_parser_new(void) {
    try {
        return new fm_json_parser();
    } catch (...) {
        return nullptr;
    }
}

extern "C" void fm_json_parser_free(fm_json_parser *parser) { delete parser; }

extern "C" int fm_json_parse(fm_json_parser *parser, const char *data, size_t length,
                             const fm_json_node **nodes, size_t *count, const char **message) {
    try {
        size_t needed = length + simdjson::SIMDJSON_PADDING;
        if (parser->buffer.size() < needed) parser->buffer.resize(needed);
        if (length > 0) std::memcpy(parser->buffer.data(), data, length);
        std::memset(parser->buffer.data() + length, 0, simdjson::SIMDJSON_PADDING);
        simdjson::dom::element root;
        simdjson::error_code error =
            parser->parser.parse(parser->buffer.data(), length, false).get(root);
        if (error) {
            *message = simdjson::error_message(error);
            return int(error);
        }
        parser->nodes.clear();
        flatten(root, parser->nodes);
        *nodes = parser->nodes.data();
        *count = parser->nodes.size();
        return 0;
    } catch (...) {
        *message = "internal error in the JSON parser";
        return 1000;
    }
}
