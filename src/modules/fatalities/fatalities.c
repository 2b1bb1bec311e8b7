/* SPDX-License-Identifier: MIT
 *
 * The fatalities module: the register of peacekeepers killed or injured,
 * its import of the public UN dataset (import.c) and figure II.
 *
 * Access: records are scoped to their mission; every role reads the
 * records of its missions up to its clearance; analysts and mission
 * administrators of a mission record and correct them; the import is a
 * global permission of system administrators.
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/fatalities/fatalities.h"

/* ==== Schema ============================================================= */

static const pko_migration fatalities_migrations[] = {
    {1, "CREATE TABLE fatalities("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " incident_date TEXT NOT NULL,"
        " casualty_type TEXT NOT NULL CHECK (casualty_type IN ('fatality','injury')),"
        " person_category TEXT NOT NULL CHECK (person_category IN ('military','police',"
        "'military_observer','international_civilian','national_staff','other')),"
        " nationality TEXT, nationality_name TEXT,"
        " gender TEXT CHECK (gender IS NULL OR gender IN ('female','male')),"
        " incident_type TEXT NOT NULL CHECK (incident_type IN ('malicious_act','accident',"
        "'illness','self_inflicted','to_be_determined','unknown')),"
        " weapon TEXT,"
        " incident_id TEXT REFERENCES incidents(id),"
        " source_system TEXT, source_id TEXT, notes TEXT,"
        " UNIQUE (source_system, source_id)"
        ") STRICT;"
        "CREATE INDEX fatalities_mission ON fatalities(mission_id, incident_date);"
        "CREATE INDEX fatalities_date ON fatalities(incident_date);"},
};

static const pko_col fatality_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"incident_date", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"casualty_type", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"person_category", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"nationality", PKO_COL_TEXT, 0},
    {"nationality_name", PKO_COL_TEXT, 0},
    {"gender", PKO_COL_TEXT, 0},
    {"incident_type", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"weapon", PKO_COL_TEXT, 0},
    {"incident_id", PKO_COL_TEXT, 0},
    {"source_system", PKO_COL_TEXT, PKO_COL_READONLY},
    {"source_id", PKO_COL_TEXT, PKO_COL_READONLY},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_fatality = {
    "fatality",    "fatalities",
    fatality_cols, sizeof(fatality_cols) / sizeof(fatality_cols[0]),
    "mission_id",  0};

static const pko_perm fatalities_perms[] = {
    {"fatalities.read", PKO_ROLES_ALL, "see the fatalities and casualties of one's missions",
     false},
    {"fatalities.write", PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN,
     "record and correct a mission's fatalities and casualties", false},
    {"fatalities.import", 0, "import the UN fatalities dataset (system administrators)", true},
};

/* ==== Validation ========================================================= */

static const char *const fatality_fields[] = {
    "mission_id",  "incident_date",    "casualty_type", "person_category",
    "nationality", "nationality_name", "gender",        "incident_type",
    "weapon",      "incident_id",      "notes",         "classification",
    "version",     "source_system",    "source_id",     NULL};

static pko_rc check_enum(json_t *f, const char *name, const char *const *list, bool required,
                         pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if ((!v || json_is_null(v)) && !required)
        return PKO_OK;
    if (!json_is_string(v) || fatalities_index(list, json_string_value(v)) < 0) {
        char all[400] = "";
        for (size_t i = 0; list[i]; i++) {
            strncat(all, i ? ", " : "", sizeof(all) - strlen(all) - 1);
            strncat(all, list[i], sizeof(all) - strlen(all) - 1);
        }
        return pko_err_field(err, PKO_EINVAL, name, "%s must be one of %s", name, all);
    }
    return PKO_OK;
}

static bool text_ok(json_t *v, size_t max)
{
    return !v || json_is_null(v) || (json_is_string(v) && strlen(json_string_value(v)) <= max);
}

pko_rc fatalities_validate(json_t *f, const char *today, pko_err *err)
{
    pko_rc rc = fatalities_check_date(f, "incident_date", true, today, err);
    if (!rc)
        rc = check_enum(f, "casualty_type", fatalities_casualty_types, true, err);
    if (!rc)
        rc = check_enum(f, "person_category", fatalities_categories, true, err);
    if (!rc)
        rc = check_enum(f, "incident_type", fatalities_incident_types, true, err);
    if (!rc)
        rc = check_enum(f, "weapon", fatalities_weapons, false, err);
    if (rc)
        return rc;
    json_t *w = json_object_get(f, "weapon");
    if (json_is_string(w) &&
        strcmp(json_string_value(json_object_get(f, "incident_type")), "malicious_act") != 0)
        return pko_err_field(err, PKO_EINVAL, "weapon",
                             "a weapon is recorded for a malicious act only");
    json_t *g = json_object_get(f, "gender");
    if (g && !json_is_null(g) &&
        (!json_is_string(g) ||
         (strcmp(json_string_value(g), "female") && strcmp(json_string_value(g), "male"))))
        return pko_err_field(err, PKO_EINVAL, "gender", "gender must be female or male (or null)");
    json_t *n = json_object_get(f, "nationality");
    if (n && !json_is_null(n)) {
        const char *s = json_string_value(n);
        bool ok = s && strlen(s) == 3;
        for (int i = 0; ok && i < 3; i++)
            ok = s[i] >= 'A' && s[i] <= 'Z';
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, "nationality",
                                 "nationality must be an ISO 3166-1 alpha-3 code, e.g. NPL");
    }
    if (!text_ok(json_object_get(f, "nationality_name"), 100))
        return pko_err_field(err, PKO_EINVAL, "nationality_name",
                             "nationality_name must be text up to 100 characters");
    if (!text_ok(json_object_get(f, "notes"), 4000))
        return pko_err_field(err, PKO_EINVAL, "notes", "notes must be text up to 4000 characters");
    json_t *inc = json_object_get(f, "incident_id");
    if (inc && !json_is_null(inc) &&
        (!json_is_string(inc) || strlen(json_string_value(inc)) != PKO_ID_LEN - 1))
        return pko_err_field(err, PKO_EINVAL, "incident_id",
                             "incident_id must be an incident's id");
    return PKO_OK;
}

/* ==== Handlers ============================================================ */

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *mission = pko_req_query(req, "mission");
    const char *type = pko_req_query(req, "incident_type");
    const char *cat = pko_req_query(req, "person_category");
    const char *from = pko_req_query(req, "from");
    const char *to = pko_req_query(req, "to");
    const char *inc = pko_req_query(req, "incident_id");
    if (type && fatalities_index(fatalities_incident_types, type) < 0)
        return pko_err_field(err, PKO_EINVAL, "incident_type", "unknown incident type %.40s", type);
    if (cat && fatalities_index(fatalities_categories, cat) < 0)
        return pko_err_field(err, PKO_EINVAL, "person_category", "unknown category %.40s", cat);
    if (from && !fatalities_is_date(from))
        return pko_err_field(err, PKO_EINVAL, "from", "from must be a date YYYY-MM-DD");
    if (to && !fatalities_is_date(to))
        return pko_err_field(err, PKO_EINVAL, "to", "to must be a date YYYY-MM-DD");
    const char *order = pko_req_query(req, "order");
    if (order && strcmp(order, "asc") && strcmp(order, "desc"))
        return pko_err_field(err, PKO_EINVAL, "order", "order must be asc or desc");
    pko_scope scope;
    pko_req_scope(req, "fatalities.read", &scope);
    const char *binds[7] = {mission, type, cat, from, to, inc, cursor ? cursor : ""};
#define FAT_WHERE                                                                                  \
    "SELECT id FROM fatalities WHERE (?1 IS NULL OR mission_id = (SELECT id FROM missions"         \
    " WHERE acronym = ?1 OR id = ?1)) AND (?2 IS NULL OR incident_type = ?2)"                      \
    " AND (?3 IS NULL OR person_category = ?3) AND (?4 IS NULL OR incident_date >= ?4)"            \
    " AND (?5 IS NULL OR incident_date <= ?5) AND (?6 IS NULL OR incident_id = ?6)"
    /* Ids grow with time: descending order lists the latest recorded first. */
    if (order && strcmp(order, "desc") == 0)
        return fatalities_reply_ids(req, &pko_entity_fatality, &scope,
                                    FAT_WHERE " AND (?7 = '' OR id < ?7) ORDER BY id DESC LIMIT ?8",
                                    binds, 7, limit, err);
    return fatalities_reply_ids(req, &pko_entity_fatality, &scope,
                                FAT_WHERE " AND id > ?7 ORDER BY id LIMIT ?8", binds, 7, limit,
                                err);
#undef FAT_WHERE
}

static pko_rc h_get(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "fatalities.read", &scope);
    json_t *f;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_fatality, &scope, pko_req_actor(req),
                           pko_req_param(req, "id"), &f, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, f);
    return PKO_OK;
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    char today[11];
    fatalities_today(today);
    if (!rc)
        rc = fatalities_check_known(b, fatality_fields, "fatality", err);
    if (!rc && (json_object_get(b, "source_system") || json_object_get(b, "source_id")))
        rc = pko_err_field(err, PKO_EINVAL, "source_system",
                           "source_system and source_id are set by imports only");
    if (!rc)
        rc = fatalities_check_mission(req, "mission_id",
                                      json_string_value(json_object_get(b, "mission_id")),
                                      "fatalities.write", NULL, err);
    json_object_del(b, "version");
    if (!rc && !json_object_get(b, "casualty_type"))
        json_object_set_new(b, "casualty_type", json_string("fatality"));
    if (!rc)
        rc = fatalities_validate(b, today, err);
    if (!rc)
        rc = fatalities_check_class(req, b, err);
    if (!rc)
        rc = fatalities_check_incident(req, json_string_value(json_object_get(b, "incident_id")),
                                       json_string_value(json_object_get(b, "mission_id")), err);
    if (rc)
        return rc;
    char id[PKO_ID_LEN];
    rc = pko_db_insert(pko_req_db(req), pko_req_actor(req), &pko_entity_fatality, b, id, err);
    if (rc)
        return rc;
    return fatalities_reply_record(req, &pko_entity_fatality, id, 201, "/api/v1/fatalities/", err);
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    pko_scope scope;
    pko_req_scope(req, "fatalities.read", &scope);
    json_t *cur;
    rc = pko_db_get(pko_req_db(req), &pko_entity_fatality, &scope, pko_req_actor(req), id, &cur,
                    err);
    if (rc)
        return rc;
    char today[11];
    fatalities_today(today);
    rc = fatalities_check_known(b, fatality_fields, "fatality", err);
    static const char *const fixed[] = {"mission_id", "source_system", "source_id"};
    for (size_t i = 0; !rc && i < 3; i++)
        if (json_object_get(b, fixed[i]))
            rc = pko_err_field(err, PKO_EINVAL, fixed[i], "%s cannot be changed", fixed[i]);
    if (!rc)
        rc = fatalities_check_mission(req, "mission_id",
                                      json_string_value(json_object_get(cur, "mission_id")),
                                      "fatalities.write", NULL, err);
    json_t *ver = json_object_get(b, "version");
    if (!rc && ver && !json_is_integer(ver))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t expect = json_integer_value(ver);
    json_object_del(b, "version");
    if (!rc)
        rc = fatalities_check_class(req, b, err);
    json_t *merged = json_copy(cur);
    json_object_update(merged, b);
    if (!rc)
        rc = fatalities_validate(merged, today, err);
    if (!rc && json_object_get(b, "incident_id"))
        rc = fatalities_check_incident(req, json_string_value(json_object_get(b, "incident_id")),
                                       json_string_value(json_object_get(cur, "mission_id")), err);
    json_decref(merged);
    json_decref(cur);
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_fatality, id, b, expect,
                       err);
    if (rc)
        return rc;
    return fatalities_reply_record(req, &pko_entity_fatality, id, 200, NULL, err);
}

static pko_rc h_vocab(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *o = json_object();
    const char *const *lists[] = {fatalities_categories, fatalities_casualty_types,
                                  fatalities_incident_types, fatalities_weapons};
    const char *names[] = {"person_categories", "casualty_types", "incident_types", "weapons"};
    for (size_t i = 0; i < 4; i++) {
        json_t *a = json_array();
        for (size_t j = 0; lists[i][j]; j++)
            json_array_append_new(a, json_string(lists[i][j]));
        json_object_set_new(o, names[i], a);
    }
    json_object_set_new(o, "uniformed",
                        json_pack("[s,s,s]", "military", "police", "military_observer"));
    pko_req_reply(req, 200, o);
    return PKO_OK;
}

/* Counts by year and incident type, uniformed and civilian, under the
 * caller's scope (the register page's table). */
static pko_rc h_summary(pko_req *req, pko_err *err)
{
    const char *mission = pko_req_query(req, "mission");
    pko_scope scope;
    pko_req_scope(req, "fatalities.read", &scope);
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db,
        "SELECT substr(incident_date,1,4) AS y, incident_type,"
        " SUM(person_category IN ('military','police','military_observer')), COUNT(*)"
        " FROM fatalities WHERE" FATALITIES_SCOPE_SQL
        " AND casualty_type = 'fatality' AND (?4 IS NULL OR mission_id = (SELECT id FROM missions"
        " WHERE acronym = ?4 OR id = ?4)) GROUP BY y, incident_type ORDER BY y",
        &s, err);
    if (rc)
        return rc;
    fatalities_bind_scope(s, &scope);
    if (mission)
        sqlite3_bind_text(s, 4, mission, -1, SQLITE_TRANSIENT);
    json_t *years = json_array(), *cur = NULL;
    int row;
    int64_t total = 0;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        const char *y = (const char *)sqlite3_column_text(s, 0);
        if (!cur || strcmp(json_string_value(json_object_get(cur, "year")), y) != 0) {
            cur = json_pack("{s:s, s:i, s:i, s:{}}", "year", y, "total", 0, "uniformed", 0,
                            "by_incident_type");
            json_array_append_new(years, cur);
        }
        int64_t u = sqlite3_column_int64(s, 2), n = sqlite3_column_int64(s, 3);
        json_object_set_new(json_object_get(cur, "by_incident_type"),
                            (const char *)sqlite3_column_text(s, 1), json_integer(n));
        json_object_set_new(cur, "total",
                            json_integer(json_integer_value(json_object_get(cur, "total")) + n));
        json_object_set_new(
            cur, "uniformed",
            json_integer(json_integer_value(json_object_get(cur, "uniformed")) + u));
        total += n;
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(years);
        return rc;
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:I}", "years", years, "total", (json_int_t)total));
    return PKO_OK;
}

static pko_rc h_import(pko_req *req, pko_err *err)
{
    const char *body;
    size_t len;
    pko_req_raw_body(req, &body, &len);
    if (!len)
        return pko_err_set(err, PKO_EINVAL, "send the CSV file as the request body");
    FILE *in = fmemopen((void *)body, len, "r");
    if (!in)
        return pko_err_set(err, PKO_ENOMEM, "cannot read the body");
    fatalities_import_opts o = {0};
    o.create_missions = pko_principal_has_roles(pko_req_user(req), PKO_ROLE_SYSTEM_ADMIN, NULL);
    o.error_list = json_array();
    fatalities_import_summary sum;
    pko_db_set_deadline(pko_req_db(req), 0); /* imports take as long as they take */
    pko_rc rc = fatalities_import(pko_req_db(req), pko_req_actor(req), in, &o, &sum, err);
    fclose(in);
    if (rc) {
        json_decref(o.error_list);
        return rc;
    }
    pko_req_reply(req, sum.rejected ? 207 : 200,
                  json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "rows",
                            (json_int_t)sum.rows, "inserted", (json_int_t)sum.inserted, "updated",
                            (json_int_t)sum.updated, "unchanged", (json_int_t)sum.unchanged,
                            "rejected", (json_int_t)sum.rejected, "duplicates",
                            (json_int_t)sum.duplicates, "missions_created",
                            (json_int_t)sum.missions_created, "seconds", sum.seconds, "errors",
                            o.error_list));
    return PKO_OK;
}

/* ==== Figure II ============================================================ */

pko_rc fatalities_figure_ii(pko_db *db, const pko_scope *scope, const char *from, const char *to,
                            json_t **out, int64_t *total, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db,
        "SELECT CAST(substr(incident_date,1,4) AS INTEGER) AS y, COUNT(*),"
        " SUM(weapon = 'ied_explosive_ordnance'), SUM(weapon IS NOT NULL AND weapon <> 'unknown')"
        " FROM fatalities WHERE" FATALITIES_SCOPE_SQL
        " AND casualty_type = 'fatality' AND incident_type = 'malicious_act'"
        " AND person_category IN ('military','police','military_observer')"
        " AND incident_date BETWEEN ?4 AND ?5 GROUP BY y ORDER BY y",
        &s, err);
    if (rc)
        return rc;
    fatalities_bind_scope(s, scope);
    sqlite3_bind_text(s, 4, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, to, -1, SQLITE_TRANSIENT);
    int y0 = atoi(from), y1 = atoi(to);
    json_t *arr = json_array();
    for (int y = y0; y <= y1; y++)
        json_array_append_new(arr, json_pack("{s:i, s:i, s:i, s:i, s:n}", "year", y, "fatalities",
                                             0, "eo_ied", 0, "weapon_recorded", 0, "eo_ied_share"));
    int row;
    int64_t sum = 0;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        int y = sqlite3_column_int(s, 0);
        if (y < y0 || y > y1)
            continue;
        int64_t n = sqlite3_column_int64(s, 1), eo = sqlite3_column_int64(s, 2);
        json_t *o = json_array_get(arr, (size_t)(y - y0));
        json_object_set_new(o, "fatalities", json_integer(n));
        json_object_set_new(o, "eo_ied", json_integer(eo));
        int64_t rec = sqlite3_column_int64(s, 3);
        json_object_set_new(o, "weapon_recorded", json_integer(rec));
        /* The share among the fatalities whose weapon is known: the public
         * dataset records no weapon, and a share over all fatalities would
         * read as "no IED" where it means "not recorded". */
        json_object_set_new(o, "eo_ied_share",
                            rec ? json_real((double)eo / (double)rec) : json_null());
        sum += n;
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    if (total)
        *total = sum;
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route fatalities_routes[] = {
    {"GET", "/api/v1/fatalities", h_list, "fatalities.read", 0, 0},
    {"POST", "/api/v1/fatalities", h_create, "fatalities.write", 0, 16384},
    {"GET", "/api/v1/fatalities/vocabulary", h_vocab, "fatalities.read", 0, 0},
    {"GET", "/api/v1/fatalities/summary", h_summary, "fatalities.read", 0, 0},
    {"POST", "/api/v1/fatalities/import", h_import, "fatalities.import", PKO_ROUTE_RAW_BODY,
     16 * 1024 * 1024},
    {"GET", "/api/v1/fatalities/{id}", h_get, "fatalities.read", 0, 0},
    {"PATCH", "/api/v1/fatalities/{id}", h_update, "fatalities.write", 0, 16384},
};

static const pko_entity *const fatalities_entities[] = {&pko_entity_fatality};

const pko_module pko_module_fatalities = {
    .name = "fatalities",
    .summary = "peacekeeper fatalities and casualties; the UN fatalities dataset; figure II",
    .migrations = fatalities_migrations,
    .n_migrations = sizeof(fatalities_migrations) / sizeof(fatalities_migrations[0]),
    .entities = fatalities_entities,
    .n_entities = sizeof(fatalities_entities) / sizeof(fatalities_entities[0]),
    .perms = fatalities_perms,
    .n_perms = sizeof(fatalities_perms) / sizeof(fatalities_perms[0]),
    .routes = fatalities_routes,
    .n_routes = sizeof(fatalities_routes) / sizeof(fatalities_routes[0]),
};
