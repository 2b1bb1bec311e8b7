/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the streaming CSV reader (src/core/csv.c) that every
 * import goes through. The first input byte picks the encoding (UTF-8 or
 * Windows-1252); the rest is the file. Invariants (abort() on violation):
 * every record ends in at most one error and the reader always makes
 * progress (each call consumes input or reports end of file); fields are
 * NUL-terminated, valid UTF-8 with no embedded NUL; the field count never
 * exceeds PKO_CSV_MAX_FIELDS; line numbers never decrease.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "core/csv.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_csv: invariant failed at %s:%d: %s\n", __FILE__, __LINE__,       \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int fz_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    pko_csv_encoding enc = (data[0] & 1) ? PKO_CSV_CP1252 : PKO_CSV_UTF8;
    pko_csv *c = pko_csv_open_mem((const char *)data + 1, size - 1, enc);
    long last_line = 0;
    for (int guard = 0; guard < 100000; guard++) {
        pko_err e;
        pko_err_clear(&e);
        bool eof = false;
        size_t before = pko_csv_offset(c);
        pko_rc rc = pko_csv_next(c, &eof, &e);
        CHECK(rc == PKO_OK || rc == PKO_EINVAL || rc == PKO_ETOOBIG);
        if (rc == PKO_OK && eof)
            break;
        CHECK(pko_csv_offset(c) > before);
        CHECK(pko_csv_line(c) >= last_line);
        last_line = pko_csv_line(c);
        if (rc == PKO_ETOOBIG)
            break;
        if (rc != PKO_OK) {
            CHECK(strstr(e.msg, "line ") != NULL);
            continue;
        }
        CHECK(pko_csv_nfields(c) >= 1 && pko_csv_nfields(c) <= PKO_CSV_MAX_FIELDS);
        for (size_t i = 0; i < pko_csv_nfields(c); i++) {
            const char *f = pko_csv_field(c, i);
            CHECK(fz_utf8_ok((const unsigned char *)f, strlen(f)));
        }
    }
    pko_csv_close(c);
    return 0;
}
