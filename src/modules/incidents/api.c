/* SPDX-License-Identifier: MIT
 *
 * The incidents API: create, read, update, workflow transitions, history,
 * links, search, map clusters, histogram, categories and actors. Exports
 * are in export.c, imports in import.c.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "modules/incidents/incidents_int.h"

#define PERM_READ "incidents.read"

/* ==== Filters from query parameters ====================================== */

static pko_rc parse_doubles(const char *s, double *out, size_t n, const char *field,
                            pko_err *err)
{
    for (size_t i = 0; i < n; i++) {
        char *end;
        out[i] = strtod(s, &end);
        if (end == s || !isfinite(out[i]) || (i + 1 < n ? *end != ',' : *end != '\0'))
            return pko_err_field(err, PKO_EINVAL, field,
                                 "%s must be %zu comma-separated numbers", field, n);
        s = end + 1;
    }
    return PKO_OK;
}

/* "from"/"to": a date covers its whole day, so "to=2024-01-31" includes
 * the 31st; a date and time is exact. */
static pko_rc parse_bound(pko_req *req, const char *name, bool upper, int32_t *out, pko_err *err)
{
    const char *v = pko_req_query(req, name);
    if (!v)
        return PKO_OK;
    int32_t t;
    if (incidents_parse_time(v, &t))
        return pko_err_field(err, PKO_EINVAL, name,
                             "%s must be a date (YYYY-MM-DD) or a date and time (ISO 8601)", name);
    if (upper)
        t += strlen(v) == 10 ? 1440 : 1;
    *out = t;
    return PKO_OK;
}

static pko_rc parse_int_param(pko_req *req, const char *name, int32_t *out, pko_err *err)
{
    const char *v = pko_req_query(req, name);
    if (!v)
        return PKO_OK;
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || n > 10000000)
        return pko_err_field(err, PKO_EINVAL, name, "%s must be a whole number >= 0", name);
    *out = (int32_t)n;
    return PKO_OK;
}

/* Quote each word of a free-text query for FTS5 so user text can never be
 * read as FTS5 syntax: `ied bunia` -> `"ied" "bunia"` (all words must match). */
static char *fts_query(pko_arena *a, const char *q)
{
    size_t n = strlen(q);
    char *out = pko_arena_alloc(a, 3 * n + 4);
    size_t o = 0;
    const char *p = q;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        out[o++] = '"';
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '"')
                out[o++] = '"';
            out[o++] = *p++;
        }
        out[o++] = '"';
        out[o++] = ' ';
    }
    out[o] = '\0';
    return out;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Rowids matching a free-text query, sorted. */
static pko_rc text_matches(pko_req *req, const char *q, incidx_filter *f, pko_err *err)
{
    static const char sql[] = "SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?1";
    char *m = fts_query(pko_req_arena(req), q);
    size_t cap = 1024, n = 0;
    uint32_t *ids = pko_malloc(cap * sizeof(uint32_t));
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(pko_req_db(req), sql, &s, err);
    if (!rc && *m) {
        sqlite3_bind_text(s, 1, m, -1, SQLITE_TRANSIENT);
        for (;;) {
            int row;
            rc = pko_db_step(pko_req_db(req), s, &row, err);
            if (rc || !row)
                break;
            if (n == cap) {
                cap *= 2;
                ids = pko_realloc(ids, cap * sizeof(uint32_t));
            }
            ids[n++] = (uint32_t)sqlite3_column_int64(s, 0);
        }
        sqlite3_reset(s);
    }
    if (rc) {
        pko_free(ids);
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "q", "q could not be searched");
    }
    qsort(ids, n, sizeof(uint32_t), cmp_u32);
    uint32_t *kept = pko_arena_alloc(pko_req_arena(req), (n ? n : 1) * sizeof(uint32_t));
    memcpy(kept, ids, n * sizeof(uint32_t));
    pko_free(ids);
    f->rowids = kept;
    f->n_rowids = n;
    return PKO_OK;
}

/* The caller's access as the index sees it: clearance, and per mission
 * whether they see every status (analysts, mission admins) or only
 * verified and published incidents plus their own. */
static pko_rc access_from_req(pko_req *req, incidx_filter *f, pko_err *err)
{
    static const char q[] = "SELECT id, acronym FROM missions";
    const pko_principal *p = pko_req_user(req);
    f->clearance = p->clearance;
    f->me = inc_intern_find(INC_T_USER, p->user_id);
    size_t nbits = 65536;
    uint8_t *full = pko_arena_alloc(pko_req_arena(req), nbits);
    uint8_t *read = pko_arena_alloc(pko_req_arena(req), nbits);
    memset(full, 0, nbits);
    memset(read, 0, nbits);
    const unsigned full_roles = PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN | PKO_ROLE_SYSTEM_ADMIN;
    for (size_t i = 0; i < p->n_grants; i++) {
        if (p->grants[i].mission[0])
            continue;
        f->all_missions_read = true;
        if (p->grants[i].role & full_roles)
            f->all_missions_full = true;
    }
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(pko_req_db(req), q, &s, err);
    if (rc)
        return rc;
    for (;;) {
        int row;
        rc = pko_db_step(pko_req_db(req), s, &row, err);
        if (rc || !row)
            break;
        const char *acr = (const char *)sqlite3_column_text(s, 1);
        uint32_t m = inc_intern_find(INC_T_MISSION, (const char *)sqlite3_column_text(s, 0));
        if (!m || m >= nbits)
            continue;
        for (size_t i = 0; i < p->n_grants; i++) {
            if (strcmp(p->grants[i].mission, acr) != 0)
                continue;
            read[m] = 1;
            if (p->grants[i].role & full_roles)
                full[m] = 1;
        }
    }
    sqlite3_reset(s);
    f->mission_full = full;
    f->mission_read = read;
    f->n_mission_bits = nbits;
    return rc;
}

pko_rc inc_filter_from_req(pko_req *req, incidx_filter *f, pko_err *err)
{
    incidx_filter_init(f);
    pko_rc rc = access_from_req(req, f, err);
    if (rc)
        return rc;
    const char *v = pko_req_query(req, "bbox");
    if (v) {
        double b[4];
        if ((rc = parse_doubles(v, b, 4, "bbox", err)))
            return rc;
        if (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3])
            return pko_err_field(err, PKO_EINVAL, "bbox",
                                 "bbox must be MINLON,MINLAT,MAXLON,MAXLAT within -180..180 and "
                                 "-90..90, min before max");
        f->has_bbox = true;
        f->minlon = b[0];
        f->minlat = b[1];
        f->maxlon = b[2];
        f->maxlat = b[3];
    }
    v = pko_req_query(req, "polygon");
    if (v) {
        size_t n = 0;
        double *pts = pko_arena_alloc(pko_req_arena(req), 1000 * 2 * sizeof(double));
        if (incidents_parse_polygon(v, pts, 1000, &n) != PKO_OK)
            return pko_err_field(err, PKO_EINVAL, "polygon",
                                 "polygon must be 3 to 1000 points \"lon lat,lon lat,...\"");
        double minlon = 180, maxlon = -180, minlat = 90, maxlat = -90;
        for (size_t i = 0; i < n; i++) {
            minlon = fmin(minlon, pts[2 * i]);
            maxlon = fmax(maxlon, pts[2 * i]);
            minlat = fmin(minlat, pts[2 * i + 1]);
            maxlat = fmax(maxlat, pts[2 * i + 1]);
        }
        if (f->has_bbox) {
            minlon = fmax(minlon, f->minlon);
            maxlon = fmin(maxlon, f->maxlon);
            minlat = fmax(minlat, f->minlat);
            maxlat = fmin(maxlat, f->maxlat);
        }
        f->has_bbox = true;
        f->minlon = minlon;
        f->maxlon = maxlon;
        f->minlat = minlat;
        f->maxlat = maxlat;
        f->poly = pts;
        f->poly_n = n;
    }
    v = pko_req_query(req, "within");
    if (v) {
        double w[3];
        if ((rc = parse_doubles(v, w, 3, "within", err)))
            return rc;
        if (fabs(w[0]) > 180 || fabs(w[1]) > 90 || w[2] <= 0 || w[2] > 5000)
            return pko_err_field(err, PKO_EINVAL, "within",
                                 "within must be LON,LAT,KM with a radius of 0 to 5000 km");
        incidx_filter_radius(f, w[0], w[1], w[2] * 1000.0);
    }
    if ((rc = parse_bound(req, "from", false, &f->t_from, err)) ||
        (rc = parse_bound(req, "to", true, &f->t_to, err)))
        return rc;
    if (f->t_from != INT32_MIN && f->t_to != INT32_MAX && f->t_to <= f->t_from)
        return pko_err_field(err, PKO_EINVAL, "to", "to is before from");
    v = pko_req_query(req, "category");
    if (v && *v) {
        size_t nc = incidents_n_categories();
        uint8_t *ok = pko_arena_alloc(pko_req_arena(req), nc);
        memset(ok, 0, nc);
        char *list = pko_arena_strdup(pko_req_arena(req), v);
        for (char *tok = list; tok && *tok;) {
            char *comma = strchr(tok, ',');
            if (comma)
                *comma = '\0';
            int c = incidents_category_index(tok);
            if (c < 0)
                return pko_err_field(err, PKO_EINVAL, "category",
                                     "unknown category \"%s\"; see GET "
                                     "/api/v1/incidents/categories",
                                     tok);
            for (size_t i = 0; i < nc; i++)
                if (incidents_category_within(i, (size_t)c))
                    ok[i] = 1;
            tok = comma ? comma + 1 : NULL;
        }
        f->cat_ok = ok;
    }
    v = pko_req_query(req, "status");
    if (v && *v) {
        char *list = pko_arena_strdup(pko_req_arena(req), v);
        for (char *tok = list; tok && *tok;) {
            char *comma = strchr(tok, ',');
            if (comma)
                *comma = '\0';
            int st = incidents_status_parse(tok);
            if (st < 0)
                return pko_err_field(err, PKO_EINVAL, "status",
                                     "status must be draft, submitted, verified, published, "
                                     "returned or rejected");
            f->status_mask |= (uint8_t)(1u << st);
            tok = comma ? comma + 1 : NULL;
        }
    }
    if ((rc = parse_int_param(req, "min_killed", &f->min_killed, err)) ||
        (rc = parse_int_param(req, "min_casualties", &f->min_casualties, err)))
        return rc;
    v = pko_req_query(req, "actor");
    if (v) {
        if (!pko_id_valid(v))
            return pko_err_field(err, PKO_EINVAL, "actor", "actor must be an actor id");
        f->actor = inc_intern_find(INC_T_ACTOR, v);
        if (!f->actor)
            f->actor = UINT32_MAX; /* nobody acted in any incident: match none */
    }
    v = pko_req_query(req, "mission");
    if (v) {
        static const char q[] = "SELECT id FROM missions WHERE acronym = ?1";
        pko_stmt *s;
        int row;
        rc = pko_db_prepare(pko_req_db(req), q, &s, err);
        if (rc)
            return rc;
        sqlite3_bind_text(s, 1, v, -1, SQLITE_TRANSIENT);
        rc = pko_db_step(pko_req_db(req), s, &row, err);
        uint32_t m = row ? inc_intern_find(INC_T_MISSION, (const char *)sqlite3_column_text(s, 0))
                         : 0;
        sqlite3_reset(s);
        if (rc)
            return rc;
        /* Narrow the access bitsets to that one mission. */
        uint8_t *full = pko_arena_alloc(pko_req_arena(req), f->n_mission_bits);
        uint8_t *read = pko_arena_alloc(pko_req_arena(req), f->n_mission_bits);
        memset(full, 0, f->n_mission_bits);
        memset(read, 0, f->n_mission_bits);
        if (m && m < f->n_mission_bits) {
            full[m] = f->all_missions_full || f->mission_full[m];
            read[m] = f->all_missions_read || f->mission_read[m];
        }
        f->all_missions_full = f->all_missions_read = false;
        f->mission_full = full;
        f->mission_read = read;
    }
    v = pko_req_query(req, "q");
    if (v && *v) {
        if (strlen(v) > 500)
            return pko_err_field(err, PKO_EINVAL, "q", "q is longer than 500 characters");
        if ((rc = text_matches(req, v, f, err)))
            return rc;
    }
    return PKO_OK;
}

/* ==== Reading ============================================================ */

static void read_scope(pko_req *req, pko_scope *s)
{
    pko_req_scope(req, PERM_READ, s);
}

/* Replace an actor id field with {id, name, actor_type}. */
static void expand_actor(pko_db *db, json_t *o, const char *field)
{
    static const char q[] = "SELECT name, actor_type FROM actors WHERE id = ?1";
    const char *id = json_string_value(json_object_get(o, field));
    if (!id)
        return;
    pko_stmt *s;
    int row;
    pko_err e;
    pko_err_clear(&e);
    if (pko_db_prepare(db, q, &s, &e))
        return;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (!pko_db_step(db, s, &row, &e) && row) {
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)(strlen(field) - 3), field); /* drop "_id" */
        json_object_set_new(o, key,
                            json_pack("{s:s, s:s, s:s}", "id", id, "name", sqlite3_column_text(s, 0),
                                      "actor_type", sqlite3_column_text(s, 1)));
    }
    sqlite3_reset(s);
}

/* Add what a reader wants next to the stored fields. */
static void decorate(pko_db *db, json_t *o, bool full)
{
    int c = incidents_category_index(json_string_value(json_object_get(o, "category")));
    if (c >= 0)
        json_object_set_new(o, "category_label", json_string(incidents_category_at((size_t)c)->label));
    if (!full)
        return;
    expand_actor(db, o, "perpetrator_id");
    expand_actor(db, o, "target_id");
}

json_t *inc_load_rowid(pko_db *db, const pko_req *req, uint32_t rowid, pko_err *err)
{
    pko_scope scope;
    read_scope((pko_req *)req, &scope);
    json_t *o = NULL;
    if (pko_db_get_rowid(db, &pko_entity_incident, &scope, pko_req_actor((pko_req *)req), rowid,
                         &o, err))
        return NULL;
    decorate(db, o, false);
    return o;
}

/* Load incident 'id' if the caller may see it (index rules: clearance,
 * mission, and drafts only for analysts or their reporter). */
static pko_rc load_visible(pko_req *req, const char *id, json_t **out, pko_err *err)
{
    pko_scope scope;
    read_scope(req, &scope);
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_incident, &scope, pko_req_actor(req), id,
                           out, err);
    if (rc)
        return rc;
    const char *status = json_string_value(json_object_get(*out, "status"));
    if (strcmp(status, "verified") == 0 || strcmp(status, "published") == 0)
        return PKO_OK;
    const char *reporter = json_string_value(json_object_get(*out, "reporter_id"));
    const pko_principal *p = pko_req_user(req);
    if (reporter && strcmp(reporter, p->user_id) == 0)
        return PKO_OK;
    /* Unverified: analysts and mission administrators of that mission. */
    static const char q[] = "SELECT acronym FROM missions WHERE id = ?1";
    const char *mid = json_string_value(json_object_get(*out, "mission_id"));
    char acr[40] = "";
    if (mid) {
        pko_stmt *s;
        int row;
        if (pko_db_prepare(pko_req_db(req), q, &s, err) == PKO_OK) {
            sqlite3_bind_text(s, 1, mid, -1, SQLITE_TRANSIENT);
            if (!pko_db_step(pko_req_db(req), s, &row, err) && row)
                snprintf(acr, sizeof(acr), "%s", sqlite3_column_text(s, 0));
            sqlite3_reset(s);
        }
    }
    if (pko_principal_has_roles(p, PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN, acr[0] ? acr : NULL))
        return PKO_OK;
    json_decref(*out);
    *out = NULL;
    return pko_err_set(err, PKO_ENOTFOUND, "no incident with id %s", id);
}

static pko_rc h_get(pko_req *req, pko_err *err)
{
    json_t *o;
    const char *id = pko_req_param(req, "id");
    pko_rc rc = load_visible(req, id, &o, err);
    if (rc)
        return rc;
    decorate(pko_req_db(req), o, true);
    static const char q[] = "SELECT id, related_id, relation FROM incident_links"
                            " WHERE incident_id = ?1 OR related_id = ?1";
    pko_stmt *s;
    rc = pko_db_prepare(pko_req_db(req), q, &s, err);
    if (!rc)
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    json_t *links = json_array();
    for (;;) {
        int row;
        if (rc || (rc = pko_db_step(pko_req_db(req), s, &row, err)) || !row)
            break;
        json_array_append_new(links, json_pack("{s:s, s:s, s:s}", "id", sqlite3_column_text(s, 0),
                                               "related_id", sqlite3_column_text(s, 1),
                                               "relation", sqlite3_column_text(s, 2)));
    }
    if (!rc)
        sqlite3_reset(s);
    json_object_set_new(o, "links", links);
    if (rc) {
        json_decref(o);
        return rc;
    }
    pko_req_reply(req, 200, o);
    return PKO_OK;
}

static pko_rc parse_cursor(const char *c, int32_t *t, uint32_t *rowid, pko_err *err)
{
    *t = INT32_MAX;
    *rowid = 0;
    if (!c)
        return PKO_OK;
    long long a, b;
    char tail;
    if (sscanf(c, "%lld.%lld%c", &a, &b, &tail) != 2 || a < INT32_MIN || a > INT32_MAX || b < 1 ||
        b > UINT32_MAX)
        return pko_err_field(err, PKO_EINVAL, "cursor", "cursor is not valid");
    *t = (int32_t)a;
    *rowid = (uint32_t)b;
    return PKO_OK;
}

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    int32_t ct;
    uint32_t crow;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (!rc)
        rc = parse_cursor(cursor, &ct, &crow, err);
    if (!rc)
        rc = inc_sync(pko_req_db(req), err);
    if (rc)
        return rc;
    incidx_event *ev = pko_arena_alloc(pko_req_arena(req), (size_t)limit * sizeof(*ev));
    incidx_filter f;
    const incidx *x = inc_read_begin();
    rc = inc_filter_from_req(req, &f, err);
    size_t n = rc ? 0 : incidx_list(x, &f, ct, crow, (size_t)limit, ev);
    uint64_t total = rc || pko_req_query(req, "count") == NULL ? 0 : incidx_count(x, &f);
    inc_read_end();
    if (rc)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = inc_load_rowid(pko_req_db(req), req, ev[i].rowid, err);
        if (!o) {
            if (err->code != PKO_ENOTFOUND) {
                json_decref(items);
                return err->code;
            }
            pko_err_clear(err); /* changed since the index saw it */
            continue;
        }
        json_array_append_new(items, o);
    }
    json_t *body = json_pack("{s:o}", "items", items);
    if (n == (size_t)limit) {
        char next[48];
        snprintf(next, sizeof(next), "%d.%u", ev[n - 1].t, ev[n - 1].rowid);
        json_object_set_new(body, "next_cursor", json_string(next));
    } else {
        json_object_set_new(body, "next_cursor", json_null());
    }
    if (pko_req_query(req, "count"))
        json_object_set_new(body, "total", json_integer((json_int_t)total));
    pko_req_reply(req, 200, body);
    return PKO_OK;
}

static char *iso_minutes(int32_t t, char *out, size_t n)
{
    pko_time_rfc3339((int64_t)t * 60000, out, n);
    return out;
}

static pko_rc h_map(pko_req *req, pko_err *err)
{
    const char *zs = pko_req_query(req, "zoom"), *cs = pko_req_query(req, "cell");
    int zoom = 2;
    double cell = 0;
    if (zs) {
        char *end;
        long z = strtol(zs, &end, 10);
        if (!*zs || *end || z < 0 || z > 22)
            return pko_err_field(err, PKO_EINVAL, "zoom", "zoom must be a whole number 0 to 22");
        zoom = (int)z;
    }
    if (cs) {
        char *end;
        cell = strtod(cs, &end);
        if (!*cs || *end || !(cell >= 0.0001 && cell <= 90))
            return pko_err_field(err, PKO_EINVAL, "cell", "cell must be degrees, 0.0001 to 90");
    } else {
        cell = 90.0 / (double)(1u << zoom); /* about a quarter of a map tile */
    }
    pko_rc rc = inc_sync(pko_req_db(req), err);
    if (rc)
        return rc;
    incidx_filter f;
    const incidx *x = inc_read_begin();
    rc = inc_filter_from_req(req, &f, err);
    uint64_t total = rc ? 0 : incidx_count(x, &f);
    bool events = !rc && !cs && (zoom >= 13 || total <= 300);
    incidx_cluster *cl = NULL;
    size_t ncl = 0, nev = 0;
    incidx_event *ev = NULL;
    if (!rc && events) {
        ev = pko_arena_alloc(pko_req_arena(req), 500 * sizeof(*ev));
        nev = incidx_list(x, &f, INT32_MAX, 0, 500, ev);
    } else if (!rc) {
        rc = incidx_clusters(x, &f, cell, &cl, &ncl, &total, err);
    }
    inc_read_end();
    if (rc)
        return rc;
    json_t *body;
    if (events) {
        json_t *arr = json_array();
        for (size_t i = 0; i < nev; i++) {
            json_t *o = inc_load_rowid(pko_req_db(req), req, ev[i].rowid, err);
            if (!o) {
                pko_err_clear(err);
                continue;
            }
            json_array_append_new(
                arr, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id",
                               json_object_get(o, "id"), "lon", json_object_get(o, "lon"), "lat",
                               json_object_get(o, "lat"), "title", json_object_get(o, "title"),
                               "category", json_object_get(o, "category"), "status",
                               json_object_get(o, "status"), "occurred_start",
                               json_object_get(o, "occurred_start"), "killed_total",
                               json_object_get(o, "killed_total")));
            json_decref(o);
        }
        body = json_pack("{s:s, s:I, s:o}", "mode", "events", "total", (json_int_t)total,
                         "events", arr);
    } else {
        json_t *arr = json_array();
        for (size_t i = 0; i < ncl; i++)
            json_array_append_new(arr, json_pack("{s:f, s:f, s:i, s:I}", "lon", cl[i].lon, "lat",
                                                 cl[i].lat, "count", (int)cl[i].count, "killed",
                                                 (json_int_t)cl[i].killed));
        pko_free(cl);
        body = json_pack("{s:s, s:f, s:I, s:o}", "mode", "clusters", "cell", cell, "total",
                         (json_int_t)total, "clusters", arr);
    }
    pko_req_reply(req, 200, body);
    return PKO_OK;
}

static pko_rc h_histogram(pko_req *req, pko_err *err)
{
    const char *b = pko_req_query(req, "bucket");
    incidx_bucket bucket = INCIDX_DAY;
    if (b) {
        if (strcmp(b, "day") == 0)
            bucket = INCIDX_DAY;
        else if (strcmp(b, "week") == 0)
            bucket = INCIDX_WEEK;
        else if (strcmp(b, "month") == 0)
            bucket = INCIDX_MONTH;
        else if (strcmp(b, "year") == 0)
            bucket = INCIDX_YEAR;
        else
            return pko_err_field(err, PKO_EINVAL, "bucket", "bucket must be day, week, month or year");
    }
    pko_rc rc = inc_sync(pko_req_db(req), err);
    if (rc)
        return rc;
    incidx_filter f;
    incidx_bin *bins = NULL;
    size_t n = 0;
    const incidx *x = inc_read_begin();
    rc = inc_filter_from_req(req, &f, err);
    if (!rc)
        rc = incidx_histogram(x, &f, bucket, &bins, &n, err);
    inc_read_end();
    if (rc)
        return rc;
    json_t *arr = json_array();
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        char day[32];
        iso_minutes(bins[i].start_day * 1440, day, sizeof(day));
        day[10] = '\0';
        json_array_append_new(arr, json_pack("{s:s, s:i, s:I}", "start", day, "count",
                                             (int)bins[i].count, "killed",
                                             (json_int_t)bins[i].killed));
        total += bins[i].count;
    }
    pko_free(bins);
    pko_req_reply(req, 200,
                  json_pack("{s:s, s:I, s:o}", "bucket",
                            b ? b : "day", "total", (json_int_t)total, "bins", arr));
    return PKO_OK;
}

/* Counts per category for the current filter, leaves and their parents
 * (a parent's count includes its children), in one pass over the index. */
static pko_rc h_stats(pko_req *req, pko_err *err)
{
    pko_rc rc = inc_sync(pko_req_db(req), err);
    if (rc)
        return rc;
    size_t nc = incidents_n_categories();
    uint64_t *counts = pko_arena_alloc(pko_req_arena(req), nc * sizeof(uint64_t));
    int64_t *killed = pko_arena_alloc(pko_req_arena(req), nc * sizeof(int64_t));
    incidx_filter f;
    const incidx *x = inc_read_begin();
    rc = inc_filter_from_req(req, &f, err);
    if (!rc)
        incidx_count_by_category(x, &f, counts, killed);
    inc_read_end();
    if (rc)
        return rc;
    json_t *arr = json_array();
    uint64_t total = 0;
    int64_t total_killed = 0;
    for (size_t i = 0; i < nc; i++) {
        total += counts[i];
        total_killed += killed[i];
    }
    for (size_t p = 0; p < nc; p++) {
        uint64_t n = 0;
        int64_t k = 0;
        for (size_t c = 0; c < nc; c++) {
            if (incidents_category_within(c, p)) {
                n += counts[c];
                k += killed[c];
            }
        }
        if (!n)
            continue;
        const incidents_category *cat = incidents_category_at(p);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:b}", "code", cat->code,
                                             "label", cat->label, "count", (json_int_t)n,
                                             "killed", (json_int_t)k, "top",
                                             strchr(cat->code, '.') == NULL));
    }
    pko_req_reply(req, 200,
                  json_pack("{s:I, s:I, s:o}", "total", (json_int_t)total, "killed",
                            (json_int_t)total_killed, "categories", arr));
    return PKO_OK;
}

static pko_rc h_categories(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *arr = json_array();
    for (size_t i = 0; i < incidents_n_categories(); i++) {
        const incidents_category *c = incidents_category_at(i);
        const char *dot = strrchr(c->code, '.');
        json_t *o = json_pack("{s:s, s:s, s:s}", "code", c->code, "label", c->label, "source",
                              c->source);
        if (dot)
            json_object_set_new(o, "parent", json_stringn(c->code, (size_t)(dot - c->code)));
        json_array_append_new(arr, o);
    }
    pko_req_reply(req, 200, json_pack("{s:o}", "items", arr));
    return PKO_OK;
}

/* ==== Writing ============================================================ */

/* The acronym of mission 'id', or PKO_EINVAL naming 'field'. */
static pko_rc mission_acronym(pko_db *db, const char *id, char out[40], pko_err *err)
{
    static const char q[] = "SELECT acronym FROM missions WHERE id = ?1";
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        snprintf(out, 40, "%s", sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (!rc && !row)
        rc = pko_err_field(err, PKO_EINVAL, "mission_id", "no mission with id %s", id);
    return rc;
}

static pko_rc actor_exists(pko_db *db, json_t *f, const char *field, pko_err *err)
{
    static const char q[] = "SELECT 1 FROM actors WHERE id = ?1";
    const char *id = json_string_value(json_object_get(f, field));
    if (!id)
        return PKO_OK;
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    sqlite3_reset(s);
    if (!rc && !row)
        rc = pko_err_field(err, PKO_EINVAL, field, "no actor with id %s", id);
    return rc;
}

/* Fields a client may never set directly. */
static pko_rc refuse_managed(json_t *b, pko_err *err)
{
    static const char *const managed[] = {"status",       "status_reason", "reporter_id",
                                          "source_system", "t_start",      "casualties_total",
                                          "id",           "created_at",    "updated_at"};
    for (size_t i = 0; i < sizeof(managed) / sizeof(managed[0]); i++)
        if (json_object_get(b, managed[i]))
            return pko_err_field(err, PKO_EINVAL, managed[i],
                                 "%s is set by the server%s", managed[i],
                                 strcmp(managed[i], "status") == 0
                                     ? "; use POST /api/v1/incidents/{id}/transition"
                                     : "");
    return PKO_OK;
}

static pko_rc check_refs(pko_req *req, json_t *f, const char *perm, pko_err *err)
{
    char acr[40] = "";
    const char *mid = json_string_value(json_object_get(f, "mission_id"));
    pko_rc rc = mid ? mission_acronym(pko_req_db(req), mid, acr, err) : PKO_OK;
    if (!rc)
        rc = pko_req_require(req, perm, mid ? acr : NULL, err);
    if (!rc)
        rc = actor_exists(pko_req_db(req), f, "perpetrator_id", err);
    if (!rc)
        rc = actor_exists(pko_req_db(req), f, "target_id", err);
    const char *cls = json_string_value(json_object_get(f, "classification"));
    if (!rc && cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        rc = pko_err_field(err, PKO_EFORBIDDEN, "classification",
                           "you cannot classify a record above your own clearance");
    return rc;
}

static pko_rc write_one(pko_req *req, const char *id, json_t *fields, int64_t version,
                        char out_id[PKO_ID_LEN], pko_err *err)
{
    pko_tx *tx;
    pko_rc rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    if (id) {
        rc = pko_tx_update(tx, &pko_entity_incident, id, fields, version, err);
        memcpy(out_id, id, PKO_ID_LEN);
    } else {
        rc = pko_tx_insert(tx, &pko_entity_incident, fields, out_id, err);
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (!rc)
        rc = inc_sync(pko_req_db(req), err);
    return rc;
}

static pko_rc reply_incident(pko_req *req, const char *id, int status, pko_err *err)
{
    json_t *o;
    pko_rc rc = load_visible(req, id, &o, err);
    if (rc)
        return rc;
    decorate(pko_req_db(req), o, true);
    pko_req_reply(req, status, o);
    return PKO_OK;
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = refuse_managed(b, err);
    if (rc)
        return rc;
    json_t *f = json_deep_copy(b);
    json_object_set_new(f, "status", json_string("draft"));
    json_object_set_new(f, "reporter_id", json_string(pko_req_user(req)->user_id));
    if (!json_object_get(f, "reported_at")) {
        char now[32];
        json_object_set_new(f, "reported_at",
                            json_string(pko_time_rfc3339(pko_now_ms(), now, sizeof(now))));
    }
    if (!json_object_get(f, "source_system"))
        json_object_set_new(f, "source_system", json_string("pko"));
    rc = incidents_validate(f, err);
    if (!rc)
        rc = check_refs(req, f, "incidents.create", err);
    char id[PKO_ID_LEN];
    if (!rc) {
        incidents_derive(f);
        rc = write_one(req, NULL, f, 0, id, err);
    }
    json_decref(f);
    if (rc)
        return rc;
    char loc[96];
    snprintf(loc, sizeof(loc), "/api/v1/incidents/%s", id);
    pko_req_add_header(req, "Location", loc);
    return reply_incident(req, id, 201, err);
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *cur;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        return pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t version = ver ? json_integer_value(ver) : 0;
    json_t *changes = json_deep_copy(b);
    json_object_del(changes, "version");
    rc = refuse_managed(changes, err);
    if (!rc)
        rc = load_visible(req, id, &cur, err);
    if (rc) {
        json_decref(changes);
        return rc;
    }
    /* Who may edit: analysts (and mission admins) of the mission; the
     * reporter while the incident is a draft or was returned to them. */
    const char *status = json_string_value(json_object_get(cur, "status"));
    const char *reporter = json_string_value(json_object_get(cur, "reporter_id"));
    bool own = reporter && strcmp(reporter, pko_req_user(req)->user_id) == 0;
    bool editable_by_reporter = strcmp(status, "draft") == 0 || strcmp(status, "returned") == 0;
    json_t *merged = json_deep_copy(cur);
    json_object_update(merged, changes);
    rc = incidents_validate(merged, err);
    if (!rc)
        rc = check_refs(req, merged, "incidents.update", err);
    /* Editing rights are checked against the mission the incident is in
     * now, and again (check_refs above) against the one it moves to: seeing
     * a published incident of another mission never allows moving it. */
    if (!rc && !(own && editable_by_reporter)) {
        char acr[40] = "";
        const char *mid = json_string_value(json_object_get(cur, "mission_id"));
        if (mid)
            rc = mission_acronym(pko_req_db(req), mid, acr, err);
        if (!rc && !pko_principal_has_roles(pko_req_user(req),
                                            PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN,
                                            acr[0] ? acr : NULL))
            rc = pko_err_set(err, PKO_EFORBIDDEN,
                             own ? "a reporter edits an incident only while it is a draft or "
                                   "returned"
                                 : "only the reporter or an analyst of the mission may edit "
                                   "this incident");
    }
    if (!rc) {
        incidents_derive(merged);
        /* Write the changed fields plus what they derive. */
        json_object_set(changes, "t_start", json_object_get(merged, "t_start"));
        json_object_set(changes, "killed_total", json_object_get(merged, "killed_total"));
        json_object_set(changes, "casualties_total", json_object_get(merged, "casualties_total"));
        char out[PKO_ID_LEN];
        rc = write_one(req, id, changes, version, out, err);
    }
    json_decref(merged);
    json_decref(cur);
    json_decref(changes);
    if (rc)
        return rc;
    return reply_incident(req, id, 200, err);
}

/* ==== Workflow =========================================================== */

typedef struct transition {
    int from, to;
    unsigned roles;    /* who may make it (system_admin always may) */
    bool reporter_ok;  /* the incident's own reporter may too */
    bool needs_reason;
} transition;

static const transition transitions[] = {
    {INC_DRAFT, INC_SUBMITTED, PKO_ROLE_ANALYST, true, false},
    {INC_RETURNED, INC_SUBMITTED, PKO_ROLE_ANALYST, true, false},
    {INC_SUBMITTED, INC_VERIFIED, PKO_ROLE_ANALYST, false, false},
    {INC_SUBMITTED, INC_RETURNED, PKO_ROLE_ANALYST, false, true},
    {INC_SUBMITTED, INC_REJECTED, PKO_ROLE_ANALYST, false, true},
    {INC_VERIFIED, INC_PUBLISHED, PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN, false, false},
    {INC_VERIFIED, INC_RETURNED, PKO_ROLE_ANALYST, false, true},
};

static pko_rc h_transition(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *cur;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    int to = incidents_status_parse(json_string_value(json_object_get(b, "status")));
    if (to < 0)
        return pko_err_field(err, PKO_EINVAL, "status",
                             "status must be submitted, verified, published, returned or "
                             "rejected");
    json_t *rv = json_object_get(b, "reason");
    if (rv && (!json_is_string(rv) || json_string_length(rv) > 2000))
        return pko_err_field(err, PKO_EINVAL, "reason", "reason must be text of 2000 characters or fewer");
    const char *reason = json_string_value(rv);
    rc = load_visible(req, id, &cur, err);
    if (rc)
        return rc;
    int from = incidents_status_parse(json_string_value(json_object_get(cur, "status")));
    const transition *t = NULL;
    for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
        if (transitions[i].from == from && transitions[i].to == to)
            t = &transitions[i];
    char acr[40] = "";
    const char *mid = json_string_value(json_object_get(cur, "mission_id"));
    if (mid)
        rc = mission_acronym(pko_req_db(req), mid, acr, err);
    const char *reporter = json_string_value(json_object_get(cur, "reporter_id"));
    bool own = reporter && strcmp(reporter, pko_req_user(req)->user_id) == 0;
    if (!rc && !t)
        rc = pko_err_field(err, PKO_ECONFLICT, "status", "an incident cannot go from %s to %s",
                           incidents_status_name(from), incidents_status_name(to));
    if (!rc && !(t->reporter_ok && own) &&
        !pko_principal_has_roles(pko_req_user(req), t->roles, acr[0] ? acr : NULL))
        rc = pko_err_set(err, PKO_EFORBIDDEN, "your roles do not allow %s -> %s%s%s",
                         incidents_status_name(from), incidents_status_name(to),
                         acr[0] ? " in " : "", acr);
    if (!rc && t->needs_reason && (!reason || !*reason))
        rc = pko_err_field(err, PKO_EINVAL, "reason", "a reason is required to %s an incident",
                           to == INC_REJECTED ? "reject" : "return");
    json_decref(cur);
    if (rc)
        return rc;
    json_t *f = json_pack("{s:s, s:o}", "status", incidents_status_name(to), "status_reason",
                          reason && *reason ? json_string(reason) : json_null());
    char out[PKO_ID_LEN];
    rc = write_one(req, id, f, 0, out, err);
    json_decref(f);
    if (rc)
        return rc;
    return reply_incident(req, id, 200, err);
}

static pko_rc h_history(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *cur, *hist;
    pko_rc rc = load_visible(req, id, &cur, err);
    if (rc)
        return rc;
    json_decref(cur);
    rc = pko_db_history(pko_req_db(req), "incident", id, &hist, err);
    if (rc)
        return rc;
    /* Readable author names. */
    size_t i;
    json_t *h;
    json_array_foreach(hist, i, h)
    {
        char name[72];
        if (pko_user_name(pko_req_db(req), json_string_value(json_object_get(h, "author")), name) ==
            PKO_OK)
            json_object_set_new(h, "author_name", json_string(name));
        json_object_del(json_object_get(h, "fields"), "t_start");
    }
    pko_req_reply(req, 200, json_pack("{s:o}", "items", hist));
    return PKO_OK;
}

static pko_rc h_link(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *a, *c;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    const char *rel = json_string_value(json_object_get(b, "related_id"));
    const char *relation = json_string_value(json_object_get(b, "relation"));
    static const char *const relations[] = {"duplicate_of", "follow_up_of", "same_event",
                                            "related", NULL};
    if (!rel || !pko_id_valid(rel) || strcmp(rel, id) == 0)
        return pko_err_field(err, PKO_EINVAL, "related_id", "related_id must be another incident's id");
    if (!relation)
        relation = "related";
    if (!incidents_in_list(relations, relation))
        return pko_err_field(err, PKO_EINVAL, "relation",
                             "relation must be duplicate_of, follow_up_of, same_event or related");
    rc = load_visible(req, id, &a, err);
    if (rc)
        return rc;
    rc = load_visible(req, rel, &c, err);
    if (rc) {
        json_decref(a);
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "related_id", "no incident with id %s", rel);
    }
    json_decref(c);
    char acr[40] = "";
    const char *mid = json_string_value(json_object_get(a, "mission_id"));
    if (mid)
        rc = mission_acronym(pko_req_db(req), mid, acr, err);
    json_decref(a);
    if (!rc)
        rc = pko_req_require(req, "incidents.update", acr[0] ? acr : NULL, err);
    if (rc)
        return rc;
    pko_tx *tx;
    char lid[PKO_ID_LEN];
    json_t *f = json_pack("{s:s, s:s, s:s}", "incident_id", id, "related_id", rel, "relation",
                          relation);
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (!rc) {
        rc = pko_tx_insert(tx, &pko_entity_incident_link, f, lid, err);
        if (rc)
            pko_tx_rollback(tx);
        else
            rc = pko_tx_commit(tx, err);
    }
    json_decref(f);
    if (rc == PKO_ECONFLICT) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_ECONFLICT, "related_id", "these incidents are already linked");
    }
    if (rc)
        return rc;
    pko_req_reply(req, 201, json_pack("{s:s, s:s, s:s, s:s}", "id", lid, "incident_id", id,
                                      "related_id", rel, "relation", relation));
    return PKO_OK;
}

/* ==== Actors ============================================================= */

pko_rc inc_actor_upsert(pko_tx *tx, const char *name, const char *type, const char *source_system,
                        const char *source_id, char out[PKO_ID_LEN], bool *created, pko_err *err)
{
    static const char q_src[] = "SELECT id FROM actors WHERE source_system = ?1 AND source_id = ?2";
    static const char q_name[] = "SELECT id FROM actors WHERE name = ?1 COLLATE NOCASE"
                                 " AND source_id IS NULL";
    pko_db *db = pko_tx_db(tx);
    pko_stmt *s;
    int row;
    *created = false;
    pko_rc rc = pko_db_prepare(db, source_id ? q_src : q_name, &s, err);
    if (rc)
        return rc;
    if (source_id) {
        sqlite3_bind_text(s, 1, source_system, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, source_id, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    }
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        snprintf(out, PKO_ID_LEN, "%s", sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc || row)
        return rc;
    json_t *f = json_pack("{s:s, s:s}", "name", name, "actor_type", type);
    if (source_id) {
        json_object_set_new(f, "source_system", json_string(source_system));
        json_object_set_new(f, "source_id", json_string(source_id));
    }
    rc = pko_tx_insert(tx, &pko_entity_actor, f, out, err);
    json_decref(f);
    *created = rc == PKO_OK;
    return rc;
}

static pko_rc h_actors(pko_req *req, pko_err *err)
{
    static const char q[] = "SELECT id, name, actor_type, source_system, source_id FROM actors"
                            " WHERE (?1 IS NULL OR name LIKE '%' || ?1 || '%') AND id > ?2"
                            " ORDER BY id LIMIT ?3";
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    pko_stmt *s;
    rc = pko_db_prepare(pko_req_db(req), q, &s, err);
    if (rc)
        return rc;
    const char *text = pko_req_query(req, "q");
    if (text)
        sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, cursor ? cursor : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, limit);
    json_t *arr = json_array();
    for (;;) {
        int row;
        rc = pko_db_step(pko_req_db(req), s, &row, err);
        if (rc || !row)
            break;
        json_t *o = json_pack("{s:s, s:s, s:s}", "id", sqlite3_column_text(s, 0), "name",
                              sqlite3_column_text(s, 1), "actor_type", sqlite3_column_text(s, 2));
        if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
            json_object_set_new(o, "source_system", json_string((const char *)sqlite3_column_text(s, 3)));
            json_object_set_new(o, "source_id", json_string((const char *)sqlite3_column_text(s, 4)));
        }
        json_array_append_new(arr, o);
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    size_t n = json_array_size(arr);
    json_t *next = n == (size_t)limit ? json_copy(json_object_get(json_array_get(arr, n - 1), "id"))
                                      : json_null();
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", arr, "next_cursor", next));
    return PKO_OK;
}

static pko_rc h_actor_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *type = json_string_value(json_object_get(b, "actor_type"));
    if (!name || !*name || strlen(name) > 300)
        return pko_err_field(err, PKO_EINVAL, "name", "name is required, up to 300 characters");
    if (!incidents_in_list(incidents_actor_types, type))
        return pko_err_field(err, PKO_EINVAL, "actor_type",
                             "actor_type must be one of state_forces, armed_group, militia, "
                             "civilians, protesters, rioters, un_mission, external_forces, "
                             "political_party, criminal_group, other");
    pko_tx *tx;
    char id[PKO_ID_LEN];
    bool created;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = inc_actor_upsert(tx, name, type, NULL, NULL, id, &created, err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    if (!created)
        return pko_err_field(err, PKO_ECONFLICT, "name", "an actor named %s exists (id %s)", name, id);
    pko_req_reply(req, 201, json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "actor_type", type));
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_perm perms[] = {
    {"incidents.read", PKO_ROLES_ALL, "see incidents (unverified ones: analysts and reporters)"},
    {"incidents.create", PKO_ROLE_REPORTER | PKO_ROLE_ANALYST, "report incidents"},
    {"incidents.update", PKO_ROLE_REPORTER | PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN,
     "edit incidents, submit them, link them"},
    {"incidents.verify", PKO_ROLE_ANALYST, "verify, return or reject submitted incidents"},
    {"incidents.export", PKO_ROLE_ANALYST | PKO_ROLE_PLANNER | PKO_ROLE_MISSION_ADMIN,
     "export incidents"},
    {"incidents.import", 0, "import datasets (system administrators of all missions)", true},
    {"actors.manage", PKO_ROLE_ANALYST | PKO_ROLE_REPORTER, "add actors to the registry"},
};

static const pko_route routes[] = {
    {"GET", "/api/v1/incidents", h_list, "incidents.read", 0, 0},
    {"POST", "/api/v1/incidents", h_create, "incidents.create", 0, 64 * 1024},
    {"GET", "/api/v1/incidents/map", h_map, "incidents.read", 0, 0},
    {"GET", "/api/v1/incidents/histogram", h_histogram, "incidents.read", 0, 0},
    {"GET", "/api/v1/incidents/export", inc_h_export, "incidents.export", 0, 0},
    {"GET", "/api/v1/incidents/categories", h_categories, "incidents.read", 0, 0},
    {"GET", "/api/v1/incidents/stats", h_stats, "incidents.read", 0, 0},
    {"POST", "/api/v1/incidents/import", inc_h_import, "incidents.import", PKO_ROUTE_RAW_BODY,
     64 * 1024 * 1024},
    {"GET", "/api/v1/incidents/{id}", h_get, "incidents.read", 0, 0},
    {"PATCH", "/api/v1/incidents/{id}", h_update, "incidents.update", 0, 64 * 1024},
    {"POST", "/api/v1/incidents/{id}/transition", h_transition, "incidents.update", 0, 8192},
    {"GET", "/api/v1/incidents/{id}/history", h_history, "incidents.read", 0, 0},
    {"POST", "/api/v1/incidents/{id}/links", h_link, "incidents.update", 0, 4096},
    {"GET", "/api/v1/actors", h_actors, "incidents.read", 0, 0},
    {"POST", "/api/v1/actors", h_actor_create, "actors.manage", 0, 4096},
};

static const pko_entity *const entities[] = {&pko_entity_actor, &pko_entity_incident,
                                             &pko_entity_incident_link};

const pko_module pko_module_incidents = {
    .name = "incidents",
    .summary = "incident reports, verification workflow, map queries, imports and exports",
    .migrations = incidents_migrations,
    .n_migrations = INCIDENTS_N_MIGRATIONS,
    .entities = entities,
    .n_entities = 3,
    .perms = perms,
    .n_perms = sizeof(perms) / sizeof(perms[0]),
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .start = inc_start,
};
