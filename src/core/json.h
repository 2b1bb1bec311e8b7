/* SPDX-License-Identifier: MIT
 *
 * Parsing untrusted JSON (RFC 8259) with jansson, behind limits: a size cap,
 * a nesting-depth cap checked before jansson sees the bytes, duplicate keys
 * refused, and errors that give the byte offset.
 */
#ifndef PKO_CORE_JSON_H
#define PKO_CORE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/* Parse 'len' bytes of 'buf' into '*out' (caller releases with json_decref).
 * Nesting deeper than 'max_depth' fails before parsing. On failure returns
 * PKO_EJSON (err->offset holds the byte offset) or PKO_ETOOBIG. */
PKO_MUST_USE pko_rc pko_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out,
                                   pko_err *err);

/* Parse a request body that must be one JSON object. */
PKO_MUST_USE pko_rc pko_json_parse_object(const char *buf, size_t len, size_t max_depth,
                                          json_t **out, pko_err *err);

/* Return the first byte offset at which 'buf' nests deeper than 'max_depth',
 * or -1 if it never does. Strings (with escapes) are skipped. */
long pko_json_depth_exceeded(const char *buf, size_t len, size_t max_depth);

#endif
