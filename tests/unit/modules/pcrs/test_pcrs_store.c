/* Unit tests of the PCRS functions other modules call on a real store:
 * pcrs_requirement_create inside the caller's transaction (drafts by
 * default, the API's validation, nothing written when refused, the change
 * log written) and pcrs_feasibility (pledges per level, earliest
 * deployment, clearance). */
#include "test_util.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requirement_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feasibility, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
