/* SPDX-License-Identifier: MIT
 *
 * What does the one write path cost? Inserts N records through
 * pko_tx_insert (row + change record + hash-chained audit entry, one
 * transaction each, synchronous=FULL) and, side by side in the same run, the
 * same rows with a bare prepared INSERT on plain SQLite with the same
 * settings (the peer). Reports writes per second and the ratio.
 *
 * Usage: bench_store [N] [DIR]   (default 2000, /tmp)
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

static const pko_migration steps[] = {
    {1, "CREATE TABLE missions(id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
        " classification INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " acronym TEXT NOT NULL UNIQUE, name TEXT NOT NULL, status TEXT NOT NULL) STRICT;"},
};
static const pko_col cols[] = {{"acronym", PKO_COL_TEXT, PKO_COL_REQUIRED},
                               {"name", PKO_COL_TEXT, PKO_COL_REQUIRED},
                               {"status", PKO_COL_TEXT, PKO_COL_REQUIRED}};
static const pko_entity ent = {"mission", "missions", cols, 3, "id", 0};

static double run_pko(const char *path, int n, int per_tx)
{
    pko_store *st;
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true, .pool_size = 1};
    pko_migration_set set = {"bench", steps, 1};
    if (pko_store_open(path, &o, &st, &e) || pko_store_register_entity(st, &ent, &e) ||
        pko_store_migrate(st, &set, 1, NULL, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        exit(1);
    }
    pko_db *db = pko_store_acquire(st);
    pko_actor a = {"bench", "bench"};
    int64_t t0 = pko_mono_us();
    for (int i = 0; i < n; i += per_tx) {
        pko_tx *tx;
        if (pko_tx_begin(db, &a, &tx, &e))
            exit(1);
        for (int j = i; j < i + per_tx && j < n; j++) {
            char acr[32], id[PKO_ID_LEN];
            snprintf(acr, sizeof(acr), "M-%d", j);
            json_t *f = json_pack("{s:s, s:s, s:s}", "acronym", acr, "name",
                                  "Benchmark mission with a realistic name length", "status",
                                  "active");
            if (pko_tx_insert(tx, &ent, f, id, &e))
                exit(1);
            json_decref(f);
        }
        if (pko_tx_commit(tx, &e))
            exit(1);
    }
    double secs = (double)(pko_mono_us() - t0) / 1e6;
    pko_store_release(st, db);
    pko_store_close(st);
    return n / secs;
}

static double run_sqlite(const char *path, int n, int per_tx)
{
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK)
        exit(1);
    sqlite3_exec(h,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                 "CREATE TABLE missions(id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                 " classification INTEGER NOT NULL, created_at TEXT NOT NULL,"
                 " updated_at TEXT NOT NULL, acronym TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
                 " status TEXT NOT NULL) STRICT;",
                 NULL, NULL, NULL);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(h, "INSERT INTO missions VALUES(?1,1,0,?2,?2,?3,?4,'active')", -1, &s,
                       NULL);
    int64_t t0 = pko_mono_us();
    for (int i = 0; i < n; i += per_tx) {
        sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (int j = i; j < i + per_tx && j < n; j++) {
            char acr[32], id[PKO_ID_LEN], at[32];
            snprintf(acr, sizeof(acr), "M-%d", j);
            pko_id_new(id);
            pko_time_rfc3339(pko_now_ms(), at, sizeof(at));
            sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 2, at, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 3, acr, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, "Benchmark mission with a realistic name length", -1,
                              SQLITE_STATIC);
            if (sqlite3_step(s) != SQLITE_DONE)
                exit(1);
            sqlite3_reset(s);
        }
        sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    }
    double secs = (double)(pko_mono_us() - t0) / 1e6;
    sqlite3_finalize(s);
    sqlite3_close(h);
    return n / secs;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000; /* checksrc: bench argument */
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    if (sodium_init() < 0 || n < 1)
        return 1;
    pko_log_set_level(PKO_LOG_WARN);
    printf("PKO write path vs bare SQLite insert (WAL, synchronous=FULL), %d records\n", n);
    printf("%-26s %14s %14s %8s\n", "batch", "pko writes/s", "sqlite rows/s", "ratio");
    const int batches[] = {1, 100};
    for (size_t b = 0; b < 2; b++) {
        char p1[512], p2[512];
        snprintf(p1, sizeof(p1), "%s/bench-pko-%d.db", dir, (int)getpid());
        snprintf(p2, sizeof(p2), "%s/bench-sqlite-%d.db", dir, (int)getpid());
        double a = run_pko(p1, n, batches[b]);
        double s = run_sqlite(p2, n, batches[b]);
        printf("%-26s %14.0f %14.0f %7.2fx\n",
               batches[b] == 1 ? "1 record per transaction" : "100 records per transaction", a,
               s, s / a);
        static const char *const suffixes[] = {"", "-wal", "-shm"};
        for (size_t k = 0; k < 3; k++) {
            char q[600];
            snprintf(q, sizeof(q), "%s%s", p1, suffixes[k]);
            unlink(q);
            snprintf(q, sizeof(q), "%s%s", p2, suffixes[k]);
            unlink(q);
        }
    }
    return 0;
}
