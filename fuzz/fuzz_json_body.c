/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: request bodies. The bytes go through the same path as a
 * POST/PATCH body in server.c (pko_json_parse_object under
 * PKO_MAX_JSON_DEPTH) and, when they parse, through the missions module's
 * validation for create and for update.
 *
 * Invariants checked (abort() on violation, so libFuzzer saves the input):
 *  - the result code is PKO_OK or PKO_EJSON and agrees with err.code;
 *  - on PKO_EJSON: *out is NULL, err.offset is within [0, len], the message
 *    is not empty; when the depth pre-check fires it is the reason and the
 *    offset is the one pko_json_depth_exceeded() reports;
 *  - on PKO_OK: the value is an object, it serialises, and the serialised
 *    text parses again under the same limits to an equal value;
 *  - missions_validate returns PKO_OK or PKO_EINVAL naming a known field,
 *    and whatever validates for create also validates for update.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/json.h"
#include "core/limits.h"
#include "modules/missions/missions.h"

/* The code under test is compiled into this target, not only linked from
 * the libraries: the build instruments the fuzz_*.c files alone for coverage
 * (-fsanitize=fuzzer), so without these includes libFuzzer would get no
 * coverage feedback from the parser and validator it is meant to explore.
 * The archive members holding the same symbols are then never pulled in.
 * Names in this file carry an fz_ prefix to stay clear of the included
 * files' statics. */
#include "core/json.c"
#include "modules/missions/missions.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_json_body: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* jansson seeds its hash function from /dev/urandom on first use; a
     * fixed seed keeps runs reproducible. */
    json_object_seed(1);
    return 0;
}

static const char *const fz_mission_fields[] = {
    "name", "acronym", "host_country", "mandate_resolution", "start_date", "status",
};

static void fz_check_validate(json_t *obj, int creating, pko_rc *out)
{
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = missions_validate(obj, creating, &err);
    CHECK(rc == PKO_OK || rc == PKO_EINVAL);
    CHECK(err.code == rc);
    if (rc == PKO_EINVAL) {
        int known = 0;
        for (size_t i = 0; i < sizeof(fz_mission_fields) / sizeof(fz_mission_fields[0]); i++)
            known |= strcmp(err.field, fz_mission_fields[i]) == 0;
        CHECK(known);
        CHECK(err.msg[0] != '\0');
    }
    *out = rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    json_t *obj = (json_t *)0x1; /* must be overwritten */
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = pko_json_parse_object(buf, size, PKO_MAX_JSON_DEPTH, &obj, &err);
    CHECK(rc == PKO_OK || rc == PKO_EJSON);
    CHECK(err.code == rc);

    long deep = pko_json_depth_exceeded(buf, size, PKO_MAX_JSON_DEPTH);
    CHECK(deep >= -1 && deep < (long)size);
    if (deep >= 0) {
        CHECK(rc == PKO_EJSON);
        CHECK(err.offset == deep);
    }

    if (rc != PKO_OK) {
        CHECK(obj == NULL);
        CHECK(err.offset >= 0 && (size_t)err.offset <= size);
        CHECK(err.msg[0] != '\0');
        return 0;
    }

    CHECK(obj != NULL);
    CHECK(json_is_object(obj));

    /* Round trip: what PKO would echo back must parse to the same value. */
    size_t dlen = 0;
    char *dump = json_dumps(obj, JSON_COMPACT);
    CHECK(dump != NULL);
    dlen = strlen(dump);
    json_t *again = NULL;
    pko_err err2;
    pko_err_clear(&err2);
    pko_rc rc2 = pko_json_parse_object(dump, dlen, PKO_MAX_JSON_DEPTH, &again, &err2);
    CHECK(rc2 == PKO_OK);
    CHECK(json_equal(obj, again));
    json_decref(again);
    json_malloc_t mf;
    json_free_t ff;
    json_get_alloc_funcs(&mf, &ff);
    ff(dump);

    pko_rc created, updated;
    fz_check_validate(obj, 1, &created);
    fz_check_validate(obj, 0, &updated);
    /* Create is the stricter of the two. */
    if (created == PKO_OK)
        CHECK(updated == PKO_OK);
    /* A body that validates for create carries a well-formed acronym. */
    if (created == PKO_OK) {
        const char *a = json_string_value(json_object_get(obj, "acronym"));
        CHECK(a != NULL);
        size_t n = strlen(a);
        CHECK(n >= 2 && n <= 16);
    }

    json_decref(obj);
    return 0;
}
