/* SPDX-License-Identifier: MIT
 *
 * Mission sites: the places a mission is deployed (mission and sector
 * headquarters, team sites, company operating bases, temporary bases), with
 * a location, an optional troop count and the contributing countries. Rows
 * are scoped by their mission_id, written through the store's write path
 * like missions, and loaded idempotently: (source_system, source_id) is
 * unique, so a second load of the same file answers 409 per site.
 */
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "modules/missions/missions.h"

const char *const sites_kinds[] = {"mission_hq",  "sector_hq",
                                   "team_site",   "company_operating_base",
                                   "temporary_base", "other",
                                   NULL};

static const pko_col site_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"name", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"kind", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"lat", PKO_COL_REAL, PKO_COL_REQUIRED},
    {"lon", PKO_COL_REAL, PKO_COL_REQUIRED},
    {"country", PKO_COL_TEXT, 0},
    {"admin1", PKO_COL_TEXT, 0},
    {"troops", PKO_COL_INT, 0},
    {"contributors", PKO_COL_TEXT, 0},
    {"as_of", PKO_COL_TEXT, 0},
    {"source_system", PKO_COL_TEXT, PKO_COL_READONLY},
    {"source_id", PKO_COL_TEXT, PKO_COL_READONLY},
};

const pko_entity pko_entity_mission_site = {
    "mission_site", "mission_sites", site_cols, sizeof(site_cols) / sizeof(site_cols[0]),
    "mission_id", 0};

static bool text_ok(json_t *v, size_t max, bool required)
{
    if (!v || json_is_null(v))
        return !required;
    if (!json_is_string(v))
        return false;
    size_t n = strlen(json_string_value(v));
    return n >= (required ? 1u : 0u) && n <= max;
}

static bool number_in(json_t *v, double lo, double hi)
{
    if (!json_is_number(v))
        return false;
    double d = json_number_value(v);
    return isfinite(d) && d >= lo && d <= hi;
}

pko_rc sites_validate(json_t *f, pko_err *err)
{
    static const char *const known[] = {"name",   "kind",     "lat",          "lon",
                                        "country", "admin1",  "troops",       "contributors",
                                        "as_of",  "source_system", "source_id", "classification",
                                        NULL};
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a mission site", k);
    }
    if (!text_ok(json_object_get(f, "name"), 200, true))
        return pko_err_field(err, PKO_EINVAL, "name", "name is required, 1 to 200 characters");
    v = json_object_get(f, "kind");
    bool kind_ok = false;
    for (size_t i = 0; json_is_string(v) && sites_kinds[i] && !kind_ok; i++)
        kind_ok = strcmp(sites_kinds[i], json_string_value(v)) == 0;
    if (!kind_ok)
        return pko_err_field(err, PKO_EINVAL, "kind",
                             "kind must be mission_hq, sector_hq, team_site, "
                             "company_operating_base, temporary_base or other");
    if (!number_in(json_object_get(f, "lat"), -90, 90))
        return pko_err_field(err, PKO_EINVAL, "lat", "lat must be a number from -90 to 90");
    if (!number_in(json_object_get(f, "lon"), -180, 180))
        return pko_err_field(err, PKO_EINVAL, "lon", "lon must be a number from -180 to 180");
    if (!text_ok(json_object_get(f, "country"), 100, false))
        return pko_err_field(err, PKO_EINVAL, "country", "country must be text up to 100 characters");
    if (!text_ok(json_object_get(f, "admin1"), 100, false))
        return pko_err_field(err, PKO_EINVAL, "admin1", "admin1 must be text up to 100 characters");
    v = json_object_get(f, "troops");
    if (v && !json_is_null(v) &&
        (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000))
        return pko_err_field(err, PKO_EINVAL, "troops",
                             "troops must be a whole number from 0 to 1000000");
    if (!text_ok(json_object_get(f, "contributors"), 2000, false))
        return pko_err_field(err, PKO_EINVAL, "contributors",
                             "contributors must be text up to 2000 characters");
    if (!text_ok(json_object_get(f, "as_of"), 32, false))
        return pko_err_field(err, PKO_EINVAL, "as_of",
                             "as_of must be a date or month such as 2024-06");
    bool has_sys = json_is_string(json_object_get(f, "source_system"));
    bool has_id = json_is_string(json_object_get(f, "source_id"));
    if (!text_ok(json_object_get(f, "source_system"), 64, false))
        return pko_err_field(err, PKO_EINVAL, "source_system",
                             "source_system must be text up to 64 characters");
    if (!text_ok(json_object_get(f, "source_id"), 200, false) || has_sys != has_id)
        return pko_err_field(err, PKO_EINVAL, "source_id",
                             "source_id and source_system go together, up to 200 characters");
    return PKO_OK;
}

/* The mission 'id' as the caller sees it (missions.read), or 404. */
static pko_rc visible_mission(pko_req *req, const char *id, json_t **out, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "missions.read", &scope);
    return pko_db_get(pko_req_db(req), &pko_entity_mission, &scope, pko_req_actor(req), id, out,
                      err);
}

pko_rc sites_h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *mid = pko_req_param(req, "id");
    json_t *m;
    rc = visible_mission(req, mid, &m, err);
    if (rc)
        return rc;
    json_decref(m);
    pko_scope scope;
    pko_req_scope(req, "missions.read", &scope);
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    rc = pko_db_prepare(db,
                        "SELECT id FROM mission_sites WHERE mission_id = ?1 AND id > ?2"
                        " ORDER BY id LIMIT ?3",
                        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, mid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, cursor ? cursor : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, limit);
    json_t *ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    if (rc) {
        json_decref(ids);
        return rc;
    }
    json_t *items = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        json_t *site;
        rc = pko_db_get(db, &pko_entity_mission_site, &scope, pko_req_actor(req),
                        json_string_value(id), &site, err);
        if (rc == PKO_ENOTFOUND) { /* above the caller's clearance */
            pko_err_clear(err);
            rc = PKO_OK;
            continue;
        }
        if (rc)
            break;
        json_array_append_new(items, site);
    }
    size_t n = json_array_size(ids);
    json_t *next = n == (size_t)limit ? json_copy(json_array_get(ids, n - 1)) : json_null();
    json_decref(ids);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

pko_rc sites_h_create(pko_req *req, pko_err *err)
{
    const char *mid = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *m;
    rc = visible_mission(req, mid, &m, err);
    if (rc)
        return rc;
    rc = pko_req_require(req, "missions.sites.write",
                         json_string_value(json_object_get(m, "acronym")), err);
    json_decref(m);
    if (!rc)
        rc = sites_validate(b, err);
    if (rc)
        return rc;
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    json_object_set_new(b, "mission_id", json_string(mid));
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, &pko_entity_mission_site, b, id, err);
    if (rc == PKO_ECONFLICT && err && err->sqlite_rc == SQLITE_CONSTRAINT_UNIQUE &&
        strstr(err->msg, "mission_sites.source")) {
        pko_err_clear(err);
        rc = pko_err_field(err, PKO_ECONFLICT, "source_id",
                           "a site from %.64s with source_id %.200s exists",
                           json_string_value(json_object_get(b, "source_system")),
                           json_string_value(json_object_get(b, "source_id")));
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *site;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission_site, &all, pko_req_actor(req), id,
                    &site, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, site);
    return PKO_OK;
}
