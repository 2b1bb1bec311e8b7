/* SPDX-License-Identifier: MIT
 *
 * The store: PKO's system of record, an SQLite database in WAL mode.
 *
 * What it guarantees:
 *  - Durability: journal_mode=WAL with synchronous=FULL, so a write that
 *    pko_tx_commit() acknowledged survives kill -9 and power loss.
 *  - One write path: every insert, update and delete goes through
 *    pko_tx_insert/update/delete, which in the same transaction append a
 *    change record (entity, id, changed fields, author, node id, HLC
 *    timestamp) to the change log and a hash-chained entry to the audit trail.
 *  - Central read filters: pko_db_get/list apply the caller's clearance and
 *    mission scope in SQL, and audit every read of a record classified
 *    confidential or above.
 *  - Only prepared statements; SQL text is built from the static entity
 *    descriptors below, never from input.
 *
 * Threads: a pko_store is shared; each thread checks out its own pko_db
 * connection with pko_store_acquire() and gives it back with
 * pko_store_release().
 */
#ifndef PKO_STORE_STORE_H
#define PKO_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"

typedef struct pko_store pko_store;
typedef struct pko_db pko_db;
typedef struct pko_tx pko_tx;
typedef struct sqlite3_stmt pko_stmt;

/* ---- Classification ---------------------------------------------------- */

typedef enum pko_class {
    PKO_CLASS_UNCLASSIFIED = 0,
    PKO_CLASS_CONFIDENTIAL = 1,
    PKO_CLASS_STRICTLY_CONFIDENTIAL = 2,
} pko_class;

/* "unclassified" / "confidential" / "strictly_confidential". */
const char *pko_class_name(int c);
/* Parse a classification name; returns -1 when unknown. */
int pko_class_parse(const char *s);

/* ---- Migrations --------------------------------------------------------- */

typedef struct pko_migration {
    int version;     /* 1, 2, 3 ... in order, never renumbered */
    const char *sql; /* one or more statements, run in one transaction */
} pko_migration;

typedef struct pko_migration_set {
    const char *owner; /* module name: "core", "auth", "missions" */
    const pko_migration *steps;
    size_t n_steps;
} pko_migration_set;

/* ---- Entities ------------------------------------------------------------ */

typedef enum pko_col_type {
    PKO_COL_TEXT,
    PKO_COL_INT,
    PKO_COL_REAL,
    PKO_COL_BOOL,
    PKO_COL_JSON, /* any JSON value, stored as text */
} pko_col_type;

enum {
    PKO_COL_REQUIRED = 1 << 0, /* must be present and non-null on insert */
    PKO_COL_SECRET = 1 << 1,   /* value is "[redacted]" in the change log, never read out */
    PKO_COL_READONLY = 1 << 2, /* set on insert only */
    PKO_COL_HIDDEN = 1 << 3,   /* stored but never returned by get/list */
};

typedef struct pko_col {
    const char *name; /* SQL column and JSON field name */
    pko_col_type type;
    unsigned flags;
} pko_col;

enum {
    PKO_ENTITY_LOCAL = 1 << 0, /* node-local (sessions): logged and audited, never replicated */
};

/* A table the store writes through its one write path. The table has the
 * columns id TEXT PRIMARY KEY, version INTEGER, classification INTEGER,
 * created_at TEXT, updated_at TEXT, then 'cols'. */
typedef struct pko_entity {
    const char *name;      /* entity name in the change log: "mission" */
    const char *table;     /* SQL table: "missions" */
    const pko_col *cols;   /* domain columns */
    size_t n_cols;
    const char *scope_col; /* column holding a missions.id that scopes the row, or NULL */
    unsigned flags;
} pko_entity;

/* Who acts, for the change log and audit trail. */
typedef struct pko_actor {
    const char *user_id; /* user id, or "system" for CLI and server internals */
    const char *source;  /* "127.0.0.1", "cli" */
} pko_actor;

/* What a reader may see: rows with classification <= clearance, and, for
 * mission-scoped entities, only rows of the listed missions unless
 * all_missions is set. */
typedef struct pko_scope {
    int clearance;
    bool all_missions;
    const char *missions_json; /* JSON array of mission acronyms, e.g. ["MINUSCA"] */
} pko_scope;

/* ---- Opening and connections -------------------------------------------- */

typedef struct pko_store_opts {
    bool create;         /* create the file if missing (pko init) */
    int pool_size;       /* connections; default 4 */
    int busy_timeout_ms; /* wait for the write lock per attempt (3 attempts); default 2000 */
} pko_store_opts;

/* Open the database at 'path'. Runs no migrations. The database and its
 * WAL and shared-memory files are made readable by their owner only. */
PKO_MUST_USE pko_rc pko_store_open(const char *path, const pko_store_opts *opts,
                                   pko_store **out, pko_err *err);
/* Close every connection; NULL is a no-op. */
void pko_store_close(pko_store *st);

/* Apply pending migrations of every set, each step in its own transaction,
 * recording (owner, version) in schema_migrations. Also creates the node id
 * on first use. '*applied' (may be NULL) receives the number of steps run. */
PKO_MUST_USE pko_rc pko_store_migrate(pko_store *st, const pko_migration_set *sets, size_t n,
                                      int *applied, pko_err *err);

/* Make 'e' known to the store so its statements can be prepared. Entities
 * must be registered before the first acquire. The descriptor is borrowed
 * for the store's lifetime. */
PKO_MUST_USE pko_rc pko_store_register_entity(pko_store *st, const pko_entity *e, pko_err *err);

/* This database's node id (32 hex digits), set by the first migration. */
const char *pko_store_node_id(pko_store *st);
/* The database file path. */
const char *pko_store_path(pko_store *st);

/* The store a connection belongs to. */
pko_store *pko_db_store(pko_db *db);

/* Check out a connection for this thread; blocks while all are in use. */
pko_db *pko_store_acquire(pko_store *st);
void pko_store_release(pko_store *st, pko_db *db);

/* Abort SQL running on 'db' once the monotonic clock passes 'deadline_ms'
 * (0 clears). Statements then fail with PKO_EBUSY "request timed out". */
void pko_db_set_deadline(pko_db *db, int64_t deadline_ms);

/* Prepare 'sql' (a static string) on 'db', cached per connection. The
 * statement is reset and its bindings cleared; do not finalize it. A full
 * cache evicts the least recently used statement that is not mid-result;
 * when every one is, the statement is prepared outside the cache and
 * finalized at pko_store_release(). */
PKO_MUST_USE pko_rc pko_db_prepare(pko_db *db, const char *sql, pko_stmt **out, pko_err *err);
/* Step a prepared statement, mapping SQLite codes: returns PKO_OK with
 * '*row' set to 1 for a row or 0 when done. */
PKO_MUST_USE pko_rc pko_db_step(pko_db *db, pko_stmt *s, int *row, pko_err *err);
/* Map an SQLite result code and message into 'err'. */
pko_rc pko_db_error(pko_db *db, int sqlite_rc, pko_err *err);

/* ---- The one write path ------------------------------------------------- */

/* Begin a write transaction (BEGIN IMMEDIATE, retried while the database is
 * busy, then PKO_EBUSY). 'actor' is borrowed until commit/rollback. */
PKO_MUST_USE pko_rc pko_tx_begin(pko_db *db, const pko_actor *actor, pko_tx **out, pko_err *err);
/* Commit; on failure the transaction is rolled back and freed anyway. A
 * transaction in which a row was written but its change record or audit
 * entry could not be appended never commits: this fails and rolls back,
 * even if the caller went on after the write's error. */
PKO_MUST_USE pko_rc pko_tx_commit(pko_tx *tx, pko_err *err);
/* Roll back and free; NULL is a no-op. */
void pko_tx_rollback(pko_tx *tx);
/* The connection a transaction runs on, for module queries inside it. */
pko_db *pko_tx_db(pko_tx *tx);

/* Insert a record of 'e' from the JSON object 'fields' (borrowed). Unknown
 * fields, wrong types and missing required fields fail with PKO_EINVAL and
 * err->field. "classification" may be given (a name); default unclassified.
 * The new id is written to 'out_id'. */
PKO_MUST_USE pko_rc pko_tx_insert(pko_tx *tx, const pko_entity *e, json_t *fields,
                                  char out_id[PKO_ID_LEN], pko_err *err);
/* Update the fields present in 'fields' of record 'id'. When 'expect_version'
 * > 0 and the stored version differs, fails with PKO_ECONFLICT. Records the
 * changed fields only; an update that changes nothing writes nothing. */
PKO_MUST_USE pko_rc pko_tx_update(pko_tx *tx, const pko_entity *e, const char *id, json_t *fields,
                                  int64_t expect_version, pko_err *err);
/* Delete record 'id'. */
PKO_MUST_USE pko_rc pko_tx_delete(pko_tx *tx, const pko_entity *e, const char *id, pko_err *err);
/* Append a non-write event (login, logout, login_failed, read) to the audit
 * trail. 'entity', 'id' and 'detail' may be NULL. */
PKO_MUST_USE pko_rc pko_tx_audit(pko_tx *tx, const char *action, const char *entity,
                                 const char *id, const char *detail, pko_err *err);

/* Switch 'tx' to bulk mode (imports): the writes that follow still append
 * one change record each, but instead of one audit entry per write, commit
 * appends a single audit entry 'action' with 'detail' that seals the whole
 * range of change records with a digest over their digests. */
PKO_MUST_USE pko_rc pko_tx_bulk(pko_tx *tx, const char *action, const char *detail, pko_err *err);

/* One write in its own transaction (the usual create, update or delete of
 * an API handler): begin, pko_tx_insert/update/delete, commit; nothing is
 * written when any step fails. */
PKO_MUST_USE pko_rc pko_db_insert(pko_db *db, const pko_actor *actor, const pko_entity *e,
                                  json_t *fields, char out_id[PKO_ID_LEN], pko_err *err);
PKO_MUST_USE pko_rc pko_db_update(pko_db *db, const pko_actor *actor, const pko_entity *e,
                                  const char *id, json_t *fields, int64_t expect_version,
                                  pko_err *err);
PKO_MUST_USE pko_rc pko_db_delete(pko_db *db, const pko_actor *actor, const pko_entity *e,
                                  const char *id, pko_err *err);

/* Audit an event in its own transaction (for reads and failed logins). */
PKO_MUST_USE pko_rc pko_db_audit(pko_db *db, const pko_actor *actor, const char *action,
                                 const char *entity, const char *id, const char *detail,
                                 pko_err *err);

/* ---- Central reads ------------------------------------------------------- */

/* Read record 'id' of 'e' as a JSON object (caller decrefs) if 'scope'
 * allows it; otherwise PKO_ENOTFOUND, so existence does not leak. Reads of
 * confidential or higher records are audited under 'actor'. */
PKO_MUST_USE pko_rc pko_db_get(pko_db *db, const pko_entity *e, const pko_scope *scope,
                               const pko_actor *actor, const char *id, json_t **out,
                               pko_err *err);
/* Like pko_db_get, addressing the record by its SQLite rowid (which an
 * in-memory index keeps instead of the 36-byte id). */
PKO_MUST_USE pko_rc pko_db_get_rowid(pko_db *db, const pko_entity *e, const pko_scope *scope,
                                     const pko_actor *actor, int64_t rowid, json_t **out,
                                     pko_err *err);
/* List records of 'e' visible under 'scope', ordered by id, after cursor
 * 'after' (NULL for the first page), at most 'limit'. '*out' is a JSON array. */
PKO_MUST_USE pko_rc pko_db_list(pko_db *db, const pko_entity *e, const pko_scope *scope,
                                const pko_actor *actor, const char *after, int limit,
                                json_t **out, pko_err *err);

/* ---- Change log and audit trail ----------------------------------------- */

/* Read change records with seq > 'after', at most 'limit', as a JSON array of
 * {seq, hlc, node, entity, entity_id, op, fields, author, origin}. */
PKO_MUST_USE pko_rc pko_db_changes(pko_db *db, int64_t after, int limit, json_t **out,
                                   pko_err *err);
/* The edit history of one record: its change records in order, as a JSON
 * array of {seq, at, author, op, fields}. Callers check access first. */
PKO_MUST_USE pko_rc pko_db_history(pko_db *db, const char *entity, const char *id, json_t **out,
                                   pko_err *err);
/* Read audit entries with seq > 'after', at most 'limit'. */
PKO_MUST_USE pko_rc pko_db_audit_list(pko_db *db, int64_t after, int limit, json_t **out,
                                      pko_err *err);
/* Verify the audit hash chain and that every change record matches the
 * digest its audit entry sealed. On the first problem returns
 * PKO_EINTERNAL with a message naming the entry. '*n_entries' and '*head'
 * (64 hex digits + NUL, may be NULL) receive what was verified. */
PKO_MUST_USE pko_rc pko_db_audit_verify(pko_db *db, int64_t *n_entries, char head[65],
                                        pko_err *err);
/* What pko_db_rows_verify() looked at. */
typedef struct pko_rows_report {
    int64_t rows;   /* rows of entity tables compared with the change log */
    int tables;     /* entity tables scanned (every registered entity) */
    int64_t legacy; /* rows whose latest change predates row digests: not comparable */
} pko_rows_report;

/* Verify the data tables against the change log: for every registered
 * entity, every row's digest (the whole row as stored, secret and hidden
 * columns included) must equal the row digest sealed in the latest change
 * record of (entity, id). A row with no change record or whose latest
 * change is a delete, a row that differs, and a record whose latest change
 * is not a delete but whose row is missing are reported: PKO_EINTERNAL with
 * a message naming the entity and id of the first one. Rows whose latest
 * change was written before row digests existed are counted in
 * 'rep->legacy' and not compared. Streams through the tables in one read
 * snapshot with one indexed lookup per row. 'rep' may be NULL. */
PKO_MUST_USE pko_rc pko_db_rows_verify(pko_db *db, pko_rows_report *rep, pko_err *err);
/* PRAGMA integrity_check and foreign_key_check. */
PKO_MUST_USE pko_rc pko_db_integrity_check(pko_db *db, pko_err *err);

/* Copy the live database to 'dest' with the SQLite online backup API. The
 * copy is readable by its owner only. */
PKO_MUST_USE pko_rc pko_store_backup(pko_store *st, const char *dest, pko_err *err);

/* Counters for /metrics. */
typedef struct pko_store_stats {
    uint64_t commits, rollbacks, busy_retries, changes, audit_entries;
} pko_store_stats;
void pko_store_get_stats(pko_store *st, pko_store_stats *out);

#endif
