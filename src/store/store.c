/* SPDX-License-Identifier: MIT
 *
 * Opening the database, the connection pool, migrations, statement cache,
 * error mapping, backup and integrity checks. The write path lives in
 * entity.c, the change log and audit trail in audit.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "store/store_int.h"

/* ==== Classification ===================================================== */

const char *pko_class_name(int c)
{
    switch (c) {
    case PKO_CLASS_UNCLASSIFIED: return "unclassified";
    case PKO_CLASS_CONFIDENTIAL: return "confidential";
    case PKO_CLASS_STRICTLY_CONFIDENTIAL: return "strictly_confidential";
    default: return "unknown";
    }
}

int pko_class_parse(const char *s)
{
    if (!s)
        return -1;
    for (int c = 0; c <= PKO_CLASS_STRICTLY_CONFIDENTIAL; c++)
        if (strcmp(s, pko_class_name(c)) == 0)
            return c;
    return -1;
}

/* ==== Core schema ======================================================== */

/* The store's own tables. The change log and the audit trail refuse UPDATE
 * and DELETE through triggers; the audit hash chain detects anyone who
 * bypasses them with another SQLite client. */
static const pko_migration core_steps[] = {
    {1, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
        "CREATE TABLE changes("
        "  seq INTEGER PRIMARY KEY,"
        "  hlc INTEGER NOT NULL,"
        "  node TEXT NOT NULL,"
        "  entity TEXT NOT NULL,"
        "  entity_id TEXT NOT NULL,"
        "  op TEXT NOT NULL CHECK (op IN ('insert','update','delete')),"
        "  fields TEXT NOT NULL,"
        "  author TEXT NOT NULL,"
        "  local_only INTEGER NOT NULL DEFAULT 0,"
        "  origin TEXT NOT NULL) STRICT;"
        "CREATE UNIQUE INDEX changes_node_hlc ON changes(node, hlc);"
        "CREATE INDEX changes_entity ON changes(entity, entity_id);"
        "CREATE TABLE audit("
        "  seq INTEGER PRIMARY KEY,"
        "  at TEXT NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  source TEXT NOT NULL,"
        "  action TEXT NOT NULL,"
        "  entity TEXT,"
        "  entity_id TEXT,"
        "  change_seq INTEGER REFERENCES changes(seq),"
        "  change_digest TEXT,"
        "  detail TEXT,"
        "  prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL) STRICT;"
        "CREATE INDEX audit_entity ON audit(entity, entity_id);"
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
        "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
        "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
        "CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes"
        "  BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;"
        "CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes"
        "  BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;"},
    /* Bulk writes (imports) seal a range of change records with one audit
     * entry: change_seq..change_last. */
    {2, "ALTER TABLE audit ADD COLUMN change_last INTEGER;"
        "CREATE INDEX audit_change ON audit(change_seq);"},
    /* The digest of the whole row as stored after the write (NULL for a
     * delete), sealed with the change record: `pko check` compares every
     * row of every entity table with it (pko_db_rows_verify). */
    {3, "ALTER TABLE changes ADD COLUMN row_digest TEXT;"},
};

/* ==== Errors ============================================================= */

pko_rc pko_db_error(pko_db *db, int src, pko_err *err)
{
    const char *m = db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(src);
    pko_rc rc;
    switch (src & 0xff) {
    case SQLITE_FULL:
        rc = pko_err_set(err, PKO_EFULL, "the disk or database is full; nothing was written (%s)", m);
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        rc = pko_err_set(err, PKO_EBUSY, "the database is busy; try again (%s)", m);
        break;
    case SQLITE_INTERRUPT:
        rc = pko_err_set(err, PKO_EBUSY, "the request took too long and was stopped");
        break;
    case SQLITE_CONSTRAINT:
        if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
            rc = pko_err_set(err, PKO_ECONFLICT, "a record with the same key exists (%s)", m);
        else if (src == SQLITE_CONSTRAINT_FOREIGNKEY)
            rc = pko_err_set(err, PKO_EINVAL, "a referenced record does not exist (%s)", m);
        else
            rc = pko_err_set(err, PKO_EINVAL, "a constraint failed (%s)", m);
        break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        rc = pko_err_set(err, PKO_EIO, "database I/O error (%s)", m);
        break;
    case SQLITE_NOMEM: rc = pko_err_set(err, PKO_ENOMEM, "out of memory in SQLite"); break;
    default: rc = pko_err_set(err, PKO_ESTORE, "database error: %s", m); break;
    }
    if (err && !err->sqlite_rc)
        err->sqlite_rc = src;
    return rc;
}

/* ==== Connections ======================================================== */

/* Make 'path' readable by its owner only if it is a file that others may
 * read (a database created before PKO set its umask, or under a loose one).
 * SQLite gives the WAL and shared-memory files the mode of the database. */
static void make_private(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077))
        (void)chmod(path, sb.st_mode & 0700);
}

/* make_private() for the database and its "-wal" and "-shm" files. */
static void make_db_private(const char *path)
{
    char side[4096];
    make_private(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    make_private(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    make_private(side);
}

static int progress_cb(void *arg)
{
    pko_db *db = arg;
    int64_t d = atomic_load(&db->deadline_ms);
    return d && pko_mono_ms() > d;
}

void pko_db_set_deadline(pko_db *db, int64_t deadline_ms)
{
    atomic_store(&db->deadline_ms, deadline_ms);
}

pko_rc store_exec(pko_db *db, const char *sql, pko_err *err)
{
    char *msg = NULL;
    int src = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (src != SQLITE_OK) {
        pko_rc rc = pko_db_error(db, sqlite3_extended_errcode(db->h), err);
        sqlite3_free(msg);
        return rc;
    }
    return PKO_OK;
}

static pko_rc db_open(pko_store *st, pko_db *db, bool create, pko_err *err)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    memset(db, 0, sizeof(*db));
    db->st = st;
    int src = sqlite3_open_v2(st->path, &db->h, flags, NULL);
    if (src != SQLITE_OK) {
        pko_err_set(err, PKO_EIO, "cannot open database %s: %s", st->path,
                    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(src));
        sqlite3_close(db->h);
        db->h = NULL;
        return PKO_EIO;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, st->busy_timeout_ms);
    sqlite3_progress_handler(db->h, 1000, progress_cb, db);
    /* WAL + synchronous=FULL: each commit fsyncs the WAL, so an acknowledged
     * write survives power loss, not only a process crash. */
    pko_rc rc = store_exec(db, "PRAGMA journal_mode=WAL;", err);
    if (!rc)
        /* trusted_schema stays ON: the FTS5 index of incidents is kept by
         * triggers, which SQLite refuses to run on a virtual table otherwise.
         * The database file is ours, not user-supplied. */
        rc = store_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                            "PRAGMA temp_store=MEMORY;",
                        err);
    if (rc) {
        sqlite3_close(db->h);
        db->h = NULL;
    }
    return rc;
}

/* Finalize the statements prepared outside the cache. */
static void db_free_loose(pko_db *db)
{
    for (int i = 0; i < db->n_loose; i++)
        sqlite3_finalize(db->loose[i]);
    db->n_loose = 0;
}

static void db_close(pko_db *db)
{
    if (!db->h)
        return;
    for (int i = 0; i < db->n_cache; i++)
        sqlite3_finalize(db->cache[i].s);
    db->n_cache = 0;
    db_free_loose(db);
    pko_free(db->loose);
    db->loose = NULL;
    db->cap_loose = 0;
    sqlite3_close(db->h);
    db->h = NULL;
}

pko_rc pko_store_open(const char *path, const pko_store_opts *opts, pko_store **out,
                      pko_err *err)
{
    *out = NULL;
    pko_store_opts o = {.create = false, .pool_size = 4, .busy_timeout_ms = 2000};
    if (opts) {
        o.create = opts->create;
        if (opts->pool_size > 0)
            o.pool_size = opts->pool_size;
        if (opts->busy_timeout_ms > 0)
            o.busy_timeout_ms = opts->busy_timeout_ms;
    }
    if (!o.create && access(path, F_OK) != 0)
        return pko_err_set(err, PKO_EIO,
                           "database %s does not exist; create it with `pko init --db %s`", path,
                           path);
    pko_store *st = pko_calloc(1, sizeof(*st));
    st->path = pko_strdup(path);
    st->busy_timeout_ms = o.busy_timeout_ms;
    st->n_conns = o.pool_size;
    st->conns = pko_calloc((size_t)o.pool_size, sizeof(pko_db));
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    pko_hlc_init(&st->hlc, 0);
    for (int i = 0; i < st->n_conns; i++) {
        pko_rc rc = db_open(st, &st->conns[i], o.create && i == 0, err);
        if (rc) {
            pko_store_close(st);
            return rc;
        }
        if (i == 0)
            make_db_private(path); /* before the other connections open */
    }
    make_db_private(path);
    /* Node id and clock floor, if the database was initialised before. */
    pko_db *db = &st->conns[0];
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key='node_id'", -1, &s, NULL) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        snprintf(st->node_id, sizeof(st->node_id), "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT max(hlc) FROM changes", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        st->hlc.last = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    *out = st;
    return PKO_OK;
}

void pko_store_close(pko_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->n_conns; i++)
        db_close(&st->conns[i]);
    for (int i = 0; i < st->n_entities; i++) {
        store_entity *se = &st->entities[i];
        pko_free(se->sql_insert);
        pko_free(se->sql_update);
        pko_free(se->sql_load);
        pko_free(se->sql_get);
        pko_free(se->sql_get_rowid);
        pko_free(se->sql_list);
        pko_free(se->sql_delete);
        pko_free(se->sql_scan);
        pko_free(se->sql_missing);
    }
    pko_hlc_destroy(&st->hlc);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->cv);
    pko_free(st->conns);
    pko_free(st->path);
    pko_free(st);
}

const char *pko_store_node_id(pko_store *st)
{
    return st->node_id;
}

const char *pko_store_path(pko_store *st)
{
    return st->path;
}

pko_store *pko_db_store(pko_db *db)
{
    return db->st;
}

pko_db *pko_store_acquire(pko_store *st)
{
    pthread_mutex_lock(&st->mu);
    for (;;) {
        for (int i = 0; i < st->n_conns; i++) {
            if (!st->conns[i].in_use) {
                st->conns[i].in_use = 1;
                pthread_mutex_unlock(&st->mu);
                return &st->conns[i];
            }
        }
        pthread_cond_wait(&st->cv, &st->mu);
    }
}

void pko_store_release(pko_store *st, pko_db *db)
{
    if (!db)
        return;
    if (db->tx)
        pko_tx_rollback(db->tx);
    /* A statement left mid-result holds a read transaction: the connection
     * would keep reading an old snapshot, fail its next write with BUSY and
     * block WAL checkpoints. Reset every one before the next user. */
    for (sqlite3_stmt *s = sqlite3_next_stmt(db->h, NULL); s; s = sqlite3_next_stmt(db->h, s))
        if (sqlite3_stmt_busy(s))
            sqlite3_reset(s);
    db_free_loose(db);
    pko_db_set_deadline(db, 0);
    pthread_mutex_lock(&st->mu);
    db->in_use = 0;
    pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* ==== Statements ========================================================= */

pko_rc pko_db_prepare(pko_db *db, const char *sql, pko_stmt **out, pko_err *err)
{
    db->tick++;
    for (int i = 0; i < db->n_cache; i++) {
        if (db->cache[i].sql == sql) {
            sqlite3_reset(db->cache[i].s);
            sqlite3_clear_bindings(db->cache[i].s);
            db->cache[i].used = db->tick;
            *out = db->cache[i].s;
            return PKO_OK;
        }
    }
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (src != SQLITE_OK)
        return pko_db_error(db, sqlite3_extended_errcode(db->h), err);
    int slot = db->n_cache;
    if (slot == STMT_CACHE) {
        /* Full: evict the least recently used statement that no caller is
         * stepping through (finalizing one mid-result would free it under
         * the caller). */
        slot = -1;
        for (int i = 0; i < STMT_CACHE; i++)
            if (!sqlite3_stmt_busy(db->cache[i].s) &&
                (slot < 0 || db->cache[i].used < db->cache[slot].used))
                slot = i;
        if (slot < 0) {
            /* Every one is mid-result: keep this one outside the cache
             * until the connection is released. */
            if (db->n_loose == db->cap_loose) {
                db->cap_loose = db->cap_loose ? 2 * db->cap_loose : 8;
                db->loose = pko_realloc(db->loose, (size_t)db->cap_loose * sizeof(*db->loose));
            }
            db->loose[db->n_loose++] = s;
            *out = s;
            return PKO_OK;
        }
        sqlite3_finalize(db->cache[slot].s);
    } else {
        db->n_cache++;
    }
    db->cache[slot] = (stmt_slot){.sql = sql, .s = s, .used = db->tick};
    *out = s;
    return PKO_OK;
}

pko_rc pko_db_step(pko_db *db, pko_stmt *s, int *row, pko_err *err)
{
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        *row = 1;
        return PKO_OK;
    }
    *row = 0;
    if (src == SQLITE_DONE)
        return PKO_OK;
    pko_rc rc = pko_db_error(db, sqlite3_extended_errcode(db->h), err);
    sqlite3_reset(s);
    return rc;
}

/* ==== Migrations ========================================================= */

static pko_rc migrate_set(pko_db *db, const pko_migration_set *set, int *applied, pko_err *err)
{
    static const char q_done[] = "SELECT 1 FROM schema_migrations WHERE owner=?1 AND version=?2";
    static const char q_mark[] =
        "INSERT INTO schema_migrations(owner, version, applied_at) VALUES(?1, ?2, ?3)";
    for (size_t i = 0; i < set->n_steps; i++) {
        const pko_migration *m = &set->steps[i];
        pko_stmt *s;
        int row;
        pko_rc rc = pko_db_prepare(db, q_done, &s, err);
        if (rc)
            return rc;
        sqlite3_bind_text(s, 1, set->owner, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, m->version);
        rc = pko_db_step(db, s, &row, err);
        sqlite3_reset(s);
        if (rc)
            return rc;
        if (row)
            continue;
        rc = store_exec(db, "BEGIN IMMEDIATE", err);
        if (rc)
            return rc;
        rc = store_exec(db, m->sql, err);
        if (!rc)
            rc = pko_db_prepare(db, q_mark, &s, err);
        if (!rc) {
            char at[32];
            sqlite3_bind_text(s, 1, set->owner, -1, SQLITE_STATIC);
            sqlite3_bind_int(s, 2, m->version);
            sqlite3_bind_text(s, 3, pko_time_rfc3339(pko_now_ms(), at, sizeof(at)), -1,
                              SQLITE_TRANSIENT);
            rc = pko_db_step(db, s, &row, err);
            sqlite3_reset(s);
        }
        if (!rc)
            rc = store_exec(db, "COMMIT", err);
        if (rc) {
            store_exec(db, "ROLLBACK", NULL);
            if (err) {
                char why[PKO_ERR_MSG_MAX];
                snprintf(why, sizeof(why), "%s", err->msg);
                int src = err->sqlite_rc;
                pko_err_clear(err);
                pko_err_set(err, rc, "migration %s/%d failed: %s", set->owner, m->version, why);
                err->sqlite_rc = src;
            }
            return rc;
        }
        char ver[16];
        snprintf(ver, sizeof(ver), "%d", m->version);
        pko_log(PKO_LOG_INFO, "migration_applied", "owner", set->owner, "version", ver, NULL);
        if (applied)
            (*applied)++;
    }
    return PKO_OK;
}

pko_rc pko_store_migrate(pko_store *st, const pko_migration_set *sets, size_t n, int *applied,
                         pko_err *err)
{
    if (applied)
        *applied = 0;
    pko_db *db = pko_store_acquire(st);
    pko_rc rc = store_exec(db,
                           "CREATE TABLE IF NOT EXISTS schema_migrations("
                           "owner TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,"
                           "PRIMARY KEY(owner, version)) STRICT",
                           err);
    const pko_migration_set core = {"core", core_steps, sizeof(core_steps) / sizeof(core_steps[0])};
    if (!rc)
        rc = migrate_set(db, &core, applied, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = migrate_set(db, &sets[i], applied, err);
    if (!rc && !st->node_id[0]) {
        char node[33];
        pko_random_hex(node, 16);
        pko_stmt *s;
        int row;
        static const char q[] = "INSERT OR IGNORE INTO meta(key, value) VALUES('node_id', ?1)";
        rc = pko_db_prepare(db, q, &s, err);
        if (!rc) {
            sqlite3_bind_text(s, 1, node, -1, SQLITE_TRANSIENT);
            rc = pko_db_step(db, s, &row, err);
            sqlite3_reset(s);
        }
        static const char q2[] = "SELECT value FROM meta WHERE key='node_id'";
        if (!rc)
            rc = pko_db_prepare(db, q2, &s, err);
        if (!rc)
            rc = pko_db_step(db, s, &row, err);
        if (!rc && row)
            snprintf(st->node_id, sizeof(st->node_id), "%s",
                     (const char *)sqlite3_column_text(s, 0));
        if (!rc)
            sqlite3_reset(s);
    }
    pko_store_release(st, db);
    return rc;
}

/* ==== Entities =========================================================== */

static bool ident_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 48)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (p != s && *p >= '0' && *p <= '9')))
            return false;
    return true;
}

const store_entity *store_entity_find(pko_store *st, const pko_entity *e)
{
    for (int i = 0; i < st->n_entities; i++)
        if (st->entities[i].e == e)
            return &st->entities[i];
    return NULL;
}

/* Build the column list "id,version,classification,created_at,updated_at,c1,..". */
static pko_rc entity_cols(pko_buf *b, const pko_entity *e)
{
    pko_rc rc = pko_buf_puts(b, "id,version,classification,created_at,updated_at");
    for (size_t i = 0; !rc && i < e->n_cols; i++)
        rc = pko_buf_printf(b, ",%s", e->cols[i].name);
    return rc;
}

/* The scope filter shared by get and list. Parameters: ?2 clearance, ?3 all
 * missions flag, ?4 JSON array of mission acronyms. */
static pko_rc entity_filter(pko_buf *b, const pko_entity *e)
{
    pko_rc rc = pko_buf_puts(b, " AND classification <= ?2");
    if (!rc && e->scope_col)
        rc = pko_buf_printf(b,
                            " AND (?3 OR %s IN (SELECT id FROM missions WHERE acronym IN "
                            "(SELECT value FROM json_each(?4))))",
                            e->scope_col);
    return rc;
}

pko_rc pko_store_register_entity(pko_store *st, const pko_entity *e, pko_err *err)
{
    if (store_entity_find(st, e))
        return PKO_OK;
    if (st->n_entities == STORE_MAX_ENTITIES)
        return pko_err_set(err, PKO_EINTERNAL, "too many entities");
    if (!ident_ok(e->table) || !e->name || (e->scope_col && !ident_ok(e->scope_col)))
        return pko_err_set(err, PKO_EINTERNAL, "entity %s: bad table or scope column name",
                           e->name ? e->name : "?");
    for (size_t i = 0; i < e->n_cols; i++)
        if (!ident_ok(e->cols[i].name))
            return pko_err_set(err, PKO_EINTERNAL, "entity %s: bad column name", e->name);

    store_entity se = {.e = e};
    pko_buf b;
    pko_rc rc;

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_printf(&b, "INSERT INTO %s(", e->table);
    if (!rc)
        rc = entity_cols(&b, e);
    if (!rc)
        rc = pko_buf_puts(&b, ") VALUES(?1,?2,?3,?4,?5");
    for (size_t i = 0; !rc && i < e->n_cols; i++)
        rc = pko_buf_printf(&b, ",?%zu", i + 6);
    if (!rc)
        rc = pko_buf_puts(&b, ")");
    se.sql_insert = pko_buf_take(&b, NULL);

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_printf(&b, "UPDATE %s SET version=?2,classification=?3,updated_at=?5", e->table);
    for (size_t i = 0; !rc && i < e->n_cols; i++)
        rc = pko_buf_printf(&b, ",%s=?%zu", e->cols[i].name, i + 6);
    if (!rc)
        rc = pko_buf_puts(&b, " WHERE id=?1");
    se.sql_update = pko_buf_take(&b, NULL);

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_puts(&b, "SELECT ");
    if (!rc)
        rc = entity_cols(&b, e);
    if (!rc)
        rc = pko_buf_printf(&b, " FROM %s WHERE id=?1", e->table);
    se.sql_load = pko_buf_take(&b, NULL);

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_puts(&b, se.sql_load);
    if (!rc)
        rc = entity_filter(&b, e);
    se.sql_get = pko_buf_take(&b, NULL);

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_puts(&b, "SELECT ");
    if (!rc)
        rc = entity_cols(&b, e);
    if (!rc)
        rc = pko_buf_printf(&b, " FROM %s WHERE rowid=?1", e->table);
    if (!rc)
        rc = entity_filter(&b, e);
    se.sql_get_rowid = pko_buf_take(&b, NULL);

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_puts(&b, "SELECT ");
    if (!rc)
        rc = entity_cols(&b, e);
    if (!rc)
        rc = pko_buf_printf(&b, " FROM %s WHERE id > ?1", e->table);
    if (!rc)
        rc = entity_filter(&b, e);
    if (!rc)
        rc = pko_buf_puts(&b, " ORDER BY id LIMIT ?5");
    se.sql_list = pko_buf_take(&b, NULL);

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_printf(&b, "DELETE FROM %s WHERE id=?1", e->table);
    se.sql_delete = pko_buf_take(&b, NULL);

    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_puts(&b, "SELECT ");
    if (!rc)
        rc = entity_cols(&b, e);
    if (!rc)
        rc = pko_buf_printf(&b, " FROM %s", e->table);
    se.sql_scan = pko_buf_take(&b, NULL);

    /* Records whose latest change is not a delete but whose row is gone.
     * The bare "op" comes from the row holding max(seq). */
    pko_buf_init(&b, 64 * 1024);
    rc = pko_buf_printf(&b,
                        "SELECT g.entity_id, g.seq FROM (SELECT entity_id, op, max(seq) AS seq"
                        " FROM changes WHERE entity=?1 GROUP BY entity_id) g"
                        " WHERE g.op != 'delete' AND NOT EXISTS (SELECT 1 FROM %s t"
                        " WHERE t.id = g.entity_id) LIMIT 1",
                        e->table);
    se.sql_missing = pko_buf_take(&b, NULL);
    if (rc)
        return pko_err_set(err, PKO_EINTERNAL, "entity %s: SQL too long", e->name);

    st->entities[st->n_entities++] = se;
    return PKO_OK;
}

/* ==== Backup and checks ================================================== */

pko_rc pko_store_backup(pko_store *st, const char *dest, pko_err *err)
{
    if (access(dest, F_OK) == 0)
        return pko_err_set(err, PKO_ECONFLICT, "%s exists; choose a new file for the backup",
                           dest);
    sqlite3 *out = NULL;
    int src = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (src != SQLITE_OK) {
        pko_err_set(err, PKO_EIO, "cannot create %s: %s", dest, sqlite3_errstr(src));
        sqlite3_close(out);
        return PKO_EIO;
    }
    make_db_private(dest); /* the copy holds everything the database does */
    pko_db *db = pko_store_acquire(st);
    pko_rc rc = PKO_OK;
    sqlite3_backup *bk = sqlite3_backup_init(out, "main", db->h, "main");
    if (!bk) {
        rc = pko_err_set(err, PKO_EIO, "backup failed: %s", sqlite3_errmsg(out));
    } else {
        do {
            src = sqlite3_backup_step(bk, 256);
            if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
                sqlite3_sleep(20);
        } while (src == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED);
        sqlite3_backup_finish(bk);
        if (src != SQLITE_DONE)
            rc = pko_err_set(err, src == SQLITE_FULL ? PKO_EFULL : PKO_EIO,
                             "backup to %s failed: %s", dest, sqlite3_errstr(src));
    }
    pko_store_release(st, db);
    sqlite3_close(out);
    if (rc)
        unlink(dest);
    else
        make_db_private(dest);
    return rc;
}

pko_rc pko_db_integrity_check(pko_db *db, pko_err *err)
{
    static const char q1[] = "PRAGMA integrity_check";
    static const char q2[] = "PRAGMA foreign_key_check";
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q1, &s, err);
    if (rc)
        return rc;
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row && strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
        rc = pko_err_set(err, PKO_EINTERNAL, "integrity_check: %s", sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc)
        return rc;
    rc = pko_db_prepare(db, q2, &s, err);
    if (rc)
        return rc;
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        rc = pko_err_set(err, PKO_EINTERNAL, "foreign_key_check: table %s row %lld breaks a reference",
                         sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1));
    sqlite3_reset(s);
    return rc;
}

void pko_store_get_stats(pko_store *st, pko_store_stats *o)
{
    o->commits = atomic_load(&st->commits);
    o->rollbacks = atomic_load(&st->rollbacks);
    o->busy_retries = atomic_load(&st->busy_retries);
    o->changes = atomic_load(&st->changes);
    o->audit_entries = atomic_load(&st->audit_entries);
}
