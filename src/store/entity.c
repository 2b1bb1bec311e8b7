/* SPDX-License-Identifier: MIT
 *
 * The one write path (transactions, insert, update, delete) and the central
 * reads (get, list) over entity descriptors.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "store/store_int.h"

/* ==== Transactions ======================================================= */

pko_rc pko_tx_begin(pko_db *db, const pko_actor *actor, pko_tx **out, pko_err *err)
{
    *out = NULL;
    if (db->tx)
        return pko_err_set(err, PKO_EINTERNAL, "a transaction is already open on this connection");
    pko_rc rc = PKO_OK;
    bool late = false;
    for (int attempt = 0; attempt < 3; attempt++) {
        pko_err e2;
        pko_err_clear(&e2);
        rc = store_exec(db, "BEGIN IMMEDIATE", &e2);
        if (rc != PKO_EBUSY)
            break;
        /* Interrupted at the deadline, or the deadline passed while waiting
         * for the write lock: the request is out of time, no use retrying. */
        int64_t d = atomic_load(&db->deadline_ms);
        late = e2.sqlite_rc == SQLITE_INTERRUPT || (d && pko_mono_ms() > d);
        if (late)
            break;
        atomic_fetch_add(&db->st->busy_retries, 1);
    }
    if (rc == PKO_EBUSY && late)
        return pko_err_set(err, PKO_EBUSY, "the request took too long and was stopped");
    if (rc == PKO_EBUSY)
        return pko_err_set(err, PKO_EBUSY, "the database is busy with other writes; try again");
    if (rc)
        return pko_db_error(db, sqlite3_extended_errcode(db->h), err);
    pko_tx *tx = pko_calloc(1, sizeof(*tx));
    tx->db = db;
    tx->actor = actor;
    db->tx = tx;
    *out = tx;
    return PKO_OK;
}

pko_rc pko_tx_commit(pko_tx *tx, pko_err *err)
{
    pko_db *db = tx->db;
    if (tx->failed) {
        pko_rc frc = tx->failed_rc ? tx->failed_rc : PKO_EINTERNAL;
        pko_tx_rollback(tx);
        return pko_err_set(err, frc,
                           "a write could not be recorded in the change log or audit trail, so "
                           "the transaction was rolled back");
    }
    pko_rc rc = store_bulk_seal(tx, err);
    if (!rc)
        rc = store_exec(db, "COMMIT", err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    atomic_fetch_add(&db->st->commits, 1);
    db->tx = NULL;
    pko_free(tx->bulk_action);
    pko_free(tx->bulk_detail);
    pko_free(tx);
    return PKO_OK;
}

void pko_tx_rollback(pko_tx *tx)
{
    if (!tx)
        return;
    pko_db *db = tx->db;
    if (!sqlite3_get_autocommit(db->h))
        store_exec(db, "ROLLBACK", NULL);
    atomic_fetch_add(&db->st->rollbacks, 1);
    db->tx = NULL;
    pko_free(tx->bulk_action);
    pko_free(tx->bulk_detail);
    pko_free(tx);
}

pko_db *pko_tx_db(pko_tx *tx)
{
    return tx->db;
}

/* ==== Rows and JSON ====================================================== */

/* Turn column 'i' of 's' into a JSON value of type 't'. */
static json_t *col_json(sqlite3_stmt *s, int i, pko_col_type t)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return json_null();
    switch (t) {
    case PKO_COL_INT: return json_integer(sqlite3_column_int64(s, i));
    case PKO_COL_REAL: return json_real(sqlite3_column_double(s, i));
    case PKO_COL_BOOL: return json_boolean(sqlite3_column_int(s, i));
    case PKO_COL_JSON: {
        const char *txt = (const char *)sqlite3_column_text(s, i);
        json_t *v = json_loads(txt, JSON_DECODE_ANY, NULL);
        return v ? v : json_null();
    }
    case PKO_COL_TEXT:
    default:
        return json_stringn((const char *)sqlite3_column_text(s, i),
                            (size_t)sqlite3_column_bytes(s, i));
    }
}

/* Build the JSON object of the current row. 'all' includes secret and
 * hidden columns (for the write path's before-image), never for output. */
static json_t *row_json(sqlite3_stmt *s, const pko_entity *e, bool all)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string((const char *)sqlite3_column_text(s, 0)));
    json_object_set_new(o, "version", json_integer(sqlite3_column_int64(s, 1)));
    json_object_set_new(o, "classification",
                        all ? json_integer(sqlite3_column_int(s, 2))
                            : json_string(pko_class_name(sqlite3_column_int(s, 2))));
    json_object_set_new(o, "created_at", json_string((const char *)sqlite3_column_text(s, 3)));
    json_object_set_new(o, "updated_at", json_string((const char *)sqlite3_column_text(s, 4)));
    for (size_t i = 0; i < e->n_cols; i++) {
        if (!all && (e->cols[i].flags & (PKO_COL_SECRET | PKO_COL_HIDDEN)))
            continue;
        json_object_set_new(o, e->cols[i].name, col_json(s, (int)i + 5, e->cols[i].type));
    }
    return o;
}

/* Bind JSON value 'v' of column type 't' at parameter 'idx'. */
static void bind_json(sqlite3_stmt *s, int idx, pko_col_type t, json_t *v)
{
    if (!v || json_is_null(v)) {
        sqlite3_bind_null(s, idx);
        return;
    }
    switch (t) {
    case PKO_COL_INT: sqlite3_bind_int64(s, idx, json_integer_value(v)); break;
    case PKO_COL_REAL: sqlite3_bind_double(s, idx, json_number_value(v)); break;
    case PKO_COL_BOOL: sqlite3_bind_int(s, idx, json_is_true(v)); break;
    case PKO_COL_JSON: {
        char *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        sqlite3_bind_text(s, idx, txt, -1, pko_free); /* jansson allocates with malloc */
        break;
    }
    case PKO_COL_TEXT:
    default:
        sqlite3_bind_text(s, idx, json_string_value(v), (int)json_string_length(v),
                          SQLITE_TRANSIENT);
    }
}

static const pko_col *find_col(const pko_entity *e, const char *name, int *idx)
{
    for (size_t i = 0; i < e->n_cols; i++) {
        if (strcmp(e->cols[i].name, name) == 0) {
            *idx = (int)i;
            return &e->cols[i];
        }
    }
    return NULL;
}

/* Check one incoming field against its column. */
static pko_rc check_value(const pko_col *c, json_t *v, pko_err *err)
{
    static const char *const tn[] = {"a string", "an integer", "a number", "true or false",
                                     "a JSON value"};
    if (json_is_null(v)) {
        if (c->flags & PKO_COL_REQUIRED)
            return pko_err_field(err, PKO_EINVAL, c->name, "%s is required", c->name);
        return PKO_OK;
    }
    bool ok;
    switch (c->type) {
    case PKO_COL_TEXT: ok = json_is_string(v); break;
    case PKO_COL_INT: ok = json_is_integer(v); break;
    case PKO_COL_REAL: ok = json_is_number(v); break;
    case PKO_COL_BOOL: ok = json_is_boolean(v); break;
    default: ok = true;
    }
    if (!ok)
        return pko_err_field(err, PKO_EINVAL, c->name, "%s must be %s", c->name, tn[c->type]);
    if (json_is_string(v) && json_string_length(v) > PKO_MAX_FIELD_BYTES)
        return pko_err_field(err, PKO_ETOOBIG, c->name, "%s is longer than %d bytes", c->name,
                             PKO_MAX_FIELD_BYTES);
    if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v))
        return pko_err_field(err, PKO_EINVAL, c->name, "%s must not contain NUL characters",
                             c->name);
    return PKO_OK;
}

/* Parse the optional "classification" field into '*out'. */
static pko_rc check_class(json_t *fields, int *out, pko_err *err)
{
    json_t *v = json_object_get(fields, "classification");
    if (!v)
        return PKO_OK;
    int c = json_is_string(v) ? pko_class_parse(json_string_value(v)) : -1;
    if (c < 0)
        return pko_err_field(err, PKO_EINVAL, "classification",
                             "classification must be unclassified, confidential or "
                             "strictly_confidential");
    *out = c;
    return PKO_OK;
}

/* A change-log copy of 'v' for column 'c': secrets are never logged. */
static json_t *logged_value(const pko_col *c, json_t *v)
{
    if ((c->flags & PKO_COL_SECRET) && !json_is_null(v))
        return json_string("[redacted]");
    return json_incref(v);
}

static const store_entity *entity_or_fail(pko_db *db, const pko_entity *e, pko_err *err)
{
    const store_entity *se = store_entity_find(db->st, e);
    if (!se)
        pko_err_set(err, PKO_EINTERNAL, "entity %s was not registered with the store", e->name);
    return se;
}

/* ==== Writes ============================================================= */

/* The digest of row 'id' of 'se' as stored now. */
static pko_rc stored_row_digest(pko_db *db, const store_entity *se, const char *id,
                                char out[65], pko_err *err)
{
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, se->sql_load, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        store_row_digest(s, se->e, out);
    sqlite3_reset(s);
    if (!rc && !row)
        rc = pko_err_set(err, PKO_EINTERNAL, "%s %s vanished right after it was written",
                         se->e->name, id);
    return rc;
}

/* After the row of a write was stored: append its change record (with the
 * digest of the row as stored, except for a delete) and audit entry. If
 * that fails the row must not commit, whatever the caller does with the
 * error, so the transaction is marked failed. */
static pko_rc log_write(pko_tx *tx, const store_entity *se, const char *id, const char *op,
                        json_t *fields, pko_err *err)
{
    char digest[65];
    bool deleted = strcmp(op, "delete") == 0;
    pko_rc rc = deleted ? PKO_OK : stored_row_digest(tx->db, se, id, digest, err);
    if (!rc)
        rc = store_log_change(tx, se->e, id, op, fields, deleted ? NULL : digest, err);
    if (rc && !tx->failed) {
        tx->failed = true;
        tx->failed_rc = rc;
    }
    return rc;
}

pko_rc pko_tx_insert(pko_tx *tx, const pko_entity *e, json_t *fields, char out_id[PKO_ID_LEN],
                     pko_err *err)
{
    pko_db *db = tx->db;
    const store_entity *se = entity_or_fail(db, e, err);
    if (!se)
        return PKO_EINTERNAL;
    if (!json_is_object(fields))
        return pko_err_set(err, PKO_EINVAL, "fields must be a JSON object");
    int cls = PKO_CLASS_UNCLASSIFIED;
    pko_rc rc = check_class(fields, &cls, err);
    if (rc)
        return rc;
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v)
    {
        int idx;
        if (strcmp(k, "classification") == 0)
            continue;
        const pko_col *c = find_col(e, k, &idx);
        if (!c)
            return pko_err_field(err, PKO_EINVAL, k, "%s is not a field of %s", k, e->name);
        rc = check_value(c, v, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < e->n_cols; i++) {
        json_t *fv = json_object_get(fields, e->cols[i].name);
        if ((e->cols[i].flags & PKO_COL_REQUIRED) && (!fv || json_is_null(fv)))
            return pko_err_field(err, PKO_EINVAL, e->cols[i].name, "%s is required",
                                 e->cols[i].name);
    }

    char at[32];
    pko_time_rfc3339(pko_now_ms(), at, sizeof(at));
    pko_id_new(out_id);
    pko_stmt *s;
    rc = pko_db_prepare(db, se->sql_insert, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, out_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, 1);
    sqlite3_bind_int(s, 3, cls);
    sqlite3_bind_text(s, 4, at, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, at, -1, SQLITE_TRANSIENT);
    json_t *logged = json_object();
    json_object_set_new(logged, "classification", json_string(pko_class_name(cls)));
    for (size_t i = 0; i < e->n_cols; i++) {
        json_t *fv = json_object_get(fields, e->cols[i].name);
        bind_json(s, (int)i + 6, e->cols[i].type, fv);
        if (fv && !json_is_null(fv))
            json_object_set_new(logged, e->cols[i].name, logged_value(&e->cols[i], fv));
    }
    int row;
    rc = pko_db_step(db, s, &row, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (!rc)
        rc = log_write(tx, se, out_id, "insert", logged, err);
    json_decref(logged);
    return rc;
}

/* Load the full before-image of record 'id' (all columns) or PKO_ENOTFOUND. */
static pko_rc load_row(pko_db *db, const store_entity *se, const char *id, json_t **out,
                       pko_err *err)
{
    pko_stmt *s;
    int row;
    *out = NULL;
    pko_rc rc = pko_db_prepare(db, se->sql_load, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        *out = row_json(s, se->e, true);
    sqlite3_reset(s);
    if (!rc && !row)
        rc = pko_err_set(err, PKO_ENOTFOUND, "no %s with id %s", se->e->name, id);
    return rc;
}

pko_rc pko_tx_update(pko_tx *tx, const pko_entity *e, const char *id, json_t *fields,
                     int64_t expect_version, pko_err *err)
{
    pko_db *db = tx->db;
    const store_entity *se = entity_or_fail(db, e, err);
    if (!se)
        return PKO_EINTERNAL;
    if (!json_is_object(fields))
        return pko_err_set(err, PKO_EINVAL, "fields must be a JSON object");
    json_t *old = NULL;
    pko_rc rc = load_row(db, se, id, &old, err);
    if (rc)
        return rc;
    int64_t version = json_integer_value(json_object_get(old, "version"));
    if (expect_version > 0 && expect_version != version) {
        json_decref(old);
        return pko_err_field(err, PKO_ECONFLICT, "version",
                             "%s %s is at version %lld, not %lld; reload it and try again",
                             e->name, id, (long long)version, (long long)expect_version);
    }
    int cls = (int)json_integer_value(json_object_get(old, "classification"));
    int new_cls = cls;
    rc = check_class(fields, &new_cls, err);
    json_t *changed = json_object();
    if (!rc && new_cls != cls)
        json_object_set_new(changed, "classification", json_string(pko_class_name(new_cls)));
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v)
    {
        int idx;
        if (rc)
            break;
        if (strcmp(k, "classification") == 0 || strcmp(k, "version") == 0 ||
            strcmp(k, "id") == 0)
            continue;
        const pko_col *c = find_col(e, k, &idx);
        if (!c) {
            rc = pko_err_field(err, PKO_EINVAL, k, "%s is not a field of %s", k, e->name);
            break;
        }
        rc = check_value(c, v, err);
        if (rc)
            break;
        json_t *before = json_object_get(old, k);
        if (json_equal(before, v))
            continue;
        if (c->flags & PKO_COL_READONLY) {
            rc = pko_err_field(err, PKO_EINVAL, k, "%s cannot be changed after creation", k);
            break;
        }
        json_object_set_new(changed, k, logged_value(c, v));
        json_object_set(old, k, v);
    }
    if (rc || json_object_size(changed) == 0) {
        json_decref(old);
        json_decref(changed);
        return rc;
    }
    char at[32];
    pko_time_rfc3339(pko_now_ms(), at, sizeof(at));
    pko_stmt *s;
    rc = pko_db_prepare(db, se->sql_update, &s, err);
    if (!rc) {
        int row;
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, version + 1);
        sqlite3_bind_int(s, 3, new_cls);
        sqlite3_bind_text(s, 5, at, -1, SQLITE_TRANSIENT);
        for (size_t i = 0; i < e->n_cols; i++)
            bind_json(s, (int)i + 6, e->cols[i].type, json_object_get(old, e->cols[i].name));
        rc = pko_db_step(db, s, &row, err);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    if (!rc)
        rc = log_write(tx, se, id, "update", changed, err);
    json_decref(old);
    json_decref(changed);
    return rc;
}

pko_rc pko_tx_delete(pko_tx *tx, const pko_entity *e, const char *id, pko_err *err)
{
    pko_db *db = tx->db;
    const store_entity *se = entity_or_fail(db, e, err);
    if (!se)
        return PKO_EINTERNAL;
    json_t *old = NULL;
    pko_rc rc = load_row(db, se, id, &old, err);
    if (rc)
        return rc;
    json_decref(old);
    pko_stmt *s;
    rc = pko_db_prepare(db, se->sql_delete, &s, err);
    if (!rc) {
        int row;
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
        rc = pko_db_step(db, s, &row, err);
        sqlite3_reset(s);
    }
    if (!rc) {
        json_t *none = json_object();
        rc = log_write(tx, se, id, "delete", none, err);
        json_decref(none);
    }
    return rc;
}

/* ==== Reads ============================================================== */

static void bind_scope(sqlite3_stmt *s, const pko_scope *scope)
{
    sqlite3_bind_int(s, 2, scope->clearance);
    sqlite3_bind_int(s, 3, scope->all_missions);
    sqlite3_bind_text(s, 4, scope->missions_json ? scope->missions_json : "[]", -1,
                      SQLITE_TRANSIENT);
}

/* Audit the reads of confidential-or-higher records among 'rows'. */
static pko_rc audit_reads(pko_db *db, const pko_entity *e, const pko_actor *actor, json_t *rows,
                          pko_err *err)
{
    size_t i;
    json_t *r;
    bool any = false;
    json_array_foreach(rows, i, r)
    {
        if (pko_class_parse(json_string_value(json_object_get(r, "classification"))) >=
            PKO_CLASS_CONFIDENTIAL)
            any = true;
    }
    if (!any)
        return PKO_OK;
    pko_tx *tx = db->tx; /* join an open transaction, or run our own */
    bool own = !tx;
    pko_rc rc = own ? pko_tx_begin(db, actor, &tx, err) : PKO_OK;
    if (rc)
        return rc;
    json_array_foreach(rows, i, r)
    {
        const char *cls = json_string_value(json_object_get(r, "classification"));
        if (pko_class_parse(cls) < PKO_CLASS_CONFIDENTIAL)
            continue;
        rc = pko_tx_audit(tx, "read", e->name, json_string_value(json_object_get(r, "id")), cls,
                          err);
        if (rc)
            break;
    }
    if (!own)
        return rc;
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    return pko_tx_commit(tx, err);
}

/* Shared by get and get_rowid: 'by_rowid' selects the statement. */
static pko_rc get_one(pko_db *db, const pko_entity *e, const pko_scope *scope,
                      const pko_actor *actor, const char *id, int64_t rowid, json_t **out,
                      pko_err *err)
{
    *out = NULL;
    const store_entity *se = entity_or_fail(db, e, err);
    if (!se)
        return PKO_EINTERNAL;
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, id ? se->sql_get : se->sql_get_rowid, &s, err);
    if (rc)
        return rc;
    if (id)
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(s, 1, rowid);
    bind_scope(s, scope);
    rc = pko_db_step(db, s, &row, err);
    json_t *o = NULL;
    if (!rc && row)
        o = row_json(s, e, false);
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (!o && id)
        return pko_err_set(err, PKO_ENOTFOUND, "no %s with id %s", e->name, id);
    if (!o)
        return pko_err_set(err, PKO_ENOTFOUND, "no %s at row %lld", e->name, (long long)rowid);
    json_t *one = json_array();
    json_array_append(one, o);
    rc = audit_reads(db, e, actor, one, err);
    json_decref(one);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return PKO_OK;
}

pko_rc pko_db_get(pko_db *db, const pko_entity *e, const pko_scope *scope,
                  const pko_actor *actor, const char *id, json_t **out, pko_err *err)
{
    return get_one(db, e, scope, actor, id, 0, out, err);
}

pko_rc pko_db_get_rowid(pko_db *db, const pko_entity *e, const pko_scope *scope,
                        const pko_actor *actor, int64_t rowid, json_t **out, pko_err *err)
{
    return get_one(db, e, scope, actor, NULL, rowid, out, err);
}

pko_rc pko_db_list(pko_db *db, const pko_entity *e, const pko_scope *scope,
                   const pko_actor *actor, const char *after, int limit, json_t **out,
                   pko_err *err)
{
    *out = NULL;
    const store_entity *se = entity_or_fail(db, e, err);
    if (!se)
        return PKO_EINTERNAL;
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, se->sql_list, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, after ? after : "", -1, SQLITE_TRANSIENT);
    bind_scope(s, scope);
    sqlite3_bind_int(s, 5, limit);
    json_t *arr = json_array();
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        json_array_append_new(arr, row_json(s, e, false));
    }
    sqlite3_reset(s);
    if (!rc)
        rc = audit_reads(db, e, actor, arr, err);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}
