/* Unit tests for src/store/store.c: opening, migrations, errors, busy,
 * deadlines, disk full, backup, integrity. */
#include "store_fixture.h"

#include "store/store_int.h"

#include <sys/stat.h>

static void test_open_missing_file_says_how_to_create(void **state)
{
    (void)state;
    pko_store *st;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_store_open("/nonexistent/dir/x.db", NULL, &st, &e), PKO_EIO);
    assert_non_null(strstr(e.msg, "pko init"));
}

static void test_wal_sync_fk(void **state)
{
    fx *f = *state;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(f->db->h, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(f->db->h, "PRAGMA synchronous", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 2); /* FULL */
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(f->db->h, "PRAGMA foreign_keys", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_finalize(s);
}

static void test_migrations_run_once_and_node_id_is_stable(void **state)
{
    fx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    int applied = -1;
    assert_int_equal(pko_store_migrate(f->st, fx_sets, 1, &applied, &e), PKO_OK);
    assert_int_equal(applied, 0);
    char node[33];
    snprintf(node, sizeof(node), "%s", pko_store_node_id(f->st));
    assert_int_equal(strlen(node), 32);
    pko_store *st2;
    assert_int_equal(pko_store_open(f->path, NULL, &st2, &e), PKO_OK);
    assert_string_equal(pko_store_node_id(st2), node);
    pko_store_close(st2);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM schema_migrations"), 4); /* core 1-3, fixture 1 */
}

static void test_failed_migration_rolls_back(void **state)
{
    fx *f = *state;
    static const pko_migration bad[] = {{1, "CREATE TABLE ok1(x INTEGER); CREATE TABLE broken("}};
    pko_migration_set set = {"bad", bad, 1};
    pko_err e;
    pko_err_clear(&e);
    assert_int_not_equal(pko_store_migrate(f->st, &set, 1, NULL, &e), PKO_OK);
    assert_non_null(strstr(e.msg, "migration bad/1 failed"));
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sqlite_master WHERE name='ok1'"), 0);
}

static void test_busy_gives_ebusy_after_retries(void **state)
{
    fx *f = *state;
    sqlite3 *h;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pko_store_stats before, after;
    pko_store_get_stats(f->st, &before);
    pko_tx *tx;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_EBUSY);
    assert_non_null(strstr(e.msg, "busy"));
    pko_store_get_stats(f->st, &after);
    assert_true(after.busy_retries >= before.busy_retries + 2);
    sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(h);
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_OK);
    pko_tx_rollback(tx);
}

static void test_deadline_interrupts_sql(void **state)
{
    fx *f = *state;
    static const char q[] = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c)"
                            " SELECT count(*) FROM c";
    pko_stmt *s;
    int row;
    pko_err e;
    pko_err_clear(&e);
    pko_db_set_deadline(f->db, pko_mono_ms() + 50);
    assert_int_equal(pko_db_prepare(f->db, q, &s, &e), PKO_OK);
    assert_int_equal(pko_db_step(f->db, s, &row, &e), PKO_EBUSY);
    assert_non_null(strstr(e.msg, "too long"));
    pko_db_set_deadline(f->db, 0);
}

static int always_interrupt(void *arg)
{
    (void)arg;
    return 1;
}

/* Regression: a deadline interrupt of BEGIN (or a deadline that passed
 * while waiting for the write lock) was reported as "the database is busy
 * with other writes". */
static void test_begin_past_deadline_says_too_long(void **state)
{
    fx *f = *state;
    pko_tx *tx;
    pko_err e;
    pko_err_clear(&e);
    sqlite3_progress_handler(f->db->h, 1, always_interrupt, NULL);
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_EBUSY);
    sqlite3_progress_handler(f->db->h, 0, NULL, NULL);
    assert_non_null(strstr(e.msg, "took too long"));

    sqlite3 *h;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pko_store_stats before, after;
    pko_store_get_stats(f->st, &before);
    pko_db_set_deadline(f->db, pko_mono_ms() + 10);
    pko_err_clear(&e);
    assert_int_equal(pko_tx_begin(f->db, &f->actor, &tx, &e), PKO_EBUSY);
    assert_non_null(strstr(e.msg, "took too long"));
    pko_store_get_stats(f->st, &after);
    assert_int_equal(after.busy_retries, before.busy_retries); /* no retry past the deadline */
    pko_db_set_deadline(f->db, 0);
    sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(h);
}

static void test_disk_full_writes_nothing(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"first\"}", id, &e), PKO_OK);
    int64_t things = fx_count(f, "SELECT count(*) FROM things");
    int64_t changes = fx_count(f, "SELECT count(*) FROM changes");
    int64_t audit = fx_count(f, "SELECT count(*) FROM audit");
    /* Cap the file at its current size, as a full disk would. */
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(f->db->h, "PRAGMA page_count", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int pages = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count=%d", pages);
    assert_int_equal(sqlite3_exec(f->db->h, pragma, NULL, NULL, NULL), SQLITE_OK);
    char big[60000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char json[60100];
    snprintf(json, sizeof(json), "{\"title\":\"%s\"}", big);
    pko_rc rc = PKO_OK;
    for (int i = 0; i < 50 && rc == PKO_OK; i++)
        rc = fx_insert(f, &fx_thing, json, id, &e);
    assert_int_equal(rc, PKO_EFULL);
    assert_non_null(strstr(e.msg, "full"));
    /* Whatever committed before the cap is whole; the failed write left no
     * row, change record or audit entry behind. */
    int64_t t2 = fx_count(f, "SELECT count(*) FROM things");
    assert_int_equal(t2 - things, fx_count(f, "SELECT count(*) FROM changes") - changes);
    assert_int_equal(t2 - things, fx_count(f, "SELECT count(*) FROM audit") - audit);
    int64_t n;
    pko_err_clear(&e);
    assert_int_equal(pko_db_audit_verify(f->db, &n, NULL, &e), PKO_OK);
    snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count=%d", 1 << 30);
    assert_int_equal(sqlite3_exec(f->db->h, pragma, NULL, NULL, NULL), SQLITE_OK);
}

static void test_backup_and_integrity(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN], dest[400];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"kept\"}", id, &e), PKO_OK);
    snprintf(dest, sizeof(dest), "%s/backup.db", f->dir);
    pko_err_clear(&e);
    assert_int_equal(pko_store_backup(f->st, dest, &e), PKO_OK);
    assert_int_equal(pko_store_backup(f->st, dest, &e), PKO_ECONFLICT); /* never overwrites */
    pko_store *b;
    pko_err_clear(&e);
    assert_int_equal(pko_store_open(dest, NULL, &b, &e), PKO_OK);
    pko_db *bd = pko_store_acquire(b);
    int64_t n = 0;
    assert_int_equal(pko_db_integrity_check(bd, &e), PKO_OK);
    assert_int_equal(pko_db_audit_verify(bd, &n, NULL, &e), PKO_OK);
    assert_int_equal(n, 1);
    pko_store_release(b, bd);
    pko_store_close(b);
}

static void test_release_resets_statements_left_mid_result(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"a\"}", id, &e), PKO_OK);
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"b\"}", id, &e), PKO_OK);
    static const char q[] = "SELECT id FROM things";
    pko_stmt *s;
    int row;
    assert_int_equal(pko_db_prepare(f->db, q, &s, &e), PKO_OK);
    assert_int_equal(pko_db_step(f->db, s, &row, &e), PKO_OK);
    assert_int_equal(row, 1); /* a handler forgot to reset: a read snapshot stays open */
    pko_db *held = f->db;
    pko_store_release(f->st, f->db);
    /* Another process commits a write meanwhile. */
    fx_raw(f, "INSERT INTO things(id,version,classification,created_at,updated_at,title)"
              " VALUES('raw',1,0,'t','t','from another writer')");
    f->db = pko_store_acquire(f->st);
    assert_ptr_equal(f->db, held); /* the same connection comes back */
    /* Its next write must see the new data, not fail on a stale snapshot. */
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"c\"}", id, &e), PKO_OK);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM things"), 4);
}

static bool stmt_alive(pko_db *db, sqlite3_stmt *s)
{
    for (sqlite3_stmt *t = sqlite3_next_stmt(db->h, NULL); t; t = sqlite3_next_stmt(db->h, t))
        if (t == s)
            return true;
    return false;
}

static int n_stmts(pko_db *db)
{
    int n = 0;
    for (sqlite3_stmt *t = sqlite3_next_stmt(db->h, NULL); t; t = sqlite3_next_stmt(db->h, t))
        n++;
    return n;
}

/* Regression: a full statement cache finalized its oldest statement even
 * while a caller was still stepping through it (use after free). */
static void test_cache_never_evicts_a_statement_mid_result(void **state)
{
    fx *f = *state;
    pko_err e;
    char id[PKO_ID_LEN];
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"a\"}", id, &e), PKO_OK);
    assert_int_equal(fx_insert(f, &fx_thing, "{\"title\":\"b\"}", id, &e), PKO_OK);
    enum { N = STMT_CACHE + 40 };
    static char sql[N][64]; /* stable keys, one per statement */
    for (int i = 0; i < N; i++)
        snprintf(sql[i], sizeof(sql[i]), "SELECT title, %d FROM things ORDER BY title", i);
    pko_stmt *first;
    int row;
    pko_err_clear(&e);
    assert_int_equal(pko_db_prepare(f->db, sql[0], &first, &e), PKO_OK);
    assert_int_equal(pko_db_step(f->db, first, &row, &e), PKO_OK);
    assert_int_equal(row, 1); /* mid-result */
    for (int i = 1; i < N; i++) {
        pko_stmt *s;
        assert_int_equal(pko_db_prepare(f->db, sql[i], &s, &e), PKO_OK);
    }
    assert_true(stmt_alive(f->db, first));
    assert_int_equal(pko_db_step(f->db, first, &row, &e), PKO_OK);
    assert_int_equal(row, 1);
    assert_string_equal((const char *)sqlite3_column_text(first, 0), "b");
    sqlite3_reset(first);

    /* Every cached statement mid-result: the next one is prepared outside
     * the cache and finalized when the connection goes back to the pool. */
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_reset(f->db->cache[i].s);
    for (int i = 0; i < STMT_CACHE; i++) {
        pko_stmt *s = f->db->cache[i].s;
        assert_int_equal(pko_db_step(f->db, s, &row, &e), PKO_OK);
        assert_int_equal(row, 1);
    }
    static const char extra[] = "SELECT count(*) FROM things";
    pko_stmt *x;
    int before = n_stmts(f->db);
    assert_int_equal(pko_db_prepare(f->db, extra, &x, &e), PKO_OK);
    assert_int_equal(n_stmts(f->db), before + 1);
    for (int i = 0; i < STMT_CACHE; i++)
        assert_true(sqlite3_stmt_busy(f->db->cache[i].s));
    assert_int_equal(pko_db_step(f->db, x, &row, &e), PKO_OK);
    assert_int_equal(sqlite3_column_int(x, 0), 2);
    pko_store_release(f->st, f->db);
    f->db = pko_store_acquire(f->st);
    assert_int_equal(n_stmts(f->db), before);
}

static unsigned file_mode(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (unsigned)(sb.st_mode & 0777);
}

/* Regression: the database, its WAL and backups were created readable by
 * everyone (mode 0644 under the usual umask). */
static void test_database_files_are_private(void **state)
{
    (void)state;
    mode_t old = umask(022);
    char dir[256], path[300], side[320], dest[320];
    test_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/p.db", dir);
    pko_store *st;
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true, .pool_size = 2};
    assert_int_equal(pko_store_open(path, &o, &st, &e), PKO_OK);
    assert_int_equal(pko_store_register_entity(st, &fx_mission, &e), PKO_OK);
    assert_int_equal(pko_store_register_entity(st, &fx_thing, &e), PKO_OK);
    assert_int_equal(pko_store_migrate(st, fx_sets, 1, NULL, &e), PKO_OK);
    assert_int_equal(file_mode(path), 0600);
    snprintf(side, sizeof(side), "%s-wal", path);
    assert_int_equal(file_mode(side), 0600);
    snprintf(side, sizeof(side), "%s-shm", path);
    assert_int_equal(file_mode(side), 0600);
    snprintf(dest, sizeof(dest), "%s/backup.db", dir);
    assert_int_equal(pko_store_backup(st, dest, &e), PKO_OK);
    assert_int_equal(file_mode(dest), 0600);
    pko_store_close(st);
    /* A database left readable by an older version is tightened on open. */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(pko_store_open(path, NULL, &st, &e), PKO_OK);
    assert_int_equal(file_mode(path), 0600);
    pko_store_close(st);
    umask(old);
    test_rmdir(dir);
}

static void test_error_mapping(void **state)
{
    (void)state;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_db_error(NULL, SQLITE_FULL, &e), PKO_EFULL);
    pko_err_clear(&e);
    assert_int_equal(pko_db_error(NULL, SQLITE_BUSY, &e), PKO_EBUSY);
    pko_err_clear(&e);
    assert_int_equal(pko_db_error(NULL, SQLITE_CONSTRAINT_UNIQUE, &e), PKO_ECONFLICT);
    assert_int_equal(e.sqlite_rc, SQLITE_CONSTRAINT_UNIQUE);
    pko_err_clear(&e);
    assert_int_equal(pko_db_error(NULL, SQLITE_CONSTRAINT_FOREIGNKEY, &e), PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_db_error(NULL, SQLITE_IOERR_WRITE, &e), PKO_EIO);
    pko_err_clear(&e);
    assert_int_equal(pko_db_error(NULL, SQLITE_CORRUPT, &e), PKO_ESTORE);
}

static void test_classification_names(void **state)
{
    (void)state;
    assert_int_equal(pko_class_parse("confidential"), PKO_CLASS_CONFIDENTIAL);
    assert_int_equal(pko_class_parse("secret"), -1);
    assert_int_equal(pko_class_parse(NULL), -1);
    assert_string_equal(pko_class_name(PKO_CLASS_STRICTLY_CONFIDENTIAL), "strictly_confidential");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_missing_file_says_how_to_create),
        cmocka_unit_test_setup_teardown(test_wal_sync_fk, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_migrations_run_once_and_node_id_is_stable, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_failed_migration_rolls_back, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_busy_gives_ebusy_after_retries, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_deadline_interrupts_sql, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_begin_past_deadline_says_too_long, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_disk_full_writes_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_backup_and_integrity, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_release_resets_statements_left_mid_result, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_cache_never_evicts_a_statement_mid_result, fx_setup,
                                        fx_teardown),
        cmocka_unit_test(test_database_files_are_private),
        cmocka_unit_test(test_error_mapping),
        cmocka_unit_test(test_classification_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
