/* SPDX-License-Identifier: MIT
 * Limited JSON parsing: see json.h. */
#include "core/json.h"

#include <string.h>

long pko_json_depth_exceeded(const char *buf, size_t len, size_t max_depth)
{
    size_t depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return (long)i;
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return -1;
}

pko_rc pko_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out, pko_err *err)
{
    *out = NULL;
    long at = pko_json_depth_exceeded(buf, len, max_depth);
    if (at >= 0) {
        if (err && err->code == PKO_OK)
            err->offset = at;
        return pko_err_set(err, PKO_EJSON, "JSON nested deeper than %zu levels at byte %ld",
                           max_depth, at);
    }
    json_error_t je;
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        /* jansson reports how many bytes it had read, one past the byte that
         * failed; report the 0-based offset of that byte. */
        long bad = je.position > 0 ? (long)je.position - 1 : 0;
        if (strstr(je.text, "end of file"))
            bad = je.position; /* ran out of input: point just past it */
        if (err && err->code == PKO_OK)
            err->offset = bad;
        return pko_err_set(err, PKO_EJSON, "malformed JSON at byte %ld (line %d, column %d): %s",
                           bad, je.line, je.column, je.text);
    }
    *out = v;
    return PKO_OK;
}

pko_rc pko_json_parse_object(const char *buf, size_t len, size_t max_depth, json_t **out,
                             pko_err *err)
{
    pko_rc rc = pko_json_parse(buf, len, max_depth, out, err);
    if (rc)
        return rc;
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        if (err && err->code == PKO_OK)
            err->offset = 0;
        return pko_err_set(err, PKO_EJSON, "request body must be a JSON object");
    }
    return PKO_OK;
}
