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

/* ==== Rows against the change log (pko_db_rows_verify) ==================== */

static pko_rc rows(fx *f, pko_err *e, pko_rows_report *r)
{
    pko_err_clear(e);
    return pko_db_rows_verify(f->db, r, e);
}

/* A row of every kind of value, including a secret and a NULL. */
static void full_row(fx *f, char id[PKO_ID_LEN])
{
    pko_err e;
    char mid[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_mission, "{\"acronym\":\"MINUSCA\"}", mid, &e), PKO_OK);
    char json[256];
    snprintf(json, sizeof(json),
             "{\"mission_id\":\"%s\",\"title\":\"t\",\"count\":3,\"score\":1.5,\"ok\":true,"
             "\"tags\":[1,2],\"secret\":\"s3cret\",\"classification\":\"confidential\"}",
             mid);
    assert_int_equal(fx_insert(f, &fx_thing, json, id, &e), PKO_OK);
}

static void test_rows_match_the_change_log(void **state)
{
    fx *f = *state;
    char id[PKO_ID_LEN];
    full_row(f, id);
    populate(f, 3);
    pko_err e;
    assert_int_equal(fx_update(f, &fx_thing, id, "{\"count\":4,\"secret\":\"new\"}", 0, &e), PKO_OK);
    populate_bulk(f, 10);
    /* A delete through the write path leaves no row and that is fine. */
    pko_tx *tx;
    pko_err_clear(&e);
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_OK);
    assert_int_equal(pko_tx_delete(tx, &fx_thing, id, &e), PKO_OK);
    assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
    pko_rows_report r;
    assert_int_equal(rows(f, &e, &r), PKO_OK);
    assert_int_equal(r.rows, 1 + 3 + 10); /* the mission, 13 things */
    assert_int_equal(r.tables, 2);
    assert_int_equal(r.legacy, 0);
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_OK);
    /* Every write but the delete recorded a row digest. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM changes WHERE row_digest IS NULL"), 1);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM changes WHERE op='delete'"), 1);
}

/* Regression: `pko check` could not see edits made to data tables with
 * another SQLite client (UPDATE users SET clearance=2). */
static void test_row_edited_outside_the_write_path_is_detected(void **state)
{
    static const char *const edits[] = {
        "UPDATE things SET count=99",
        "UPDATE things SET secret='stolen'",           /* secret column */
        "UPDATE things SET fixed=''",                  /* NULL -> '' */
        "UPDATE things SET score=1.5000000000000002", /* one ulp */
        "UPDATE things SET classification=0",
        "UPDATE things SET updated_at='2000-01-01T00:00:00.000Z'",
        "UPDATE things SET tags='[1,2,3]'",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        void *st = NULL;
        assert_int_equal(fx_setup(&st), 0);
        fx *f = st;
        char id[PKO_ID_LEN];
        full_row(f, id);
        pko_err e;
        pko_rows_report r;
        assert_int_equal(rows(f, &e, &r), PKO_OK);
        fx_raw(f, edits[i]);
        assert_int_equal(rows(f, &e, &r), PKO_EINTERNAL);
        if (!strstr(e.msg, id) || !strstr(e.msg, "changed outside the write path"))
            fail_msg("%s: %s", edits[i], e.msg);
        assert_non_null(strstr(e.msg, "thing "));
        /* The audit chain alone does not see it: the log is intact. */
        int64_t n;
        assert_int_equal(verify(f, &e, &n), PKO_OK);
        fx_teardown(&st);
    }
}

static void test_row_added_outside_the_write_path_is_detected(void **state)
{
    fx *f = *state;
    populate(f, 2);
    fx_raw(f, "INSERT INTO things(id,version,classification,created_at,updated_at,title)"
              " VALUES('raw-1',1,0,'t','t','smuggled')");
    pko_err e;
    pko_rows_report r;
    assert_int_equal(rows(f, &e, &r), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "thing raw-1: the row has no change record"));
}

static void test_row_deleted_outside_the_write_path_is_detected(void **state)
{
    fx *f = *state;
    char id[PKO_ID_LEN];
    full_row(f, id);
    populate(f, 2);
    char sql[128];
    snprintf(sql, sizeof(sql), "DELETE FROM things WHERE id='%s'", id);
    fx_raw(f, sql);
    pko_err e;
    pko_rows_report r;
    assert_int_equal(rows(f, &e, &r), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, id));
    assert_non_null(strstr(e.msg, "the row is missing"));
}

static void test_deleted_row_brought_back_is_detected(void **state)
{
    fx *f = *state;
    char id[PKO_ID_LEN];
    full_row(f, id);
    fx_raw(f, "CREATE TABLE keep AS SELECT * FROM things");
    pko_err e;
    pko_tx *tx;
    pko_err_clear(&e);
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_OK);
    assert_int_equal(pko_tx_delete(tx, &fx_thing, id, &e), PKO_OK);
    assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
    fx_raw(f, "INSERT INTO things SELECT * FROM keep");
    pko_rows_report r;
    assert_int_equal(rows(f, &e, &r), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "deletes it"));
}

/* Forging the sealed row digest to match an edited row breaks the audit
 * chain instead: the row digest is part of the sealed change digest. */
static void test_forged_row_digest_breaks_the_chain(void **state)
{
    fx *f = *state;
    char id[PKO_ID_LEN];
    full_row(f, id);
    fx_raw(f, "DROP TRIGGER changes_no_update;"
              " UPDATE changes SET row_digest=replace(row_digest, substr(row_digest, 1, 1),"
              " CASE substr(row_digest, 1, 1) WHEN '0' THEN '1' ELSE '0' END)"
              " WHERE entity='thing'");
    pko_err e;
    int64_t n;
    assert_int_equal(verify(f, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "was altered after audit entry"));
    /* And in a bulk range too. */
    void *st = NULL;
    assert_int_equal(fx_setup(&st), 0);
    fx *g = st;
    populate_bulk(g, 5);
    fx_raw(g, "DROP TRIGGER changes_no_update; UPDATE changes SET row_digest=NULL WHERE seq=3");
    assert_int_equal(verify(g, &e, &n), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "were altered"));
    fx_teardown(&st);
}

/* Records written before row digests existed (NULL) are counted, not
 * compared, so an upgraded database still passes. */
static void test_rows_of_older_records_are_not_compared(void **state)
{
    fx *f = *state;
    populate(f, 3);
    fx_raw(f, "DROP TRIGGER changes_no_update; UPDATE changes SET row_digest=NULL WHERE seq=2");
    pko_err e;
    pko_rows_report r;
    assert_int_equal(rows(f, &e, &r), PKO_OK);
    assert_int_equal(r.rows, 3);
    assert_int_equal(r.legacy, 1);
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
        T(test_rows_match_the_change_log),
        cmocka_unit_test(test_row_edited_outside_the_write_path_is_detected),
        T(test_row_added_outside_the_write_path_is_detected),
        T(test_row_deleted_outside_the_write_path_is_detected),
        T(test_deleted_row_brought_back_is_detected),
        T(test_forged_row_digest_breaks_the_chain),
        T(test_rows_of_older_records_are_not_compared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
