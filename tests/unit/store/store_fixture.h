/* SPDX-License-Identifier: MIT
 * A store with a small test schema, for the store unit tests. */
#ifndef PKO_TEST_STORE_FIXTURE_H
#define PKO_TEST_STORE_FIXTURE_H

#include "test_util.h"

#include <sodium.h>
#include <sqlite3.h>

#include "store/store.h"

static const pko_migration fx_steps[] = {
    {1, "CREATE TABLE missions(id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
        " classification INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " acronym TEXT NOT NULL UNIQUE) STRICT;"
        "CREATE TABLE things(id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
        " classification INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT REFERENCES missions(id), title TEXT NOT NULL, count INTEGER,"
        " score REAL, ok INTEGER, tags TEXT, secret TEXT, fixed TEXT) STRICT;"},
};
static const pko_migration_set fx_sets[] = {{"fixture", fx_steps, 1}};

static const pko_col fx_mission_cols[] = {{"acronym", PKO_COL_TEXT, PKO_COL_REQUIRED}};
static const pko_entity fx_mission = {"mission", "missions", fx_mission_cols, 1, "id", 0};

static const pko_col fx_thing_cols[] = {
    {"mission_id", PKO_COL_TEXT, 0},
    {"title", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"count", PKO_COL_INT, 0},
    {"score", PKO_COL_REAL, 0},
    {"ok", PKO_COL_BOOL, 0},
    {"tags", PKO_COL_JSON, 0},
    {"secret", PKO_COL_TEXT, PKO_COL_SECRET},
    {"fixed", PKO_COL_TEXT, PKO_COL_READONLY},
};
static const pko_entity fx_thing = {"thing", "things", fx_thing_cols, 8, "mission_id", 0};

typedef struct fx {
    char dir[256];
    char path[300];
    pko_store *st;
    pko_db *db;
    pko_actor actor;
} fx;

static inline int fx_setup(void **state)
{
    if (sodium_init() < 0)
        return -1;
    fx *f = calloc(1, sizeof(*f));
    test_tmpdir(f->dir, sizeof(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true, .pool_size = 2, .busy_timeout_ms = 50};
    if (pko_store_open(f->path, &o, &f->st, &e) || pko_store_register_entity(f->st, &fx_mission, &e) ||
        pko_store_register_entity(f->st, &fx_thing, &e) ||
        pko_store_migrate(f->st, fx_sets, 1, NULL, &e)) {
        fprintf(stderr, "fixture: %s\n", e.msg);
        return -1;
    }
    f->db = pko_store_acquire(f->st);
    f->actor = (pko_actor){"user-1", "127.0.0.1"};
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    fx *f = *state;
    pko_store_release(f->st, f->db);
    pko_store_close(f->st);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* Insert one record of 'e' from JSON text in its own transaction. */
static inline pko_rc fx_insert(fx *f, const pko_entity *e, const char *json, char id[PKO_ID_LEN],
                               pko_err *err)
{
    pko_err_clear(err);
    json_t *v = json_loads(json, 0, NULL);
    assert_non_null(v);
    pko_rc rc = pko_db_insert(f->db, &f->actor, e, v, id, err);
    json_decref(v);
    return rc;
}

static inline pko_rc fx_update(fx *f, const pko_entity *e, const char *id, const char *json,
                               int64_t version, pko_err *err)
{
    pko_err_clear(err);
    json_t *v = json_loads(json, 0, NULL);
    assert_non_null(v);
    pko_rc rc = pko_db_update(f->db, &f->actor, e, id, v, version, err);
    json_decref(v);
    return rc;
}

/* Run raw SQL on the database file through a separate connection, as an
 * attacker with the sqlite3 shell would. */
static inline void fx_raw(fx *f, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("raw SQL failed: %s", msg);
    sqlite3_close(h);
}

static inline int64_t fx_count(fx *f, const char *sql)
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

#endif
