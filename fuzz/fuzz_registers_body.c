/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the checks the registers apply to request bodies, on
 * any JSON value. An object goes to casevac_validate() (the CASEVAC time
 * parser and order rules) and fatalities_validate(); an array to
 * accountability_check_progression() (the stages of national proceedings).
 * Invariants (abort() on violation): results are PKO_OK or PKO_EINVAL
 * naming a field with a message; a valid CASEVAC has its times rewritten
 * to YYYY-MM-DDTHH:MM:SSZ, in order (injury <= request <= approval <=
 * lift-off <= arrival, never in the future), validates again unchanged,
 * and a status that follows its times (or cancelled before an arrival);
 * its measures are null or non-negative, and meets_* agree with the
 * 10/60/120-minute limits; a valid progression never has more convicted
 * than prosecuted, nor more prosecuted or arrested than identified.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Compiled in for coverage feedback; see fuzz_query.c. The two modules'
 * static handlers share names: the first set is renamed. */
#define h_list   acc_h_list
#define h_get    acc_h_get
#define h_create acc_h_create
#define h_update acc_h_update
#include "modules/accountability/accountability.c"
#undef h_list
#undef h_get
#undef h_create
#undef h_update
#include "modules/casevac/casevac.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_registers_body: invariant failed at %s:%d: %s\n", __FILE__,      \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define NOW 1735689600 /* 2025-01-01T00:00:00Z */

static int64_t fz_time(json_t *f, const char *k)
{
    int64_t t;
    const char *s = json_string_value(json_object_get(f, k));
    if (!s)
        return INT64_MIN;
    CHECK(strlen(s) == 20 && s[10] == 'T' && s[19] == 'Z');
    CHECK(fatalities_parse_time(s, &t));
    return t;
}

static void fz_casevac(json_t *v)
{
    json_t *f = json_deep_copy(v);
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = casevac_validate(f, NOW, &err);
    if (rc) {
        CHECK(rc == PKO_EINVAL && err.field[0] && err.msg[0]);
        json_decref(f);
        return;
    }
    int64_t t[T_N];
    for (int i = 0; i < T_N; i++) {
        t[i] = fz_time(f, time_fields[i]);
        CHECK(t[i] == INT64_MIN || t[i] <= NOW + 300);
    }
    CHECK(t[T_REQUEST] != INT64_MIN);
    CHECK(t[T_INJURY] == INT64_MIN || t[T_INJURY] <= t[T_REQUEST]);
    CHECK(t[T_APPROVAL] == INT64_MIN || t[T_APPROVAL] >= t[T_REQUEST]);
    CHECK(t[T_LIFT_OFF] == INT64_MIN ||
          (t[T_APPROVAL] != INT64_MIN && t[T_LIFT_OFF] >= t[T_APPROVAL]));
    CHECK(t[T_ARRIVAL] == INT64_MIN ||
          (t[T_LIFT_OFF] != INT64_MIN && t[T_ARRIVAL] >= t[T_LIFT_OFF]));
    const char *st = json_string_value(json_object_get(f, "status"));
    CHECK(st);
    if (strcmp(st, "cancelled") == 0)
        CHECK(t[T_ARRIVAL] == INT64_MIN);
    else
        CHECK(strcmp(st, t[T_ARRIVAL] != INT64_MIN    ? "arrived"
                         : t[T_LIFT_OFF] != INT64_MIN ? "airborne"
                         : t[T_APPROVAL] != INT64_MIN ? "approved"
                                                      : "requested") == 0);
    json_t *again = json_deep_copy(f);
    pko_err_clear(&err);
    CHECK(casevac_validate(again, NOW, &err) == PKO_OK);
    CHECK(json_equal(again, f));
    json_decref(again);
    json_t *m = casevac_measures(f);
    CHECK(json_is_object(m));
    static const char *const mins[] = {"request_to_approval",
                                       "approval_to_lift_off",
                                       "lift_off_to_arrival",
                                       "request_to_arrival",
                                       "injury_to_arrival",
                                       "first_aid",
                                       "dcr",
                                       "surgery"};
    for (size_t i = 0; i < sizeof(mins) / sizeof(mins[0]); i++) {
        json_t *x = json_object_get(m, mins[i]);
        CHECK(json_is_null(x) || (json_is_real(x) && json_real_value(x) >= 0));
    }
    static const char *const meets[] = {"meets_10", "meets_1h", "meets_2h"};
    static const char *const of[] = {"first_aid", "dcr", "surgery"};
    static const double lim[] = {10, 60, 120};
    for (int i = 0; i < 3; i++) {
        json_t *x = json_object_get(m, of[i]), *y = json_object_get(m, meets[i]);
        CHECK(json_is_null(x) == json_is_null(y));
        if (!json_is_null(x))
            CHECK(json_is_true(y) == (json_real_value(x) <= lim[i]));
    }
    json_decref(m);
    json_decref(f);
}

static void fz_progression(json_t *v)
{
    /* Only well-formed events reach the check in the module (the handler
     * validates each): keep those. */
    json_t *ev = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        const char *st = json_string_value(json_object_get(e, "stage"));
        const char *d = json_string_value(json_object_get(e, "event_date"));
        json_t *n = json_object_get(e, "individuals");
        if (fatalities_index(accountability_stages, st) >= 0 && fatalities_is_date(d) &&
            json_is_integer(n) && json_integer_value(n) >= 0 && json_integer_value(n) <= 1000)
            json_array_append(ev, e);
    }
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = accountability_check_progression(ev, "2000-01-01", &err);
    if (rc) {
        CHECK(rc == PKO_EINVAL && err.field[0] && err.msg[0]);
    } else {
        int64_t tot[S_N] = {0};
        int inv = 0;
        json_array_foreach(ev, i, e)
        {
            int st = fatalities_index(accountability_stages,
                                      json_string_value(json_object_get(e, "stage")));
            tot[st] += json_integer_value(json_object_get(e, "individuals"));
            inv += st == S_INV;
            CHECK(strcmp(json_string_value(json_object_get(e, "event_date")), "2000-01-01") >= 0);
        }
        CHECK(inv <= 1 && (inv == 1 || json_array_size(ev) == 0));
        CHECK(tot[S_CON] <= tot[S_PRO] && tot[S_PRO] <= tot[S_SUS] && tot[S_ARR] <= tot[S_SUS]);
    }
    json_decref(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        json_object_seed(1);
        once = 1;
    }
    json_error_t je;
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
    if (!v)
        return 0;
    if (json_is_object(v)) {
        fz_casevac(v);
        pko_err err;
        pko_err_clear(&err);
        json_t *f = json_deep_copy(v);
        pko_rc rc = fatalities_validate(f, "2025-01-01", &err);
        CHECK(rc == PKO_OK || (rc == PKO_EINVAL && err.field[0] && err.msg[0]));
        json_decref(f);
    } else if (json_is_array(v)) {
        fz_progression(v);
    }
    json_decref(v);
    return 0;
}
