/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the CPAS import formats (src/modules/cpas/cpas_io.c):
 * the JSON document and the framework and data CSV files, then the
 * structural check. The first input byte picks the format. Invariants
 * (abort() on violation): a failure carries a message; a parsed document
 * is an object; for CSV, writing the parsed document and parsing that
 * again gives the same CSV text (the writer's output is a fixed point of
 * parse + write).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/cpas/cpas_io.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_cpas_import: invariant failed at %s:%d: %s\n", __FILE__,         \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char *fz_write(json_t *doc, bool fw, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    CHECK(f);
    if (fw)
        cpas_csv_write_framework(f, doc);
    else
        cpas_csv_write_data(f, doc);
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 3;
    const char *fmt = mode == 0 ? "json" : "csv";
    const char *what = mode == 2 ? "data" : "framework";
    json_t *doc = NULL;
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = cpas_import_parse((const char *)data + 1, size - 1, fmt, what, &doc, &err);
    if (rc) {
        CHECK(doc == NULL);
        CHECK(err.msg[0]);
        return 0;
    }
    CHECK(json_is_object(doc));
    pko_err_clear(&err);
    if (cpas_import_check(doc, &err))
        CHECK(err.msg[0] && err.field[0]);
    if (mode) {
        size_t l1, l2;
        char *w1 = fz_write(doc, mode == 1, &l1);
        json_t *doc2 = NULL;
        pko_err_clear(&err);
        CHECK(cpas_import_parse(w1, l1, "csv", what, &doc2, &err) == PKO_OK);
        char *w2 = fz_write(doc2, mode == 1, &l2);
        CHECK(l1 == l2 && !memcmp(w1, w2, l1));
        free(w1);
        free(w2);
        json_decref(doc2);
    }
    json_decref(doc);
    return 0;
}
