/* SPDX-License-Identifier: MIT
 *
 * The PCRS module: reference data, pledges, statements of unit requirements
 * and matching. Pledges belong to no mission (scope_col NULL): every role
 * reads them, and writing them is a global permission held by force
 * generation officers with an all-missions grant. Requirements are scoped
 * to their mission: force generation officers and planners of that mission
 * write them. See docs/pcrs.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/alloc.h"
#include "modules/missions/missions.h"
#include "modules/pcrs/pcrs.h"

/* ==== Schema ============================================================= */

static const pko_migration pcrs_migrations[] = {
    {1, "CREATE TABLE pcrs_pledges("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " country TEXT NOT NULL, unit_type TEXT NOT NULL,"
        " strength INTEGER NOT NULL CHECK (strength BETWEEN 1 AND 10000),"
        " level TEXT NOT NULL CHECK (level IN ('registered','level_1','level_2','level_3',"
        "'rapid_deployment')),"
        " status TEXT NOT NULL CHECK (status IN ('available','deployed','withdrawn')),"
        " available_from TEXT, available_until TEXT,"
        " women_share REAL CHECK (women_share IS NULL OR women_share BETWEEN 0 AND 1),"
        " languages TEXT, caveats TEXT, capabilities TEXT,"
        " self_sustainment INTEGER, major_equipment TEXT, notes TEXT"
        ") STRICT;"
        "CREATE INDEX pcrs_pledges_type ON pcrs_pledges(unit_type, level);"
        "CREATE TABLE pcrs_requirements("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " unit_type TEXT NOT NULL, title TEXT,"
        " strength INTEGER CHECK (strength IS NULL OR strength BETWEEN 1 AND 10000),"
        " required_capabilities TEXT, required_by TEXT NOT NULL, language TEXT,"
        " women_target REAL CHECK (women_target IS NULL OR women_target BETWEEN 0 AND 1),"
        " status TEXT NOT NULL CHECK (status IN ('open','filled','cancelled')),"
        " pledge_id TEXT REFERENCES pcrs_pledges(id)"
        ") STRICT;"
        "CREATE INDEX pcrs_requirements_mission ON pcrs_requirements(mission_id, status);"
        "CREATE UNIQUE INDEX pcrs_requirements_pledge ON pcrs_requirements(pledge_id)"
        " WHERE pledge_id IS NOT NULL;"},
    {2, "CREATE TABLE pcrs_visits("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " pledge_id TEXT NOT NULL REFERENCES pcrs_pledges(id),"
        " kind TEXT NOT NULL CHECK (kind IN ('assessment_advisory_visit','pre_deployment_visit',"
        "'desk_review')),"
        " visit_date TEXT NOT NULL, findings TEXT NOT NULL, evidence TEXT,"
        " level_before TEXT NOT NULL, level_after TEXT NOT NULL"
        ") STRICT;"
        "CREATE INDEX pcrs_visits_pledge ON pcrs_visits(pledge_id, visit_date);"},
    {3, "ALTER TABLE pcrs_requirements ADD COLUMN deployed_on TEXT;"
        "ALTER TABLE pcrs_requirements ADD COLUMN rotation_months INTEGER"
        " CHECK (rotation_months IS NULL OR rotation_months BETWEEN 1 AND 24);"},
    /* Drafts: a requirement stated (e.g. by mission design) but not yet
     * asked of Member States. SQLite cannot change a CHECK, so the table is
     * rebuilt with its rowids. */
    {4, "CREATE TABLE pcrs_requirements_v4("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " unit_type TEXT NOT NULL, title TEXT,"
        " strength INTEGER CHECK (strength IS NULL OR strength BETWEEN 1 AND 10000),"
        " required_capabilities TEXT, required_by TEXT NOT NULL, language TEXT,"
        " women_target REAL CHECK (women_target IS NULL OR women_target BETWEEN 0 AND 1),"
        " status TEXT NOT NULL CHECK (status IN ('draft','open','filled','cancelled')),"
        " pledge_id TEXT REFERENCES pcrs_pledges(id),"
        " deployed_on TEXT,"
        " rotation_months INTEGER CHECK (rotation_months IS NULL OR rotation_months BETWEEN 1 AND 24)"
        ") STRICT;"
        "INSERT INTO pcrs_requirements_v4(rowid, id, version, classification, created_at,"
        " updated_at, mission_id, unit_type, title, strength, required_capabilities, required_by,"
        " language, women_target, status, pledge_id, deployed_on, rotation_months)"
        " SELECT rowid, id, version, classification, created_at, updated_at, mission_id,"
        " unit_type, title, strength, required_capabilities, required_by, language,"
        " women_target, status, pledge_id, deployed_on, rotation_months FROM pcrs_requirements;"
        "DROP TABLE pcrs_requirements;"
        "ALTER TABLE pcrs_requirements_v4 RENAME TO pcrs_requirements;"
        "CREATE INDEX pcrs_requirements_mission ON pcrs_requirements(mission_id, status);"
        "CREATE INDEX pcrs_requirements_status ON pcrs_requirements(status, unit_type);"
        "CREATE UNIQUE INDEX pcrs_requirements_pledge ON pcrs_requirements(pledge_id)"
        " WHERE pledge_id IS NOT NULL;"},
    /* Rotations: the successive contingents of a deployed unit. */
    {5, "CREATE TABLE pcrs_rotations("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " requirement_id TEXT NOT NULL REFERENCES pcrs_requirements(id),"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " pledge_id TEXT NOT NULL REFERENCES pcrs_pledges(id),"
        " number INTEGER NOT NULL CHECK (number >= 1),"
        " start_date TEXT NOT NULL, end_date TEXT,"
        " strength INTEGER CHECK (strength IS NULL OR strength BETWEEN 1 AND 10000),"
        " women_share REAL CHECK (women_share IS NULL OR women_share BETWEEN 0 AND 1),"
        " notes TEXT,"
        " UNIQUE (requirement_id, number)"
        ") STRICT;"
        "CREATE INDEX pcrs_rotations_mission ON pcrs_rotations(mission_id, start_date);"},
    /* Year-by-year targets of the Uniformed Gender Parity Strategy. */
    {6, "CREATE TABLE pcrs_parity_targets("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " category TEXT NOT NULL CHECK (category IN ('military_contingents',"
        "'military_observers_staff_officers','formed_police_units','individual_police_officers')),"
        " year INTEGER NOT NULL CHECK (year BETWEEN 2018 AND 2028),"
        " target REAL NOT NULL CHECK (target > 0 AND target <= 1),"
        " source TEXT NOT NULL,"
        " UNIQUE (category, year)"
        ") STRICT;"},
};

static const pko_col pledge_cols[] = {
    {"country", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"unit_type", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"strength", PKO_COL_INT, PKO_COL_REQUIRED},
    {"level", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"available_from", PKO_COL_TEXT, 0},
    {"available_until", PKO_COL_TEXT, 0},
    {"women_share", PKO_COL_REAL, 0},
    {"languages", PKO_COL_JSON, 0},
    {"caveats", PKO_COL_JSON, 0},
    {"capabilities", PKO_COL_JSON, 0},
    {"self_sustainment", PKO_COL_BOOL, 0},
    {"major_equipment", PKO_COL_JSON, 0},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_pcrs_pledge = {
    "pcrs_pledge", "pcrs_pledges",
    pledge_cols,   sizeof(pledge_cols) / sizeof(pledge_cols[0]),
    NULL,          0};

static const pko_col requirement_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"unit_type", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"title", PKO_COL_TEXT, 0},
    {"strength", PKO_COL_INT, 0},
    {"required_capabilities", PKO_COL_JSON, 0},
    {"required_by", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"language", PKO_COL_TEXT, 0},
    {"women_target", PKO_COL_REAL, 0},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"pledge_id", PKO_COL_TEXT, 0},
    {"deployed_on", PKO_COL_TEXT, 0},
    {"rotation_months", PKO_COL_INT, 0},
};

const pko_entity pko_entity_pcrs_requirement = {
    "pcrs_requirement", "pcrs_requirements",
    requirement_cols,   sizeof(requirement_cols) / sizeof(requirement_cols[0]),
    "mission_id",       0};

static const pko_perm pcrs_perms[] = {
    {"pcrs.read", PKO_ROLES_ALL,
     "see reference data, pledges and the requirements of one's missions", false},
    {"pcrs.pledges.write", PKO_ROLE_FORCE_GENERATION_OFFICER,
     "record and change Member States' pledges (all missions)", true},
    {"pcrs.requirements.write", PKO_ROLE_FORCE_GENERATION_OFFICER | PKO_ROLE_PLANNER,
     "state a mission's unit requirements", false},
};

/* ==== Validation ========================================================= */

static bool is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1945 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= max;
}

static pko_rc check_known(json_t *f, const char *const *known, const char *what, pko_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a %s", k, what);
    }
    return PKO_OK;
}

/* A JSON array of 1..max_len-character strings, at most max_items. */
static bool string_array(json_t *v, size_t max_items, size_t max_len)
{
    if (!json_is_array(v) || json_array_size(v) > max_items)
        return false;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return false;
        size_t n = strlen(json_string_value(e));
        if (n < 1 || n > max_len)
            return false;
    }
    return true;
}

static bool fraction(json_t *v)
{
    return json_is_number(v) && isfinite(json_number_value(v)) && json_number_value(v) >= 0 &&
           json_number_value(v) <= 1;
}

#define NULLABLE(v) (!(v) || json_is_null(v))

pko_rc pcrs_pledge_validate(json_t *f, int creating, pko_err *err)
{
    static const char *const known[] = {"country",
                                        "unit_type",
                                        "strength",
                                        "level",
                                        "status",
                                        "available_from",
                                        "available_until",
                                        "women_share",
                                        "languages",
                                        "caveats",
                                        "capabilities",
                                        "self_sustainment",
                                        "major_equipment",
                                        "notes",
                                        "classification",
                                        "version",
                                        NULL};
    pko_rc rc = check_known(f, known, "pledge", err);
    if (rc)
        return rc;
    json_t *v = json_object_get(f, "country");
    if (creating || v) {
        if (!json_is_string(v) || !pcrs_member_state_find(json_string_value(v)))
            return pko_err_field(err, PKO_EINVAL, "country",
                                 "country must be the ISO 3166-1 alpha-3 code of a UN Member "
                                 "State, e.g. RWA (GET /api/v1/pcrs/member-states)");
    }
    v = json_object_get(f, "unit_type");
    if (creating || v) {
        if (!json_is_string(v) || !pcrs_unit_type_find(json_string_value(v)))
            return pko_err_field(err, PKO_EINVAL, "unit_type",
                                 "unit_type must be a known unit type, e.g. infantry_battalion "
                                 "(GET /api/v1/pcrs/unit-types)");
    }
    v = json_object_get(f, "strength");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000))
        return pko_err_field(err, PKO_EINVAL, "strength",
                             "strength must be a whole number from 1 to 10000");
    v = json_object_get(f, "level");
    if (v && pcrs_level_index(json_string_value(v)) < 0)
        return pko_err_field(err, PKO_EINVAL, "level",
                             "level must be registered, level_1, level_2, level_3 or "
                             "rapid_deployment");
    v = json_object_get(f, "status");
    if (v && (!json_is_string(v) || (strcmp(json_string_value(v), "available") &&
                                     strcmp(json_string_value(v), "deployed") &&
                                     strcmp(json_string_value(v), "withdrawn"))))
        return pko_err_field(err, PKO_EINVAL, "status",
                             "status must be available, deployed or withdrawn");
    json_t *from = json_object_get(f, "available_from");
    if (!NULLABLE(from) && !is_date(json_string_value(from)))
        return pko_err_field(err, PKO_EINVAL, "available_from",
                             "available_from must be a date YYYY-MM-DD");
    json_t *until = json_object_get(f, "available_until");
    if (!NULLABLE(until) && !is_date(json_string_value(until)))
        return pko_err_field(err, PKO_EINVAL, "available_until",
                             "available_until must be a date YYYY-MM-DD");
    if (json_is_string(from) && json_is_string(until) &&
        strcmp(json_string_value(until), json_string_value(from)) < 0)
        return pko_err_field(err, PKO_EINVAL, "available_until",
                             "available_until must not be before available_from");
    v = json_object_get(f, "women_share");
    if (!NULLABLE(v) && !fraction(v))
        return pko_err_field(err, PKO_EINVAL, "women_share",
                             "women_share must be a fraction from 0 to 1, e.g. 0.15");
    static const char *const arrays[] = {"languages", "caveats", "capabilities", "major_equipment"};
    for (size_t i = 0; i < 4; i++) {
        v = json_object_get(f, arrays[i]);
        if (!NULLABLE(v) && !string_array(v, 64, 200))
            return pko_err_field(err, PKO_EINVAL, arrays[i],
                                 "%s must be an array of up to 64 texts of 1 to 200 characters",
                                 arrays[i]);
    }
    v = json_object_get(f, "self_sustainment");
    if (!NULLABLE(v) && !json_is_boolean(v))
        return pko_err_field(err, PKO_EINVAL, "self_sustainment",
                             "self_sustainment must be true or false");
    v = json_object_get(f, "notes");
    if (!NULLABLE(v) && (!json_is_string(v) || strlen(json_string_value(v)) > 4000))
        return pko_err_field(err, PKO_EINVAL, "notes", "notes must be text up to 4000 characters");
    return PKO_OK;
}

static bool requirement_status_ok(const char *st)
{
    return st && (strcmp(st, "draft") == 0 || strcmp(st, "open") == 0 ||
                  strcmp(st, "filled") == 0 || strcmp(st, "cancelled") == 0);
}

pko_rc pcrs_requirement_validate(json_t *f, int creating, const char *today, pko_err *err)
{
    static const char *const known[] = {
        "mission_id",  "unit_type",       "title",          "strength", "required_capabilities",
        "required_by", "language",        "women_target",   "status",   "pledge_id",
        "deployed_on", "rotation_months", "classification", "version",  NULL};
    pko_rc rc = check_known(f, known, "unit requirement", err);
    if (rc)
        return rc;
    json_t *v = json_object_get(f, "mission_id");
    if (creating && (!json_is_string(v) || strlen(json_string_value(v)) != PKO_ID_LEN - 1))
        return pko_err_field(err, PKO_EINVAL, "mission_id", "mission_id must be a mission's id");
    v = json_object_get(f, "unit_type");
    if (creating || v) {
        if (!json_is_string(v) || !pcrs_unit_type_find(json_string_value(v)))
            return pko_err_field(err, PKO_EINVAL, "unit_type",
                                 "unit_type must be a known unit type, e.g. infantry_battalion "
                                 "(GET /api/v1/pcrs/unit-types)");
    }
    v = json_object_get(f, "title");
    if (!NULLABLE(v) && (!json_is_string(v) || strlen(json_string_value(v)) > 200))
        return pko_err_field(err, PKO_EINVAL, "title", "title must be text up to 200 characters");
    v = json_object_get(f, "strength");
    if (!NULLABLE(v) &&
        (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000))
        return pko_err_field(err, PKO_EINVAL, "strength",
                             "strength must be a whole number from 1 to 10000");
    v = json_object_get(f, "required_capabilities");
    if (!NULLABLE(v) && !string_array(v, 32, 100))
        return pko_err_field(err, PKO_EINVAL, "required_capabilities",
                             "required_capabilities must be an array of up to 32 capability tags");
    v = json_object_get(f, "required_by");
    if (creating || v) {
        if (!json_is_string(v) || !is_date(json_string_value(v)))
            return pko_err_field(err, PKO_EINVAL, "required_by",
                                 "required_by must be a date YYYY-MM-DD");
        if (today && strcmp(json_string_value(v), today) < 0)
            return pko_err_field(err, PKO_EINVAL, "required_by",
                                 "required_by %s is in the past (today is %s)",
                                 json_string_value(v), today);
    }
    v = json_object_get(f, "language");
    if (!NULLABLE(v) && (!json_is_string(v) || strlen(json_string_value(v)) < 2 ||
                         strlen(json_string_value(v)) > 32))
        return pko_err_field(err, PKO_EINVAL, "language",
                             "language must be a language name or code, e.g. French");
    v = json_object_get(f, "women_target");
    if (!NULLABLE(v) && !fraction(v))
        return pko_err_field(err, PKO_EINVAL, "women_target",
                             "women_target must be a fraction from 0 to 1, e.g. 0.15");
    v = json_object_get(f, "status");
    if (v && (!json_is_string(v) || !requirement_status_ok(json_string_value(v))))
        return pko_err_field(err, PKO_EINVAL, "status",
                             "status must be draft, open, filled or cancelled");
    v = json_object_get(f, "pledge_id");
    if (!NULLABLE(v) && (!json_is_string(v) || strlen(json_string_value(v)) != PKO_ID_LEN - 1))
        return pko_err_field(err, PKO_EINVAL, "pledge_id", "pledge_id must be a pledge's id");
    json_t *dep = json_object_get(f, "deployed_on");
    if (!NULLABLE(dep) && !is_date(json_string_value(dep)))
        return pko_err_field(err, PKO_EINVAL, "deployed_on",
                             "deployed_on must be a date YYYY-MM-DD");
    json_t *rot = json_object_get(f, "rotation_months");
    if (!NULLABLE(rot) &&
        (!json_is_integer(rot) || json_integer_value(rot) < 1 || json_integer_value(rot) > 24))
        return pko_err_field(err, PKO_EINVAL, "rotation_months",
                             "rotation_months must be a whole number from 1 to 24");
    const char *st = json_string_value(json_object_get(f, "status"));
    if (st && strcmp(st, "filled") == 0 && !json_is_string(v))
        return pko_err_field(err, PKO_EINVAL, "pledge_id",
                             "a requirement is filled by a pledge: give pledge_id");
    if (creating && json_is_string(v) && (!st || strcmp(st, "filled") != 0))
        return pko_err_field(err, PKO_EINVAL, "pledge_id", "pledge_id goes with status filled");
    return PKO_OK;
}

/* ==== Helpers ============================================================ */

static pko_rc check_class(pko_req *req, json_t *b, pko_err *err)
{
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    return PKO_OK;
}

/* Take "version" out of a PATCH body. */
static pko_rc take_version(json_t *b, int64_t *out, pko_err *err)
{
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        return pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    *out = ver ? json_integer_value(ver) : 0;
    json_object_del(b, "version");
    return PKO_OK;
}

/* Run 'sql' whose first column is an id with up to 4 text bindings (NULL
 * binds NULL) and an integer limit at ?5, then read each id through
 * pko_db_get under 'scope' (rows above clearance or out of scope are
 * skipped). '*ids_n' receives the number of ids the query returned. */
static pko_rc read_ids(pko_req *req, const pko_entity *e, const pko_scope *scope, const char *sql,
                       const char *const binds[4], int limit, json_t **out, size_t *ids_n,
                       json_t **last_id, pko_err *err)
{
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    for (int i = 0; i < 4; i++)
        if (binds[i])
            sqlite3_bind_text(s, i + 1, binds[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 5, limit);
    json_t *ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    json_t *items = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (rc)
            break;
        json_t *rec;
        rc = pko_db_get(db, e, scope, pko_req_actor(req), json_string_value(id), &rec, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            rc = PKO_OK;
            continue;
        }
        if (!rc)
            json_array_append_new(items, rec);
    }
    *ids_n = json_array_size(ids);
    if (last_id)
        *last_id = *ids_n ? json_copy(json_array_get(ids, *ids_n - 1)) : json_null();
    json_decref(ids);
    if (rc) {
        json_decref(items);
        if (last_id)
            json_decref(*last_id);
        return rc;
    }
    *out = items;
    return PKO_OK;
}

/* ==== Reference data ====================================================== */

static pko_rc h_member_states(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *items = json_array();
    for (size_t i = 0; i < pcrs_n_member_states; i++)
        json_array_append_new(items, json_pack("{s:s, s:s}", "code", pcrs_member_states[i].iso3,
                                               "name", pcrs_member_states[i].name));
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:i}", "items", items, "count", (int)pcrs_n_member_states));
    return PKO_OK;
}

static pko_rc h_unit_types(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *items = json_array();
    for (size_t i = 0; i < pcrs_n_unit_types; i++) {
        const pcrs_unit_type *t = &pcrs_unit_types[i];
        json_t *tags = json_array();
        for (size_t j = 0; j < PCRS_MAX_TAGS && t->tags[j]; j++)
            json_array_append_new(tags, json_string(t->tags[j]));
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:i, s:o}", "code", t->code, "name",
                                        t->name, "component", t->component, "standard_strength",
                                        t->standard_strength, "capabilities", tags));
    }
    pko_req_reply(req, 200, json_pack("{s:o}", "items", items));
    return PKO_OK;
}

/* ==== Pledges ============================================================= */

static pko_rc h_pledges_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *level = pko_req_query(req, "level");
    const char *type = pko_req_query(req, "unit_type");
    const char *country = pko_req_query(req, "country");
    if (level && pcrs_level_index(level) < 0)
        return pko_err_field(err, PKO_EINVAL, "level", "unknown readiness level %.40s", level);
    if (type && !pcrs_unit_type_find(type))
        return pko_err_field(err, PKO_EINVAL, "unit_type", "unknown unit type %.64s", type);
    if (country && !pcrs_member_state_find(country))
        return pko_err_field(err, PKO_EINVAL, "country", "unknown Member State %.8s", country);
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    const char *const binds[4] = {level, type, country, cursor ? cursor : ""};
    json_t *items, *last;
    size_t n;
    rc = read_ids(req, &pko_entity_pcrs_pledge, &scope,
                  "SELECT id FROM pcrs_pledges WHERE (?1 IS NULL OR level = ?1)"
                  " AND (?2 IS NULL OR unit_type = ?2) AND (?3 IS NULL OR country = ?3)"
                  " AND id > ?4 ORDER BY id LIMIT ?5",
                  binds, limit, &items, &n, &last, err);
    if (rc)
        return rc;
    json_t *next = last;
    if (n != (size_t)limit) {
        json_decref(last);
        next = json_null();
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc h_pledge_get(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *p;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_pledge, &scope, pko_req_actor(req),
                           pko_req_param(req, "id"), &p, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, p);
    return PKO_OK;
}

static pko_rc h_pledge_history(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *p;
    const char *id = pko_req_param(req, "id");
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_pledge, &scope, pko_req_actor(req), id,
                           &p, err);
    if (rc)
        return rc;
    json_decref(p);
    json_t *h;
    rc = pko_db_history(pko_req_db(req), "pcrs_pledge", id, &h, err);
    if (rc)
        return rc;
    /* The readiness path: every change record that set the level. */
    json_t *levels = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(h, i, c)
    {
        json_t *lv = json_object_get(json_object_get(c, "fields"), "level");
        if (json_is_string(lv))
            json_array_append_new(levels,
                                  json_pack("{s:O, s:O, s:O}", "at", json_object_get(c, "at"),
                                            "author", json_object_get(c, "author"), "level", lv));
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", h, "levels", levels));
    return PKO_OK;
}

static pko_rc reply_record(pko_req *req, const pko_entity *e, const char *id, int status,
                           const char *loc_prefix, pko_err *err)
{
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *rec;
    pko_rc rc = pko_db_get(pko_req_db(req), e, &all, pko_req_actor(req), id, &rec, err);
    if (rc)
        return rc;
    if (loc_prefix) {
        char loc[160];
        snprintf(loc, sizeof(loc), "%s%s", loc_prefix, id);
        pko_req_add_header(req, "Location", loc);
    }
    pko_req_reply(req, status, rec);
    return PKO_OK;
}

static pko_rc h_pledge_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.pledges.write", NULL, err);
    if (!rc)
        rc = pcrs_pledge_validate(b, 1, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    json_object_del(b, "version");
    const pcrs_unit_type *t =
        pcrs_unit_type_find(json_string_value(json_object_get(b, "unit_type")));
    if (!json_object_get(b, "strength"))
        json_object_set_new(b, "strength", json_integer(t->standard_strength));
    if (!json_object_get(b, "level"))
        json_object_set_new(b, "level", json_string("registered"));
    if (!json_object_get(b, "status"))
        json_object_set_new(b, "status", json_string("available"));
    char id[PKO_ID_LEN];
    rc = pko_db_insert(pko_req_db(req), pko_req_actor(req), &pko_entity_pcrs_pledge, b, id, err);
    if (rc)
        return rc;
    return reply_record(req, &pko_entity_pcrs_pledge, id, 201, "/api/v1/pcrs/pledges/", err);
}

static pko_rc h_pledge_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.pledges.write", NULL, err);
    if (rc)
        return rc;
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *cur;
    rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_pledge, &scope, pko_req_actor(req), id, &cur,
                    err);
    if (rc)
        return rc;
    int64_t expect = 0;
    rc = pcrs_pledge_validate(b, 0, err);
    if (!rc && json_object_get(b, "level") &&
        !json_equal(json_object_get(b, "level"), json_object_get(cur, "level")))
        rc = pko_err_field(err, PKO_EINVAL, "level",
                           "a readiness level changes only with an assessment: record it with "
                           "POST /api/v1/pcrs/visits and level_after");
    if (!rc)
        rc = take_version(b, &expect, err);
    if (!rc)
        rc = check_class(req, b, err);
    /* The availability window as it will be after the change. */
    if (!rc) {
        json_t *from = json_object_get(b, "available_from");
        json_t *until = json_object_get(b, "available_until");
        if (!from)
            from = json_object_get(cur, "available_from");
        if (!until)
            until = json_object_get(cur, "available_until");
        if (json_is_string(from) && json_is_string(until) &&
            strcmp(json_string_value(until), json_string_value(from)) < 0)
            rc = pko_err_field(err, PKO_EINVAL, "available_until",
                               "available_until must not be before available_from");
    }
    json_decref(cur);
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_pcrs_pledge, id, b, expect,
                       err);
    if (rc)
        return rc;
    return reply_record(req, &pko_entity_pcrs_pledge, id, 200, NULL, err);
}

/* ==== Visits ============================================================= */

static pko_rc h_visit_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.pledges.write", NULL, err);
    char today[11];
    pko_today(today);
    if (!rc)
        rc = pcrs_visit_validate(b, today, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    const char *pid = json_string_value(json_object_get(b, "pledge_id"));
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *p;
    rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_pledge, &scope, pko_req_actor(req), pid, &p,
                    err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "pledge_id", "no pledge %.40s", pid);
    }
    if (rc)
        return rc;
    json_t *before = json_copy(json_object_get(p, "level"));
    json_int_t pver = json_integer_value(json_object_get(p, "version"));
    json_decref(p);
    if (!json_object_get(b, "kind"))
        json_object_set_new(b, "kind", json_string("assessment_advisory_visit"));
    if (!json_object_get(b, "level_after"))
        json_object_set(b, "level_after", before);
    json_object_set_new(b, "level_before", before);
    bool change = !json_equal(before, json_object_get(b, "level_after"));
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, &pko_entity_pcrs_visit, b, id, err);
    if (!rc && change) {
        /* The level moves in the same transaction, against the version
         * read above: a concurrent change makes this a 409, not a lost
         * update. */
        json_t *upd = json_pack("{s:O}", "level", json_object_get(b, "level_after"));
        rc = pko_tx_update(tx, &pko_entity_pcrs_pledge, pid, upd, pver, err);
        json_decref(upd);
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    return reply_record(req, &pko_entity_pcrs_visit, id, 201, "/api/v1/pcrs/visits/", err);
}

static pko_rc h_visits_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    const char *const binds[4] = {pko_req_query(req, "pledge_id"), NULL, NULL,
                                  cursor ? cursor : ""};
    json_t *items, *last;
    size_t n;
    rc = read_ids(req, &pko_entity_pcrs_visit, &scope,
                  "SELECT id FROM pcrs_visits WHERE (?1 IS NULL OR pledge_id = ?1)"
                  " AND id > ?4 ORDER BY id LIMIT ?5",
                  binds, limit, &items, &n, &last, err);
    if (rc)
        return rc;
    json_t *next = last;
    if (n != (size_t)limit) {
        json_decref(last);
        next = json_null();
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc h_visit_get(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *v;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_visit, &scope, pko_req_actor(req),
                           pko_req_param(req, "id"), &v, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, v);
    return PKO_OK;
}

/* ==== Requirements ========================================================= */

static pko_rc h_requirements_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *mission = pko_req_query(req, "mission_id");
    const char *status = pko_req_query(req, "status");
    const char *type = pko_req_query(req, "unit_type");
    if (type && !pcrs_unit_type_find(type))
        return pko_err_field(err, PKO_EINVAL, "unit_type", "unknown unit type %.64s", type);
    if (status && !requirement_status_ok(status))
        return pko_err_field(err, PKO_EINVAL, "status",
                             "status must be draft, open, filled or cancelled");
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    const char *const binds[4] = {mission, status, type, cursor ? cursor : ""};
    json_t *items, *last;
    size_t n;
    rc = read_ids(req, &pko_entity_pcrs_requirement, &scope,
                  "SELECT id FROM pcrs_requirements WHERE (?1 IS NULL OR mission_id = ?1)"
                  " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR unit_type = ?3)"
                  " AND id > ?4 ORDER BY id LIMIT ?5",
                  binds, limit, &items, &n, &last, err);
    if (rc)
        return rc;
    json_t *next = last;
    if (n != (size_t)limit) {
        json_decref(last);
        next = json_null();
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc visible_requirement(pko_req *req, const char *id, json_t **out, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    return pko_db_get(pko_req_db(req), &pko_entity_pcrs_requirement, &scope, pko_req_actor(req), id,
                      out, err);
}

static pko_rc h_requirement_get(pko_req *req, pko_err *err)
{
    json_t *r;
    pko_rc rc = visible_requirement(req, pko_req_param(req, "id"), &r, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, r);
    return PKO_OK;
}

/* On 'db': pledge 'pledge_id' exists, has the requirement's unit type, and
 * fills no requirement other than 'req_id' (NULL for a new one). */
static pko_rc check_fill_db(pko_db *db, const char *pledge_id, const char *unit_type,
                            const char *req_id, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, "SELECT unit_type FROM pcrs_pledges WHERE id = ?1", &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, pledge_id, -1, SQLITE_TRANSIENT);
    int row;
    rc = pko_db_step(db, s, &row, err);
    if (!rc && !row)
        rc = pko_err_field(err, PKO_EINVAL, "pledge_id", "no pledge %.40s", pledge_id);
    if (!rc && strcmp((const char *)sqlite3_column_text(s, 0), unit_type) != 0)
        rc = pko_err_field(err, PKO_EINVAL, "pledge_id",
                           "pledge %.40s is a %s, the requirement asks for a %s", pledge_id,
                           (const char *)sqlite3_column_text(s, 0), unit_type);
    sqlite3_reset(s);
    if (rc)
        return rc;
    rc = pko_db_prepare(db, "SELECT id FROM pcrs_requirements WHERE pledge_id = ?1 AND id <> ?2",
                        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, pledge_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, req_id ? req_id : "", -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        rc = pko_err_field(err, PKO_ECONFLICT, "pledge_id",
                           "pledge %.40s already fills requirement %.40s", pledge_id,
                           (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc;
}

/* A pledge named by a requirement must be visible to the caller (else "no
 * pledge"), have the requirement's unit type, and fill no other
 * requirement. */
static pko_rc check_fill(pko_req *req, const char *pledge_id, const char *unit_type,
                         const char *req_id, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *p;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_pledge, &scope, pko_req_actor(req),
                           pledge_id, &p, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "pledge_id", "no pledge %.40s", pledge_id);
    }
    if (rc)
        return rc;
    json_decref(p);
    return check_fill_db(pko_req_db(req), pledge_id, unit_type, req_id, err);
}

/* Inside 'tx': set pledge 'pid' to 'status' (deployed when it fills a
 * requirement, available again when the requirement is reopened). */
static pko_rc set_pledge_status(pko_tx *tx, const char *pid, const char *status, pko_err *err)
{
    json_t *f = json_pack("{s:s}", "status", status);
    pko_rc rc = pko_tx_update(tx, &pko_entity_pcrs_pledge, pid, f, 0, err);
    json_decref(f);
    return rc;
}

pko_rc pcrs_requirement_create(pko_tx *tx, const char *today, json_t *fields, json_t **out,
                               pko_err *err)
{
    char tbuf[11];
    if (!today) {
        pko_today(tbuf);
        today = tbuf;
    }
    if (!json_is_object(fields))
        return pko_err_field(err, PKO_EINVAL, "fields", "a requirement is a JSON object");
    json_t *f = json_deep_copy(fields);
    pko_rc rc = pcrs_requirement_validate(f, 1, today, err);
    if (rc) {
        json_decref(f);
        return rc;
    }
    json_object_del(f, "version");
    if (!json_object_get(f, "status"))
        json_object_set_new(f, "status", json_string("draft"));
    pko_db *db = pko_tx_db(tx);
    const char *mid = json_string_value(json_object_get(f, "mission_id"));
    pko_stmt *s;
    rc = pko_db_prepare(db, "SELECT 1 FROM missions WHERE id = ?1", &s, err);
    if (!rc) {
        sqlite3_bind_text(s, 1, mid, -1, SQLITE_TRANSIENT);
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (!rc && !row)
            rc = pko_err_field(err, PKO_EINVAL, "mission_id", "no mission %.40s", mid);
        sqlite3_reset(s);
    }
    const char *pid = json_string_value(json_object_get(f, "pledge_id"));
    if (!rc && pid)
        rc = check_fill_db(db, pid, json_string_value(json_object_get(f, "unit_type")), NULL, err);
    char id[PKO_ID_LEN];
    if (!rc)
        rc = pko_tx_insert(tx, &pko_entity_pcrs_requirement, f, id, err);
    if (!rc && pid && strcmp(json_string_value(json_object_get(f, "status")), "filled") == 0)
        rc = set_pledge_status(tx, pid, "deployed", err);
    if (rc || !out) {
        json_decref(f);
        return rc;
    }
    json_object_set_new(f, "id", json_string(id));
    *out = f;
    return PKO_OK;
}

static pko_rc h_requirement_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    char today[11], acr[40];
    pko_today(today);
    rc = pcrs_requirement_validate(b, 1, today, err);
    if (!rc)
        rc = missions_acronym(req, json_string_value(json_object_get(b, "mission_id")), acr, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.requirements.write", acr, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    /* Through the API a requirement is open unless the body says draft. */
    if (!json_object_get(b, "status"))
        json_object_set_new(b, "status", json_string("open"));
    const char *pid = json_string_value(json_object_get(b, "pledge_id"));
    if (pid) {
        rc = check_fill(req, pid, json_string_value(json_object_get(b, "unit_type")), NULL, err);
        if (rc)
            return rc;
    }
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    json_t *rec;
    rc = pcrs_requirement_create(tx, today, b, &rec, err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    char id[PKO_ID_LEN];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(rec, "id")));
    json_decref(rec);
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    return reply_record(req, &pko_entity_pcrs_requirement, id, 201, "/api/v1/pcrs/requirements/",
                        err);
}

/* POST requirements/{id}/open: a draft becomes open (matched, solved,
 * counted in gaps), its required_by checked against today again. Body
 * (optional): {"version": n}. */
static pko_rc h_requirement_open(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    int64_t expect = 0;
    json_t *body = pko_req_body(req);
    if (body) {
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v)
        {
            if (strcmp(k, "version") != 0)
                return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of an opening", k);
        }
        pko_rc rc = take_version(body, &expect, err);
        if (rc)
            return rc;
    }
    json_t *cur;
    pko_rc rc = visible_requirement(req, id, &cur, err);
    if (rc)
        return rc;
    char acr[40], today[11];
    pko_today(today);
    rc = missions_acronym(req, json_string_value(json_object_get(cur, "mission_id")), acr, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.requirements.write", acr, err);
    const char *st = json_string_value(json_object_get(cur, "status"));
    const char *by = json_string_value(json_object_get(cur, "required_by"));
    if (!rc && (!st || strcmp(st, "draft") != 0))
        rc = pko_err_field(err, PKO_ECONFLICT, "status",
                           "requirement %.40s is %s: only a draft is opened", id, st ? st : "?");
    if (!rc && by && strcmp(by, today) < 0)
        rc = pko_err_field(err, PKO_EINVAL, "required_by",
                           "required_by %s is in the past (today is %s): change it with PATCH "
                           "before opening",
                           by, today);
    if (!expect)
        expect = json_integer_value(json_object_get(cur, "version"));
    json_decref(cur);
    if (rc)
        return rc;
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    json_t *f = json_pack("{s:s}", "status", "open");
    rc = pko_tx_update(tx, &pko_entity_pcrs_requirement, id, f, expect, err);
    json_decref(f);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    return reply_record(req, &pko_entity_pcrs_requirement, id, 200, NULL, err);
}

static pko_rc h_requirement_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *cur;
    rc = visible_requirement(req, id, &cur, err);
    if (rc)
        return rc;
    char acr[40], today[11];
    pko_today(today);
    int64_t expect = 0;
    rc = missions_acronym(req, json_string_value(json_object_get(cur, "mission_id")), acr, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.requirements.write", acr, err);
    if (!rc && json_object_get(b, "mission_id"))
        rc = pko_err_field(err, PKO_EINVAL, "mission_id", "mission_id cannot change");
    if (!rc && json_object_get(b, "unit_type"))
        rc = pko_err_field(err, PKO_EINVAL, "unit_type", "unit_type cannot change");
    if (!rc)
        rc = pcrs_requirement_validate(b, 0, today, err);
    if (!rc)
        rc = take_version(b, &expect, err);
    if (!rc)
        rc = check_class(req, b, err);
    /* Once its unit has rotated, the deployment date is the first
     * contingent's start: it no longer changes. */
    json_t *ndep = json_object_get(b, "deployed_on");
    if (!rc && ndep && !json_equal(ndep, json_object_get(cur, "deployed_on")) &&
        json_is_string(json_object_get(cur, "pledge_id"))) {
        pko_stmt *q;
        rc = pko_db_prepare(pko_req_db(req),
                            "SELECT COUNT(*) FROM pcrs_rotations WHERE requirement_id = ?1"
                            " AND pledge_id = ?2",
                            &q, err);
        if (!rc) {
            sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 2, json_string_value(json_object_get(cur, "pledge_id")), -1,
                              SQLITE_TRANSIENT);
            int row;
            rc = pko_db_step(pko_req_db(req), q, &row, err);
            bool rotated = !rc && row && sqlite3_column_int64(q, 0) > 0;
            sqlite3_reset(q);
            if (rotated)
                rc = pko_err_field(err, PKO_ECONFLICT, "deployed_on",
                                   "the unit has rotated since its deployment: deployed_on is "
                                   "the first contingent's start and no longer changes");
        }
    }
    /* A draft is opened by POST .../open (which checks required_by again);
     * an opened requirement does not go back to draft. */
    const char *cur_st = json_string_value(json_object_get(cur, "status"));
    const char *new_st = json_string_value(json_object_get(b, "status"));
    if (!rc && new_st && cur_st && strcmp(new_st, cur_st) != 0) {
        if (strcmp(new_st, "draft") == 0)
            rc = pko_err_field(err, PKO_EINVAL, "status",
                               "a requirement that was opened does not go back to draft");
        else if (strcmp(cur_st, "draft") == 0 && strcmp(new_st, "cancelled") != 0)
            rc = pko_err_field(err, PKO_EINVAL, "status",
                               "this requirement is a draft: open it with POST "
                               "/api/v1/pcrs/requirements/%.40s/open first",
                               id);
    }
    /* Status and pledge before and after the change: a pledge that starts
     * filling the requirement is deployed, one that stops is available. */
    char old_pledge[PKO_ID_LEN] = "", new_pledge[PKO_ID_LEN] = "";
    bool was_filled = json_is_string(json_object_get(cur, "status")) &&
                      strcmp(json_string_value(json_object_get(cur, "status")), "filled") == 0;
    if (was_filled && json_is_string(json_object_get(cur, "pledge_id")))
        snprintf(old_pledge, sizeof(old_pledge), "%s",
                 json_string_value(json_object_get(cur, "pledge_id")));
    if (!rc && was_filled && json_is_string(json_object_get(b, "status")) &&
        strcmp(json_string_value(json_object_get(b, "status")), "filled") != 0 &&
        !json_object_get(b, "pledge_id"))
        json_object_set_new(b, "pledge_id", json_null()); /* reopened: the pledge is released */
    if (!rc) {
        json_t *st = json_object_get(b, "status");
        json_t *pl = json_object_get(b, "pledge_id");
        if (!st)
            st = json_object_get(cur, "status");
        if (!pl)
            pl = json_object_get(cur, "pledge_id");
        bool filled = json_is_string(st) && strcmp(json_string_value(st), "filled") == 0;
        if (filled && !json_is_string(pl))
            rc = pko_err_field(err, PKO_EINVAL, "pledge_id",
                               "a requirement is filled by a pledge: give pledge_id");
        else if (!filled && json_is_string(pl))
            rc = pko_err_field(err, PKO_EINVAL, "pledge_id",
                               "pledge_id goes with status filled (give both, or null to "
                               "release the pledge)");
        else if (json_is_string(json_object_get(b, "pledge_id")))
            rc = check_fill(req, json_string_value(pl),
                            json_string_value(json_object_get(cur, "unit_type")), id, err);
        if (!rc && json_is_string(st) && strcmp(json_string_value(st), "filled") == 0 &&
            json_is_string(pl))
            snprintf(new_pledge, sizeof(new_pledge), "%s", json_string_value(pl));
    }
    json_decref(cur);
    if (rc)
        return rc;
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_update(tx, &pko_entity_pcrs_requirement, id, b, expect, err);
    if (rc == PKO_ECONFLICT && err && err->sqlite_rc == SQLITE_CONSTRAINT_UNIQUE) {
        pko_err_clear(err);
        rc = pko_err_field(err, PKO_ECONFLICT, "pledge_id",
                           "that pledge already fills a requirement");
    }
    if (!rc && old_pledge[0] && strcmp(old_pledge, new_pledge) != 0)
        rc = set_pledge_status(tx, old_pledge, "available", err);
    if (!rc && new_pledge[0] && strcmp(old_pledge, new_pledge) != 0)
        rc = set_pledge_status(tx, new_pledge, "deployed", err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    return reply_record(req, &pko_entity_pcrs_requirement, id, 200, NULL, err);
}

/* ==== Matching ============================================================= */

/* The matching itself is in engine.c (one query per table, plain structs,
 * Hungarian per unit-type block); these handlers only check and reply. */

static pko_rc h_candidates(pko_req *req, pko_err *err)
{
    json_t *r;
    pko_rc rc = visible_requirement(req, pko_req_param(req, "id"), &r, err);
    if (rc)
        return rc;
    if (strcmp(json_string_value(json_object_get(r, "status")), "draft") == 0) {
        json_decref(r);
        return pko_err_field(err, PKO_ECONFLICT, "status",
                             "requirement %.40s is a draft: drafts are not matched (open it "
                             "with POST .../open; GET /api/v1/pcrs/feasibility tells what is "
                             "pledged)",
                             pko_req_param(req, "id"));
    }
    char today[11];
    pko_today(today);
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *items;
    rc = pcrs_candidates(pko_req_db(req), &scope, pko_req_actor(req), r, today, &items, err);
    if (rc) {
        json_decref(r);
        return rc;
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "requirement", r, "items", items));
    return PKO_OK;
}

static pko_rc h_solve(pko_req *req, pko_err *err)
{
    /* Body: optional {"apply": true} to fill every assigned requirement. */
    bool apply = false;
    json_t *body = pko_req_body(req);
    if (body) {
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v)
        {
            if (strcmp(k, "apply") != 0)
                return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a solve", k);
            if (!json_is_boolean(v))
                return pko_err_field(err, PKO_EINVAL, "apply", "apply must be true or false");
            apply = json_is_true(v);
        }
    }
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    char today[11];
    pko_today(today);
    json_t *res, *versions;
    pko_rc rc = pcrs_solve(pko_req_db(req), &scope, pko_req_actor(req), today, 0, &res,
                           &versions, err);
    if (rc)
        return rc;
    json_t *out = json_object_get(res, "assignments");
    /* Apply: every assignment fills its requirement and deploys its
     * pledge, all in one transaction, against the versions read; the
     * caller must hold pcrs.requirements.write in every mission concerned,
     * else nothing is written. */
    if (apply) {
        size_t a;
        json_t *as;
        json_array_foreach(out, a, as)
        {
            char acr[40];
            rc = missions_acronym(req, json_string_value(json_object_get(as, "mission_id")), acr,
                                  err);
            if (!rc)
                rc = pko_req_require(req, "pcrs.requirements.write", acr, err);
            if (rc)
                break;
        }
        pko_tx *tx = NULL;
        if (!rc)
            rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
        json_array_foreach(out, a, as)
        {
            if (rc)
                break;
            const char *rid = json_string_value(json_object_get(as, "requirement_id"));
            const char *pid = json_string_value(json_object_get(as, "pledge_id"));
            json_t *f = json_pack("{s:s, s:s}", "status", "filled", "pledge_id", pid);
            rc = pko_tx_update(tx, &pko_entity_pcrs_requirement, rid, f,
                               json_integer_value(json_object_get(versions, rid)), err);
            json_decref(f);
            if (!rc)
                rc = set_pledge_status(tx, pid, "deployed", err);
        }
        if (rc) {
            pko_tx_rollback(tx);
        } else {
            rc = pko_tx_commit(tx, err);
        }
        if (rc) {
            json_decref(res);
            json_decref(versions);
            return rc;
        }
    }
    json_decref(versions);
    json_object_set_new(res, "applied", json_boolean(apply));
    pko_req_reply(req, 200, res);
    return PKO_OK;
}

/* ==== Dashboards ========================================================== */

/* Pledges per unit type and readiness level (available pledges, within the
 * caller's clearance), with their strength and number of women. */
static pko_rc h_pipeline(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db,
        "SELECT unit_type, level, COUNT(*), SUM(strength),"
        " SUM(strength * COALESCE(women_share, 0)) FROM pcrs_pledges"
        " WHERE status = 'available' AND classification <= ?1 GROUP BY unit_type, level"
        " ORDER BY unit_type, level",
        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, scope.clearance);
    json_t *by_type = json_object(), *totals = json_object();
    for (int i = 0; pcrs_levels[i]; i++)
        json_object_set_new(totals, pcrs_levels[i], json_integer(0));
    double strength = 0, women = 0;
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        const char *type = (const char *)sqlite3_column_text(s, 0);
        const char *level = (const char *)sqlite3_column_text(s, 1);
        json_t *t = json_object_get(by_type, type);
        if (!t) {
            t = json_pack("{s:s, s:{}, s:i, s:f}", "unit_type", type, "levels", "strength", 0,
                          "women", 0.0);
            for (int i = 0; pcrs_levels[i]; i++)
                json_object_set_new(json_object_get(t, "levels"), pcrs_levels[i], json_integer(0));
            json_object_set_new(by_type, type, t);
        }
        int64_t n = sqlite3_column_int64(s, 2);
        json_object_set_new(json_object_get(t, "levels"), level, json_integer(n));
        json_int_t st0 = json_integer_value(json_object_get(t, "strength"));
        json_object_set_new(t, "strength", json_integer(st0 + sqlite3_column_int64(s, 3)));
        json_object_set_new(
            t, "women",
            json_real(json_real_value(json_object_get(t, "women")) + sqlite3_column_double(s, 4)));
        json_object_set_new(totals, level,
                            json_integer(json_integer_value(json_object_get(totals, level)) + n));
        strength += (double)sqlite3_column_int64(s, 3);
        women += sqlite3_column_double(s, 4);
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(by_type);
        json_decref(totals);
        return rc;
    }
    json_t *items = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(by_type, k, v) json_array_append(items, v);
    json_decref(by_type);
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:o, s:f, s:f}", "items", items, "totals", totals, "strength",
                            strength, "women_share", strength > 0 ? women / strength : 0.0));
    return PKO_OK;
}

/* Every visible open requirement with its number of eligible candidates
 * and the earliest deployment date among them; the gaps are those without
 * one, or whose earliest deployment is after required_by, counted by unit
 * type and mission (engine.c). */
static pko_rc h_gaps(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    char today[11];
    pko_today(today);
    json_t *out;
    pko_rc rc = pcrs_gaps(pko_req_db(req), &scope, pko_req_actor(req), today, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

/* ==== Feasibility (for mission design) ===================================== */

pko_rc pcrs_feasibility(pko_db *db, int clearance, const char *unit_type, const char *required_by,
                        const char *today, json_t **out, pko_err *err)
{
    if (!unit_type || !pcrs_unit_type_find(unit_type))
        return pko_err_field(err, PKO_EINVAL, "unit_type",
                             "unit_type must be a known unit type, e.g. infantry_battalion "
                             "(GET /api/v1/pcrs/unit-types)");
    if (required_by && !is_date(required_by))
        return pko_err_field(err, PKO_EINVAL, "required_by",
                             "required_by must be a date YYYY-MM-DD");
    char tbuf[11];
    if (!today) {
        pko_today(tbuf);
        today = tbuf;
    }
    long now = pcrs_day_number(today), by = required_by ? pcrs_day_number(required_by) : -1;
    if (now < 0)
        return pko_err_field(err, PKO_EINVAL, "today", "today must be a date YYYY-MM-DD");
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT level, available_from, available_until, strength"
                               " FROM pcrs_pledges WHERE unit_type = ?1 AND status = 'available'"
                               " AND classification <= ?2",
                               &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, unit_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, clearance);
    int64_t levels[5] = {0}, pledges = 0, eligible = 0, on_time = 0, strength = 0;
    long best = -1;
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        int li = pcrs_level_index((const char *)sqlite3_column_text(s, 0));
        if (li >= 0)
            levels[li]++;
        pledges++;
        strength += sqlite3_column_int64(s, 3);
        long from = pcrs_day_number((const char *)sqlite3_column_text(s, 1));
        long until = pcrs_day_number((const char *)sqlite3_column_text(s, 2));
        if (until >= 0 && by >= 0 && until < by)
            continue;
        eligible++;
        long earliest = (from > now ? from : now) + pcrs_level_days(li);
        if (by < 0 || earliest <= by)
            on_time++;
        if (best < 0 || earliest < best)
            best = earliest;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    char best_s[11];
    if (best >= 0)
        pcrs_format_day(best, best_s);
    json_t *lv = json_object();
    for (int i = 0; pcrs_levels[i]; i++)
        json_object_set_new(lv, pcrs_levels[i], json_integer(levels[i]));
    *out = json_pack("{s:s, s:s?, s:s, s:I, s:o, s:I, s:I, s:I, s:s?, s:b}", "unit_type",
                     unit_type, "required_by", required_by, "today", today, "pledges",
                     (json_int_t)pledges, "levels", lv, "strength", (json_int_t)strength,
                     "eligible", (json_int_t)eligible, "on_time", (json_int_t)on_time,
                     "earliest_deployment", best >= 0 ? best_s : NULL, "feasible",
                     required_by ? on_time > 0 : eligible > 0);
    return PKO_OK;
}

static pko_rc h_feasibility(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *out;
    pko_rc rc = pcrs_feasibility(pko_req_db(req), scope.clearance, pko_req_query(req, "unit_type"),
                                 pko_req_query(req, "required_by"), NULL, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route pcrs_routes[] = {
    {"GET", "/api/v1/pcrs/member-states", h_member_states, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/countries", h_member_states, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/unit-types", h_unit_types, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/pledges", h_pledges_list, "pcrs.read", 0, 0},
    {"POST", "/api/v1/pcrs/pledges", h_pledge_create, "pcrs.pledges.write", 0, 65536},
    {"GET", "/api/v1/pcrs/pledges/{id}", h_pledge_get, "pcrs.read", 0, 0},
    {"PATCH", "/api/v1/pcrs/pledges/{id}", h_pledge_update, "pcrs.pledges.write", 0, 65536},
    {"GET", "/api/v1/pcrs/pledges/{id}/history", h_pledge_history, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/requirements", h_requirements_list, "pcrs.read", 0, 0},
    {"POST", "/api/v1/pcrs/requirements", h_requirement_create, "pcrs.requirements.write", 0,
     16384},
    {"GET", "/api/v1/pcrs/requirements/{id}", h_requirement_get, "pcrs.read", 0, 0},
    {"PATCH", "/api/v1/pcrs/requirements/{id}", h_requirement_update, "pcrs.requirements.write", 0,
     16384},
    {"POST", "/api/v1/pcrs/requirements/{id}/open", h_requirement_open,
     "pcrs.requirements.write", 0, 1024},
    {"GET", "/api/v1/pcrs/requirements/{id}/candidates", h_candidates, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/feasibility", h_feasibility, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/requirements/{id}/rotations", pcrs_h_rotations_get, "pcrs.read", 0, 0},
    {"POST", "/api/v1/pcrs/requirements/{id}/rotations", pcrs_h_rotation_create,
     "pcrs.requirements.write", 0, 16384},
    {"GET", "/api/v1/pcrs/rotations/due", pcrs_h_rotations_due, "pcrs.read", 0, 0},
    {"POST", "/api/v1/pcrs/assignments/solve", h_solve, "pcrs.read", 0, 1024},
    {"GET", "/api/v1/pcrs/pipeline", h_pipeline, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/visits", h_visits_list, "pcrs.read", 0, 0},
    {"POST", "/api/v1/pcrs/visits", h_visit_create, "pcrs.pledges.write", 0, 65536},
    {"GET", "/api/v1/pcrs/visits/{id}", h_visit_get, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/gaps", h_gaps, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/parity", pcrs_h_parity, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/parity/missions", pcrs_h_parity_missions, "pcrs.read", 0, 0},
    {"GET", "/api/v1/pcrs/parity/targets", pcrs_h_parity_targets, "pcrs.read", 0, 0},
    {"POST", "/api/v1/pcrs/parity/targets", pcrs_h_parity_target_create, "pcrs.pledges.write", 0,
     4096},
    {"PATCH", "/api/v1/pcrs/parity/targets/{id}", pcrs_h_parity_target_update,
     "pcrs.pledges.write", 0, 4096},
};

static const pko_entity *const pcrs_entities[] = {
    &pko_entity_pcrs_pledge, &pko_entity_pcrs_requirement, &pko_entity_pcrs_visit,
    &pko_entity_pcrs_rotation, &pko_entity_pcrs_parity_target};

const pko_module pko_module_pcrs = {
    .name = "pcrs",
    .summary = "force generation: pledges, readiness, unit requirements and matching",
    .migrations = pcrs_migrations,
    .n_migrations = sizeof(pcrs_migrations) / sizeof(pcrs_migrations[0]),
    .entities = pcrs_entities,
    .n_entities = sizeof(pcrs_entities) / sizeof(pcrs_entities[0]),
    .perms = pcrs_perms,
    .n_perms = sizeof(pcrs_perms) / sizeof(pcrs_perms[0]),
    .routes = pcrs_routes,
    .n_routes = sizeof(pcrs_routes) / sizeof(pcrs_routes[0]),
};
