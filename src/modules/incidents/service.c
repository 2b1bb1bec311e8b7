/* SPDX-License-Identifier: MIT
 *
 * The process-wide incident index: built from the incidents table on first
 * use (or at server start), then kept current by replaying the store's
 * change log, so writes made by any process reach it. Queries hold a read
 * lock; catching up takes the write lock briefly.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "modules/incidents/incidents_int.h"

/* ==== Interning (string id -> small integer) ============================= */

typedef struct intern {
    char **keys;    /* index -> id; [0] unused */
    size_t n, cap;  /* n includes the unused 0 */
    uint32_t *slots; /* open addressing: 0 empty, else index */
    size_t n_slots;
} intern;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint32_t intern_find(const intern *t, const char *s)
{
    if (!s || !t->n_slots)
        return 0;
    for (size_t i = fnv(s) & (t->n_slots - 1);; i = (i + 1) & (t->n_slots - 1)) {
        uint32_t k = t->slots[i];
        if (!k)
            return 0;
        if (strcmp(t->keys[k], s) == 0)
            return k;
    }
}

static uint32_t intern_add(intern *t, const char *s)
{
    if (!s || !*s)
        return 0;
    uint32_t k = intern_find(t, s);
    if (k)
        return k;
    if (!t->n)
        t->n = 1;
    if ((t->n + 1) * 2 > t->n_slots) {
        size_t ns = t->n_slots ? t->n_slots * 2 : 1024;
        uint32_t *sl = pko_calloc(ns, sizeof(uint32_t));
        for (size_t j = 1; j < t->n; j++) {
            size_t i = fnv(t->keys[j]) & (ns - 1);
            while (sl[i])
                i = (i + 1) & (ns - 1);
            sl[i] = (uint32_t)j;
        }
        pko_free(t->slots);
        t->slots = sl;
        t->n_slots = ns;
    }
    if (t->n >= t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->keys = pko_realloc(t->keys, t->cap * sizeof(char *));
    }
    k = (uint32_t)t->n++;
    t->keys[k] = pko_strdup(s);
    size_t i = fnv(s) & (t->n_slots - 1);
    while (t->slots[i])
        i = (i + 1) & (t->n_slots - 1);
    t->slots[i] = k;
    return k;
}

/* ==== State ============================================================== */

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t sync_mu = PTHREAD_MUTEX_INITIALIZER;
static incidx *idx;
static intern tables[3];
static int64_t applied_seq = -1; /* change log position the index reflects */
static char applied_node[40];    /* node id of the database it reflects */
static double build_seconds;
static size_t build_events;

#define EVENT_COLS                                                                                 \
    "rowid, t_start, lon, lat, category, status, classification, mission_id, killed_total,"       \
    " casualties_total, perpetrator_id, target_id, reporter_id"

/* Turn the current row into an index event (interning ids). */
static void row_event(sqlite3_stmt *s, incidx_event *e)
{
    memset(e, 0, sizeof(*e));
    e->rowid = (uint32_t)sqlite3_column_int64(s, 0);
    e->t = (int32_t)sqlite3_column_int64(s, 1);
    e->lon = (float)sqlite3_column_double(s, 2);
    e->lat = (float)sqlite3_column_double(s, 3);
    int c = incidents_category_index((const char *)sqlite3_column_text(s, 4));
    e->cat = (uint16_t)(c < 0 ? 0 : c);
    int st = incidents_status_parse((const char *)sqlite3_column_text(s, 5));
    e->status = (uint8_t)(st < 0 ? 0 : st);
    e->cls = (uint8_t)sqlite3_column_int(s, 6);
    e->mission = (uint16_t)intern_add(&tables[INC_T_MISSION], (const char *)sqlite3_column_text(s, 7));
    e->killed = sqlite3_column_int(s, 8);
    e->casualties = sqlite3_column_int(s, 9);
    e->perp = intern_add(&tables[INC_T_ACTOR], (const char *)sqlite3_column_text(s, 10));
    e->target = intern_add(&tables[INC_T_ACTOR], (const char *)sqlite3_column_text(s, 11));
    e->reporter = intern_add(&tables[INC_T_USER], (const char *)sqlite3_column_text(s, 12));
}

static pko_rc max_seq(pko_db *db, int64_t *out, pko_err *err)
{
    static const char q[] = "SELECT coalesce(max(seq), 0) FROM changes";
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (!rc)
        rc = pko_db_step(db, s, &row, err);
    if (!rc)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc;
}

/* Full build from the table. Caller holds the write lock. */
static pko_rc rebuild(pko_db *db, int64_t upto, pko_err *err)
{
    static const char q[] = "SELECT " EVENT_COLS " FROM incidents";
    int64_t t0 = pko_mono_us();
    incidx *nx = incidx_new();
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc) {
        incidx_free(nx);
        return rc;
    }
    /* A long build must not be cut short by a request deadline. */
    pko_db_set_deadline(db, 0);
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        incidx_event e;
        row_event(s, &e);
        incidx_put(nx, &e);
    }
    sqlite3_reset(s);
    if (rc) {
        incidx_free(nx);
        return rc;
    }
    incidx_compact(nx);
    incidx_free(idx);
    idx = nx;
    applied_seq = upto;
    build_seconds = (double)(pko_mono_us() - t0) / 1e6;
    build_events = incidx_size(idx);
    return PKO_OK;
}

/* Replay incident changes after 'applied_seq'. Caller holds the write lock. */
static pko_rc catch_up(pko_db *db, int64_t upto, pko_err *err)
{
    static const char q_changes[] = "SELECT entity_id, op FROM changes WHERE seq > ?1 AND"
                                    " seq <= ?2 AND entity = 'incident' ORDER BY seq";
    static const char q_row[] = "SELECT " EVENT_COLS " FROM incidents WHERE id = ?1";
    pko_stmt *s, *r;
    pko_rc rc = pko_db_prepare(db, q_changes, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, applied_seq);
    sqlite3_bind_int64(s, 2, upto);
    bool need_rebuild = false;
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        if (strcmp((const char *)sqlite3_column_text(s, 1), "delete") == 0) {
            need_rebuild = true; /* the rowid of a deleted row is gone; rare */
            break;
        }
        rc = pko_db_prepare(db, q_row, &r, err);
        if (rc)
            break;
        sqlite3_bind_text(r, 1, (const char *)sqlite3_column_text(s, 0), -1, SQLITE_TRANSIENT);
        int found;
        rc = pko_db_step(db, r, &found, err);
        if (!rc && found) {
            incidx_event e;
            row_event(r, &e);
            incidx_put(idx, &e);
        }
        sqlite3_reset(r);
        if (rc)
            break;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (need_rebuild)
        return rebuild(db, upto, err);
    applied_seq = upto;
    return PKO_OK;
}

pko_rc inc_sync(pko_db *db, pko_err *err)
{
    int64_t upto;
    pko_rc rc = max_seq(db, &upto, err);
    if (rc)
        return rc;
    const char *node = pko_store_node_id(pko_db_store(db));
    pthread_rwlock_rdlock(&lock);
    bool current = idx && applied_seq == upto && strcmp(applied_node, node) == 0;
    pthread_rwlock_unlock(&lock);
    if (current)
        return PKO_OK;
    pthread_mutex_lock(&sync_mu);
    pthread_rwlock_wrlock(&lock);
    if (!idx || applied_seq < 0 || upto < applied_seq || upto - applied_seq > 200000 ||
        strcmp(applied_node, node) != 0) {
        rc = rebuild(db, upto, err);
        if (!rc)
            snprintf(applied_node, sizeof(applied_node), "%s", node);
    }
    else if (upto > applied_seq)
        rc = catch_up(db, upto, err);
    pthread_rwlock_unlock(&lock);
    pthread_mutex_unlock(&sync_mu);
    return rc;
}

const incidx *inc_read_begin(void)
{
    pthread_rwlock_rdlock(&lock);
    return idx;
}

void inc_read_end(void)
{
    pthread_rwlock_unlock(&lock);
}

uint32_t inc_intern_find(int table, const char *id)
{
    return intern_find(&tables[table], id);
}

void inc_build_stats(double *seconds, size_t *events)
{
    *seconds = build_seconds;
    *events = build_events;
}

pko_rc inc_start(pko_store *st, pko_err *err)
{
    pko_db *db = pko_store_acquire(st);
    pko_rc rc = inc_sync(db, err);
    pko_store_release(st, db);
    if (rc)
        return rc;
    char secs[32], n[32];
    snprintf(secs, sizeof(secs), "%.3f", build_seconds);
    snprintf(n, sizeof(n), "%zu", build_events);
    pko_log(PKO_LOG_INFO, "incident_index_built", "events", n, "seconds", secs, NULL);
    return PKO_OK;
}
