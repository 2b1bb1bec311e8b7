/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the parser of the UN table of allegations
 * (src/modules/misconduct/import.c) behind `pko import misconduct` and
 * POST /api/v1/misconduct/import. The input is a CSV file; every record is
 * cut to 15 columns (missing ones empty) and given to misconduct_parse_row,
 * then what parses is validated as a new allegation. Invariants (abort() on
 * violation): parsing returns PKO_OK with an object holding mission,
 * category, personnel_type and reported_on, or PKO_EINVAL naming a column
 * of the table; validation returns PKO_OK or PKO_EINVAL naming a field;
 * counts are never negative; a parsed incident period never ends before it
 * starts unless validation refuses it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/misconduct/import.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_misconduct_csv: invariant failed at %s:%d: %s\n", __FILE__,      \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int fz_is_column(const char *f)
{
    for (int i = 0; i < 15; i++)
        if (strcmp(f, header[i]) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        json_object_seed(1);
        once = 1;
    }
    pko_csv *c = pko_csv_open_mem((const char *)data, size, PKO_CSV_UTF8);
    for (int n = 0; n < 64; n++) {
        bool eof = false;
        pko_err err;
        pko_err_clear(&err);
        pko_rc rc = pko_csv_next(c, &eof, &err);
        if (rc == PKO_ETOOBIG || (!rc && eof))
            break;
        if (rc)
            continue;
        const char *cols[15];
        for (size_t i = 0; i < 15; i++)
            cols[i] = pko_csv_field(c, i);
        json_t *f = NULL;
        pko_err_clear(&err);
        rc = misconduct_parse_row(cols, "2026-01-01", &f, &err);
        if (rc) {
            CHECK(rc == PKO_EINVAL && f == NULL && err.msg[0] && fz_is_column(err.field));
            continue;
        }
        CHECK(json_is_object(f));
        CHECK(json_is_string(json_object_get(f, "mission")));
        CHECK(json_is_string(json_object_get(f, "category")));
        CHECK(json_is_string(json_object_get(f, "personnel_type")));
        CHECK(json_is_string(json_object_get(f, "reported_on")));
        static const char *const counts[] = {"victims_adult", "victims_child",
                                             "victims_unknown_age", "personnel_count",
                                             "investigation_days"};
        for (size_t i = 0; i < 5; i++) {
            json_t *v = json_object_get(f, counts[i]);
            CHECK(!v || (json_is_integer(v) && json_integer_value(v) >= 0));
        }
        pko_err_clear(&err);
        rc = misconduct_validate(f, 1, NULL, "2026-01-01", &err);
        CHECK(rc == PKO_OK || (rc == PKO_EINVAL && err.field[0] && err.msg[0]));
        if (rc == PKO_OK) {
            const char *a = json_string_value(json_object_get(f, "incident_from"));
            const char *b = json_string_value(json_object_get(f, "incident_to"));
            CHECK(!b || a);
            CHECK(misconduct_is_partial_date(json_string_value(json_object_get(f, "reported_on"))));
        }
        json_decref(f);
    }
    pko_csv_close(c);
    return 0;
}
