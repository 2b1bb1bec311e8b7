/* Unit tests for src/store/entity.c: the one write path and the central
 * read filters. */
#include "store_fixture.h"

#include "store/store_int.h"

/* Fetch change record 'seq' as JSON via the public API. */
static json_t *change_at(fx *f, int64_t seq)
{
    json_t *arr;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_db_changes(f->db, seq - 1, 1, &arr, &e), PKO_OK);
    assert_int_equal(json_array_size(arr), 1);
    json_t *c = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return c;
}

static void test_insert_logs_change_with_author_node_and_hlc(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing,
                               "{\"title\":\"t\",\"count\":3,\"score\":1.5,\"ok\":true,"
                               "\"tags\":[\"a\",{\"b\":1}],\"secret\":\"s3cret\",\"fixed\":\"x\"}",
                               id, &e),
                     PKO_OK);
    assert_true(pko_id_valid(id));
    json_t *c = change_at(f, 1);
    assert_string_equal(json_string_value(json_object_get(c, "op")), "insert");
    assert_string_equal(json_string_value(json_object_get(c, "entity")), "thing");
    assert_string_equal(json_string_value(json_object_get(c, "entity_id")), id);
    assert_string_equal(json_string_value(json_object_get(c, "author")), "user-1");
    assert_string_equal(json_string_value(json_object_get(c, "node")), pko_store_node_id(f->st));
    assert_true(json_integer_value(json_object_get(c, "hlc")) > 0);
    json_t *fields = json_object_get(c, "fields");
    assert_int_equal(json_integer_value(json_object_get(fields, "count")), 3);
    assert_string_equal(json_string_value(json_object_get(fields, "secret")), "[redacted]");
    assert_string_equal(json_string_value(json_object_get(fields, "classification")),
                        "unclassified");
    json_decref(c);

    /* The read side returns typed values and hides the secret column. */
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *o;
    assert_int_equal(pko_db_get(f->db, &fx_thing, &all, &f->actor, id, &o, &e), PKO_OK);
    assert_null(json_object_get(o, "secret"));
    assert_true(json_is_true(json_object_get(o, "ok")));
    assert_true(json_is_real(json_object_get(o, "score")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "tags"), 0)), "a");
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT secret = 's3cret' FROM things"), 1);
}

static void test_update_logs_only_changed_fields(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\",\"count\":1}", id, &e), PKO_OK);
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"title\":\"t\",\"count\":2}", 0, &e), PKO_OK);
    json_t *c = change_at(f, 2);
    assert_string_equal(json_string_value(json_object_get(c, "op")), "update");
    json_t *fields = json_object_get(c, "fields");
    assert_int_equal(json_object_size(fields), 1);
    assert_int_equal(json_integer_value(json_object_get(fields, "count")), 2);
    json_t *c1 = change_at(f, 1);
    uint64_t h1 = (uint64_t)json_integer_value(json_object_get(c1, "hlc"));
    json_decref(c1);
    assert_true((uint64_t)json_integer_value(json_object_get(c, "hlc")) > h1);
    json_decref(c);
    /* A no-op update writes nothing. */
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"count\":2}", 0, &e), PKO_OK);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM changes"), 2);
    assert_int_equal(fx_count(f, "SELECT version FROM things"), 2);
}

static void test_update_version_conflict(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\"}", id, &e), PKO_OK);
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"title\":\"u\"}", 1, &e), PKO_OK);
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"title\":\"v\"}", 1, &e), PKO_ECONFLICT);
    assert_string_equal(e.field, "version");
    assert_int_equal(fx_update(f, &fx_thing, "no-such-id", "{\"title\":\"v\"}", 0, &e),
                     PKO_ENOTFOUND);
}

static void test_validation_names_the_field(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\",\"bogus\":1}", id, &e), PKO_EINVAL);
    assert_string_equal(e.field, "bogus");
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":5}", id, &e), PKO_EINVAL);
    assert_string_equal(e.field, "title");
    assert_non_null(strstr(e.msg, "string"));
    assert_int_equal(fx_insert(f, &fx_thing, "{\"count\":1}", id, &e), PKO_EINVAL);
    assert_string_equal(e.field, "title");
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\",\"count\":1.5}", id, &e), PKO_EINVAL);
    assert_string_equal(e.field, "count");
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\",\"classification\":\"top\"}", id,
                               &e),
                     PKO_EINVAL);
    assert_string_equal(e.field, "classification");
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\",\"fixed\":\"a\"}", id, &e), PKO_OK);
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"fixed\":\"b\"}", 0, &e), PKO_EINVAL);
    assert_string_equal(e.field, "fixed");
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"title\":null}", 0, &e), PKO_EINVAL);
    /* Nothing of the failed writes reached the change log. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM changes"), 1);
}

static void test_delete_and_foreign_key(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\",\"mission_id\":\"nope\"}", id, &e),
                     PKO_EINVAL); /* foreign key */
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"t\"}", id, &e), PKO_OK);
    assert_int_equal(pko_db_delete(f->db, &f->actor, &fx_thing, "no-such-id", &e), PKO_ENOTFOUND);
    assert_int_equal(pko_db_delete(f->db, &f->actor, &fx_thing, id, &e), PKO_OK);
    json_t *c = change_at(f, 2);
    assert_string_equal(json_string_value(json_object_get(c, "op")), "delete");
    json_decref(c);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM things"), 0);
}

static void test_scope_filters_by_clearance_and_mission(void **state)
{
    fx *f = *state;
    pko_err e;
    char m1[PKO_ID_LEN], m2[PKO_ID_LEN], a[PKO_ID_LEN], b[PKO_ID_LEN], c[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_mission, "{\"acronym\":\"MINUSCA\"}", m1, &e), PKO_OK);
    assert_int_equal(fx_insert(f, &fx_mission, "{\"acronym\":\"MONUSCO\"}", m2, &e), PKO_OK);
    char json[256];
    snprintf(json, sizeof(json), "{\"title\":\"a\",\"mission_id\":\"%s\"}", m1);
    assert_int_equal(fx_insert(f, &fx_thing, json, a, &e), PKO_OK);
    snprintf(json, sizeof(json),
             "{\"title\":\"b\",\"mission_id\":\"%s\",\"classification\":\"confidential\"}", m1);
    assert_int_equal(fx_insert(f, &fx_thing, json, b, &e), PKO_OK);
    snprintf(json, sizeof(json), "{\"title\":\"c\",\"mission_id\":\"%s\"}", m2);
    assert_int_equal(fx_insert(f, &fx_thing, json, c, &e), PKO_OK);

    pko_scope minusca_uncl = {PKO_CLASS_UNCLASSIFIED, false, "[\"MINUSCA\"]"};
    pko_scope minusca_conf = {PKO_CLASS_CONFIDENTIAL, false, "[\"MINUSCA\"]"};
    pko_scope all_uncl = {PKO_CLASS_UNCLASSIFIED, true, "[]"};
    pko_scope nothing = {PKO_CLASS_STRICTLY_CONFIDENTIAL, false, "[]"};
    json_t *arr, *o;
    assert_int_equal(pko_db_list(f->db, &fx_thing, &minusca_uncl, &f->actor, NULL, 10, &arr, &e),
                     PKO_OK);
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "id")), a);
    json_decref(arr);
    assert_int_equal(pko_db_list(f->db, &fx_thing, &minusca_conf, &f->actor, NULL, 10, &arr, &e),
                     PKO_OK);
    assert_int_equal(json_array_size(arr), 2);
    json_decref(arr);
    assert_int_equal(pko_db_list(f->db, &fx_thing, &all_uncl, &f->actor, NULL, 10, &arr, &e),
                     PKO_OK);
    assert_int_equal(json_array_size(arr), 2);
    json_decref(arr);
    assert_int_equal(pko_db_list(f->db, &fx_thing, &nothing, &f->actor, NULL, 10, &arr, &e),
                     PKO_OK);
    assert_int_equal(json_array_size(arr), 0);
    json_decref(arr);
    /* Out of scope reads as absent, not forbidden. */
    pko_err_clear(&e);
    assert_int_equal(pko_db_get(f->db, &fx_thing, &minusca_uncl, &f->actor, b, &o, &e),
                     PKO_ENOTFOUND);
    pko_err_clear(&e);
    assert_int_equal(pko_db_get(f->db, &fx_thing, &minusca_conf, &f->actor, c, &o, &e),
                     PKO_ENOTFOUND);
    /* Paging with a cursor visits each row once, in id order. */
    pko_scope every = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    const char *cursor = NULL;
    char last[PKO_ID_LEN] = "";
    int seen = 0;
    for (;;) {
        assert_int_equal(pko_db_list(f->db, &fx_thing, &every, &f->actor, cursor, 1, &arr, &e),
                         PKO_OK);
        if (!json_array_size(arr)) {
            json_decref(arr);
            break;
        }
        const char *id = json_string_value(json_object_get(json_array_get(arr, 0), "id"));
        assert_true(strcmp(id, last) > 0);
        snprintf(last, sizeof(last), "%s", id);
        cursor = last;
        seen++;
        json_decref(arr);
    }
    assert_int_equal(seen, 3);
}

static void test_reads_of_confidential_records_are_audited(void **state)
{
    fx *f = *state;
    pko_err e;
    char a[PKO_ID_LEN], b[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"open\"}", a, &e), PKO_OK);
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"c\",\"classification\":\"strictly_confidential\"}", b, &e), PKO_OK);
    int64_t before = fx_count(f, "SELECT count(*) FROM audit WHERE action='read'");
    pko_scope every = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *o;
    assert_int_equal(pko_db_get(f->db, &fx_thing, &every, &f->actor, a, &o, &e), PKO_OK);
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action='read'"), before);
    assert_int_equal(pko_db_get(f->db, &fx_thing, &every, &f->actor, b, &o, &e), PKO_OK);
    json_decref(o);
    assert_int_equal(pko_db_list(f->db, &fx_thing, &every, &f->actor, NULL, 10, &o, &e), PKO_OK);
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action='read' AND actor='user-1'"
                                 " AND source='127.0.0.1' AND detail='strictly_confidential'"),
                     before + 2);
}

static void test_unregistered_entity_is_an_internal_error(void **state)
{
    fx *f = *state;
    static const pko_entity other = {"other", "things", fx_thing_cols, 8, NULL, 0};
    pko_tx *tx;
    pko_err e;
    pko_err_clear(&e);
    char id[PKO_ID_LEN];
    json_t *v = json_pack("{s:s}", "title", "x");
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_OK);
    assert_int_equal(pko_tx_insert(tx, &other, v, id, &e), PKO_EINTERNAL);
    pko_tx_rollback(tx);
    json_decref(v);
}

static int64_t fixed_clock(void)
{
    return 1700000000000LL;
}

/* Regression: two processes writing the same database in the same
 * millisecond (the CLI next to the server) issued the same HLC timestamp:
 * "UNIQUE constraint failed: changes.node, changes.hlc". */
static void test_two_processes_in_one_millisecond_get_distinct_hlcs(void **state)
{
    fx *f = *state;
    pko_store *other;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_store_open(f->path, NULL, &other, &e), PKO_OK);
    assert_int_equal(pko_store_register_entity(other, &fx_thing, &e), PKO_OK);
    f->st->hlc.now = fixed_clock; /* both clocks stand still, at the same time */
    other->hlc.now = fixed_clock;
    pko_db *odb = pko_store_acquire(other);
    char id[PKO_ID_LEN];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"server\"}", id, &e), PKO_OK);
        json_t *v = json_pack("{s:s}", "title", "cli");
        pko_tx *tx;
        pko_err_clear(&e);
        assert_int_equal(pko_tx_begin(odb, &f->actor, &tx, &e), PKO_OK);
        pko_rc rc = pko_tx_insert(tx, &fx_thing, v, id, &e);
        if (rc)
            fail_msg("second process: %s", e.msg);
        assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
        json_decref(v);
    }
    pko_store_release(other, odb);
    pko_store_close(other);
    assert_int_equal(fx_count(f, "SELECT count(DISTINCT hlc) FROM changes"), 6);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM things"), 6);
    int64_t n;
    pko_err_clear(&e);
    assert_int_equal(pko_db_audit_verify(f->db, &n, NULL, &e), PKO_OK);
}

/* Regression: when the row of a write was stored but its change record or
 * audit entry could not be appended, a caller that went on (as the grant
 * code does after a conflict) committed a row that no log records. */
static void test_unlogged_write_never_commits(void **state)
{
    fx *f = *state;
    static const char *const traps[] = {
        "CREATE TRIGGER trap BEFORE INSERT ON changes BEGIN SELECT RAISE(ABORT, 'no log'); END",
        "CREATE TRIGGER trap BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'no audit'); END",
    };
    char id[PKO_ID_LEN];
    pko_err e;
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"before\"}", id, &e), PKO_OK);
    for (size_t i = 0; i < 2; i++) {
        fx_raw(f, traps[i]);
        for (int op = 0; op < 3; op++) { /* insert, update, delete */
            pko_tx *tx;
            pko_err_clear(&e);
            assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_OK);
            json_t *v = json_pack("{s:s}", "title", "unlogged");
            char nid[PKO_ID_LEN];
            pko_rc rc = op == 0   ? pko_tx_insert(tx, &fx_thing, v, nid, &e)
                        : op == 1 ? pko_tx_update(tx, &fx_thing, id, v, 0, &e)
                                  : pko_tx_delete(tx, &fx_thing, id, &e);
            json_decref(v);
            assert_int_not_equal(rc, PKO_OK);
            pko_err_clear(&e); /* the caller shrugs and commits */
            assert_int_not_equal(pko_tx_commit(tx, &e), PKO_OK);
            assert_non_null(strstr(e.msg, "rolled back"));
            assert_int_equal(fx_count(f, "SELECT count(*) FROM things"), 1);
            assert_int_equal(fx_count(f, "SELECT count(*) FROM things WHERE title='before'"), 1);
        }
        fx_raw(f, "DROP TRIGGER trap");
    }
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"title\":\"after\"}", 0, &e), PKO_OK);
    int64_t n;
    pko_err_clear(&e);
    assert_int_equal(pko_db_audit_verify(f->db, &n, NULL, &e), PKO_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_insert_logs_change_with_author_node_and_hlc),
        T(test_update_logs_only_changed_fields),
        T(test_update_version_conflict),
        T(test_validation_names_the_field),
        T(test_delete_and_foreign_key),
        T(test_scope_filters_by_clearance_and_mission),
        T(test_reads_of_confidential_records_are_audited),
        T(test_unregistered_entity_is_an_internal_error),
        T(test_two_processes_in_one_millisecond_get_distinct_hlcs),
        T(test_unlogged_write_never_commits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
