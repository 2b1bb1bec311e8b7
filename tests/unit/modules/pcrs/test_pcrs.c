/* Unit tests for src/modules/pcrs: reference data, pledge and requirement
 * validation, the explained score, and the Hungarian algorithm against
 * brute force over all assignments of small random matrices. */
#include "test_util.h"

#include <math.h>
#include <time.h>

#include "modules/pcrs/pcrs.h"

static void test_member_states(void **state)
{
    (void)state;
    assert_int_equal(pcrs_n_member_states, 193);
    for (size_t i = 0; i < pcrs_n_member_states; i++) {
        const char *c = pcrs_member_states[i].iso3;
        assert_int_equal(strlen(c), 3);
        for (int k = 0; k < 3; k++)
            assert_true(c[k] >= 'A' && c[k] <= 'Z');
        for (size_t j = i + 1; j < pcrs_n_member_states; j++) {
            assert_string_not_equal(c, pcrs_member_states[j].iso3);
            assert_string_not_equal(pcrs_member_states[i].name, pcrs_member_states[j].name);
        }
    }
    assert_string_equal(pcrs_member_state_find("RWA")->name, "Rwanda");
    assert_string_equal(pcrs_member_state_find("SSD")->name, "South Sudan");
    assert_null(pcrs_member_state_find("TWN")); /* not a Member State */
    assert_null(pcrs_member_state_find("PSE")); /* observer State */
    assert_null(pcrs_member_state_find("XKX"));
}

static void test_unit_types(void **state)
{
    (void)state;
    static const char *const must[] = {"infantry_battalion",
                                       "quick_reaction_force_company",
                                       "formed_police_unit",
                                       "engineering_company",
                                       "level_2_hospital",
                                       "level_3_hospital",
                                       "utility_helicopter_unit",
                                       "attack_helicopter_unit",
                                       "uas_unit",
                                       "eod_cied_company",
                                       "signals_company",
                                       "transport_company",
                                       "riverine_unit",
                                       "military_observers",
                                       "staff_officers"};
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
        const pcrs_unit_type *t = pcrs_unit_type_find(must[i]);
        assert_non_null(t);
        assert_true(t->standard_strength >= 1);
        assert_non_null(t->tags[0]);
    }
    for (size_t i = 0; i < pcrs_n_unit_types; i++)
        for (size_t j = i + 1; j < pcrs_n_unit_types; j++)
            assert_string_not_equal(pcrs_unit_types[i].code, pcrs_unit_types[j].code);
    assert_true(pcrs_unit_type_has(pcrs_unit_type_find("level_3_hospital"), "surgery"));
    assert_false(pcrs_unit_type_has(pcrs_unit_type_find("signals_company"), "surgery"));
    assert_int_equal(pcrs_level_index("rapid_deployment"), 4);
    assert_int_equal(pcrs_level_index("level_4"), -1);
    assert_int_equal(pcrs_level_days(4), 60);
}

static const char *pledge_field(const char *json, int creating)
{
    static char field[128];
    json_t *v = json_loads(json, 0, NULL);
    assert_non_null(v);
    pko_err e;
    pko_err_clear(&e);
    pko_rc rc = pcrs_pledge_validate(v, creating, &e);
    json_decref(v);
    if (rc == PKO_OK)
        return NULL;
    assert_int_equal(rc, PKO_EINVAL);
    snprintf(field, sizeof(field), "%s", e.field);
    return field;
}

static void test_pledge_validation(void **state)
{
    (void)state;
    assert_null(pledge_field("{\"country\":\"RWA\",\"unit_type\":\"infantry_battalion\","
                             "\"strength\":850,\"level\":\"level_2\",\"women_share\":0.12,"
                             "\"languages\":[\"English\",\"French\"],\"caveats\":[],"
                             "\"self_sustainment\":true,\"available_from\":\"2026-01-01\","
                             "\"available_until\":\"2027-12-31\"}",
                             1));
    assert_null(pledge_field("{\"level\":\"rapid_deployment\"}", 0));
    static const struct {
        const char *json;
        int creating;
        const char *field;
    } cases[] = {
        {"{\"unit_type\":\"infantry_battalion\"}", 1, "country"},
        {"{\"country\":\"XXX\",\"unit_type\":\"infantry_battalion\"}", 1, "country"},
        {"{\"country\":\"RWA\"}", 1, "unit_type"},
        {"{\"country\":\"RWA\",\"unit_type\":\"tank_division\"}", 1, "unit_type"},
        {"{\"strength\":0}", 0, "strength"},
        {"{\"strength\":\"850\"}", 0, "strength"},
        {"{\"level\":\"level_4\"}", 0, "level"},
        {"{\"status\":\"gone\"}", 0, "status"},
        {"{\"available_from\":\"2026-02-30\"}", 0, "available_from"},
        {"{\"available_from\":\"2026-02-01\",\"available_until\":\"2026-01-01\"}", 0,
         "available_until"},
        {"{\"women_share\":1.5}", 0, "women_share"},
        {"{\"languages\":\"French\"}", 0, "languages"},
        {"{\"caveats\":[1]}", 0, "caveats"},
        {"{\"self_sustainment\":\"yes\"}", 0, "self_sustainment"},
        {"{\"colour\":\"blue\"}", 0, "colour"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *f = pledge_field(cases[i].json, cases[i].creating);
        if (!f || strcmp(f, cases[i].field) != 0)
            fail_msg("case %zu %s: field %s, expected %s", i, cases[i].json, f ? f : "(none)",
                     cases[i].field);
    }
}

static void test_requirement_validation(void **state)
{
    (void)state;
    static const char *mid = "\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\"";
    char buf[512];
    pko_err e;
    snprintf(
        buf, sizeof(buf),
        "{\"mission_id\":%s,\"unit_type\":\"level_2_hospital\",\"required_by\":\"2030-01-01\","
        "\"required_capabilities\":[\"surgery\"],\"language\":\"French\",\"women_target\":0.2}",
        mid);
    json_t *v = json_loads(buf, 0, NULL);
    pko_err_clear(&e);
    assert_int_equal(pcrs_requirement_validate(v, 1, "2026-11-23", &e), PKO_OK);
    json_decref(v);
    /* pledge_id without status filled on create */
    snprintf(buf, sizeof(buf),
             "{\"mission_id\":%s,\"unit_type\":\"level_2_hospital\",\"required_by\":"
             "\"2030-01-01\",\"pledge_id\":%s}",
             mid, mid);
    v = json_loads(buf, 0, NULL);
    pko_err_clear(&e);
    assert_int_equal(pcrs_requirement_validate(v, 1, "2026-11-23", &e), PKO_EINVAL);
    assert_string_equal(e.field, "pledge_id");
    json_decref(v);
    static const struct {
        const char *json;
        const char *field;
    } cases[] = {
        {"{\"required_by\":\"2020-01-01\"}", "required_by"}, /* in the past */
        {"{\"required_by\":\"soon\"}", "required_by"},
        {"{\"women_target\":-0.1}", "women_target"},
        {"{\"status\":\"done\"}", "status"},
        {"{\"status\":\"filled\"}", "pledge_id"},
        {"{\"required_capabilities\":[\"\"]}", "required_capabilities"},
        {"{\"unit_type\":\"navy\"}", "unit_type"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        v = json_loads(cases[i].json, 0, NULL);
        pko_err_clear(&e);
        assert_int_equal(pcrs_requirement_validate(v, 0, "2026-11-23", &e), PKO_EINVAL);
        assert_string_equal(e.field, cases[i].field);
        json_decref(v);
    }
}

static void test_score_explains_itself(void **state)
{
    (void)state;
    json_t *r = json_loads("{\"unit_type\":\"level_3_hospital\",\"required_by\":\"2027-03-01\","
                           "\"required_capabilities\":[\"surgery\",\"burns_unit\"],"
                           "\"language\":\"French\",\"women_target\":0.2}",
                           0, NULL);
    json_t *good = json_loads("{\"unit_type\":\"level_3_hospital\",\"level\":\"rapid_deployment\","
                              "\"status\":\"available\",\"languages\":[\"French\"],"
                              "\"women_share\":0.3,\"capabilities\":[\"burns_unit\"]}",
                              0, NULL);
    json_t *weak =
        json_loads("{\"unit_type\":\"level_3_hospital\",\"level\":\"registered\","
                   "\"status\":\"available\",\"languages\":[\"English\"],\"country\":\"IND\","
                   "\"women_share\":0.05,\"caveats\":[\"no night moves\"]}",
                   0, NULL);
    json_t *other = json_loads("{\"unit_type\":\"level_2_hospital\"}", 0, NULL);
    /* India already deploys three units to the mission */
    json_t *contrib = json_pack("{s:i}", "IND", 3);
    /* today 2026-12-01: RDL deploys by 2027-01-30, on time */
    json_t *sg = pcrs_score(r, good, "2026-12-01", NULL);
    json_t *sw = pcrs_score(r, weak, "2026-12-01", contrib);
    assert_non_null(sg);
    assert_non_null(sw);
    assert_null(pcrs_score(r, other, "2026-12-01", NULL));
    json_t *cg = json_object_get(sg, "components");
    assert_true(fabs(json_real_value(json_object_get(sg, "total")) - 1.0) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(cg, "time")) - 1.0) < 1e-9);
    assert_string_equal(json_string_value(json_object_get(sg, "earliest_deployment")),
                        "2027-01-30");
    json_t *cw = json_object_get(sw, "components");
    /* registered: 180 days -> 2027-05-30, 90 days late */
    assert_true(fabs(json_real_value(json_object_get(cw, "time")) - 0.5) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(cw, "capability")) - 0.5) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(cw, "language"))) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(cw, "gender")) - 0.25) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(cw, "caveats")) - 0.75) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(cw, "diversity")) - 0.25) < 1e-9);
    assert_true(json_array_size(json_object_get(sw, "reasons")) == 6);
    double expect = 0.30 * 0.5 + 0.25 * 0.5 + 0 + 0.15 * 0.25 + 0.10 * 0.75 + 0.05 * 0.25;
    assert_true(fabs(json_real_value(json_object_get(sw, "total")) - expect) < 1e-9);
    json_decref(sg);
    json_decref(sw);
    json_decref(r);
    json_decref(good);
    json_decref(weak);
    json_decref(other);
    json_decref(contrib);
}

/* Brute force: the least total over every assignment of min(n, m) pairs,
 * no row or column twice. */
static double brute(const double *c, size_t n, size_t m, size_t row, unsigned used)
{
    size_t free_cols = m - (size_t)__builtin_popcount(used);
    if (row == n || free_cols == 0)
        return 0;
    double best = INFINITY;
    if (n - row > free_cols) /* enough rows left to use every column: may skip */
        best = brute(c, n, m, row + 1, used);
    for (size_t j = 0; j < m; j++) {
        if (used & (1u << j))
            continue;
        double v = c[row * m + j] + brute(c, n, m, row + 1, used | (1u << j));
        if (v < best)
            best = v;
    }
    return best;
}

static void test_hungarian_against_brute_force(void **state)
{
    (void)state;
    srand(12345);
    for (int trial = 0; trial < 600; trial++) {
        size_t n = 1 + (size_t)(rand() % 7), m = 1 + (size_t)(rand() % 7);
        double c[49];
        for (size_t i = 0; i < n * m; i++)
            c[i] = trial % 3 == 0 ? (double)(rand() % 5) : (double)rand() / RAND_MAX * 10 - 5;
        int assign[7];
        double got = pcrs_hungarian(c, n, m, assign);
        double want = brute(c, n, m, 0, 0);
        double sum = 0;
        unsigned seen = 0;
        size_t assigned = 0;
        for (size_t i = 0; i < n; i++) {
            if (assign[i] < 0)
                continue;
            assert_true(assign[i] < (int)m);
            assert_false(seen & (1u << assign[i])); /* no column twice */
            seen |= 1u << assign[i];
            sum += c[i * m + (size_t)assign[i]];
            assigned++;
        }
        assert_int_equal(assigned, n < m ? n : m);
        assert_true(fabs(sum - got) < 1e-9);
        if (fabs(got - want) > 1e-9)
            fail_msg("trial %d (%zux%zu): hungarian %f, brute force %f", trial, n, m, got, want);
    }
    assert_true(pcrs_hungarian(NULL, 0, 0, NULL) == 0);
}

static void test_visit_validation(void **state)
{
    (void)state;
    static const char *base = "\"pledge_id\":\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\","
                              "\"visit_date\":\"2025-05-10\",\"findings\":\"ready\"";
    static const struct {
        const char *extra;
        const char *field; /* NULL: valid */
    } cases[] = {
        {"", NULL},
        {",\"level_after\":\"rapid_deployment\",\"evidence\":[\"AAV/1\"]", NULL},
        {",\"kind\":\"desk_review\",\"level_after\":\"level_1\"", NULL},
        {",\"kind\":\"desk_review\",\"level_after\":\"level_2\"", "kind"},
        {",\"kind\":\"desk_review\",\"level_after\":\"rapid_deployment\"", "kind"},
        {",\"level_after\":\"level_4\"", "level_after"},
        {",\"evidence\":[\"\"]", "evidence"},
        {",\"kind\":\"call\"", "kind"},
        {",\"x\":1", "x"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[512];
        snprintf(buf, sizeof(buf), "{%s%s}", base, cases[i].extra);
        json_t *v = json_loads(buf, 0, NULL);
        assert_non_null(v);
        pko_err e;
        pko_err_clear(&e);
        pko_rc rc = pcrs_visit_validate(v, "2026-01-01", &e);
        json_decref(v);
        if (!cases[i].field) {
            assert_int_equal(rc, PKO_OK);
        } else {
            assert_int_equal(rc, PKO_EINVAL);
            assert_string_equal(e.field, cases[i].field);
        }
    }
    json_t *future = json_loads("{\"pledge_id\":\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\","
                                "\"visit_date\":\"2026-01-02\",\"findings\":\"x\"}",
                                0, NULL);
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pcrs_visit_validate(future, "2026-01-01", &e), PKO_EINVAL);
    assert_string_equal(e.field, "visit_date");
    json_decref(future);
}

/* The engine's check: solving on a subset S of the columns with the row
 * potentials u, the answer is optimal over all columns when u_i <= c_ij for
 * every row i and every column j outside S. Random non-positive matrices
 * (the engine's costs: -score, 0 for no pair): whenever the check holds the
 * subset's optimum is the full one, and it holds and fails both often. */
static void test_dual_check_against_brute_force(void **state)
{
    (void)state;
    srand(777);
    int held = 0, failed = 0, suboptimal = 0;
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = 1 + (size_t)(rand() % 5), m = n + (size_t)(rand() % 4);
        double c[64];
        for (size_t i = 0; i < n * m; i++)
            c[i] = rand() % 4 == 0 ? 0 : -(double)(rand() % 20) / 20.0;
        /* A subset of at least n columns. */
        size_t cols[8], ns = 0;
        for (size_t j = 0; j < m; j++)
            if (rand() % 3 || m - j <= n - ns)
                cols[ns++] = j;
        if (ns < n)
            continue;
        double sub[64];
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < ns; k++)
                sub[i * ns + k] = c[i * m + cols[k]];
        int a[8], full_a[8];
        double u[8];
        double got = pcrs_hungarian_duals(sub, n, ns, a, u);
        double want = pcrs_hungarian(c, n, m, full_a);
        assert_true(fabs(want - brute(c, n, m, 0, 0)) < 1e-9);
        bool ok = true;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < m; j++) {
                bool in = false;
                for (size_t k = 0; k < ns; k++)
                    in = in || cols[k] == j;
                if (!in && u[i] > c[i * m + j] + 1e-9)
                    ok = false;
            }
        if (got > want + 1e-9)
            suboptimal++;
        if (ok) {
            held++;
            if (fabs(got - want) > 1e-9)
                fail_msg("trial %d: the check held on a subset worth %f, optimum %f", trial, got,
                         want);
        } else {
            failed++;
        }
    }
    assert_true(held > 300 && failed > 300 && suboptimal > 100);
}

/* Day numbers: the arithmetic path against the C library over 1970-2100,
 * and back through pcrs_format_day. */
static void test_day_numbers(void **state)
{
    (void)state;
    for (long day = 0; day < 47500; day += 3) {
        char s[11];
        pcrs_format_day(day, s);
        assert_int_equal(pcrs_day_number(s), day);
        struct tm t = {0};
        int y, m, d;
        assert_int_equal(sscanf(s, "%4d-%2d-%2d", &y, &m, &d), 3);
        t.tm_year = y - 1900;
        t.tm_mon = m - 1;
        t.tm_mday = d;
        t.tm_hour = 12;
        assert_int_equal((long)(timegm(&t) / 86400), day);
    }
    assert_int_equal(pcrs_day_number("2028-02-29") + 1, pcrs_day_number("2028-03-01"));
    assert_int_equal(pcrs_day_number("2027-02-31"), pcrs_day_number("2027-03-03"));
    assert_int_equal(pcrs_day_number("2027-1-01"), -1);
    assert_int_equal(pcrs_day_number(NULL), -1);
    assert_int_equal(pcrs_day_number("soon"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_states),
        cmocka_unit_test(test_unit_types),
        cmocka_unit_test(test_pledge_validation),
        cmocka_unit_test(test_requirement_validation),
        cmocka_unit_test(test_visit_validation),
        cmocka_unit_test(test_score_explains_itself),
        cmocka_unit_test(test_hungarian_against_brute_force),
        cmocka_unit_test(test_dual_check_against_brute_force),
        cmocka_unit_test(test_day_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
