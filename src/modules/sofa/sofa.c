/* SPDX-License-Identifier: MIT
 *
 * The sofa module: violations of status-of-forces agreements. One entity,
 * scoped to its mission (mission_id, the store's scope filter); every role
 * of the mission reads them (up to its clearance), reporters, analysts and
 * mission administrators record and follow them up. See sofa.h and
 * docs/conduct.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/field.h"
#include "modules/incidents/incidents.h"
#include "modules/missions/missions.h"
#include "modules/sofa/sofa.h"

/* ==== Schema ============================================================= */

static const pko_migration sofa_migrations[] = {
    {1, "CREATE TABLE sofa_violations("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " type TEXT NOT NULL, authority TEXT NOT NULL, authority_detail TEXT,"
        " place TEXT NOT NULL, lat REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),"
        " lon REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),"
        " started_on TEXT NOT NULL, ended_on TEXT, description TEXT NOT NULL,"
        " impact TEXT NOT NULL, impact_description TEXT, operations_affected TEXT,"
        " personnel_detained INTEGER CHECK (personnel_detained IS NULL OR personnel_detained >= 0),"
        " flights_affected INTEGER CHECK (flights_affected IS NULL OR flights_affected >= 0),"
        " items_held TEXT, status TEXT NOT NULL, raised_on TEXT, resolution TEXT,"
        " resolved_on TEXT, incident_id TEXT, notes TEXT"
        ") STRICT;"
        "CREATE INDEX sofa_violations_mission ON sofa_violations(mission_id, started_on);"},
};

static const pko_col sofa_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"type", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"authority", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"authority_detail", PKO_COL_TEXT, 0},
    {"place", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"lat", PKO_COL_REAL, 0},
    {"lon", PKO_COL_REAL, 0},
    {"started_on", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"ended_on", PKO_COL_TEXT, 0},
    {"description", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"impact", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"impact_description", PKO_COL_TEXT, 0},
    {"operations_affected", PKO_COL_JSON, 0},
    {"personnel_detained", PKO_COL_INT, 0},
    {"flights_affected", PKO_COL_INT, 0},
    {"items_held", PKO_COL_TEXT, 0},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"raised_on", PKO_COL_TEXT, 0},
    {"resolution", PKO_COL_TEXT, 0},
    {"resolved_on", PKO_COL_TEXT, 0},
    {"incident_id", PKO_COL_TEXT, 0},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_sofa_violation = {
    "sofa_violation", "sofa_violations", sofa_cols, sizeof(sofa_cols) / sizeof(sofa_cols[0]),
    "mission_id",     0};

static const pko_perm sofa_perms[] = {
    {"sofa.read", PKO_ROLES_ALL, "see the status-of-forces violations of one's missions", false},
    {"sofa.write", PKO_ROLE_REPORTER | PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN,
     "record status-of-forces violations and follow them up to resolution", false},
};

/* ==== Vocabularies ======================================================= */

const char *const sofa_types[] = {"movement_restriction",   "flight_restriction",
                                  "drone_restriction",      "detention_of_personnel",
                                  "import_obstruction",     "other", NULL};
const char *const sofa_authorities[] = {
    "host_armed_forces", "host_police",      "host_security_services", "host_government",
    "customs",           "civil_aviation",   "local_authority",        "other", NULL};
const char *const sofa_impacts[] = {"none", "minor", "moderate", "severe", NULL};
const char *const sofa_statuses[] = {"open", "raised_with_host_state", "resolved",
                                     "closed_unresolved", NULL};
static const char *const operations[] = {
    "patrol",         "resupply",           "medical_evacuation", "flight_operations",
    "aerial_surveillance", "protection_of_civilians", "investigation",
    "rotation",       "logistics",          "other", NULL};

static const char *const known_fields[] = {
    "mission_id", "type",        "authority",  "authority_detail",  "place",
    "lat",        "lon",         "started_on", "ended_on",          "description",
    "impact",     "impact_description", "operations_affected", "personnel_detained",
    "flights_affected", "items_held", "status", "raised_on", "resolution", "resolved_on",
    "incident_id", "notes",      "classification", NULL};

/* ==== Validation (field checks: core/field.h) ============================= */

static pko_rc check_count(json_t *f, const char *name, pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (pko_field_null(v))
        return PKO_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000)
        return pko_err_field(err, PKO_EINVAL, name, "%s must be a whole number from 0 to 100000",
                             name);
    return PKO_OK;
}

pko_rc sofa_validate(json_t *f, int creating, const json_t *cur, const char *today, pko_err *err)
{
    if (!json_is_object(f))
        return pko_err_set(err, PKO_EINVAL, "a violation must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        if (!pko_field_in(known_fields, k))
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a violation", k);
    }
    static const char *const req[] = {"mission_id", "type",        "authority", "place",
                                      "started_on", "description", "impact"};
    for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
        v = json_object_get(f, req[i]);
        if (creating ? pko_field_null(v) : (v && json_is_null(v)))
            return pko_err_field(err, PKO_EINVAL, req[i], "%s is required", req[i]);
    }
    if (!creating && json_object_get(f, "mission_id"))
        return pko_err_field(err, PKO_EINVAL, "mission_id", "mission_id cannot change");
    if (!creating && json_is_null(json_object_get(f, "status")))
        return pko_err_field(err, PKO_EINVAL, "status", "status cannot be removed");
    pko_rc rc;
    if ((rc = pko_field_enum(f, "type", sofa_types, false, err)) ||
        (rc = pko_field_enum(f, "authority", sofa_authorities, false, err)) ||
        (rc = pko_field_enum(f, "impact", sofa_impacts, false, err)) ||
        (rc = pko_field_enum(f, "status", sofa_statuses, false, err)) ||
        (rc = pko_field_text(f, "mission_id", 64, err)) ||
        (rc = pko_field_text(f, "authority_detail", 300, err)) ||
        (rc = pko_field_text(f, "place", 300, err)) ||
        (rc = pko_field_text(f, "description", 8000, err)) ||
        (rc = pko_field_text(f, "impact_description", 4000, err)) ||
        (rc = pko_field_text(f, "items_held", 2000, err)) ||
        (rc = pko_field_text(f, "resolution", 4000, err)) ||
        (rc = pko_field_text(f, "incident_id", 64, err)) ||
        (rc = pko_field_text(f, "notes", 8000, err)) ||
        (rc = check_count(f, "personnel_detained", err)) ||
        (rc = check_count(f, "flights_affected", err)) ||
        (rc = pko_field_date(f, "started_on", today, err)) ||
        (rc = pko_field_date(f, "ended_on", today, err)) ||
        (rc = pko_field_date(f, "raised_on", today, err)) ||
        (rc = pko_field_date(f, "resolved_on", today, err)))
        return rc;
    v = json_object_get(f, "operations_affected");
    if (!pko_field_null(v)) {
        size_t i;
        json_t *o;
        if (!json_is_array(v) || json_array_size(v) > 10)
            return pko_err_field(err, PKO_EINVAL, "operations_affected",
                                 "operations_affected must be an array of operations");
        json_array_foreach(v, i, o)
        {
            if (!pko_field_in(operations, json_string_value(o)))
                return pko_err_field(err, PKO_EINVAL, "operations_affected",
                                     "operations_affected[%zu] must be one of patrol, resupply, "
                                     "medical_evacuation, flight_operations, aerial_surveillance, "
                                     "protection_of_civilians, investigation, rotation, "
                                     "logistics, other",
                                     i);
        }
    }
    static const struct {
        const char *name;
        double max;
    } coords[] = {{"lat", 90}, {"lon", 180}};
    for (size_t i = 0; i < 2; i++) {
        v = json_object_get(f, coords[i].name);
        if (!pko_field_null(v) && (!json_is_number(v) || !isfinite(json_number_value(v)) ||
                             fabs(json_number_value(v)) > coords[i].max))
            return pko_err_field(err, PKO_EINVAL, coords[i].name,
                                 "%s must be a number from -%g to %g", coords[i].name,
                                 coords[i].max, coords[i].max);
    }
    /* Cross-field rules on the record as it will be. */
    if (!pko_field_merged(f, cur, "lat") != !pko_field_merged(f, cur, "lon"))
        return pko_err_field(err, PKO_EINVAL, pko_field_merged(f, cur, "lat") ? "lon" : "lat",
                             "give both lat and lon, or neither");
    const char *type = json_string_value(pko_field_merged(f, cur, "type"));
    const char *start = json_string_value(pko_field_merged(f, cur, "started_on"));
    static const char *const after_start[] = {"ended_on", "raised_on", "resolved_on"};
    for (size_t i = 0; i < 3; i++) {
        const char *d = json_string_value(pko_field_merged(f, cur, after_start[i]));
        if (d && start && strcmp(d, start) < 0)
            return pko_err_field(err, PKO_EINVAL, after_start[i], "%s %s is before started_on %s",
                                 after_start[i], d, start);
    }
    json_t *det = pko_field_merged(f, cur, "personnel_detained");
    if (type && strcmp(type, "detention_of_personnel") == 0 &&
        (!det || json_integer_value(det) < 1))
        return pko_err_field(err, PKO_EINVAL, "personnel_detained",
                             "a detention of personnel gives personnel_detained (1 or more)");
    if (det && type && strcmp(type, "detention_of_personnel") != 0)
        return pko_err_field(err, PKO_EINVAL, "personnel_detained",
                             "personnel_detained is for a detention_of_personnel only");
    if (pko_field_merged(f, cur, "flights_affected") && type && strcmp(type, "flight_restriction") != 0 &&
        strcmp(type, "drone_restriction") != 0)
        return pko_err_field(err, PKO_EINVAL, "flights_affected",
                             "flights_affected is for flight and drone restrictions only");
    if (pko_field_merged(f, cur, "items_held") && type && strcmp(type, "import_obstruction") != 0)
        return pko_err_field(err, PKO_EINVAL, "items_held",
                             "items_held is for an import_obstruction only");
    const char *status = json_string_value(pko_field_merged(f, cur, "status"));
    bool resolved = status && strcmp(status, "resolved") == 0;
    if (resolved && !pko_field_merged(f, cur, "resolved_on"))
        return pko_err_field(err, PKO_EINVAL, "resolved_on",
                             "a resolved violation gives resolved_on");
    if (resolved && !pko_field_merged(f, cur, "resolution"))
        return pko_err_field(err, PKO_EINVAL, "resolution",
                             "a resolved violation says how it was resolved (resolution)");
    if (!resolved && pko_field_merged(f, cur, "resolved_on"))
        return pko_err_field(err, PKO_EINVAL, "resolved_on",
                             "resolved_on is set only with status resolved");
    if (status && strcmp(status, "raised_with_host_state") == 0 && !pko_field_merged(f, cur, "raised_on"))
        return pko_err_field(err, PKO_EINVAL, "raised_on",
                             "status raised_with_host_state needs raised_on (the date of the "
                             "protest or note verbale)");
    return PKO_OK;
}

/* ==== Helpers ============================================================ */

/* An incident linked to a violation must exist, be visible to the caller
 * and belong to the same mission. */
static pko_rc check_incident(pko_req *req, json_t *b, const char *mission_id, pko_err *err)
{
    const char *iid = json_string_value(json_object_get(b, "incident_id"));
    if (!iid)
        return PKO_OK;
    pko_scope scope;
    pko_req_scope(req, "incidents.read", &scope);
    json_t *inc;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_incident, &scope, pko_req_actor(req), iid,
                           &inc, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "incident_id", "no incident %.40s", iid);
    }
    if (rc)
        return rc;
    const char *im = json_string_value(json_object_get(inc, "mission_id"));
    bool same = im && strcmp(im, mission_id) == 0;
    json_decref(inc);
    if (!same)
        return pko_err_field(err, PKO_EINVAL, "incident_id",
                             "incident %.40s belongs to another mission", iid);
    return PKO_OK;
}

static pko_rc check_class(pko_req *req, json_t *b, pko_err *err)
{
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    return PKO_OK;
}

static pko_rc reply_record(pko_req *req, const char *id, int status, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "sofa.read", &scope);
    json_t *rec;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_sofa_violation, &scope,
                           pko_req_actor(req), id, &rec, err);
    if (rc)
        return rc;
    if (status == 201) {
        char loc[160];
        snprintf(loc, sizeof(loc), "/api/v1/sofa-violations/%s", id);
        pko_req_add_header(req, "Location", loc);
    }
    pko_req_reply(req, status, rec);
    return PKO_OK;
}

/* Missions the caller reads, as the SQL fragment's parameters. */
#define SCOPE_SQL                                                                                 \
    " (?1 OR v.mission_id IN (SELECT id FROM missions WHERE acronym IN"                          \
    " (SELECT value FROM json_each(?2)))) AND v.classification <= ?3"

static void bind_scope(pko_stmt *s, const pko_scope *sc)
{
    sqlite3_bind_int(s, 1, sc->all_missions);
    sqlite3_bind_text(s, 2, sc->missions_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, sc->clearance);
}

/* ==== Handlers =========================================================== */

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *mission = pko_req_query(req, "mission_id");
    const char *type = pko_req_query(req, "type");
    const char *status = pko_req_query(req, "status");
    const char *from = pko_req_query(req, "from"), *to = pko_req_query(req, "to");
    if (type && !pko_field_in(sofa_types, type))
        return pko_err_field(err, PKO_EINVAL, "type", "unknown type %.64s", type);
    if (status && !pko_field_in(sofa_statuses, status))
        return pko_err_field(err, PKO_EINVAL, "status", "unknown status %.64s", status);
    if (from && !pko_date_valid(from, PKO_MIN_YEAR))
        return pko_err_field(err, PKO_EINVAL, "from", "from must be a date YYYY-MM-DD");
    if (to && !pko_date_valid(to, PKO_MIN_YEAR))
        return pko_err_field(err, PKO_EINVAL, "to", "to must be a date YYYY-MM-DD");
    pko_scope sc;
    pko_req_scope(req, "sofa.read", &sc);
    static const char sql[] =
        "SELECT v.id FROM sofa_violations v WHERE" SCOPE_SQL
        " AND (?4 IS NULL OR v.mission_id = ?4) AND (?5 IS NULL OR v.type = ?5)"
        " AND (?6 IS NULL OR v.status = ?6) AND (?7 IS NULL OR v.started_on >= ?7)"
        " AND (?8 IS NULL OR v.started_on <= ?8) AND v.id > ?9 ORDER BY v.id LIMIT ?10";
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    bind_scope(s, &sc);
    const char *binds[5] = {mission, type, status, from, to};
    for (int i = 0; i < 5; i++)
        if (binds[i])
            sqlite3_bind_text(s, 4 + i, binds[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 9, cursor ? cursor : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 10, limit);
    json_t *ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    json_t *items = json_array();
    pko_tx *tx = NULL;
    /* One transaction so the audit entries of confidential reads commit
     * together. */
    if (!rc && json_array_size(ids))
        rc = pko_tx_begin(db, pko_req_actor(req), &tx, err);
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (rc)
            break;
        json_t *rec;
        rc = pko_db_get(db, &pko_entity_sofa_violation, &sc, pko_req_actor(req),
                        json_string_value(id), &rec, err);
        if (!rc)
            json_array_append_new(items, rec);
    }
    if (tx) {
        if (rc)
            pko_tx_rollback(tx);
        else
            rc = pko_tx_commit(tx, err);
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

static pko_rc h_get(pko_req *req, pko_err *err)
{
    return reply_record(req, pko_req_param(req, "id"), 200, err);
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    if (!json_object_get(b, "status"))
        json_object_set_new(b, "status", json_string("open"));
    char today[11], acr[40];
    pko_today(today);
    rc = sofa_validate(b, 1, NULL, today, err);
    const char *mid = json_string_value(json_object_get(b, "mission_id"));
    if (!rc)
        rc = missions_acronym(req, mid, acr, err);
    if (!rc)
        rc = pko_req_require(req, "sofa.write", acr, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (!rc)
        rc = check_incident(req, b, mid, err);
    if (rc)
        return rc;
    char id[PKO_ID_LEN];
    rc = pko_db_insert(pko_req_db(req), pko_req_actor(req), &pko_entity_sofa_violation, b, id, err);
    return rc ? rc : reply_record(req, id, 201, err);
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *cur;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    pko_scope sc;
    pko_req_scope(req, "sofa.read", &sc);
    rc = pko_db_get(pko_req_db(req), &pko_entity_sofa_violation, &sc, pko_req_actor(req), id,
                    &cur, err);
    if (rc)
        return rc;
    char acr[40], today[11];
    pko_today(today);
    int64_t expect = 0;
    json_t *ver = json_object_get(b, "version");
    if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be the record's version");
    else if (ver) {
        expect = json_integer_value(ver);
        json_object_del(b, "version");
    }
    const char *mid = json_string_value(json_object_get(cur, "mission_id"));
    if (!rc)
        rc = missions_acronym(req, mid, acr, err);
    if (!rc)
        rc = pko_req_require(req, "sofa.write", acr, err);
    if (!rc)
        rc = sofa_validate(b, 0, cur, today, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (!rc)
        rc = check_incident(req, b, mid, err);
    json_decref(cur);
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_sofa_violation, id, b,
                       expect, err);
    return rc ? rc : reply_record(req, id, 200, err);
}

static pko_rc h_history(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    pko_scope sc;
    pko_req_scope(req, "sofa.read", &sc);
    json_t *cur, *h;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_sofa_violation, &sc, pko_req_actor(req),
                           id, &cur, err);
    if (rc)
        return rc;
    json_decref(cur);
    rc = pko_db_history(pko_req_db(req), pko_entity_sofa_violation.name, id, &h, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, json_pack("{s:o}", "items", h));
    return PKO_OK;
}

/* Per year and type, within the caller's missions and clearance: how many,
 * how many still open, detained personnel, severe impacts, and the mean
 * and longest days from start to resolution of the resolved ones. */
static pko_rc h_summary(pko_req *req, pko_err *err)
{
    const char *mission = pko_req_query(req, "mission_id");
    const char *from = pko_req_query(req, "from"), *to = pko_req_query(req, "to");
    if (from && !pko_date_valid(from, PKO_MIN_YEAR))
        return pko_err_field(err, PKO_EINVAL, "from", "from must be a date YYYY-MM-DD");
    if (to && !pko_date_valid(to, PKO_MIN_YEAR))
        return pko_err_field(err, PKO_EINVAL, "to", "to must be a date YYYY-MM-DD");
    if (from && to && strcmp(from, to) > 0)
        return pko_err_field(err, PKO_EINVAL, "to", "to is before from");
    pko_scope sc;
    pko_req_scope(req, "sofa.read", &sc);
    static const char sql[] =
        "SELECT substr(v.started_on, 1, 4) AS y, v.type, count(*),"
        " sum(v.status IN ('open', 'raised_with_host_state')),"
        " sum(v.status = 'resolved'), coalesce(sum(v.personnel_detained), 0),"
        " sum(v.impact = 'severe'),"
        " avg(CASE WHEN v.status = 'resolved' THEN julianday(v.resolved_on) -"
        "     julianday(v.started_on) END),"
        " max(CASE WHEN v.status = 'resolved' THEN julianday(v.resolved_on) -"
        "     julianday(v.started_on) END)"
        " FROM sofa_violations v WHERE" SCOPE_SQL
        " AND (?4 IS NULL OR v.mission_id = ?4) AND (?5 IS NULL OR v.started_on >= ?5)"
        " AND (?6 IS NULL OR v.started_on <= ?6) GROUP BY y, v.type ORDER BY y, v.type";
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    bind_scope(s, &sc);
    const char *binds[3] = {mission, from, to};
    for (int i = 0; i < 3; i++)
        if (binds[i])
            sqlite3_bind_text(s, 4 + i, binds[i], -1, SQLITE_TRANSIENT);
    json_t *rows = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        json_t *r = json_pack(
            "{s:i, s:s, s:I, s:I, s:I, s:I, s:I}", "year",
            atoi((const char *)sqlite3_column_text(s, 0)), "type",
            (const char *)sqlite3_column_text(s, 1), "violations",
            (json_int_t)sqlite3_column_int64(s, 2), "unresolved",
            (json_int_t)sqlite3_column_int64(s, 3), "resolved",
            (json_int_t)sqlite3_column_int64(s, 4), "personnel_detained",
            (json_int_t)sqlite3_column_int64(s, 5), "severe_impact",
            (json_int_t)sqlite3_column_int64(s, 6));
        json_object_set_new(r, "mean_days_to_resolution",
                            sqlite3_column_type(s, 7) == SQLITE_NULL
                                ? json_null()
                                : json_real(round(sqlite3_column_double(s, 7) * 10) / 10));
        json_object_set_new(r, "max_days_to_resolution",
                            sqlite3_column_type(s, 8) == SQLITE_NULL
                                ? json_null()
                                : json_integer((json_int_t)llround(sqlite3_column_double(s, 8))));
        json_array_append_new(rows, r);
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:s}", "items", rows, "definition",
                            "Violations by year of start and type, in the missions and up to the "
                            "classification the caller reads. Unresolved: open or raised with "
                            "the host State. Days to resolution: from started_on to resolved_on "
                            "of the resolved ones."));
    return PKO_OK;
}

static pko_rc h_vocab(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *o = json_object();
    const char *const *lists[] = {sofa_types, sofa_authorities, sofa_impacts, sofa_statuses,
                                  operations};
    const char *names[] = {"types", "authorities", "impacts", "statuses", "operations"};
    for (size_t i = 0; i < 5; i++) {
        json_t *a = json_array();
        for (size_t j = 0; lists[i][j]; j++)
            json_array_append_new(a, json_string(lists[i][j]));
        json_object_set_new(o, names[i], a);
    }
    pko_req_reply(req, 200, o);
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route sofa_routes[] = {
    {"GET", "/api/v1/sofa-violations", h_list, "sofa.read", 0, 0},
    {"POST", "/api/v1/sofa-violations", h_create, "sofa.write", 0, 65536},
    {"GET", "/api/v1/sofa-violations/summary", h_summary, "sofa.read", 0, 0},
    {"GET", "/api/v1/sofa-violations/vocabulary", h_vocab, "sofa.read", 0, 0},
    {"GET", "/api/v1/sofa-violations/{id}", h_get, "sofa.read", 0, 0},
    {"PATCH", "/api/v1/sofa-violations/{id}", h_update, "sofa.write", 0, 65536},
    {"GET", "/api/v1/sofa-violations/{id}/history", h_history, "sofa.read", 0, 0},
};

static const pko_entity *const sofa_entities[] = {&pko_entity_sofa_violation};

const pko_module pko_module_sofa = {
    .name = "sofa",
    .summary = "status-of-forces agreement violations: restrictions, detentions, obstructions",
    .migrations = sofa_migrations,
    .n_migrations = sizeof(sofa_migrations) / sizeof(sofa_migrations[0]),
    .entities = sofa_entities,
    .n_entities = sizeof(sofa_entities) / sizeof(sofa_entities[0]),
    .perms = sofa_perms,
    .n_perms = sizeof(sofa_perms) / sizeof(sofa_perms[0]),
    .routes = sofa_routes,
    .n_routes = sizeof(sofa_routes) / sizeof(sofa_routes[0]),
};
