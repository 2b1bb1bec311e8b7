/* Unit tests of the PCRS functions other modules call on a real store:
 * pcrs_requirement_create inside the caller's transaction (drafts by
 * default, the API's validation, nothing written when refused, the change
 * log written) and pcrs_feasibility (pledges per level, earliest
 * deployment, clearance). */
#include "test_util.h"

#include <math.h>
#include <sqlite3.h>

#include "modules/missions/missions.h"
#include "modules/pcrs/pcrs.h"

typedef struct fx {
    char dir[256];
    pko_store *st;
    pko_db *db;
    char mission[PKO_ID_LEN];
} fx;

static const pko_actor actor = {"system", "unit-test"};

static void insert(fx *f, const pko_entity *e, const char *json, char id[PKO_ID_LEN])
{
    pko_err e2;
    pko_err_clear(&e2);
    json_t *v = json_loads(json, 0, NULL);
    assert_non_null(v);
    pko_tx *tx;
    assert_int_equal(pko_tx_begin(f->db, &actor, &tx, &e2), PKO_OK);
    if (pko_tx_insert(tx, e, v, id, &e2))
        fail_msg("insert %s: %s", json, e2.msg);
    assert_int_equal(pko_tx_commit(tx, &e2), PKO_OK);
    json_decref(v);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_tmpdir(f->dir, sizeof(f->dir));
    char path[300];
    snprintf(path, sizeof(path), "%s/pcrs.db", f->dir);
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true, .pool_size = 1};
    if (pko_store_open(path, &o, &f->st, &e) || pko_modules_setup(f->st, NULL, &e))
        fail_msg("store: %s", e.msg);
    f->db = pko_store_acquire(f->st);
    insert(f, &pko_entity_mission,
           "{\"name\":\"Test mission\",\"acronym\":\"TESTM\",\"status\":\"planned\"}", f->mission);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    pko_store_release(f->st, f->db);
    pko_store_close(f->st);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t count(fx *f, const char *sql)
{
    pko_err e;
    pko_stmt *s;
    assert_int_equal(pko_db_prepare(f->db, sql, &s, &e), PKO_OK);
    int row;
    assert_int_equal(pko_db_step(f->db, s, &row, &e), PKO_OK);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return n;
}

/* Create a requirement from 'json' (with @M for the mission id) in its own
 * transaction; returns the rc, the error field in 'field'. */
static pko_rc create(fx *f, const char *json, char field[64], json_t **out)
{
    /* "@M" in 'json' stands for the mission id. */
    char buf[1024];
    const char *at = strstr(json, "@M");
    if (at)
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - json), json, f->mission, at + 2);
    else
        snprintf(buf, sizeof(buf), "%s", json);
    json_t *v = json_loads(buf, 0, NULL);
    assert_non_null(v);
    char *before = json_dumps(v, JSON_SORT_KEYS);
    pko_err e;
    pko_err_clear(&e);
    pko_tx *tx;
    assert_int_equal(pko_tx_begin(f->db, &actor, &tx, &e), PKO_OK);
    json_t *rec = NULL;
    pko_rc rc = pcrs_requirement_create(tx, "2030-01-01", v, &rec, &e);
    if (rc) {
        pko_tx_rollback(tx);
        snprintf(field, 64, "%.63s", e.field);
    } else {
        assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
        field[0] = 0;
    }
    /* 'fields' is borrowed and left as it was. */
    char *after = json_dumps(v, JSON_SORT_KEYS);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(v);
    if (out)
        *out = rec;
    else
        json_decref(rec);
    return rc;
}

static void test_requirement_create(void **state)
{
    fx *f = *state;
    char field[64], pledge[PKO_ID_LEN];
    json_t *rec;
    /* A draft by default, written with its change record. */
    assert_int_equal(create(f,
                            "{\"mission_id\":\"@M\",\"unit_type\":\"level_2_hospital\","
                            "\"required_by\":\"2030-06-30\",\"language\":\"French\"}",
                            field, &rec),
                     PKO_OK);
    assert_string_equal(json_string_value(json_object_get(rec, "status")), "draft");
    const char *id = json_string_value(json_object_get(rec, "id"));
    assert_int_equal(strlen(id), PKO_ID_LEN - 1);
    json_t *h;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_db_history(f->db, "pcrs_requirement", id, &h, &e), PKO_OK);
    assert_int_equal(json_array_size(h), 1);
    json_decref(h);
    json_decref(rec);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pcrs_requirements WHERE status = 'draft'"), 1);

    /* The API's validation, each refusal naming the field, nothing written. */
    static const struct {
        const char *json, *field;
        pko_rc rc;
    } bad[] = {
        {"{\"mission_id\":\"@M\",\"unit_type\":\"tank_regiment\",\"required_by\":\"2030-06-30\"}",
         "unit_type", PKO_EINVAL},
        {"{\"mission_id\":\"@M\",\"unit_type\":\"uas_unit\",\"required_by\":\"2029-12-31\"}",
         "required_by", PKO_EINVAL},
        {"{\"mission_id\":\"@M\",\"unit_type\":\"uas_unit\",\"required_by\":\"2030-06-30\","
         "\"status\":\"pending\"}",
         "status", PKO_EINVAL},
        {"{\"mission_id\":\"@M\",\"unit_type\":\"uas_unit\",\"required_by\":\"2030-06-30\","
         "\"colour\":\"blue\"}",
         "colour", PKO_EINVAL},
        {"{\"mission_id\":\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\",\"unit_type\":\"uas_unit\","
         "\"required_by\":\"2030-06-30\",\"x\":null}",
         "x", PKO_EINVAL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(create(f, bad[i].json, field, NULL), bad[i].rc);
        assert_string_equal(field, bad[i].field);
    }
    /* An unknown mission (the format is right, the row is missing). */
    json_t *v = json_pack("{s:s, s:s, s:s}", "mission_id", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                          "unit_type", "uas_unit", "required_by", "2030-06-30");
    pko_tx *tx;
    assert_int_equal(pko_tx_begin(f->db, &actor, &tx, &e), PKO_OK);
    assert_int_equal(pcrs_requirement_create(tx, "2030-01-01", v, NULL, &e), PKO_EINVAL);
    assert_string_equal(e.field, "mission_id");
    pko_tx_rollback(tx);
    json_decref(v);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pcrs_requirements"), 1);

    /* Filled with a pledge: the pledge is deployed in the same transaction;
     * a second requirement naming it is a conflict on pledge_id. */
    insert(f, &pko_entity_pcrs_pledge,
           "{\"country\":\"NPL\",\"unit_type\":\"uas_unit\",\"strength\":40,"
           "\"level\":\"level_3\",\"status\":\"available\"}",
           pledge);
    char json[512];
    snprintf(json, sizeof(json),
             "{\"mission_id\":\"@M\",\"unit_type\":\"uas_unit\",\"required_by\":\"2030-06-30\","
             "\"status\":\"filled\",\"pledge_id\":\"%s\"}",
             pledge);
    assert_int_equal(create(f, json, field, NULL), PKO_OK);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pcrs_pledges WHERE status = 'deployed'"), 1);
    assert_int_equal(create(f, json, field, NULL), PKO_ECONFLICT);
    assert_string_equal(field, "pledge_id");
    /* A pledge of another unit type. */
    snprintf(json, sizeof(json),
             "{\"mission_id\":\"@M\",\"unit_type\":\"signals_company\","
             "\"required_by\":\"2030-06-30\",\"status\":\"filled\",\"pledge_id\":\"%s\"}",
             pledge);
    assert_int_equal(create(f, json, field, NULL), PKO_EINVAL);
    assert_string_equal(field, "pledge_id");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pcrs_requirements"), 2);

    /* Inside the caller's transaction: a rollback by the caller undoes it. */
    v = json_pack("{s:s, s:s, s:s}", "mission_id", f->mission, "unit_type", "transport_company",
                  "required_by", "2030-06-30");
    assert_int_equal(pko_tx_begin(f->db, &actor, &tx, &e), PKO_OK);
    assert_int_equal(pcrs_requirement_create(tx, "2030-01-01", v, NULL, &e), PKO_OK);
    pko_tx_rollback(tx);
    json_decref(v);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pcrs_requirements"), 2);
}

static void test_feasibility(void **state)
{
    fx *f = *state;
    char id[PKO_ID_LEN];
    /* Three formed police units: level 3 (90 days), rapid deployment from
     * 2030-03-01 (60 days), registered (180 days) ending early; one
     * confidential; one of another type; one deployed. */
    insert(f, &pko_entity_pcrs_pledge,
           "{\"country\":\"SEN\",\"unit_type\":\"formed_police_unit\",\"strength\":160,"
           "\"level\":\"level_3\",\"status\":\"available\"}",
           id);
    insert(f, &pko_entity_pcrs_pledge,
           "{\"country\":\"RWA\",\"unit_type\":\"formed_police_unit\",\"strength\":140,"
           "\"level\":\"rapid_deployment\",\"status\":\"available\","
           "\"available_from\":\"2030-03-01\"}",
           id);
    insert(f, &pko_entity_pcrs_pledge,
           "{\"country\":\"JOR\",\"unit_type\":\"formed_police_unit\",\"strength\":140,"
           "\"level\":\"registered\",\"status\":\"available\",\"available_until\":\"2030-02-01\"}",
           id);
    insert(f, &pko_entity_pcrs_pledge,
           "{\"country\":\"EGY\",\"unit_type\":\"formed_police_unit\",\"strength\":140,"
           "\"level\":\"level_1\",\"status\":\"available\",\"classification\":\"confidential\"}",
           id);
    insert(f, &pko_entity_pcrs_pledge,
           "{\"country\":\"EGY\",\"unit_type\":\"formed_police_unit\",\"strength\":140,"
           "\"level\":\"level_2\",\"status\":\"deployed\"}",
           id);
    insert(f, &pko_entity_pcrs_pledge,
           "{\"country\":\"EGY\",\"unit_type\":\"signals_company\",\"strength\":140,"
           "\"level\":\"level_2\",\"status\":\"available\"}",
           id);
    pko_err e;
    pko_err_clear(&e);
    json_t *o;
    assert_int_equal(pcrs_feasibility(f->db, PKO_CLASS_UNCLASSIFIED, "formed_police_unit",
                                      "2030-04-15", "2030-01-01", &o, &e),
                     PKO_OK);
    json_t *lv = json_object_get(o, "levels");
    assert_int_equal(json_integer_value(json_object_get(o, "pledges")), 3);
    assert_int_equal(json_integer_value(json_object_get(lv, "level_3")), 1);
    assert_int_equal(json_integer_value(json_object_get(lv, "rapid_deployment")), 1);
    assert_int_equal(json_integer_value(json_object_get(lv, "registered")), 1);
    assert_int_equal(json_integer_value(json_object_get(lv, "level_1")), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "strength")), 440);
    /* The registered one ends before required_by; the level 3 one deploys
     * on 2030-04-01 (90 days), the rapid one on 2030-04-30 (late). */
    assert_int_equal(json_integer_value(json_object_get(o, "eligible")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "on_time")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "earliest_deployment")),
                        "2030-04-01");
    assert_true(json_is_true(json_object_get(o, "feasible")));
    json_decref(o);
    /* Earlier than any can deploy: not feasible; with clearance the
     * confidential one counts. */
    assert_int_equal(pcrs_feasibility(f->db, PKO_CLASS_STRICTLY_CONFIDENTIAL,
                                      "formed_police_unit", "2030-03-01", "2030-01-01", &o, &e),
                     PKO_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "pledges")), 4);
    assert_int_equal(json_integer_value(json_object_get(o, "on_time")), 0);
    assert_false(json_is_true(json_object_get(o, "feasible")));
    json_decref(o);
    /* Nothing pledged. */
    assert_int_equal(
        pcrs_feasibility(f->db, PKO_CLASS_UNCLASSIFIED, "riverine_unit", NULL, "2030-01-01", &o, &e),
        PKO_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "pledges")), 0);
    assert_true(json_is_null(json_object_get(o, "earliest_deployment")));
    assert_false(json_is_true(json_object_get(o, "feasible")));
    json_decref(o);
    assert_int_equal(pcrs_feasibility(f->db, 0, "tank_regiment", NULL, NULL, &o, &e), PKO_EINVAL);
    assert_string_equal(e.field, "unit_type");
    pko_err_clear(&e);
    assert_int_equal(pcrs_feasibility(f->db, 0, "uas_unit", "2030-13-01", NULL, &o, &e),
                     PKO_EINVAL);
    assert_string_equal(e.field, "required_by");
}

/* ---- The engine against the JSON scorer and brute force ---------------- */

static unsigned rnd_state;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

static const char *const langs[] = {"French", "English", "Arabic", "Spanish"};
static const char *const caps[] = {"protection_of_civilians", "night_operations", "surgery",
                                   "route_clearance", "riverine", "medevac"};
static const char *const types3[] = {"infantry_battalion", "level_2_hospital", "uas_unit"};
static const char *const countries[] = {"RWA", "NPL", "BGD", "IND", "PAK", "GHA", "SEN"};

static json_t *rnd_strings(const char *const *from, unsigned n, unsigned max)
{
    json_t *a = json_array();
    unsigned k = rnd(max + 1);
    for (unsigned i = 0; i < k; i++)
        json_array_append_new(a, json_string(from[rnd(n)]));
    return a;
}

static void random_world(fx *f, int n_req, int n_pl, int n_filled)
{
    char id[PKO_ID_LEN];
    pko_err e;
    pko_err_clear(&e);
    json_t *pledges = json_array();
    for (int j = 0; j < n_pl + n_filled; j++) {
        json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "country", countries[rnd(7)],
                              "unit_type", types3[rnd(3)], "strength", 100 + (int)rnd(700),
                              "level", pcrs_levels[rnd(5)], "status", "available");
        if (rnd(3) == 0) {
            char d[11];
            snprintf(d, sizeof(d), "2030-%02u-%02u", 1 + rnd(6), 1 + rnd(28));
            json_object_set_new(p, "available_from", json_string(d));
        }
        if (rnd(3) == 0) {
            char d[11];
            snprintf(d, sizeof(d), "203%u-%02u-15", 1 + rnd(2), 1 + rnd(12));
            json_object_set_new(p, "available_until", json_string(d));
        }
        if (rnd(4))
            json_object_set_new(p, "women_share", json_real((double)rnd(31) / 100.0));
        json_object_set_new(p, "languages", rnd_strings(langs, 4, 2));
        if (rnd(2))
            json_object_set_new(p, "capabilities", rnd_strings(caps, 6, 2));
        if (rnd(2))
            json_object_set_new(p, "caveats", rnd_strings(caps, 6, 3)); /* any texts */
        pko_tx *tx;
        assert_int_equal(pko_tx_begin(f->db, &actor, &tx, &e), PKO_OK);
        assert_int_equal(pko_tx_insert(tx, &pko_entity_pcrs_pledge, p, id, &e), PKO_OK);
        assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
        json_array_append_new(pledges, json_pack("[s, O]", id, json_object_get(p, "unit_type")));
        json_decref(p);
    }
    for (int i = 0; i < n_req + n_filled; i++) {
        bool filled = i >= n_req;
        const char *type = filled ? json_string_value(json_array_get(
                                        json_array_get(pledges, (size_t)(n_pl + i - n_req)), 1))
                                  : types3[rnd(3)];
        char by[11];
        snprintf(by, sizeof(by), "2030-%02u-%02u", 2 + rnd(11), 1 + rnd(28));
        json_t *r = json_pack("{s:s, s:s, s:s, s:o}", "mission_id", f->mission, "unit_type", type,
                              "required_by", by, "required_capabilities", rnd_strings(caps, 6, 3));
        if (rnd(3))
            json_object_set_new(r, "language", json_string(langs[rnd(4)]));
        if (rnd(2))
            json_object_set_new(r, "women_target", json_real((double)(5 + rnd(26)) / 100.0));
        json_object_set_new(r, "status", json_string(filled ? "filled" : "open"));
        if (filled)
            json_object_set(r, "pledge_id",
                            json_array_get(json_array_get(pledges, (size_t)(n_pl + i - n_req)), 0));
        pko_tx *tx;
        assert_int_equal(pko_tx_begin(f->db, &actor, &tx, &e), PKO_OK);
        if (pcrs_requirement_create(tx, "2030-01-01", r, NULL, &e))
            fail_msg("requirement: %s", e.msg);
        assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
        json_decref(r);
    }
    json_decref(pledges);
}

static void test_engine_matches_json_scorer_and_brute_force(void **state)
{
    fx *f = *state;
    rnd_state = 20261123;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    pko_err e;
    pko_err_clear(&e);
    /* Small blocks (every row keeps all), more requirements than pledges,
     * blocks of more than 16 rows with plenty of pledges (the first try
     * with 16 kept) and with scarce ones (the fallback). */
    static const int sizes[][2] = {{5, 40}, {14, 8}, {5, 40}, {14, 8}, {60, 240}, {66, 75},
                                   {90, 300}, {54, 60}};
    long first0, fallback0, first1, fallback1;
    pcrs_solve_stats(&first0, &fallback0);
    for (int round = 0; round < 8; round++) {
        random_world(f, sizes[round][0], sizes[round][1], 3);
        double diff;
        size_t pairs;
        assert_int_equal(pcrs_engine_check(f->db, "2030-01-01", &diff, &pairs, &e), PKO_OK);
        assert_true(pairs > 0);
        assert_true(diff < 1e-12);

        json_t *res;
        assert_int_equal(pcrs_solve(f->db, &all, NULL, "2030-01-01", 0, &res, NULL, &e), PKO_OK);
        /* The optimum by the Hungarian algorithm on the full matrices built
         * from the ranked candidates' explained scores. */
        json_t *reqs;
        pko_stmt *s;
        assert_int_equal(pko_db_prepare(f->db,
                                        "SELECT id FROM pcrs_requirements WHERE status = 'open'"
                                        " ORDER BY id",
                                        &s, &e),
                         PKO_OK);
        reqs = json_array();
        int row;
        while (!pko_db_step(f->db, s, &row, &e) && row) {
            json_t *r;
            assert_int_equal(pko_db_get(f->db, &pko_entity_pcrs_requirement, &all, &actor,
                                        (const char *)sqlite3_column_text(s, 0), &r, &e),
                             PKO_OK);
            json_array_append_new(reqs, r);
        }
        sqlite3_reset(s);
        double optimum = 0;
        for (size_t t = 0; t < 3; t++) {
            json_t *rows = json_array(), *colid = json_object();
            size_t i;
            json_t *r;
            json_array_foreach(reqs, i, r) if (strcmp(json_string_value(json_object_get(
                                                          r, "unit_type")),
                                                      types3[t]) == 0) json_array_append(rows, r);
            size_t na = json_array_size(rows), nb = 0;
            json_t **items = calloc(na + 1, sizeof(json_t *));
            json_array_foreach(rows, i, r)
            {
                assert_int_equal(pcrs_candidates(f->db, &all, NULL, r, "2030-01-01", &items[i], &e),
                                 PKO_OK);
                size_t k;
                json_t *c;
                json_array_foreach(items[i], k, c)
                {
                    const char *pid = json_string_value(json_object_get(c, "pledge_id"));
                    if (!json_object_get(colid, pid))
                        json_object_set_new(colid, pid, json_integer((json_int_t)nb++));
                }
            }
            if (na && nb) {
                double *cost = calloc(na * nb, sizeof(double));
                int *sub = calloc(na, sizeof(int));
                for (i = 0; i < na; i++) {
                    size_t k;
                    json_t *c;
                    json_array_foreach(items[i], k, c)
                    {
                        json_t *sc = json_object_get(c, "score");
                        if (json_is_true(json_object_get(sc, "eligible")))
                            cost[i * nb + (size_t)json_integer_value(json_object_get(
                                              colid, json_string_value(json_object_get(
                                                         c, "pledge_id"))))] =
                                -json_real_value(json_object_get(sc, "total"));
                    }
                }
                optimum -= pcrs_hungarian(cost, na, nb, sub);
                free(cost);
                free(sub);
            }
            for (i = 0; i < na; i++)
                json_decref(items[i]);
            free(items);
            json_decref(rows);
            json_decref(colid);
        }
        double total = json_real_value(json_object_get(res, "total_score"));
        double greedy = json_real_value(json_object_get(res, "greedy_total_score"));
        assert_true(fabs(total - optimum) < 1e-9);
        assert_true(greedy <= total + 1e-9);
        /* No pledge twice; every requirement assigned or unassigned; each
         * assignment's explained total sums to total_score. */
        json_t *seen = json_object();
        double sum = 0;
        size_t k;
        json_t *a;
        json_array_foreach(json_object_get(res, "assignments"), k, a)
        {
            const char *pid = json_string_value(json_object_get(a, "pledge_id"));
            assert_null(json_object_get(seen, pid));
            json_object_set_new(seen, pid, json_true());
            assert_true(json_is_true(json_object_get(json_object_get(a, "score"), "eligible")));
            sum += json_real_value(json_object_get(json_object_get(a, "score"), "total"));
        }
        assert_true(fabs(sum - total) < 1e-9);
        assert_int_equal(json_array_size(json_object_get(res, "assignments")) +
                             json_array_size(json_object_get(res, "unassigned")),
                         json_array_size(reqs));
        json_decref(seen);
        /* Greedy only: a valid assignment worth greedy_total_score, and
         * greedy whatever the order of equal scores: every eligible pair
         * left out has its requirement or its pledge taken by a pair
         * scoring at least as much. */
        json_t *g;
        assert_int_equal(
            pcrs_solve(f->db, &all, NULL, "2030-01-01", PCRS_SOLVE_GREEDY_ONLY, &g, NULL, &e),
            PKO_OK);
        assert_true(fabs(json_real_value(json_object_get(g, "total_score")) - greedy) < 1e-9);
        json_t *by_req = json_object(), *by_pl = json_object();
        double gsum = 0;
        json_array_foreach(json_object_get(g, "assignments"), k, a)
        {
            json_t *sc = json_object_get(json_object_get(a, "score"), "total");
            assert_null(json_object_get(by_pl, json_string_value(json_object_get(a, "pledge_id"))));
            json_object_set(by_req, json_string_value(json_object_get(a, "requirement_id")), sc);
            json_object_set(by_pl, json_string_value(json_object_get(a, "pledge_id")), sc);
            gsum += json_real_value(sc);
        }
        assert_true(fabs(gsum - greedy) < 1e-9);
        size_t ri;
        json_t *rq;
        json_array_foreach(reqs, ri, rq)
        {
            json_t *items;
            assert_int_equal(pcrs_candidates(f->db, &all, NULL, rq, "2030-01-01", &items, &e),
                             PKO_OK);
            json_t *mine = json_object_get(by_req, json_string_value(json_object_get(rq, "id")));
            size_t ci;
            json_t *c;
            json_array_foreach(items, ci, c)
            {
                json_t *sc = json_object_get(c, "score");
                if (!json_is_true(json_object_get(sc, "eligible")))
                    continue;
                double v = json_real_value(json_object_get(sc, "total"));
                json_t *theirs =
                    json_object_get(by_pl, json_string_value(json_object_get(c, "pledge_id")));
                bool blocked = (mine && json_real_value(mine) >= v - 1e-12) ||
                               (theirs && json_real_value(theirs) >= v - 1e-12);
                assert_true(blocked);
            }
            json_decref(items);
        }
        json_decref(by_req);
        json_decref(by_pl);
        json_decref(g);
        json_decref(res);
        json_decref(reqs);
        /* Next round on a fresh world (test shortcut, outside the write
         * path): open requirements cancelled, available pledges withdrawn;
         * the filled ones stay, so contributors accumulate. */
        static const char *const reset[] = {
            "UPDATE pcrs_requirements SET status = 'cancelled' WHERE status = 'open'",
            "UPDATE pcrs_pledges SET status = 'withdrawn' WHERE status = 'available'"};
        for (int q = 0; q < 2; q++) {
            assert_int_equal(pko_db_prepare(f->db, reset[q], &s, &e), PKO_OK);
            assert_int_equal(pko_db_step(f->db, s, &row, &e), PKO_OK);
            sqlite3_reset(s);
        }
    }
    /* Both ways of solving a block were taken. */
    pcrs_solve_stats(&first1, &fallback1);
    assert_true(first1 > first0);
    assert_true(fallback1 > fallback0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requirement_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feasibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_matches_json_scorer_and_brute_force, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
