/* SPDX-License-Identifier: MIT
 *
 * The change log and the hash-chained audit trail.
 *
 * Every write appends one change record and one audit entry in the same
 * transaction. The audit entry stores a BLAKE2b digest of the change record
 * and its own hash over (previous hash, its fields), so that editing,
 * deleting or reordering any audit entry or change record breaks the chain
 * that pko_db_audit_verify() recomputes. Deleting the newest entries cannot
 * be seen from inside one database; `pko check` prints the head hash so it
 * can be compared with a copy kept elsewhere (replication to headquarters
 * will carry it).
 */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

#define HASH_BYTES 32
#define HASH_HEX (2 * HASH_BYTES + 1)

static const char genesis[HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* ==== Canonical hashing ================================================== */

/* Feed one field into the hash as (4-byte big-endian length, bytes); NULL is
 * length 0xffffffff so that NULL and "" differ. */
static void h_field(crypto_generichash_state *h, const char *v)
{
    unsigned char len[4];
    uint32_t n = v ? (uint32_t)strlen(v) : 0xffffffffu;
    for (int i = 0; i < 4; i++)
        len[i] = (unsigned char)(n >> (24 - 8 * i));
    crypto_generichash_update(h, len, 4);
    if (v)
        crypto_generichash_update(h, (const unsigned char *)v, strlen(v));
}

static void h_int(crypto_generichash_state *h, int64_t v, bool is_null)
{
    char num[24];
    snprintf(num, sizeof(num), "%lld", (long long)v);
    h_field(h, is_null ? NULL : num);
}

static void h_final(crypto_generichash_state *h, char out[HASH_HEX])
{
    unsigned char d[HASH_BYTES];
    crypto_generichash_final(h, d, sizeof(d));
    sodium_bin2hex(out, HASH_HEX, d, sizeof(d));
}

/* The digest of one change record. Records with a row digest (every write
 * since core migration 3, deletes aside) seal it too ("v2"); older records
 * and deletes keep the original form. */
static void change_digest(int64_t seq, int64_t hlc, const char *node, const char *entity,
                          const char *entity_id, const char *op, const char *fields,
                          const char *author, int local_only, const char *origin,
                          const char *row_digest, char out[HASH_HEX])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, HASH_BYTES);
    h_field(&h, row_digest ? "pko-change-v2" : "pko-change-v1");
    h_int(&h, seq, false);
    h_int(&h, hlc, false);
    h_field(&h, node);
    h_field(&h, entity);
    h_field(&h, entity_id);
    h_field(&h, op);
    h_field(&h, fields);
    h_field(&h, author);
    h_int(&h, local_only, false);
    h_field(&h, origin);
    if (row_digest)
        h_field(&h, row_digest);
    h_final(&h, out);
}

/* Feed one tagged value: a tag byte, then (unless NULL) its length and
 * bytes. */
static void h_tagged(crypto_generichash_state *h, char tag, const void *v, size_t n)
{
    unsigned char head[5] = {(unsigned char)tag, (unsigned char)(n >> 24),
                             (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
    crypto_generichash_update(h, head, tag == 'n' ? 1 : 5);
    if (tag != 'n' && n)
        crypto_generichash_update(h, v, n);
}

void store_row_digest(sqlite3_stmt *s, const pko_entity *e, char out[HASH_HEX])
{
    static const char *const std_cols[5] = {"id", "version", "classification", "created_at",
                                            "updated_at"};
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, HASH_BYTES);
    h_field(&h, "pko-row-v1");
    h_field(&h, e->table);
    int n = 5 + (int)e->n_cols;
    for (int i = 0; i < n; i++) {
        h_field(&h, i < 5 ? std_cols[i] : e->cols[i - 5].name);
        unsigned char be[8];
        uint64_t u;
        switch (sqlite3_column_type(s, i)) {
        case SQLITE_INTEGER:
            u = (uint64_t)sqlite3_column_int64(s, i);
            for (int j = 0; j < 8; j++)
                be[j] = (unsigned char)(u >> (56 - 8 * j));
            h_tagged(&h, 'i', be, 8);
            break;
        case SQLITE_FLOAT: {
            double d = sqlite3_column_double(s, i);
            memcpy(&u, &d, 8);
            for (int j = 0; j < 8; j++)
                be[j] = (unsigned char)(u >> (56 - 8 * j));
            h_tagged(&h, 'r', be, 8);
            break;
        }
        case SQLITE_TEXT: {
            const unsigned char *t = sqlite3_column_text(s, i);
            h_tagged(&h, 't', t, (size_t)sqlite3_column_bytes(s, i));
            break;
        }
        case SQLITE_BLOB: {
            const void *b = sqlite3_column_blob(s, i);
            h_tagged(&h, 'b', b, (size_t)sqlite3_column_bytes(s, i));
            break;
        }
        default: h_tagged(&h, 'n', NULL, 0); break;
        }
    }
    h_final(&h, out);
}

typedef struct audit_row {
    int64_t seq;
    const char *at, *actor, *source, *action, *entity, *entity_id;
    int64_t change_seq;  /* 0 = none */
    int64_t change_last; /* 0 = a single change (or none); else the end of a sealed range */
    const char *change_digest, *detail, *prev_hash;
} audit_row;

static void audit_hash(const audit_row *r, char out[HASH_HEX])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, HASH_BYTES);
    h_field(&h, "pko-audit-v1");
    h_field(&h, r->prev_hash);
    h_int(&h, r->seq, false);
    h_field(&h, r->at);
    h_field(&h, r->actor);
    h_field(&h, r->source);
    h_field(&h, r->action);
    h_field(&h, r->entity);
    h_field(&h, r->entity_id);
    h_int(&h, r->change_seq, r->change_seq == 0);
    h_int(&h, r->change_last, r->change_last == 0);
    h_field(&h, r->change_digest);
    h_field(&h, r->detail);
    h_final(&h, out);
}

/* ==== Appending ========================================================== */

pko_rc store_audit_append(pko_tx *tx, const char *action, const char *entity, const char *id,
                          int64_t change_seq, int64_t change_last, const char *digest,
                          const char *detail, pko_err *err)
{
    static const char q_head[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
    static const char q_ins[] =
        "INSERT INTO audit(seq, at, actor, source, action, entity, entity_id, change_seq,"
        " change_digest, detail, prev_hash, hash, change_last)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)";
    pko_db *db = tx->db;
    pko_stmt *s;
    int row;
    char prev[HASH_HEX], hash[HASH_HEX], at[32];
    int64_t seq = 1;
    memcpy(prev, genesis, HASH_HEX);
    pko_rc rc = pko_db_prepare(db, q_head, &s, err);
    if (rc)
        return rc;
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row) {
        seq = sqlite3_column_int64(s, 0) + 1;
        snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    audit_row r = {
        .seq = seq,
        .at = pko_time_rfc3339(pko_now_ms(), at, sizeof(at)),
        .actor = tx->actor && tx->actor->user_id ? tx->actor->user_id : "system",
        .source = tx->actor && tx->actor->source ? tx->actor->source : "local",
        .action = action,
        .entity = entity,
        .entity_id = id,
        .change_seq = change_seq,
        .change_last = change_last,
        .change_digest = digest,
        .detail = detail,
        .prev_hash = prev,
    };
    audit_hash(&r, hash);
    rc = pko_db_prepare(db, q_ins, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, r.seq);
    sqlite3_bind_text(s, 2, r.at, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, r.actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, r.source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, r.action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, r.entity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, r.entity_id, -1, SQLITE_TRANSIENT);
    if (change_seq)
        sqlite3_bind_int64(s, 8, change_seq);
    sqlite3_bind_text(s, 9, r.change_digest, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 10, r.detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 11, prev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 12, hash, -1, SQLITE_TRANSIENT);
    if (change_last)
        sqlite3_bind_int64(s, 13, change_last);
    rc = pko_db_step(db, s, &row, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (!rc)
        atomic_fetch_add(&db->st->audit_entries, 1);
    return rc;
}

pko_rc store_log_change(pko_tx *tx, const pko_entity *e, const char *id, const char *op,
                        json_t *fields, const char *row_digest, pko_err *err)
{
    static const char q_last[] = "SELECT coalesce(max(seq), 0) FROM changes";
    static const char q_hlc[] = "SELECT max(hlc) FROM changes WHERE node=?1";
    static const char q_ins[] =
        "INSERT INTO changes(seq, hlc, node, entity, entity_id, op, fields, author, local_only,"
        " origin, row_digest) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)";
    pko_db *db = tx->db;
    pko_store *st = db->st;
    pko_stmt *s;
    int row;
    pko_rc rc;
    if (!tx->next_seq) {
        rc = pko_db_prepare(db, q_last, &s, err);
        if (rc)
            return rc;
        rc = pko_db_step(db, s, &row, err);
        tx->next_seq = row ? sqlite3_column_int64(s, 0) + 1 : 1;
        sqlite3_reset(s);
        if (rc)
            return rc;
        /* Another process (the CLI next to the server) may have written
         * with its own clock since this one last looked; the write lock is
         * held, so its newest timestamp is final: issue above it. */
        rc = pko_db_prepare(db, q_hlc, &s, err);
        if (rc)
            return rc;
        sqlite3_bind_text(s, 1, st->node_id, -1, SQLITE_TRANSIENT);
        rc = pko_db_step(db, s, &row, err);
        if (!rc && row && sqlite3_column_type(s, 0) != SQLITE_NULL)
            pko_hlc_observe(&st->hlc, (uint64_t)sqlite3_column_int64(s, 0));
        sqlite3_reset(s);
        if (rc)
            return rc;
    }
    int64_t seq = tx->next_seq;
    uint64_t hlc = pko_hlc_now(&st->hlc);
    char *txt = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
    const char *author = tx->actor && tx->actor->user_id ? tx->actor->user_id : "system";
    int local_only = (e->flags & PKO_ENTITY_LOCAL) ? 1 : 0;
    char digest[HASH_HEX];
    change_digest(seq, (int64_t)hlc, st->node_id, e->name, id, op, txt, author, local_only,
                  st->node_id, row_digest, digest);
    rc = pko_db_prepare(db, q_ins, &s, err);
    if (!rc) {
        sqlite3_bind_int64(s, 1, seq);
        sqlite3_bind_int64(s, 2, (int64_t)hlc);
        sqlite3_bind_text(s, 3, st->node_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, e->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 6, op, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 7, txt, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 8, author, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 9, local_only);
        sqlite3_bind_text(s, 10, st->node_id, -1, SQLITE_TRANSIENT);
        if (row_digest)
            sqlite3_bind_text(s, 11, row_digest, -1, SQLITE_TRANSIENT);
        rc = pko_db_step(db, s, &row, err);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    pko_free(txt);
    if (rc)
        return rc;
    tx->next_seq++;
    atomic_fetch_add(&st->changes, 1);
    if (tx->bulk) {
        if (!tx->bulk_first)
            tx->bulk_first = seq;
        tx->bulk_last = seq;
        crypto_generichash_update(&tx->bulk_hash, (const unsigned char *)digest, HASH_HEX - 1);
        return PKO_OK;
    }
    return store_audit_append(tx, op, e->name, id, seq, 0, digest, NULL, err);
}

pko_rc store_bulk_seal(pko_tx *tx, pko_err *err)
{
    if (!tx->bulk || !tx->bulk_first)
        return PKO_OK;
    char digest[HASH_HEX];
    h_final(&tx->bulk_hash, digest);
    pko_rc rc = store_audit_append(tx, tx->bulk_action, NULL, NULL, tx->bulk_first,
                                   tx->bulk_last, digest, tx->bulk_detail, err);
    tx->bulk_first = 0;
    return rc;
}

pko_rc pko_tx_bulk(pko_tx *tx, const char *action, const char *detail, pko_err *err)
{
    if (tx->bulk)
        return pko_err_set(err, PKO_EINTERNAL, "the transaction is already in bulk mode");
    tx->bulk = true;
    tx->bulk_action = pko_strdup(action);
    tx->bulk_detail = pko_strdup(detail);
    crypto_generichash_init(&tx->bulk_hash, NULL, 0, HASH_BYTES);
    h_field(&tx->bulk_hash, "pko-bulk-v1");
    return PKO_OK;
}

pko_rc pko_tx_audit(pko_tx *tx, const char *action, const char *entity, const char *id,
                    const char *detail, pko_err *err)
{
    return store_audit_append(tx, action, entity, id, 0, 0, NULL, detail, err);
}

/* One write, one transaction: 'step' is the write, run between begin and
 * commit. */
#define ONE_WRITE(db, actor, step)                                                                 \
    do {                                                                                           \
        pko_tx *tx;                                                                                \
        pko_rc rc_ = pko_tx_begin(db, actor, &tx, err);                                            \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
        rc_ = (step);                                                                              \
        if (rc_) {                                                                                 \
            pko_tx_rollback(tx);                                                                   \
            return rc_;                                                                            \
        }                                                                                          \
        return pko_tx_commit(tx, err);                                                             \
    } while (0)

pko_rc pko_db_audit(pko_db *db, const pko_actor *actor, const char *action, const char *entity,
                    const char *id, const char *detail, pko_err *err)
{
    ONE_WRITE(db, actor, pko_tx_audit(tx, action, entity, id, detail, err));
}

pko_rc pko_db_insert(pko_db *db, const pko_actor *actor, const pko_entity *e, json_t *fields,
                     char out_id[PKO_ID_LEN], pko_err *err)
{
    ONE_WRITE(db, actor, pko_tx_insert(tx, e, fields, out_id, err));
}

pko_rc pko_db_update(pko_db *db, const pko_actor *actor, const pko_entity *e, const char *id,
                     json_t *fields, int64_t expect_version, pko_err *err)
{
    ONE_WRITE(db, actor, pko_tx_update(tx, e, id, fields, expect_version, err));
}

pko_rc pko_db_delete(pko_db *db, const pko_actor *actor, const pko_entity *e, const char *id,
                     pko_err *err)
{
    ONE_WRITE(db, actor, pko_tx_delete(tx, e, id, err));
}

/* ==== Reading ============================================================ */

static json_t *text_or_null(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return json_null();
    return json_string((const char *)sqlite3_column_text(s, i));
}

pko_rc pko_db_changes(pko_db *db, int64_t after, int limit, json_t **out, pko_err *err)
{
    static const char q[] = "SELECT seq, hlc, node, entity, entity_id, op, fields, author,"
                            " local_only, origin FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    pko_stmt *s;
    *out = NULL;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int(s, 2, limit);
    json_t *arr = json_array();
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        char hlc[48];
        json_t *o = json_object();
        json_object_set_new(o, "seq", json_integer(sqlite3_column_int64(s, 0)));
        json_object_set_new(o, "hlc", json_integer(sqlite3_column_int64(s, 1)));
        json_object_set_new(
            o, "hlc_time",
            json_string(pko_hlc_format((uint64_t)sqlite3_column_int64(s, 1), hlc, sizeof(hlc))));
        json_object_set_new(o, "node", text_or_null(s, 2));
        json_object_set_new(o, "entity", text_or_null(s, 3));
        json_object_set_new(o, "entity_id", text_or_null(s, 4));
        json_object_set_new(o, "op", text_or_null(s, 5));
        json_t *f = json_loads((const char *)sqlite3_column_text(s, 6), 0, NULL);
        json_object_set_new(o, "fields", f ? f : json_object());
        json_object_set_new(o, "author", text_or_null(s, 7));
        json_object_set_new(o, "local_only", json_boolean(sqlite3_column_int(s, 8)));
        json_object_set_new(o, "origin", text_or_null(s, 9));
        json_array_append_new(arr, o);
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}

pko_rc pko_db_audit_list(pko_db *db, int64_t after, int limit, json_t **out, pko_err *err)
{
    static const char q[] = "SELECT seq, at, actor, source, action, entity, entity_id,"
                            " change_seq, detail, hash FROM audit WHERE seq > ?1 ORDER BY seq"
                            " LIMIT ?2";
    pko_stmt *s;
    *out = NULL;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int(s, 2, limit);
    json_t *arr = json_array();
    static const char *const names[] = {"seq",       "at",     "actor",      "source", "action",
                                        "entity",    "entity_id", "change_seq", "detail", "hash"};
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        json_t *o = json_object();
        for (int i = 0; i < 10; i++) {
            if (i == 0 || i == 7)
                json_object_set_new(o, names[i],
                                    sqlite3_column_type(s, i) == SQLITE_NULL
                                        ? json_null()
                                        : json_integer(sqlite3_column_int64(s, i)));
            else
                json_object_set_new(o, names[i], text_or_null(s, i));
        }
        json_array_append_new(arr, o);
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, i);
}

#define CHANGE_COLS                                                                              \
    "seq, hlc, node, entity, entity_id, op, fields, author, local_only, origin, row_digest"

/* Digest of the change record in the current row of 's', whose first
 * column is CHANGE_COLS' seq at index 'at'. */
static void row_change_digest(sqlite3_stmt *s, int at, char out[HASH_HEX])
{
    change_digest(sqlite3_column_int64(s, at), sqlite3_column_int64(s, at + 1),
                  col_text(s, at + 2), col_text(s, at + 3), col_text(s, at + 4),
                  col_text(s, at + 5), col_text(s, at + 6), col_text(s, at + 7),
                  sqlite3_column_int(s, at + 8), col_text(s, at + 9), col_text(s, at + 10), out);
}

/* Check the change records first..last sealed by one bulk audit entry. */
static pko_rc verify_range(pko_db *db, int64_t aseq, int64_t first, int64_t last,
                           const char *sealed, pko_err *err)
{
    static const char q[] = "SELECT " CHANGE_COLS " FROM changes WHERE seq BETWEEN ?1 AND ?2"
                            " ORDER BY seq";
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, first);
    sqlite3_bind_int64(s, 2, last);
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, HASH_BYTES);
    h_field(&h, "pko-bulk-v1");
    int64_t expect = first;
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        if (sqlite3_column_int64(s, 0) != expect) {
            rc = pko_err_set(err, PKO_EINTERNAL,
                             "change record %lld sealed by audit entry %lld is missing",
                             (long long)expect, (long long)aseq);
            break;
        }
        char d[HASH_HEX];
        row_change_digest(s, 0, d);
        crypto_generichash_update(&h, (const unsigned char *)d, HASH_HEX - 1);
        expect++;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (expect != last + 1)
        return pko_err_set(err, PKO_EINTERNAL,
                           "change record %lld sealed by audit entry %lld is missing",
                           (long long)expect, (long long)aseq);
    char d[HASH_HEX];
    h_final(&h, d);
    if (!sealed || strcmp(d, sealed) != 0)
        return pko_err_set(err, PKO_EINTERNAL,
                           "change records %lld-%lld were altered after audit entry %lld sealed "
                           "them",
                           (long long)first, (long long)last, (long long)aseq);
    return PKO_OK;
}

pko_rc pko_db_audit_verify(pko_db *db, int64_t *n_entries, char head[65], pko_err *err)
{
    static const char q[] =
        "SELECT a.seq, a.at, a.actor, a.source, a.action, a.entity, a.entity_id, a.change_seq,"
        " a.change_digest, a.detail, a.prev_hash, a.hash, a.change_last,"
        " c.seq, c.hlc, c.node, c.entity, c.entity_id, c.op, c.fields, c.author, c.local_only,"
        " c.origin, c.row_digest FROM audit a LEFT JOIN changes c ON c.seq = a.change_seq"
        " AND a.change_last IS NULL ORDER BY a.seq";
    static const char q_count[] = "SELECT count(*) FROM changes";
    pko_stmt *s;
    char prev[HASH_HEX], hash[HASH_HEX];
    memcpy(prev, genesis, HASH_HEX);
    int64_t n = 0, expect_seq = 1, sealed = 0, last_sealed = 0;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        audit_row r = {
            .seq = sqlite3_column_int64(s, 0),
            .at = col_text(s, 1),
            .actor = col_text(s, 2),
            .source = col_text(s, 3),
            .action = col_text(s, 4),
            .entity = col_text(s, 5),
            .entity_id = col_text(s, 6),
            .change_seq = sqlite3_column_int64(s, 7),
            .change_digest = col_text(s, 8),
            .detail = col_text(s, 9),
            .prev_hash = col_text(s, 10),
            .change_last = sqlite3_column_int64(s, 12),
        };
        const char *stored = col_text(s, 11);
        if (r.seq != expect_seq) {
            rc = pko_err_set(err, PKO_EINTERNAL, "audit entry %lld is missing (found %lld next)",
                             (long long)expect_seq, (long long)r.seq);
            break;
        }
        if (!r.prev_hash || strcmp(r.prev_hash, prev) != 0) {
            rc = pko_err_set(err, PKO_EINTERNAL,
                             "audit entry %lld does not link to entry %lld: the chain is broken",
                             (long long)r.seq, (long long)r.seq - 1);
            break;
        }
        audit_hash(&r, hash);
        if (!stored || strcmp(stored, hash) != 0) {
            rc = pko_err_set(err, PKO_EINTERNAL,
                             "audit entry %lld was altered: its hash does not match its content",
                             (long long)r.seq);
            break;
        }
        if (r.change_seq) {
            int64_t last = r.change_last ? r.change_last : r.change_seq;
            if (r.change_seq <= last_sealed || last < r.change_seq) {
                rc = pko_err_set(err, PKO_EINTERNAL,
                                 "audit entry %lld seals change records out of order",
                                 (long long)r.seq);
                break;
            }
            if (r.change_last) {
                rc = verify_range(db, r.seq, r.change_seq, r.change_last, r.change_digest, err);
                if (rc)
                    break;
            } else {
                if (sqlite3_column_type(s, 13) == SQLITE_NULL) {
                    rc = pko_err_set(err, PKO_EINTERNAL,
                                     "change record %lld sealed by audit entry %lld is missing",
                                     (long long)r.change_seq, (long long)r.seq);
                    break;
                }
                char d[HASH_HEX];
                row_change_digest(s, 13, d);
                if (!r.change_digest || strcmp(d, r.change_digest) != 0) {
                    rc = pko_err_set(err, PKO_EINTERNAL,
                                     "change record %lld was altered after audit entry %lld "
                                     "sealed it",
                                     (long long)r.change_seq, (long long)r.seq);
                    break;
                }
            }
            sealed += last - r.change_seq + 1;
            last_sealed = last;
        }
        memcpy(prev, hash, HASH_HEX);
        n++;
        expect_seq++;
    }
    sqlite3_reset(s);
    if (!rc) {
        /* Every sealed record exists, is distinct and matches; if the log
         * holds more records than were sealed, some were added unsealed. */
        int row;
        rc = pko_db_prepare(db, q_count, &s, err);
        if (!rc)
            rc = pko_db_step(db, s, &row, err);
        if (!rc && row && sqlite3_column_int64(s, 0) != sealed)
            rc = pko_err_set(err, PKO_EINTERNAL,
                             "%lld change records have no audit entry sealing them",
                             (long long)(sqlite3_column_int64(s, 0) - sealed));
        sqlite3_reset(s);
    }
    if (n_entries)
        *n_entries = n;
    if (head)
        memcpy(head, prev, HASH_HEX);
    return rc;
}

/* Compare every row of 'se' with the latest change record of its id. */
static pko_rc verify_rows_of(pko_db *db, const store_entity *se, pko_rows_report *r,
                             pko_err *err)
{
    static const char q_last[] = "SELECT seq, op, row_digest FROM changes"
                                 " WHERE entity=?1 AND entity_id=?2 ORDER BY seq DESC LIMIT 1";
    const char *name = se->e->name;
    pko_stmt *scan, *last;
    pko_rc rc = pko_db_prepare(db, se->sql_scan, &scan, err);
    if (rc)
        return rc;
    for (;;) {
        int row, lrow;
        rc = pko_db_step(db, scan, &row, err);
        if (rc || !row)
            break;
        const char *id = (const char *)sqlite3_column_text(scan, 0);
        char d[HASH_HEX];
        store_row_digest(scan, se->e, d);
        rc = pko_db_prepare(db, q_last, &last, err); /* a scan in progress is never evicted */
        if (rc)
            break;
        sqlite3_bind_text(last, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(last, 2, id ? id : "", -1, SQLITE_TRANSIENT);
        rc = pko_db_step(db, last, &lrow, err);
        if (!rc && !lrow) {
            rc = pko_err_set(err, PKO_EINTERNAL,
                             "%s %s: the row has no change record (written outside the write "
                             "path)",
                             name, id);
        } else if (!rc) {
            long long seq = (long long)sqlite3_column_int64(last, 0);
            const char *op = (const char *)sqlite3_column_text(last, 1);
            const char *sealed = col_text(last, 2);
            if (op && strcmp(op, "delete") == 0)
                rc = pko_err_set(err, PKO_EINTERNAL,
                                 "%s %s: the row exists, but its latest change record (seq %lld) "
                                 "deletes it",
                                 name, id, seq);
            else if (!sealed)
                r->legacy++;
            else if (strcmp(sealed, d) != 0)
                rc = pko_err_set(err, PKO_EINTERNAL,
                                 "%s %s: the row differs from its latest change record (seq "
                                 "%lld): it was changed outside the write path",
                                 name, id, seq);
        }
        sqlite3_reset(last);
        if (rc)
            break;
        r->rows++;
    }
    sqlite3_reset(scan);
    if (rc)
        return rc;
    pko_stmt *s;
    int row;
    rc = pko_db_prepare(db, se->sql_missing, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        rc = pko_err_set(err, PKO_EINTERNAL,
                         "%s %s: the row is missing, but its latest change record (seq %lld) is "
                         "not a delete",
                         name, sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1));
    sqlite3_reset(s);
    return rc;
}

pko_rc pko_db_rows_verify(pko_db *db, pko_rows_report *rep, pko_err *err)
{
    pko_rows_report r = {0, 0, 0};
    pko_store *st = db->st;
    /* One read snapshot for every table, even while a server writes. */
    bool own = !db->tx && sqlite3_get_autocommit(db->h);
    pko_rc rc = own ? store_exec(db, "BEGIN", err) : PKO_OK;
    for (int i = 0; !rc && i < st->n_entities; i++) {
        rc = verify_rows_of(db, &st->entities[i], &r, err);
        if (!rc)
            r.tables++;
    }
    if (own)
        store_exec(db, rc ? "ROLLBACK" : "COMMIT", NULL);
    if (rep)
        *rep = r;
    return rc;
}

pko_rc pko_db_history(pko_db *db, const char *entity, const char *id, json_t **out, pko_err *err)
{
    static const char q[] = "SELECT seq, hlc, author, op, fields FROM changes"
                            " WHERE entity=?1 AND entity_id=?2 ORDER BY seq";
    pko_stmt *s;
    *out = NULL;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, entity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
    json_t *arr = json_array();
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        char at[48];
        json_t *f = json_loads((const char *)sqlite3_column_text(s, 4), 0, NULL);
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq", (json_int_t)sqlite3_column_int64(s, 0),
                           "at",
                           pko_time_rfc3339(PKO_HLC_MS((uint64_t)sqlite3_column_int64(s, 1)), at,
                                            sizeof(at)),
                           "author", sqlite3_column_text(s, 2), "op", sqlite3_column_text(s, 3),
                           "fields", f ? f : json_object()));
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}
