/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the reader of the UN fatalities dataset
 * (src/modules/fatalities/import.c) behind `pko import fatalities` and
 * POST /api/v1/fatalities/import. The input is a CSV file: its first
 * record goes to fatalities_csv_header(), every later record (up to 64) to
 * fatalities_parse_row() with the columns the header found. Invariants
 * (abort() on violation): the header is accepted with every required
 * column found at a distinct position within the record, or refused with
 * PKO_EINVAL; a row parses into an object that fatalities_validate()
 * accepts again (date not after "today", categories and incident types of
 * the register's vocabularies, a weapon never set, an upper-case mission
 * acronym of 1..32 characters), or fails with PKO_EINVAL naming a CSV
 * column or a register field, leaving nothing half-parsed to use.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/fatalities/import.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_fatalities_csv: invariant failed at %s:%d: %s\n", __FILE__,      \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int fz_named(const char *f)
{
    static const char *const register_fields[] = {
        "incident_date", "casualty_type", "person_category",  "incident_type", "weapon",
        "gender",        "nationality",   "nationality_name", "notes",         "incident_id"};
    if (!f)
        return 0;
    for (int i = 0; i < FATALITIES_CSV_COLUMNS; i++)
        if (strcmp(f, fatalities_csv_columns[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof(register_fields) / sizeof(register_fields[0]); i++)
        if (strcmp(f, register_fields[i]) == 0)
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
    bool eof = false;
    pko_err err;
    pko_err_clear(&err);
    int idx[FATALITIES_CSV_COLUMNS];
    if (pko_csv_next(c, &eof, &err) || eof) {
        pko_csv_close(c);
        return 0;
    }
    size_t nf = pko_csv_nfields(c);
    const char *names[PKO_CSV_MAX_FIELDS];
    for (size_t i = 0; i < nf; i++)
        names[i] = pko_csv_field(c, i);
    pko_rc rc = fatalities_csv_header(names, nf, idx, &err);
    if (rc) {
        CHECK(rc == PKO_EINVAL && err.msg[0]);
        pko_csv_close(c);
        return 0;
    }
    for (int a = 0; a < FATALITIES_CSV_COLUMNS; a++) {
        CHECK(idx[a] >= -1 && idx[a] < (int)nf);
        for (int b = a + 1; b < FATALITIES_CSV_COLUMNS; b++)
            CHECK(idx[a] < 0 || idx[a] != idx[b]);
    }
    CHECK(idx[0] >= 0 && idx[1] >= 0 && idx[2] >= 0 && idx[3] >= 0 && idx[6] >= 0 && idx[7] >= 0);
    for (int n = 0; n < 64; n++) {
        pko_err_clear(&err);
        rc = pko_csv_next(c, &eof, &err);
        if (rc == PKO_ETOOBIG || (!rc && eof))
            break;
        if (rc)
            continue;
        const char *v[FATALITIES_CSV_COLUMNS];
        for (int i = 0; i < FATALITIES_CSV_COLUMNS; i++)
            v[i] = idx[i] >= 0 ? pko_csv_field(c, (size_t)idx[i]) : "";
        json_t *f = json_object();
        const char *field = NULL;
        pko_err_clear(&err);
        rc = fatalities_parse_row(v, "2026-01-01", f, &field, &err);
        if (rc) {
            CHECK(rc == PKO_EINVAL && err.msg[0] && fz_named(field));
            json_decref(f);
            continue;
        }
        const char *acr = json_string_value(json_object_get(f, "mission_acronym"));
        CHECK(acr && strlen(acr) >= 1 && strlen(acr) <= 32);
        for (const char *p = acr; *p; p++)
            CHECK(!(*p >= 'a' && *p <= 'z') && *p != ' ');
        CHECK(json_is_null(json_object_get(f, "weapon")));
        CHECK(strcmp(json_string_value(json_object_get(f, "incident_date")), "2026-01-01") <= 0);
        json_object_del(f, "mission_acronym");
        pko_err_clear(&err);
        CHECK(fatalities_validate(f, "2026-01-01", &err) == PKO_OK);
        json_decref(f);
    }
    pko_csv_close(c);
    return 0;
}
