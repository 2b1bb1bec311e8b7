/* Unit tests for src/modules/cpas: periods, an indicator's status against
 * its target with the reason, trend, reporting completeness, and input
 * validation naming the field. */
#include "test_util.h"

#include <math.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "modules/cpas/cpas.h"
#include "modules/missions/missions.h"

static void test_periods(void **state)
{
    (void)state;
    int f, l;
    cpas_freq k;
    assert_true(cpas_period_parse("2025-03", &f, &l, &k));
    assert_int_equal(f, 2025 * 12 + 2);
    assert_int_equal(l, f);
    assert_int_equal(k, CPAS_MONTHLY);
    assert_true(cpas_period_parse("2025-Q3", &f, &l, &k));
    assert_int_equal(f, 2025 * 12 + 6);
    assert_int_equal(l, 2025 * 12 + 8);
    assert_int_equal(k, CPAS_QUARTERLY);
    assert_true(cpas_period_parse("2025", &f, &l, &k));
    assert_int_equal(l - f, 11);
    assert_int_equal(k, CPAS_ANNUAL);
    static const char *const bad[] = {"2025-13", "2025-00", "2025-Q5", "1900", "25-01",
                                      "2025-1",  "2025-Q",  "",        "2025-03x", "abcd"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(cpas_period_parse(bad[i], &f, &l, &k));
    assert_false(cpas_period_parse(NULL, &f, &l, &k));
    char p[16];
    cpas_period_of_month(CPAS_QUARTERLY, 2025 * 12 + 10, p);
    assert_string_equal(p, "2025-Q4");
    cpas_period_of_month(CPAS_MONTHLY, 2025 * 12, p);
    assert_string_equal(p, "2025-01");
    cpas_period_of_month(CPAS_ANNUAL, 2025 * 12 + 5, p);
    assert_string_equal(p, "2025");
    assert_int_equal(cpas_freq_parse("quarterly"), CPAS_QUARTERLY);
    assert_int_equal(cpas_freq_parse("weekly"), -1);
}

static cpas_ind_out run(int dir, bool has_base, double base, const cpas_point *t, size_t nt,
                        const cpas_point *a, size_t na)
{
    cpas_ind_in in = {dir, has_base, base, 0.9, 0.6, t, nt, a, na};
    cpas_ind_out o;
    cpas_indicator_status(&in, &o);
    return o;
}

static void test_status_against_target(void **state)
{
    (void)state;
    cpas_point t[] = {{"2025-Q2", 90}, {"2025-Q4", 60}};
    /* Decrease is good: baseline 120, Q2 target 90. */
    cpas_point a1[] = {{"2025-Q2", 95}, {"2025-Q1", 100}};
    cpas_ind_out o = run(-1, true, 120, t, 2, a1, 2);
    assert_string_equal(o.status, "at_risk");
    assert_true(fabs(o.progress - 25.0 / 30.0) < 1e-12);
    assert_string_equal(o.target_period, "2025-Q2");
    assert_string_equal(o.latest_period, "2025-Q2");
    assert_true(o.has_change_last && o.change_last == -5);
    assert_string_equal(o.previous_period, "2025-Q1");
    assert_true(o.has_change_baseline && o.change_baseline == -25);
    assert_non_null(strstr(o.reason, "95"));
    assert_non_null(strstr(o.reason, "lower is better"));
    /* Reached: on track. */
    cpas_point a2[] = {{"2025-Q2", 88}};
    o = run(-1, true, 120, t, 2, a2, 1);
    assert_string_equal(o.status, "on_track");
    assert_false(o.has_change_last);
    /* Worse than baseline: off track. */
    cpas_point a3[] = {{"2025-Q2", 130}};
    o = run(-1, true, 120, t, 2, a3, 1);
    assert_string_equal(o.status, "off_track");
    assert_true(o.progress < 0);
    /* No target for Q3: the next one due (Q4) is used. */
    cpas_point a4[] = {{"2025-Q3", 70}};
    o = run(-1, true, 120, t, 2, a4, 1);
    assert_string_equal(o.target_period, "2025-Q4");
    /* (70 - 120) / (60 - 120) = 83%: below 90%, above 60%. */
    assert_string_equal(o.status, "at_risk");
    assert_true(fabs(o.progress - 50.0 / 60.0) < 1e-12);
}

static void test_status_edges(void **state)
{
    (void)state;
    cpas_ind_out o = run(1, true, 0, NULL, 0, NULL, 0);
    assert_string_equal(o.status, "no_data");
    cpas_point a[] = {{"2025-01", 10}};
    o = run(1, true, 0, NULL, 0, a, 1);
    assert_string_equal(o.status, "no_target");
    /* Target equal to baseline: met or not. */
    cpas_point t[] = {{"2025-01", 10}};
    o = run(1, true, 10, t, 1, a, 1);
    assert_string_equal(o.status, "on_track");
    cpas_point low[] = {{"2025-01", 9}};
    o = run(1, true, 10, t, 1, low, 1);
    assert_string_equal(o.status, "off_track");
    /* No baseline: progress from zero; the last target when all are past. */
    cpas_point t2[] = {{"2024-12", 40}};
    cpas_point a2[] = {{"2025-02", 30}};
    o = run(1, false, 0, t2, 1, a2, 1);
    assert_string_equal(o.target_period, "2024-12");
    assert_true(fabs(o.progress - 0.75) < 1e-12);
    assert_string_equal(o.status, "at_risk");
    assert_false(o.has_change_baseline);
    assert_non_null(strstr(o.reason, "no baseline"));
    /* Custom thresholds. */
    cpas_ind_in in = {1, false, 0, 0.7, 0.5, t2, 1, a2, 1};
    cpas_indicator_status(&in, &o);
    assert_string_equal(o.status, "on_track");
    /* Malformed periods are ignored. */
    cpas_point junk[] = {{"soon", 1}};
    o = run(1, false, 0, t2, 1, junk, 1);
    assert_string_equal(o.status, "no_data");
}

static void test_overdue(void **state)
{
    (void)state;
    int pf = 2025 * 12, pl = 2025 * 12 + 11;
    char late[16][16];
    size_t expected;
    const char *rep[] = {"2025-01", "2025-02", "2025-04"};
    size_t n = cpas_overdue(CPAS_MONTHLY, pf, pl, 2025 * 12 + 5, rep, 3, late, 16, &expected);
    assert_int_equal(expected, 5); /* Jan..May ended before June */
    assert_int_equal(n, 2);
    assert_string_equal(late[0], "2025-03");
    assert_string_equal(late[1], "2025-05");
    const char *q[] = {"2025-Q1"};
    n = cpas_overdue(CPAS_QUARTERLY, pf, pl, 2025 * 12 + 7, q, 1, late, 16, &expected);
    assert_int_equal(expected, 2);
    assert_int_equal(n, 1);
    assert_string_equal(late[0], "2025-Q2");
    /* A plan starting mid-quarter: that quarter is not the plan's. */
    n = cpas_overdue(CPAS_QUARTERLY, pf + 1, pl, 2026 * 12, NULL, 0, late, 16, &expected);
    assert_int_equal(expected, 3);
    assert_string_equal(late[0], "2025-Q2");
    /* Nothing due yet; the cap bounds what is written, not the count. */
    n = cpas_overdue(CPAS_MONTHLY, pf, pl, pf, NULL, 0, late, 16, &expected);
    assert_int_equal(n, 0);
    assert_int_equal(expected, 0);
    n = cpas_overdue(CPAS_MONTHLY, pf, pl, 2030 * 12, NULL, 0, late, 2, &expected);
    assert_int_equal(n, 12);
    assert_string_equal(late[1], "2025-02");
}

static void test_rollup(void **state)
{
    (void)state;
    cpas_rollup_in in[] = {{0.5, 1, true}, {1.5, 1, true}, {0, 0, false}, {-0.2, 2, true}};
    double p;
    size_t used, missing;
    /* 0.5 + 1 (clipped) + 0 (clipped) * 2, over weights 4. */
    assert_true(cpas_rollup(in, 4, &p, &used, &missing));
    assert_true(fabs(p - 1.5 / 4) < 1e-12);
    assert_int_equal(used, 3);
    assert_int_equal(missing, 1);
    assert_false(cpas_rollup(in + 2, 1, &p, &used, &missing));
    assert_int_equal(missing, 1);
    assert_false(cpas_rollup(NULL, 0, &p, NULL, NULL));
    cpas_rollup_in w[] = {{1, 3, true}, {0.2, 0, true}}; /* weight 0 counts as 1 */
    assert_true(cpas_rollup(w, 2, &p, NULL, NULL));
    assert_true(fabs(p - 3.2 / 4) < 1e-12);
    assert_string_equal(cpas_status_of(0.9, 0.9, 0.6), "on_track");
    assert_string_equal(cpas_status_of(0.6, 0.9, 0.6), "at_risk");
    assert_string_equal(cpas_status_of(0.59, 0.9, 0.6), "off_track");
}

static pko_rc vj(const char *json, int which, pko_err *e)
{
    json_t *v = json_loads(json, 0, NULL);
    assert_non_null(v);
    json_t *dis = json_pack("[s, s]", "sex", "age_group");
    pko_err_clear(e);
    int pf = 2025 * 12, pl = 2025 * 12 + 11;
    pko_rc rc = which == 0   ? cpas_validate_plan(v, e)
                : which == 1 ? cpas_validate_node(v, e)
                : which == 2 ? cpas_validate_indicator(v, pf, pl, e)
                : which == 3 ? cpas_validate_datapoint(v, false, dis, pf, pl, e)
                             : cpas_validate_datapoint(v, true, dis, pf, pl, e);
    json_decref(v);
    json_decref(dis);
    return rc;
}

static void test_validation(void **state)
{
    (void)state;
    pko_err e;
    assert_int_equal(vj("{\"mission_id\":\"m\",\"title\":\"t\",\"period_start\":\"2025-01\","
                        "\"period_end\":\"2025-12\"}", 0, &e), PKO_OK);
    assert_int_equal(vj("{\"level\":\"priority\",\"title\":\"t\",\"a4p\":[\"data_technology\"]}",
                        1, &e), PKO_OK);
    assert_int_equal(vj("{\"node_id\":\"n\",\"name\":\"x\",\"kind\":\"quantitative\","
                        "\"direction\":\"increase\",\"frequency\":\"monthly\","
                        "\"targets\":{\"2025-Q4\":3},\"disaggregations\":[\"sex\"]}", 2, &e),
                     PKO_OK);
    assert_int_equal(vj("{\"period\":\"2025-Q1\",\"value\":2,\"disaggregation\":{\"sex\":\"f\"}}",
                        3, &e), PKO_OK);
    assert_int_equal(vj("{\"period\":\"2025\",\"text_value\":\"better\",\"value\":3}", 4, &e),
                     PKO_OK);
    static const struct {
        const char *json;
        int which;
        const char *field;
    } cases[] = {
        {"{\"mission_id\":\"m\",\"title\":\"t\",\"period_start\":\"2025-Q1\","
         "\"period_end\":\"2025-12\"}", 0, "period_start"},
        {"{\"mission_id\":\"m\",\"title\":\"t\",\"period_start\":\"2025-05\","
         "\"period_end\":\"2025-04\"}", 0, "period_end"},
        {"{\"title\":\"t\"}", 0, "mission_id"},
        {"{\"level\":\"priority\",\"title\":\"t\",\"a4p\":[\"integration\",\"integration\"]}", 1,
         "a4p"},
        {"{\"level\":\"priority\",\"title\":\"t\",\"a4p\":\"integration\"}", 1, "a4p"},
        {"{\"level\":\"impact\",\"title\":\"t\"}", 1, "level"},
        {"{\"node_id\":\"n\",\"name\":\"x\",\"kind\":\"quantitative\",\"direction\":\"increase\","
         "\"frequency\":\"monthly\",\"targets\":{\"2024-Q4\":3}}", 2, "targets"},
        {"{\"node_id\":\"n\",\"name\":\"x\",\"kind\":\"quantitative\",\"direction\":\"increase\","
         "\"frequency\":\"monthly\",\"baseline_value\":3}", 2, "baseline_period"},
        {"{\"node_id\":\"n\",\"name\":\"x\",\"kind\":\"quantitative\",\"direction\":\"increase\","
         "\"frequency\":\"monthly\",\"disaggregations\":[\"sex\",\"sex\"]}", 2, "disaggregations"},
        {"{\"node_id\":\"n\",\"name\":\"x\",\"kind\":\"quantitative\",\"direction\":\"increase\","
         "\"frequency\":\"monthly\",\"on_track\":0}", 2, "on_track"},
        {"{\"node_id\":\"n\",\"name\":\"x\",\"kind\":\"quantitative\",\"direction\":\"increase\","
         "\"frequency\":\"monthly\",\"weight\":-1}", 2, "weight"},
        {"{\"period\":\"2026-01\",\"value\":1}", 3, "period"},
        {"{\"period\":\"2025-01\",\"value\":true}", 3, "value"},
        {"{\"period\":\"2025-01\",\"value\":1,\"disaggregation\":{\"location\":\"x\"}}", 3,
         "disaggregation"},
        {"{\"period\":\"2025-01\",\"value\":1,\"disaggregation\":{\"sex\":\"\"}}", 3,
         "disaggregation"},
        {"{\"period\":\"2025-01\",\"value\":1,\"by\":\"me\"}", 3, "by"},
        {"{\"period\":\"2025-01\",\"value\":1}", 4, "text_value"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(vj(cases[i].json, cases[i].which, &e), PKO_EINVAL);
        if (strcmp(e.field, cases[i].field))
            fail_msg("case %zu: field %s, expected %s", i, e.field, cases[i].field);
    }
}

static void test_sum_periods(void **state)
{
    (void)state;
    int y = 2025 * 12;
    int months[] = {y, y + 1, y + 1, y + 4, y + 11};
    double vals[] = {2, 3, 4, 1, 9};
    cpas_point out[12];
    /* Monthly, as of April: January 2, February 7, March 0. */
    size_t n = cpas_sum_periods(CPAS_MONTHLY, y, y + 11, y + 3, months, vals, 5, out, 12);
    assert_int_equal(n, 3);
    assert_string_equal(out[1].period, "2025-02");
    assert_true(out[1].value == 7 && out[2].value == 0);
    /* Quarterly, as of next year: Q1 9, Q2 1, Q3 0, Q4 9. */
    n = cpas_sum_periods(CPAS_QUARTERLY, y, y + 11, y + 12, months, vals, 5, out, 12);
    assert_int_equal(n, 4);
    assert_true(out[0].value == 9 && out[1].value == 1 && out[2].value == 0 && out[3].value == 9);
    /* The cap bounds what is written, not the count. */
    n = cpas_sum_periods(CPAS_MONTHLY, y, y + 11, y + 12, months, vals, 5, out, 2);
    assert_int_equal(n, 12);
}

static void test_computed_validation(void **state)
{
    (void)state;
    static const struct {
        const char *computed;
        int ok;
    } cases[] = {
        {"{\"source\":\"incidents\",\"measure\":\"count\"}", 1},
        {"{\"source\":\"incidents\",\"measure\":\"women_killed\","
         "\"where\":{\"category\":\"violence_against_civilians\",\"status\":\"published\"}}", 1},
        {"{\"source\":\"incidents\",\"measure\":\"narrative\"}", 0},
        {"{\"source\":\"sql\",\"measure\":\"count\"}", 0},
        {"{\"source\":\"incidents\",\"measure\":\"count\",\"where\":{\"reporter_id\":\"x\"}}", 0},
        {"{\"source\":\"incidents\",\"measure\":\"count\",\"where\":{\"status\":\"draft\"}}", 0},
        {"{\"source\":\"incidents\",\"measure\":\"count\",\"sql\":\"1\"}", 0},
        {"[1]", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "node_id", "n", "name", "x", "kind",
                              "quantitative", "direction", "decrease", "frequency", "monthly");
        json_object_set_new(f, "computed", json_loads(cases[i].computed, 0, NULL));
        pko_err e;
        pko_err_clear(&e);
        pko_rc rc = cpas_validate_indicator(f, 2025 * 12, 2025 * 12 + 11, &e);
        json_decref(f);
        if (cases[i].ok)
            assert_int_equal(rc, PKO_OK);
        else {
            assert_int_equal(rc, PKO_EINVAL);
            assert_string_equal(e.field, "computed");
        }
    }
}

static void test_assessments(void **state)
{
    (void)state;
    pko_err e;
    json_t *a = json_pack("{s:s, s:s, s:s, s:[s], s:s}", "plan_id", "p", "title", "t", "period",
                          "2025", "questions", "q1", "rating", "regression");
    pko_err_clear(&e);
    assert_int_equal(cpas_validate_assessment(a, &e), PKO_OK);
    json_object_set_new(a, "rating", json_string("fine"));
    pko_err_clear(&e);
    assert_int_equal(cpas_validate_assessment(a, &e), PKO_EINVAL);
    assert_string_equal(e.field, "rating");
    json_decref(a);
    json_t *r = json_pack("{s:s, s:s, s:s}", "text", "t", "owner", "o", "due_date", "2024-02-29");
    pko_err_clear(&e);
    assert_int_equal(cpas_validate_recommendation(r, &e), PKO_OK);
    json_object_set_new(r, "due_date", json_string("2025-02-29"));
    pko_err_clear(&e);
    assert_int_equal(cpas_validate_recommendation(r, &e), PKO_EINVAL);
    assert_string_equal(e.field, "due_date");
    json_object_set_new(r, "due_date", json_string("2025-02-28"));
    json_object_set_new(r, "owner", json_string(""));
    pko_err_clear(&e);
    assert_int_equal(cpas_validate_recommendation(r, &e), PKO_EINVAL);
    assert_string_equal(e.field, "owner");
    json_decref(r);
    assert_false(cpas_is_date("2025-13-01"));
    assert_false(cpas_is_date("2025/01/01"));
    assert_true(cpas_is_date("2000-02-29"));
    assert_false(cpas_is_date("1900-02-28"));
}

static void test_expressions(void **state)
{
    (void)state;
    cpas_expr e;
    pko_err err;
    pko_err_clear(&err);
    assert_int_equal(cpas_expr_parse("(I{a} + I{b_2}) / 2 - -I{a} * 3", &e, &err), PKO_OK);
    assert_int_equal(e.n_refs, 2);
    assert_string_equal(e.refs[0], "a");
    assert_string_equal(e.refs[1], "b_2");
    double vals[2] = {4, 6}, out;
    bool has[2] = {true, true};
    assert_true(cpas_expr_eval(&e, vals, has, &out));
    assert_true(fabs(out - (5 + 12)) < 1e-12);
    has[1] = false;
    assert_false(cpas_expr_eval(&e, vals, has, &out));
    assert_int_equal(cpas_expr_parse("1 / (I{a} - 4)", &e, &err), PKO_OK);
    has[0] = true;
    assert_false(cpas_expr_eval(&e, vals, has, &out)); /* division by zero: no value */
    assert_int_equal(cpas_expr_parse("2 * 3 + 4 * 1.5e1", &e, &err), PKO_OK);
    assert_true(cpas_expr_eval(&e, NULL, NULL, &out));
    assert_true(fabs(out - 66) < 1e-12);
    static const struct {
        const char *s, *words;
    } bad[] = {
        {"I{a} + killed", "unknown field killed"},
        {"#{abc}", "unknown field #"},
        {"", "empty"},
        {"I{a} +", "ends without an operand"},
        {"(I{a}", "unclosed ("},
        {"I{a})", "unmatched )"},
        {"I{a", "no closing }"},
        {"I{}", "I{code}"},
        {"I{a-b}", "I{code}"},
        {"I{a} I{b}", "expects an operator"},
        {"1..2", "malformed number"},
        {"3 % 2", "expects an operator"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pko_err_clear(&err);
        assert_int_equal(cpas_expr_parse(bad[i].s, &e, &err), PKO_EINVAL);
        assert_string_equal(err.field, "computed");
        if (!strstr(err.msg, bad[i].words))
            fail_msg("%s: %s", bad[i].s, err.msg);
    }
    assert_true(cpas_code_ok("kill_rate_2"));
    assert_false(cpas_code_ok("kill-rate"));
    assert_false(cpas_code_ok("abcdefghijklmnopqrstuvwxyz0123456"));
    /* A formula's shape is validated with its sides named. */
    json_t *ind = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:{s:s}}}", "node_id", "n",
                            "name", "rate", "kind", "quantitative", "direction", "decrease",
                            "frequency", "monthly", "computed", "source", "formula", "numerator",
                            "I{a}", "denominator", "source", "pcrs");
    pko_err_clear(&err);
    assert_int_equal(cpas_validate_indicator(ind, 0, 100000, &err), PKO_EINVAL);
    assert_string_equal(err.field, "computed");
    assert_non_null(strstr(err.msg, "computed.denominator"));
    json_decref(ind);
}

/* ---- cpas_plan_skeleton against a real store ------------------------- */

typedef struct skel_fx {
    char dir[256];
    char path[300];
    pko_store *st;
    pko_db *db;
    char mission[PKO_ID_LEN];
    pko_principal planner, analyst;
} skel_fx;

static int skel_setup(void **state)
{
    if (sodium_init() < 0)
        return -1;
    skel_fx *f = calloc(1, sizeof(*f));
    test_tmpdir(f->dir, sizeof(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true, .pool_size = 2, .busy_timeout_ms = 200};
    if (pko_store_open(f->path, &o, &f->st, &e) || pko_modules_setup(f->st, NULL, &e)) {
        fprintf(stderr, "skeleton fixture: %s\n", e.msg);
        return -1;
    }
    f->db = pko_store_acquire(f->st);
    pko_actor a = {"system", "test"};
    pko_tx *tx;
    json_t *m = json_pack("{s:s, s:s, s:s}", "name", "Test mission", "acronym", "TESTM", "status",
                          "active");
    if (pko_tx_begin(f->db, &a, &tx, &e) || pko_tx_insert(tx, &pko_entity_mission, m, f->mission, &e) ||
        pko_tx_commit(tx, &e)) {
        fprintf(stderr, "skeleton fixture: %s\n", e.msg);
        return -1;
    }
    json_decref(m);
    snprintf(f->planner.user_id, sizeof(f->planner.user_id), "planner-1");
    f->planner.grants[0].role = PKO_ROLE_PLANNER;
    snprintf(f->planner.grants[0].mission, sizeof(f->planner.grants[0].mission), "TESTM");
    f->planner.n_grants = 1;
    f->analyst = f->planner;
    f->analyst.grants[0].role = PKO_ROLE_ANALYST;
    *state = f;
    return 0;
}

static int skel_teardown(void **state)
{
    skel_fx *f = *state;
    pko_store_release(f->st, f->db);
    pko_store_close(f->st);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t skel_count(skel_fx *f, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
    return n;
}

/* Run the skeleton in a transaction of our own (as the design module
 * does), committing on success and rolling back on failure. */
static pko_rc skel_run(skel_fx *f, const pko_principal *who, const char *mid, const char *ps,
                       const char *pe, const char *outcomes_json, json_t **out, pko_err *e)
{
    pko_err_clear(e);
    pko_actor a = {who ? who->user_id : "system", "test"};
    pko_tx *tx;
    assert_int_equal(pko_tx_begin(f->db, &a, &tx, e), PKO_OK);
    json_t *oc = outcomes_json ? json_loads(outcomes_json, 0, NULL) : NULL;
    pko_rc rc = cpas_plan_skeleton(tx, who, mid, ps, pe, "Armed groups hold the north.", oc, out, e);
    json_decref(oc);
    if (rc) {
        assert_null(*out);
        pko_tx_rollback(tx);
        return rc;
    }
    return pko_tx_commit(tx, e);
}

static void test_plan_skeleton(void **state)
{
    skel_fx *f = *state;
    pko_err e;
    json_t *p = NULL;
    const char *oc = "[{\"priority\": \"Protection of civilians\", \"outcome\": \"Fewer civilian"
                     " deaths in the north\", \"mandated_task\": \"OP 32 (a)\", \"a4p\":"
                     " [\"political_strategy\"]},"
                     " {\"priority\": \"Political process\", \"outcome\": \"Peace agreement"
                     " implemented\"},"
                     " {\"priority\": \"Protection of civilians\", \"outcome\": \"Safe return of"
                     " displaced people\"}]";
    assert_int_equal(skel_run(f, &f->planner, f->mission, "2026-01", "2026-12", oc, &p, &e),
                     PKO_OK);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "status")), "draft");
    assert_int_equal(json_integer_value(json_object_get(p, "version_no")), 1);
    assert_string_equal(json_string_value(json_object_get(p, "title")),
                        "TESTM plan 2026-01 to 2026-12");
    assert_string_equal(json_string_value(json_object_get(p, "context")),
                        "Armed groups hold the north.");
    json_t *pr = json_object_get(p, "priorities");
    assert_int_equal(json_array_size(pr), 2);
    json_t *poc = json_array_get(pr, 0);
    assert_string_equal(json_string_value(json_object_get(poc, "title")),
                        "Protection of civilians");
    assert_string_equal(json_string_value(json_object_get(poc, "mandated_task")), "OP 32 (a)");
    json_t *kids = json_object_get(poc, "children");
    assert_int_equal(json_array_size(kids), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(kids, 1), "title")),
                        "Safe return of displaced people");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(kids, 0), "parent_id")),
        json_string_value(json_object_get(poc, "id")));
    assert_int_equal(json_array_size(json_object_get(json_array_get(pr, 1), "children")), 1);
    json_decref(p);
    assert_int_equal(skel_count(f, "SELECT count(*) FROM cpas_plans"), 1);
    assert_int_equal(skel_count(f, "SELECT count(*) FROM cpas_nodes WHERE level = 'priority'"), 2);
    assert_int_equal(skel_count(f, "SELECT count(*) FROM cpas_nodes WHERE level = 'outcome'"), 3);
    /* Written through the one write path: a change record per row. */
    assert_int_equal(skel_count(f, "SELECT count(*) FROM changes WHERE entity LIKE 'cpas_%'"),
                     6);

    /* A second skeleton is the next version; no outcomes is a bare plan. */
    assert_int_equal(skel_run(f, NULL, f->mission, "2027-01", "2027-06", NULL, &p, &e), PKO_OK);
    assert_int_equal(json_integer_value(json_object_get(p, "version_no")), 2);
    assert_int_equal(json_array_size(json_object_get(p, "priorities")), 0);
    json_decref(p);

    /* Refusals name the field and leave nothing behind. */
    static const struct {
        const char *mid, *ps, *pe, *oc, *field;
    } bad[] = {
        {"nope", "2026-01", "2026-12", NULL, "mission_id"},
        {NULL, "2026-01", "2026-12", NULL, "mission_id"},
        {"", "2026-13", "2026-12", NULL, "period_start"},
        {"", "2026-06", "2026-01", NULL, "period_end"},
        {"", "2026-01", "2026-12", "{}", "outcomes"},
        {"", "2026-01", "2026-12", "[3]", "outcomes[0]"},
        {"", "2026-01", "2026-12", "[{\"priority\": \"P\", \"outcome\": \"O\"}, {\"priority\": \"P\"}]",
         "outcomes[1].outcome"},
        {"", "2026-01", "2026-12", "[{\"priority\": \"P\", \"outcome\": \"O\", \"colour\": 1}]",
         "outcomes[0].colour"},
        {"", "2026-01", "2026-12",
         "[{\"priority\": \"P\", \"outcome\": \"O\"}, {\"priority\": \"Q\", \"outcome\": \"O\","
         " \"a4p\": [\"peace\"]}]",
         "outcomes[1].a4p"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *mid = bad[i].mid && !*bad[i].mid ? f->mission : bad[i].mid;
        p = NULL;
        assert_int_equal(skel_run(f, &f->planner, mid, bad[i].ps, bad[i].pe, bad[i].oc, &p, &e),
                         PKO_EINVAL);
        if (strcmp(e.field, bad[i].field))
            fail_msg("case %zu: field %s, expected %s (%s)", i, e.field, bad[i].field, e.msg);
    }
    /* Without cpas.plan for the mission: forbidden. */
    assert_int_equal(skel_run(f, &f->analyst, f->mission, "2026-01", "2026-12", NULL, &p, &e),
                     PKO_EFORBIDDEN);
    assert_int_equal(skel_count(f, "SELECT count(*) FROM cpas_plans"), 2);
    assert_int_equal(skel_count(f, "SELECT count(*) FROM cpas_nodes"), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_status_against_target),
        cmocka_unit_test(test_status_edges),
        cmocka_unit_test(test_overdue),
        cmocka_unit_test(test_rollup),
        cmocka_unit_test(test_assessments),
        cmocka_unit_test(test_sum_periods),
        cmocka_unit_test(test_computed_validation),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test_setup_teardown(test_plan_skeleton, skel_setup, skel_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
