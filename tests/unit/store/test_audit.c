/* Unit tests for src/store/audit.c: the hash chain detects every edit,
 * deletion and reordering, of audit entries and of change records. */
#include "store_fixture.h"

/* Write 'n' records so the chain has entries to tamper with. */
static void populate(fx *f, int n)
{
    pko_err e;
    char id[PKO_ID_LEN];
    for (int i = 0; i < n; i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"title\":\"t%d\",\"count\":%d}", i, i);
        assert_int_equal(fx_insert(f, &fx_thing, json, id, &e), PKO_OK);
    }
    pko_err_clear(&e);
    assert_int_equal(pko_db_audit(f->db, &f->actor, "login", "user", "user-1", NULL, &e), PKO_OK);
}

static pko_rc verify(fx *f, pko_err *e, int64_t *n)
{
    pko_err_clear(e);
    return pko_db_audit_verify(f->db, n, NULL, e);
}

static void test_intact_chain_verifies(void **state)
{
    fx *f = *state;
    populate(f, 5);
    pko_err e;
    int64_t n;
    char head[65];
    pko_err_clear(&e);
    assert_int_equal(pko_db_audit_verify(f->db, &n, head, &e), PKO_OK);
    assert_int_equal(n, 6);
    assert_int_equal(strlen(head), 64);
    json_t *arr;
    assert_int_equal(pko_db_audit_list(f->db, 0, 100, &arr, &e), PKO_OK);
    assert_int_equal(json_array_size(arr), 6);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 5), "hash")), head);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 5), "action")),
                        "login");
    json_decref(arr);
}

static void test_triggers_refuse_update_and_delete(void **state)
{
    fx *f = *state;
    populate(f, 1);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(h, "UPDATE audit SET actor='x'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(h, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(h, "UPDATE changes SET author='x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(h, "DELETE FROM changes", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static void test_edited_audit_entry_is_detected(void **state)
{
    fx *f = *state;
    populate(f, 3);
    fx_raw(f, "DROP TRIGGER audit_no_update; UPDATE audit SET actor='someone-else' WHERE seq=2");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "audit entry 2 was altered"));
    assert_int_equal(n, 1);
}

static void test_recomputed_hash_breaks_the_next_link(void **state)
{
    fx *f = *state;
    populate(f, 3);
    /* A forger who also rewrites the entry's own hash breaks the link of
     * the entry after it. */
    fx_raw(f, "DROP TRIGGER audit_no_update; UPDATE audit SET hash='00' || substr(hash, 3) WHERE seq=2");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_true(strstr(e.msg, "altered") || strstr(e.msg, "does not link"));
}

static void test_deleted_audit_entry_is_detected(void **state)
{
    fx *f = *state;
    populate(f, 3);
    fx_raw(f, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=2");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "entry 2 is missing"));
}

static void test_edited_change_record_is_detected(void **state)
{
    fx *f = *state;
    populate(f, 3);
    fx_raw(f, "DROP TRIGGER changes_no_update;"
              " UPDATE changes SET fields='{\"count\":99}' WHERE seq=2");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "change record 2 was altered"));
}

static void test_unsealed_change_record_is_detected(void **state)
{
    fx *f = *state;
    populate(f, 1);
    fx_raw(f, "INSERT INTO changes(seq,hlc,node,entity,entity_id,op,fields,author,origin)"
              " VALUES(100,1,'n','thing','x','insert','{}','ghost','n')");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "no audit entry"));
}

/* Insert 'n' records in one bulk transaction, sealed by one audit entry. */
static void populate_bulk(fx *f, int n)
{
    pko_err e;
    pko_err_clear(&e);
    pko_tx *tx;
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_OK);
    assert_int_equal(pko_tx_bulk(tx, "import", "test batch", &e), PKO_OK);
    for (int i = 0; i < n; i++) {
        char id[PKO_ID_LEN];
        json_t *v = json_pack("{s:s, s:i}", "title", "bulk", "count", i);
        assert_int_equal(pko_tx_insert(tx, &fx_thing, v, id, &e), PKO_OK);
        json_decref(v);
    }
    assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
}

static void test_bulk_range_is_sealed_by_one_entry(void **state)
{
    fx *f = *state;
    populate(f, 2);
    populate_bulk(f, 50);
    populate(f, 1);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM changes"), 53);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action='import' AND"
                                 " change_seq=3 AND change_last=52 AND detail='test batch'"),
                     1);
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_OK);
    assert_int_equal(n, 2 + 1 + 1 + 1 + 1); /* 3 writes, 2 logins, 1 import */
}

static void test_bulk_tampering_is_detected(void **state)
{
    fx *f = *state;
    populate_bulk(f, 20);
    fx_raw(f, "DROP TRIGGER changes_no_update; UPDATE changes SET fields='{}' WHERE seq=7");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "change records 1-20 were altered"));
}

static void test_bulk_deletion_is_detected(void **state)
{
    fx *f = *state;
    populate_bulk(f, 20);
    fx_raw(f, "DROP TRIGGER changes_no_delete; DELETE FROM changes WHERE seq=20");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "change record 20 sealed by audit entry 1 is missing"));
}

static void test_empty_database_verifies(void **state)
{
    fx *f = *state;
    pko_err e;
    int64_t n = -1;
    char head[65];
    pko_err_clear(&e);
    assert_int_equal(pko_db_audit_verify(f->db, &n, head, &e), PKO_OK);
    assert_int_equal(n, 0);
    assert_string_equal(head, "0000000000000000000000000000000000000000000000000000000000000000");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_intact_chain_verifies),
        T(test_triggers_refuse_update_and_delete),
        T(test_edited_audit_entry_is_detected),
        T(test_recomputed_hash_breaks_the_next_link),
        T(test_deleted_audit_entry_is_detected),
        T(test_edited_change_record_is_detected),
        T(test_unsealed_change_record_is_detected),
        T(test_bulk_range_is_sealed_by_one_entry),
        T(test_bulk_tampering_is_detected),
        T(test_bulk_deletion_is_detected),
        T(test_empty_database_verifies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
