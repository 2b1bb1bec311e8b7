/* SPDX-License-Identifier: MIT
 *
 * Internals shared by the store's files; not for use outside src/store.
 */
#ifndef PKO_STORE_INT_H
#define PKO_STORE_INT_H

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "core/clock.h"
#include "store/store.h"

#define STORE_MAX_ENTITIES 64
#define STMT_CACHE 256

/* SQL text built once per entity from its descriptor. */
typedef struct store_entity {
    const pko_entity *e; /* borrowed descriptor */
    char *sql_insert;    /* owned */
    char *sql_update;    /* owned */
    char *sql_load;      /* owned: every column, by id, no filter */
    char *sql_get;       /* owned: by id, clearance and scope filter */
    char *sql_get_rowid; /* owned: by SQLite rowid, clearance and scope filter */
    char *sql_list;      /* owned: page after id, clearance and scope filter */
    char *sql_delete;    /* owned */
    char *sql_scan;      /* owned: every column of every row, no filter */
    char *sql_missing;   /* owned: a live record (latest change not a delete) with no row */
} store_entity;

typedef struct stmt_slot {
    const char *sql; /* key: pointer to stable SQL text */
    sqlite3_stmt *s;
    uint64_t used;   /* tick of the last checkout, for eviction */
} stmt_slot;

struct pko_db {
    sqlite3 *h;
    pko_store *st;
    int in_use;
    _Atomic int64_t deadline_ms; /* monotonic; 0 = none */
    stmt_slot cache[STMT_CACHE];
    int n_cache;
    uint64_t tick;
    /* Prepared while every cached statement was mid-result: not cached,
     * finalized when the connection is released. */
    sqlite3_stmt **loose;
    int n_loose, cap_loose;
    pko_tx *tx; /* open transaction, if any */
};

struct pko_tx {
    pko_db *db;
    const pko_actor *actor;
    int64_t next_seq; /* next change seq, 0 until first looked up */
    /* A row was written but its change record or audit entry was not:
     * commit refuses and rolls back (an unlogged row never commits). */
    bool failed;
    pko_rc failed_rc;
    /* Bulk mode: change records are sealed by one audit entry at commit. */
    bool bulk;
    char *bulk_action, *bulk_detail; /* owned */
    int64_t bulk_first, bulk_last;
    crypto_generichash_state bulk_hash;
};

struct pko_store {
    char *path;
    int busy_timeout_ms;
    pko_db *conns;
    int n_conns;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char node_id[33];
    pko_hlc hlc;
    store_entity entities[STORE_MAX_ENTITIES];
    int n_entities;
    _Atomic uint64_t commits, rollbacks, busy_retries, changes, audit_entries;
};

/* Find the compiled SQL of 'e', or NULL if it was never registered. */
const store_entity *store_entity_find(pko_store *st, const pko_entity *e);

/* Append the change record for one write and seal it in the audit trail.
 * 'fields' is a JSON object of the changed fields (borrowed); 'row_digest'
 * the store_row_digest() of the row as stored after the write (NULL for a
 * delete). */
pko_rc store_log_change(pko_tx *tx, const pko_entity *e, const char *id, const char *op,
                        json_t *fields, const char *row_digest, pko_err *err);

/* BLAKE2b (64 hex digits + NUL into 'out') of the current row of 's', whose
 * columns are those of entity_cols() for 'e' (id, version, classification,
 * created_at, updated_at, then every descriptor column, secret and hidden
 * ones included): each value tagged with its column name and storage class,
 * so NULL, '' and 0 all differ. */
void store_row_digest(sqlite3_stmt *s, const pko_entity *e, char out[65]);

/* Append one audit entry inside the open transaction 'tx'. */
pko_rc store_audit_append(pko_tx *tx, const char *action, const char *entity, const char *id,
                          int64_t change_seq, int64_t change_last, const char *change_digest,
                          const char *detail, pko_err *err);

/* Seal the bulk range of 'tx' with one audit entry (called by commit). */
pko_rc store_bulk_seal(pko_tx *tx, pko_err *err);

/* Execute SQL with no result rows and no parameters (schema, pragmas). */
pko_rc store_exec(pko_db *db, const char *sql, pko_err *err);

#endif
