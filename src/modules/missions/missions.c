/* SPDX-License-Identifier: MIT
 *
 * The missions module: create, list, read and update missions; a mission's
 * sites (bases) are in sites.c.
 *
 * Permissions: every role may read the missions it is scoped to; only
 * system administrators create missions; mission administrators update
 * their own mission.
 */
#include "modules/missions/missions.h"

#include <ctype.h>
#include <sqlite3.h>
#include <string.h>

#include "core/limits.h"

/* ==== Schema ============================================================= */

static const pko_migration missions_migrations[] = {
    {1, "CREATE TABLE missions("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " name TEXT NOT NULL,"
        " acronym TEXT NOT NULL UNIQUE,"
        " host_country TEXT,"
        " mandate_resolution TEXT,"
        " start_date TEXT,"
        " status TEXT NOT NULL CHECK (status IN ('planned','active','transition','closed'))"
        ") STRICT;"},
    {2, "CREATE TABLE mission_sites("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " name TEXT NOT NULL,"
        " kind TEXT NOT NULL CHECK (kind IN ('mission_hq','sector_hq','team_site',"
        "'company_operating_base','temporary_base','other')),"
        " lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),"
        " lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),"
        " country TEXT, admin1 TEXT,"
        " troops INTEGER CHECK (troops IS NULL OR troops >= 0),"
        " contributors TEXT, as_of TEXT,"
        " source_system TEXT, source_id TEXT,"
        " UNIQUE (source_system, source_id)"
        ") STRICT;"
        "CREATE INDEX mission_sites_mission ON mission_sites(mission_id, id);"},
};

static const pko_col mission_cols[] = {
    {"name", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"acronym", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"host_country", PKO_COL_TEXT, 0},
    {"mandate_resolution", PKO_COL_TEXT, 0},
    {"start_date", PKO_COL_TEXT, 0},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
};

/* A mission scopes itself: its own id is the scope column. */
const pko_entity pko_entity_mission = {"mission", "missions", mission_cols, 6, "id", 0};

static const pko_perm missions_perms[] = {
    {"missions.read", PKO_ROLES_ALL, "see missions"},
    {"missions.create", PKO_ROLE_SYSTEM_ADMIN, "create missions"},
    {"missions.update", PKO_ROLE_MISSION_ADMIN, "change a mission's details"},
    {"missions.sites.write", PKO_ROLE_MISSION_ADMIN, "add a mission's sites (bases)"},
};

/* ==== Validation ========================================================= */

static bool is_date(const char *s)
{
    /* YYYY-MM-DD with a real month and day (leap years included). */
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1945 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= max;
}

static const char *str_field(json_t *fields, const char *k, bool *present, bool *bad)
{
    json_t *v = json_object_get(fields, k);
    *present = v != NULL;
    *bad = v && !json_is_string(v) && !json_is_null(v);
    return json_string_value(v);
}

pko_rc missions_validate(json_t *f, int creating, pko_err *err)
{
    bool present, bad;
    const char *v;

    v = str_field(f, "name", &present, &bad);
    if (bad || (present && (!v || !*v || strlen(v) > 200)) || (creating && !present))
        return pko_err_field(err, PKO_EINVAL, "name", "name is required, 1 to 200 characters");

    v = str_field(f, "acronym", &present, &bad);
    if (creating || present) {
        size_t n = v ? strlen(v) : 0;
        bool ok = !bad && n >= 2 && n <= 16;
        for (size_t i = 0; ok && i < n; i++)
            ok = (v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-';
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, "acronym",
                                 "acronym must be 2 to 16 upper-case letters, digits or '-', "
                                 "e.g. MINUSCA");
    }

    v = str_field(f, "host_country", &present, &bad);
    if (bad || (v && (strlen(v) != 3 || !isupper((unsigned char)v[0]) ||
                      !isupper((unsigned char)v[1]) || !isupper((unsigned char)v[2]))))
        return pko_err_field(err, PKO_EINVAL, "host_country",
                             "host_country must be an ISO 3166-1 alpha-3 code, e.g. CAF");

    v = str_field(f, "mandate_resolution", &present, &bad);
    if (bad || (v && strlen(v) > 200))
        return pko_err_field(err, PKO_EINVAL, "mandate_resolution",
                             "mandate_resolution must be text such as \"S/RES/2149 (2014)\"");

    v = str_field(f, "start_date", &present, &bad);
    if (bad || (v && !is_date(v)))
        return pko_err_field(err, PKO_EINVAL, "start_date",
                             "start_date must be a date YYYY-MM-DD from 1945 on");

    v = str_field(f, "status", &present, &bad);
    if (creating && !present)
        return PKO_OK; /* defaults to planned */
    if (present && (bad || !v ||
                    (strcmp(v, "planned") && strcmp(v, "active") && strcmp(v, "transition") &&
                     strcmp(v, "closed"))))
        return pko_err_field(err, PKO_EINVAL, "status",
                             "status must be planned, active, transition or closed");
    return PKO_OK;
}

/* ==== Handlers =========================================================== */

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    pko_scope scope;
    pko_req_scope(req, "missions.read", &scope);
    json_t *items;
    rc = pko_db_list(pko_req_db(req), &pko_entity_mission, &scope, pko_req_actor(req), cursor,
                     limit, &items, err);
    if (rc)
        return rc;
    size_t n = json_array_size(items);
    json_t *next = n == (size_t)limit
                       ? json_copy(json_object_get(json_array_get(items, n - 1), "id"))
                       : json_null();
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc h_get(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "missions.read", &scope);
    json_t *m;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &scope, pko_req_actor(req),
                           pko_req_param(req, "id"), &m, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, m);
    return PKO_OK;
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = pko_req_require(req, "missions.create", NULL, err);
    if (!rc)
        rc = missions_validate(b, 1, err);
    if (rc)
        return rc;
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    if (!json_object_get(b, "status"))
        json_object_set_new(b, "status", json_string("planned"));
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, &pko_entity_mission, b, id, err);
    /* Only the acronym's own UNIQUE constraint means "that mission exists";
     * any other conflict keeps its own message. */
    if (rc == PKO_ECONFLICT && err && err->sqlite_rc == SQLITE_CONSTRAINT_UNIQUE &&
        strstr(err->msg, "missions.acronym")) {
        pko_err_clear(err);
        rc = pko_err_field(err, PKO_ECONFLICT, "acronym", "a mission with acronym %s exists",
                           json_string_value(json_object_get(b, "acronym")));
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *m;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &all, pko_req_actor(req), id, &m, err);
    if (rc)
        return rc;
    char loc[128];
    snprintf(loc, sizeof(loc), "/api/v1/missions/%s", id);
    pko_req_add_header(req, "Location", loc);
    pko_req_reply(req, 201, m);
    return PKO_OK;
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    /* The caller must be able to see the mission before anything else, so
     * that a 403 does not reveal a mission outside their scope. */
    pko_scope scope;
    pko_req_scope(req, "missions.read", &scope);
    json_t *cur;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &scope, pko_req_actor(req), id, &cur,
                    err);
    if (rc)
        return rc;
    rc = pko_req_require(req, "missions.update",
                         json_string_value(json_object_get(cur, "acronym")), err);
    json_decref(cur);
    if (!rc)
        rc = missions_validate(b, 0, err);
    if (rc)
        return rc;
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        return pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t expect = ver ? json_integer_value(ver) : 0;
    json_object_del(b, "version");
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    rc =
        pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_mission, id, b, expect, err);
    if (rc)
        return rc;
    json_t *m;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &scope, pko_req_actor(req), id, &m,
                    err);
    if (rc == PKO_ENOTFOUND) {
        /* Reclassified above the caller's clearance: it is saved, not visible. */
        pko_err_clear(err);
        pko_req_reply(req, 200, json_pack("{s:s}", "id", id));
        return PKO_OK;
    }
    if (rc)
        return rc;
    pko_req_reply(req, 200, m);
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route missions_routes[] = {
    {"GET", "/api/v1/missions", h_list, "missions.read", 0, 0},
    {"POST", "/api/v1/missions", h_create, "missions.create", 0, 16384},
    {"GET", "/api/v1/missions/{id}", h_get, "missions.read", 0, 0},
    {"PATCH", "/api/v1/missions/{id}", h_update, "missions.update", 0, 16384},
    {"GET", "/api/v1/missions/{id}/sites", sites_h_list, "missions.read", 0, 0},
    {"POST", "/api/v1/missions/{id}/sites", sites_h_create, "missions.sites.write", 0, 16384},
};

static const pko_entity *const missions_entities[] = {&pko_entity_mission,
                                                      &pko_entity_mission_site};

const pko_module pko_module_missions = {
    .name = "missions",
    .summary = "peace operations and their mandates",
    .migrations = missions_migrations,
    .n_migrations = sizeof(missions_migrations) / sizeof(missions_migrations[0]),
    .entities = missions_entities,
    .n_entities = sizeof(missions_entities) / sizeof(missions_entities[0]),
    .perms = missions_perms,
    .n_perms = sizeof(missions_perms) / sizeof(missions_perms[0]),
    .routes = missions_routes,
    .n_routes = sizeof(missions_routes) / sizeof(missions_routes[0]),
};

pko_rc missions_acronym(pko_req *req, const char *mid, char out[40], pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "missions.read", &scope);
    json_t *m;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &scope, pko_req_actor(req),
                           mid ? mid : "", &m, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "mission_id", "no mission %.40s", mid ? mid : "");
    }
    if (rc)
        return rc;
    snprintf(out, 40, "%s", json_string_value(json_object_get(m, "acronym")));
    json_decref(m);
    return PKO_OK;
}
