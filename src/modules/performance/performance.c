/* SPDX-License-Identifier: MIT
 *
 * The performance module: unit evaluations, improvement plans and their
 * remedial measures. Three entities, each scoped to the mission (plans and
 * measures carry the mission and the classification of their evaluation).
 * Evaluations default to confidential (performance data about a
 * contributing country's unit), so every read of one is audited by the
 * store. See performance.h and docs/conduct.md.
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
#include "modules/missions/missions.h"
#include "modules/pcrs/pcrs.h"
#include "modules/performance/performance.h"

/* ==== Schema ============================================================= */

static const pko_migration perf_migrations[] = {
    {1, "CREATE TABLE perf_evaluations("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 1,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " unit_name TEXT NOT NULL, unit_type TEXT NOT NULL,"
        " component TEXT NOT NULL CHECK (component IN ('military','police')),"
        " contributing_country TEXT NOT NULL, pledge_id TEXT,"
        " kind TEXT NOT NULL CHECK (kind IN ('in_mission','pre_rotation_visit','special')),"
        " period TEXT, evaluated_on TEXT NOT NULL, evaluator TEXT NOT NULL,"
        " ratings TEXT NOT NULL, overall_rating REAL, shortfalls TEXT, notes TEXT"
        ") STRICT;"
        "CREATE INDEX perf_evaluations_unit ON perf_evaluations(mission_id, unit_name, evaluated_on);"
        "CREATE UNIQUE INDEX perf_evaluations_period ON perf_evaluations(mission_id, unit_name,"
        " period) WHERE kind = 'in_mission';"
        "CREATE TABLE perf_plans("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 1,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " evaluation_id TEXT NOT NULL UNIQUE REFERENCES perf_evaluations(id),"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " status TEXT NOT NULL CHECK (status IN ('open','closed')),"
        " opened_on TEXT NOT NULL, closed_on TEXT, summary TEXT"
        ") STRICT;"
        "CREATE TABLE perf_measures("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 1,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " plan_id TEXT NOT NULL REFERENCES perf_plans(id),"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " shortfall_standard TEXT, area TEXT NOT NULL, action TEXT NOT NULL,"
        " responsible TEXT NOT NULL, level TEXT NOT NULL, due_on TEXT NOT NULL,"
        " status TEXT NOT NULL, completed_on TEXT, evidence TEXT"
        ") STRICT;"
        "CREATE INDEX perf_measures_plan ON perf_measures(plan_id);"},
};

static const pko_col eval_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"unit_name", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"unit_type", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"component", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"contributing_country", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"pledge_id", PKO_COL_TEXT, 0},
    {"kind", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"period", PKO_COL_TEXT, 0},
    {"evaluated_on", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"evaluator", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"ratings", PKO_COL_JSON, PKO_COL_REQUIRED},
    {"overall_rating", PKO_COL_REAL, 0},
    {"shortfalls", PKO_COL_JSON, 0},
    {"notes", PKO_COL_TEXT, 0},
};
const pko_entity pko_entity_perf_evaluation = {
    "perf_evaluation", "perf_evaluations", eval_cols, sizeof(eval_cols) / sizeof(eval_cols[0]),
    "mission_id",      0};

static const pko_col plan_cols[] = {
    {"evaluation_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"opened_on", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"closed_on", PKO_COL_TEXT, 0},
    {"summary", PKO_COL_TEXT, 0},
};
const pko_entity pko_entity_perf_plan = {
    "perf_plan", "perf_plans", plan_cols, sizeof(plan_cols) / sizeof(plan_cols[0]), "mission_id",
    0};

static const pko_col measure_cols[] = {
    {"plan_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"shortfall_standard", PKO_COL_TEXT, 0},
    {"area", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"action", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"responsible", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"level", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"due_on", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"completed_on", PKO_COL_TEXT, 0},
    {"evidence", PKO_COL_TEXT, 0},
};
const pko_entity pko_entity_perf_measure = {
    "perf_measure", "perf_measures", measure_cols, sizeof(measure_cols) / sizeof(measure_cols[0]),
    "mission_id",   0};

static const pko_perm perf_perms[] = {
    {"performance.read", PKO_ROLES_ALL,
     "see the unit evaluations and improvement plans of one's missions (up to one's clearance)",
     false},
    {"performance.write",
     PKO_ROLE_PLANNER | PKO_ROLE_FORCE_GENERATION_OFFICER | PKO_ROLE_MISSION_ADMIN,
     "record unit evaluations, improvement plans and the progress of remedial measures", false},
};

/* ==== Vocabularies and scales ============================================ */

const char *const perf_standards[] = {
    "command_and_control", "operations",          "protection_of_civilians",
    "training",            "discipline_and_conduct", "sustainment",
    "medical_support",     "health_and_welfare",  "equipment",
    "public_order_management", "gender_integration", "safety_and_security", NULL};
const char *const perf_kinds[] = {"in_mission", "pre_rotation_visit", "special", NULL};
const char *const perf_measure_areas[] = {
    "training",   "health_and_welfare", "protection_of_civilians", "operations",
    "equipment",  "discipline_and_conduct", "command_and_control", "gender", "other", NULL};
const char *const perf_measure_statuses[] = {"planned", "in_progress", "completed", "cancelled",
                                             NULL};
static const char *const severities[] = {"minor", "major", "critical", NULL};
static const char *const responsibles[] = {"mission", "contributing_country", "secretariat",
                                           NULL};
static const char *const levels[] = {"mission", "headquarters", NULL};

static const char *const military_scale[] = {"unsatisfactory", "needs_improvement",
                                             "satisfactory", "excellent"};
static const char *const police_scale[] = {"unsatisfactory", "needs_improvement", "satisfactory",
                                           "very_good", "excellent"};

int perf_scale_max(const char *c)
{
    if (c && strcmp(c, "military") == 0)
        return 4;
    if (c && strcmp(c, "police") == 0)
        return 5;
    return 0;
}

const char *perf_rating_label(const char *c, int r)
{
    int max = perf_scale_max(c);
    if (r < 1 || r > max)
        return NULL;
    return max == 4 ? military_scale[r - 1] : police_scale[r - 1];
}

/* ==== Validation (field checks: core/field.h) ============================= */

static pko_rc check_known(json_t *f, const char *const *known, const char *what, pko_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        if (!pko_field_in(known, k))
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of %s", k, what);
    }
    return PKO_OK;
}

static pko_rc check_required(json_t *f, int creating, const char *const *req, pko_err *err)
{
    for (size_t i = 0; req[i]; i++) {
        json_t *v = json_object_get(f, req[i]);
        if (creating ? pko_field_null(v) : (v && json_is_null(v)))
            return pko_err_field(err, PKO_EINVAL, req[i], "%s is required", req[i]);
    }
    return PKO_OK;
}

void perf_quarter_of(const char *date, char out[8])
{
    int m = atoi(date + 5);
    memcpy(out, date, 4);
    out[4] = '-';
    out[5] = 'Q';
    out[6] = (char)('0' + (m >= 1 && m <= 12 ? (m - 1) / 3 + 1 : 1));
    out[7] = 0;
}

/* "2024-Q3", "2024-H1", "2024". 'quarter_only' for police. */
static bool is_period(const char *p, bool quarter_only)
{
    if (!p || strlen(p) < 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)p[i]))
            return false;
    if (atoi(p) < 1945)
        return false;
    size_t n = strlen(p);
    if (n == 4)
        return !quarter_only;
    if (n != 7 || p[4] != '-')
        return false;
    if (p[5] == 'Q')
        return p[6] >= '1' && p[6] <= '4';
    return !quarter_only && p[5] == 'H' && (p[6] == '1' || p[6] == '2');
}

/* ==== Evaluations ======================================================== */

static const char *const eval_known[] = {
    "mission_id", "unit_name", "unit_type", "contributing_country", "pledge_id", "kind",
    "period",     "evaluated_on", "evaluator", "ratings", "shortfalls", "notes",
    "classification", NULL};

pko_rc perf_evaluation_validate(json_t *f, int creating, const json_t *cur, const char *today,
                                pko_err *err)
{
    if (!json_is_object(f))
        return pko_err_set(err, PKO_EINVAL, "an evaluation must be a JSON object");
    static const char *const req[] = {"mission_id", "unit_name", "unit_type",
                                      "contributing_country", "kind", "evaluated_on",
                                      "evaluator", "ratings", NULL};
    pko_rc rc;
    if ((rc = check_known(f, eval_known, "an evaluation", err)) ||
        (rc = check_required(f, creating, req, err)))
        return rc;
    if (!creating) {
        static const char *const fixed[] = {"mission_id", "unit_type"};
        for (size_t i = 0; i < 2; i++)
            if (json_object_get(f, fixed[i]))
                return pko_err_field(err, PKO_EINVAL, fixed[i], "%s cannot change", fixed[i]);
    }
    if ((rc = pko_field_text(f, "mission_id", 64, err)) ||
        (rc = pko_field_text(f, "unit_name", 200, err)) ||
        (rc = pko_field_text(f, "evaluator", 200, err)) ||
        (rc = pko_field_text(f, "pledge_id", 64, err)) || (rc = pko_field_text(f, "notes", 8000, err)) ||
        (rc = pko_field_enum(f, "kind", perf_kinds, false, err)) ||
        (rc = pko_field_date(f, "evaluated_on", today, err)))
        return rc;
    json_t *v = json_object_get(f, "unit_type");
    const char *component = json_string_value(pko_field_merged(f, cur, "component"));
    if (creating) {
        const pcrs_unit_type *t = pcrs_unit_type_find(json_string_value(v));
        if (!t)
            return pko_err_field(err, PKO_EINVAL, "unit_type",
                                 "unit_type must be a unit type of GET /api/v1/pcrs/unit-types");
        component = t->component;
        json_object_set_new(f, "component", json_string(component));
    }
    v = json_object_get(f, "contributing_country");
    if (v && !pcrs_member_state_find(json_string_value(v)))
        return pko_err_field(err, PKO_EINVAL, "contributing_country",
                             "contributing_country must be a Member State's ISO 3166 alpha-3 "
                             "code, such as RWA");
    bool police = component && strcmp(component, "police") == 0;
    int max = perf_scale_max(component);
    /* Period: required in mission; a quarter for police units. */
    const char *kind = json_string_value(pko_field_merged(f, cur, "kind"));
    json_t *per = pko_field_merged(f, cur, "period");
    const char *when = json_string_value(pko_field_merged(f, cur, "evaluated_on"));
    if (kind && strcmp(kind, "in_mission") == 0) {
        if (!per)
            return pko_err_field(err, PKO_EINVAL, "period",
                                 police ? "an in-mission evaluation of a police unit names its "
                                          "quarter (period YYYY-Qn): they are quarterly"
                                        : "an in-mission evaluation names its period (YYYY-Qn, "
                                          "YYYY-Hn or YYYY)");
    }
    if (per) {
        const char *p = json_string_value(per);
        if (!is_period(p, police))
            return pko_err_field(err, PKO_EINVAL, "period",
                                 police ? "period must be a quarter YYYY-Qn: formed police units "
                                          "are evaluated quarterly"
                                        : "period must be YYYY-Qn, YYYY-Hn or YYYY");
        if (when && strncmp(p, when, 4) > 0)
            return pko_err_field(err, PKO_EINVAL, "period",
                                 "period %s is after the evaluation date %s", p, when);
        if (when && police) {
            char q[8];
            perf_quarter_of(when, q);
            if (strcmp(p, q) > 0)
                return pko_err_field(err, PKO_EINVAL, "period",
                                     "period %s has not begun by the evaluation date %s", p, when);
        }
    }
    /* Ratings against the component's scale, one per standard. */
    json_t *ratings = pko_field_merged(f, cur, "ratings");
    json_t *shortfalls = pko_field_merged(f, cur, "shortfalls");
    if (json_object_get(f, "ratings")) {
        if (!json_is_array(ratings) || json_array_size(ratings) == 0 ||
            json_array_size(ratings) > 32)
            return pko_err_field(err, PKO_EINVAL, "ratings",
                                 "ratings must be a non-empty array of {standard, rating, "
                                 "comment}");
    }
    if (json_object_get(f, "shortfalls") && shortfalls &&
        (!json_is_array(shortfalls) || json_array_size(shortfalls) > 32))
        return pko_err_field(err, PKO_EINVAL, "shortfalls",
                             "shortfalls must be an array of {standard, description, severity}");
    size_t i, j;
    json_t *r, *s;
    double sum = 0;
    json_array_foreach(ratings, i, r)
    {
        const char *std = json_string_value(json_object_get(r, "standard"));
        json_t *val = json_object_get(r, "rating");
        json_t *com = json_object_get(r, "comment");
        if (!json_is_object(r) || !pko_field_in(perf_standards, std))
            return pko_err_field(err, PKO_EINVAL, "ratings",
                                 "ratings[%zu].standard must be a performance standard (GET "
                                 "/api/v1/unit-evaluations/standards)",
                                 i);
        if (!json_is_integer(val) || json_integer_value(val) < 1 ||
            json_integer_value(val) > max)
            return pko_err_field(err, PKO_EINVAL, "ratings",
                                 "ratings[%zu].rating must be a whole number from 1 to %d (the "
                                 "%s scale)",
                                 i, max, police ? "formed police unit" : "military unit");
        if (com && !json_is_null(com) && (!json_is_string(com) || strlen(json_string_value(com)) > 2000))
            return pko_err_field(err, PKO_EINVAL, "ratings",
                                 "ratings[%zu].comment must be text of at most 2000 bytes", i);
        if (json_object_size(r) > 3)
            return pko_err_field(err, PKO_EINVAL, "ratings",
                                 "ratings[%zu] has fields other than standard, rating, comment",
                                 i);
        for (j = 0; j < i; j++)
            if (strcmp(std, json_string_value(json_object_get(json_array_get(ratings, j),
                                                              "standard"))) == 0)
                return pko_err_field(err, PKO_EINVAL, "ratings",
                                     "ratings[%zu]: standard %s is rated twice", i, std);
        sum += (double)json_integer_value(val);
    }
    json_array_foreach(shortfalls, i, s)
    {
        const char *std = json_string_value(json_object_get(s, "standard"));
        const char *d = json_string_value(json_object_get(s, "description"));
        if (!json_is_object(s) || !pko_field_in(perf_standards, std) || !d || !*d ||
            strlen(d) > 4000 ||
            !pko_field_in(severities, json_string_value(json_object_get(s, "severity"))) ||
            json_object_size(s) > 3)
            return pko_err_field(err, PKO_EINVAL, "shortfalls",
                                 "shortfalls[%zu] must be {standard, description, severity: "
                                 "minor, major or critical}",
                                 i);
    }
    /* A rating below satisfactory is a shortfall that must be named. */
    json_array_foreach(ratings, i, r)
    {
        if (json_integer_value(json_object_get(r, "rating")) > 2)
            continue;
        const char *std = json_string_value(json_object_get(r, "standard"));
        bool named = false;
        json_array_foreach(shortfalls, j, s)
        {
            if (strcmp(std, json_string_value(json_object_get(s, "standard"))) == 0)
                named = true;
        }
        if (!named)
            return pko_err_field(err, PKO_EINVAL, "shortfalls",
                                 "%s is rated below satisfactory: name the shortfall in "
                                 "shortfalls",
                                 std);
    }
    if (json_object_get(f, "ratings") && json_array_size(ratings))
        json_object_set_new(f, "overall_rating",
                            json_real(round(sum / (double)json_array_size(ratings) * 10) / 10));
    return PKO_OK;
}

/* ==== Measures =========================================================== */

static const char *const measure_known[] = {"shortfall_standard", "area", "action", "responsible",
                                            "level", "due_on", "status", "completed_on",
                                            "evidence", NULL};

pko_rc perf_measure_validate(json_t *f, int creating, const json_t *cur, const char *today,
                             pko_err *err)
{
    if (!json_is_object(f))
        return pko_err_set(err, PKO_EINVAL, "a measure must be a JSON object");
    static const char *const req[] = {"area", "action", "responsible", "level", "due_on", NULL};
    pko_rc rc;
    if ((rc = check_known(f, measure_known, "a remedial measure", err)) ||
        (rc = check_required(f, creating, req, err)) ||
        (rc = pko_field_enum(f, "shortfall_standard", perf_standards, false, err)) ||
        (rc = pko_field_enum(f, "area", perf_measure_areas, false, err)) ||
        (rc = pko_field_enum(f, "responsible", responsibles, false, err)) ||
        (rc = pko_field_enum(f, "level", levels, false, err)) ||
        (rc = pko_field_enum(f, "status", perf_measure_statuses, false, err)) ||
        (rc = pko_field_text(f, "action", 4000, err)) ||
        (rc = pko_field_text(f, "evidence", 4000, err)) ||
        (rc = pko_field_date(f, "completed_on", today, err)) ||
        (rc = pko_field_date(f, "due_on", NULL, err)))
        return rc;
    if (!creating && json_is_null(json_object_get(f, "status")))
        return pko_err_field(err, PKO_EINVAL, "status", "status cannot be removed");
    const char *st = json_string_value(pko_field_merged(f, cur, "status"));
    bool done = st && strcmp(st, "completed") == 0;
    if (done && !pko_field_merged(f, cur, "completed_on"))
        return pko_err_field(err, PKO_EINVAL, "completed_on",
                             "a completed measure gives completed_on");
    if (done && !pko_field_merged(f, cur, "evidence"))
        return pko_err_field(err, PKO_EINVAL, "evidence",
                             "a completed measure says what shows it is done (evidence)");
    if (!done && pko_field_merged(f, cur, "completed_on"))
        return pko_err_field(err, PKO_EINVAL, "completed_on",
                             "completed_on is set only with status completed");
    return PKO_OK;
}

/* ==== Handler helpers ==================================================== */

static pko_rc may_write(pko_req *req, const char *mission_id, pko_err *err)
{
    char acr[40];
    pko_rc rc = missions_acronym(req, mission_id, acr, err);
    return rc ? rc : pko_req_require(req, "performance.write", acr, err);
}

static pko_rc get_scoped(pko_req *req, const pko_entity *e, const char *id, json_t **out,
                         pko_err *err)
{
    pko_scope sc;
    pko_req_scope(req, "performance.read", &sc);
    return pko_db_get(pko_req_db(req), e, &sc, pko_req_actor(req), id, out, err);
}

static pko_rc check_class(pko_req *req, json_t *b, pko_err *err)
{
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    return PKO_OK;
}

static void add_labels(json_t *ev)
{
    const char *c = json_string_value(json_object_get(ev, "component"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(ev, "ratings"), i, r)
    {
        const char *l = perf_rating_label(c, (int)json_integer_value(json_object_get(r, "rating")));
        if (l)
            json_object_set_new(r, "label", json_string(l));
    }
    json_object_set_new(ev, "scale_max", json_integer(perf_scale_max(c)));
}

static pko_rc reply_eval(pko_req *req, const char *id, int status, pko_err *err)
{
    json_t *ev;
    pko_rc rc = get_scoped(req, &pko_entity_perf_evaluation, id, &ev, err);
    if (rc)
        return rc;
    add_labels(ev);
    pko_req_reply(req, status, ev);
    return PKO_OK;
}

#define SCOPE_SQL                                                                                 \
    " (?1 OR mission_id IN (SELECT id FROM missions WHERE acronym IN"                            \
    " (SELECT value FROM json_each(?2)))) AND classification <= ?3"

static void bind_scope(pko_stmt *s, const pko_scope *sc)
{
    sqlite3_bind_int(s, 1, sc->all_missions);
    sqlite3_bind_text(s, 2, sc->missions_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, sc->clearance);
}

/* Read the records 'ids' of 'e' through the store (scope, audit of
 * confidential reads) in one transaction. */
static pko_rc read_all(pko_req *req, const pko_entity *e, json_t *ids, json_t **out, pko_err *err)
{
    *out = json_array();
    if (!json_array_size(ids))
        return PKO_OK;
    pko_db *db = pko_req_db(req);
    pko_scope sc;
    pko_req_scope(req, "performance.read", &sc);
    pko_tx *tx = NULL;
    pko_rc rc = pko_tx_begin(db, pko_req_actor(req), &tx, err);
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (rc)
            break;
        json_t *rec;
        rc = pko_db_get(db, e, &sc, pko_req_actor(req), json_string_value(id), &rec, err);
        if (rc == PKO_ENOTFOUND) { /* raced with nothing: scope already applied */
            pko_err_clear(err);
            rc = PKO_OK;
            continue;
        }
        if (!rc)
            json_array_append_new(*out, rec);
    }
    if (!rc)
        rc = pko_tx_commit(tx, err);
    else if (tx)
        pko_tx_rollback(tx);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static pko_rc ids_of(pko_req *req, const char *sql, const char *const *binds, size_t nb,
                     int limit, json_t **ids, pko_err *err)
{
    pko_db *db = pko_req_db(req);
    pko_scope sc;
    pko_req_scope(req, "performance.read", &sc);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    bind_scope(s, &sc);
    for (size_t i = 0; i < nb; i++)
        if (binds[i])
            sqlite3_bind_text(s, (int)(4 + i), binds[i], -1, SQLITE_TRANSIENT);
    if (limit > 0)
        sqlite3_bind_int(s, (int)(4 + nb), limit);
    *ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(*ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    if (rc) {
        json_decref(*ids);
        *ids = NULL;
    }
    return rc;
}

/* A pledge named by an evaluation must exist and be of the evaluated unit's
 * type and contributing country (the unit as pledged). */
static pko_rc check_pledge(pko_req *req, json_t *b, const json_t *cur, pko_err *err)
{
    const char *pid = json_string_value(json_object_get(b, "pledge_id"));
    if (!pid)
        return PKO_OK;
    pko_scope sc;
    pko_req_scope(req, "pcrs.read", &sc);
    json_t *p;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_pledge, &sc, pko_req_actor(req), pid,
                           &p, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "pledge_id", "no pledge %.40s", pid);
    }
    if (rc)
        return rc;
    json_t *type = pko_field_merged(b, cur, "unit_type"), *country = pko_field_merged(b, cur, "contributing_country");
    bool same = json_equal(json_object_get(p, "unit_type"), type) &&
                json_equal(json_object_get(p, "country"), country);
    json_decref(p);
    if (!same)
        return pko_err_field(err, PKO_EINVAL, "pledge_id",
                             "pledge %.40s is not a %s of %s", pid, json_string_value(type),
                             json_string_value(country));
    return PKO_OK;
}

/* ==== Evaluation handlers ================================================ */

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *kind = pko_req_query(req, "kind");
    const char *comp = pko_req_query(req, "component");
    if (kind && !pko_field_in(perf_kinds, kind))
        return pko_err_field(err, PKO_EINVAL, "kind", "unknown kind %.64s", kind);
    if (comp && strcmp(comp, "military") && strcmp(comp, "police"))
        return pko_err_field(err, PKO_EINVAL, "component", "component is military or police");
    const char *binds[6] = {pko_req_query(req, "mission_id"), pko_req_query(req, "unit_name"),
                            kind, comp, pko_req_query(req, "contributing_country"),
                            cursor ? cursor : ""};
    json_t *ids, *items;
    rc = ids_of(req,
                "SELECT id FROM perf_evaluations WHERE" SCOPE_SQL
                " AND (?4 IS NULL OR mission_id = ?4) AND (?5 IS NULL OR unit_name = ?5)"
                " AND (?6 IS NULL OR kind = ?6) AND (?7 IS NULL OR component = ?7)"
                " AND (?8 IS NULL OR contributing_country = ?8) AND id > ?9"
                " ORDER BY id LIMIT ?10",
                binds, 6, limit, &ids, err);
    if (rc)
        return rc;
    rc = read_all(req, &pko_entity_perf_evaluation, ids, &items, err);
    size_t n = json_array_size(ids);
    json_t *next = n == (size_t)limit ? json_copy(json_array_get(ids, n - 1)) : json_null();
    json_decref(ids);
    if (rc) {
        json_decref(next);
        return rc;
    }
    size_t i;
    json_t *ev;
    json_array_foreach(items, i, ev) add_labels(ev);
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc h_get(pko_req *req, pko_err *err)
{
    return reply_eval(req, pko_req_param(req, "id"), 200, err);
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    char today[11];
    pko_today(today);
    rc = perf_evaluation_validate(b, 1, NULL, today, err);
    if (!rc)
        rc = may_write(req, json_string_value(json_object_get(b, "mission_id")), err);
    if (!rc)
        rc = check_pledge(req, b, NULL, err);
    if (!rc && !json_object_get(b, "classification"))
        json_object_set_new(b, "classification", json_string("confidential"));
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, &pko_entity_perf_evaluation, b, id, err);
    if (rc) {
        pko_tx_rollback(tx);
        if (rc == PKO_ECONFLICT || strstr(err->msg, "UNIQUE")) {
            pko_err_clear(err);
            return pko_err_field(err, PKO_ECONFLICT, "period",
                                 "this unit already has an in-mission evaluation for period %s",
                                 json_string_value(json_object_get(b, "period")));
        }
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    char loc[160];
    snprintf(loc, sizeof(loc), "/api/v1/unit-evaluations/%s", id);
    pko_req_add_header(req, "Location", loc);
    return reply_eval(req, id, 201, err);
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *cur;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = get_scoped(req, &pko_entity_perf_evaluation, id, &cur, err);
    if (rc)
        return rc;
    int64_t expect = 0;
    json_t *ver = json_object_get(b, "version");
    if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be the record's version");
    else if (ver) {
        expect = json_integer_value(ver);
        json_object_del(b, "version");
    }
    char today[11];
    pko_today(today);
    if (!rc)
        rc = may_write(req, json_string_value(json_object_get(cur, "mission_id")), err);
    if (!rc)
        rc = perf_evaluation_validate(b, 0, cur, today, err);
    if (!rc)
        rc = check_pledge(req, b, cur, err);
    if (!rc && json_object_get(b, "classification"))
        rc = pko_err_field(err, PKO_EINVAL, "classification",
                           "an evaluation's classification is set when it is recorded (its plan "
                           "and measures carry it)");
    json_decref(cur);
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_perf_evaluation, id, b,
                       expect, err);
    return rc ? rc : reply_eval(req, id, 200, err);
}

static pko_rc h_history(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *cur, *h;
    pko_rc rc = get_scoped(req, &pko_entity_perf_evaluation, id, &cur, err);
    if (rc)
        return rc;
    json_decref(cur);
    rc = pko_db_history(pko_req_db(req), pko_entity_perf_evaluation.name, id, &h, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, json_pack("{s:o}", "items", h));
    return PKO_OK;
}

/* ==== Plans and measures ================================================= */

/* The plan of evaluation 'eid' with its measures, or PKO_ENOTFOUND. */
static pko_rc load_plan(pko_req *req, const char *eid, json_t **out, pko_err *err)
{
    const char *b1[1] = {eid};
    json_t *ids, *plans, *mids, *measures;
    pko_rc rc = ids_of(req, "SELECT id FROM perf_plans WHERE" SCOPE_SQL " AND evaluation_id = ?4",
                       b1, 1, 0, &ids, err);
    if (rc)
        return rc;
    rc = read_all(req, &pko_entity_perf_plan, ids, &plans, err);
    json_decref(ids);
    if (rc)
        return rc;
    if (!json_array_size(plans)) {
        json_decref(plans);
        return pko_err_set(err, PKO_ENOTFOUND, "evaluation %.40s has no improvement plan", eid);
    }
    json_t *plan = json_incref(json_array_get(plans, 0));
    json_decref(plans);
    const char *b2[1] = {json_string_value(json_object_get(plan, "id"))};
    rc = ids_of(req,
                "SELECT id FROM perf_measures WHERE" SCOPE_SQL " AND plan_id = ?4"
                " ORDER BY due_on, id",
                b2, 1, 0, &mids, err);
    if (!rc) {
        rc = read_all(req, &pko_entity_perf_measure, mids, &measures, err);
        json_decref(mids);
    }
    if (rc) {
        json_decref(plan);
        return rc;
    }
    char today[11];
    pko_today(today);
    size_t i, open = 0, overdue = 0;
    json_t *m;
    json_array_foreach(measures, i, m)
    {
        const char *st = json_string_value(json_object_get(m, "status"));
        bool is_open = strcmp(st, "planned") == 0 || strcmp(st, "in_progress") == 0;
        bool late = is_open && strcmp(json_string_value(json_object_get(m, "due_on")), today) < 0;
        json_object_set_new(m, "overdue", json_boolean(late));
        open += is_open;
        overdue += late;
    }
    json_object_set_new(plan, "measures", measures);
    json_object_set_new(plan, "open_measures", json_integer((json_int_t)open));
    json_object_set_new(plan, "overdue_measures", json_integer((json_int_t)overdue));
    *out = plan;
    return PKO_OK;
}

static pko_rc h_plan_get(pko_req *req, pko_err *err)
{
    const char *eid = pko_req_param(req, "id");
    json_t *ev, *plan;
    pko_rc rc = get_scoped(req, &pko_entity_perf_evaluation, eid, &ev, err);
    if (rc)
        return rc;
    json_decref(ev);
    rc = load_plan(req, eid, &plan, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, plan);
    return PKO_OK;
}

/* Insert measure 'm' (validated) of 'plan' in 'tx'. */
static pko_rc insert_measure(pko_tx *tx, json_t *m, const char *plan_id, const char *mission_id,
                             const char *cls, pko_err *err)
{
    if (!json_object_get(m, "status"))
        json_object_set_new(m, "status", json_string("planned"));
    json_object_set_new(m, "plan_id", json_string(plan_id));
    json_object_set_new(m, "mission_id", json_string(mission_id));
    json_object_set_new(m, "classification", json_string(cls));
    char id[PKO_ID_LEN];
    return pko_tx_insert(tx, &pko_entity_perf_measure, m, id, err);
}

/* A measure that names a shortfall must name one of the evaluation's. */
static pko_rc check_shortfall_ref(json_t *m, json_t *ev, size_t i, pko_err *err)
{
    const char *std = json_string_value(json_object_get(m, "shortfall_standard"));
    if (!std)
        return PKO_OK;
    size_t j;
    json_t *s;
    json_array_foreach(json_object_get(ev, "shortfalls"), j, s)
    {
        if (strcmp(std, json_string_value(json_object_get(s, "standard"))) == 0)
            return PKO_OK;
    }
    return pko_err_field(err, PKO_EINVAL, "measures",
                         "measures[%zu].shortfall_standard %s is not a shortfall of the "
                         "evaluation",
                         i, std);
}

static pko_rc h_plan_create(pko_req *req, pko_err *err)
{
    const char *eid = pko_req_param(req, "id");
    json_t *b, *ev;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = get_scoped(req, &pko_entity_perf_evaluation, eid, &ev, err);
    if (rc)
        return rc;
    const char *mid = json_string_value(json_object_get(ev, "mission_id"));
    char today[11];
    pko_today(today);
    rc = may_write(req, mid, err);
    if (!rc) {
        static const char q[] = "SELECT 1 FROM perf_plans WHERE evaluation_id = ?1";
        pko_stmt *st;
        int row = 0;
        rc = pko_db_prepare(pko_req_db(req), q, &st, err);
        if (!rc) {
            sqlite3_bind_text(st, 1, eid, -1, SQLITE_TRANSIENT);
            rc = pko_db_step(pko_req_db(req), st, &row, err);
            sqlite3_reset(st);
        }
        if (!rc && row)
            rc = pko_err_set(err, PKO_ECONFLICT,
                             "evaluation %.40s already has an improvement plan: add measures "
                             "with POST /api/v1/unit-evaluations/plans/{id}/measures",
                             eid);
    }
    json_t *measures = json_object_get(b, "measures");
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        if (!rc && strcmp(k, "measures") != 0 && strcmp(k, "summary") != 0)
            rc = pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a plan", k);
    }
    if (!rc)
        rc = pko_field_text(b, "summary", 4000, err);
    if (!rc && (!json_is_array(measures) || json_array_size(measures) == 0 ||
                json_array_size(measures) > 64))
        rc = pko_err_field(err, PKO_EINVAL, "measures",
                           "measures must be a non-empty array of remedial measures");
    size_t i;
    json_t *m;
    json_array_foreach(measures, i, m)
    {
        if (rc)
            break;
        pko_err me;
        pko_err_clear(&me);
        if (perf_measure_validate(m, 1, NULL, today, &me)) {
            rc = pko_err_field(err, PKO_EINVAL, "measures", "measures[%zu]: %s", i, me.msg);
            break;
        }
        rc = check_shortfall_ref(m, ev, i, err);
    }
    /* Every major or critical shortfall is remedied by at least one measure. */
    json_t *s;
    json_array_foreach(json_object_get(ev, "shortfalls"), i, s)
    {
        if (rc || strcmp(json_string_value(json_object_get(s, "severity")), "minor") == 0)
            continue;
        const char *std = json_string_value(json_object_get(s, "standard"));
        bool covered = false;
        size_t j;
        json_array_foreach(measures, j, m)
        {
            const char *ms = json_string_value(json_object_get(m, "shortfall_standard"));
            if (ms && strcmp(ms, std) == 0)
                covered = true;
        }
        if (!covered)
            rc = pko_err_field(err, PKO_EINVAL, "measures",
                               "the %s shortfall in %s has no remedial measure",
                               json_string_value(json_object_get(s, "severity")), std);
    }
    if (rc) {
        json_decref(ev);
        return rc;
    }
    const char *cls = json_string_value(json_object_get(ev, "classification"));
    json_t *plan = json_pack("{s:s, s:s, s:s, s:s, s:s}", "evaluation_id", eid, "mission_id", mid,
                             "status", "open", "opened_on", today, "classification", cls);
    if (json_object_get(b, "summary"))
        json_object_set(plan, "summary", json_object_get(b, "summary"));
    pko_tx *tx;
    char pid[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (!rc) {
        rc = pko_tx_insert(tx, &pko_entity_perf_plan, plan, pid, err);
        if (rc && strstr(err->msg, "UNIQUE")) {
            pko_err_clear(err);
            rc = pko_err_set(err, PKO_ECONFLICT, "evaluation %.40s already has an improvement plan",
                             eid);
        }
        json_array_foreach(measures, i, m)
        {
            if (rc)
                break;
            rc = insert_measure(tx, m, pid, mid, cls, err);
        }
        if (rc)
            pko_tx_rollback(tx);
        else
            rc = pko_tx_commit(tx, err);
    }
    json_decref(plan);
    json_decref(ev);
    if (rc)
        return rc;
    json_t *out;
    rc = load_plan(req, eid, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, out);
    return PKO_OK;
}

static pko_rc h_measure_add(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    json_t *b, *plan, *ev = NULL;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = get_scoped(req, &pko_entity_perf_plan, pid, &plan, err);
    if (rc)
        return rc;
    const char *mid = json_string_value(json_object_get(plan, "mission_id"));
    char today[11];
    pko_today(today);
    rc = may_write(req, mid, err);
    if (!rc && strcmp(json_string_value(json_object_get(plan, "status")), "open") != 0)
        rc = pko_err_set(err, PKO_ECONFLICT, "the plan is closed");
    if (!rc)
        rc = perf_measure_validate(b, 1, NULL, today, err);
    if (!rc)
        rc = get_scoped(req, &pko_entity_perf_evaluation,
                        json_string_value(json_object_get(plan, "evaluation_id")), &ev, err);
    if (!rc)
        rc = check_shortfall_ref(b, ev, 0, err);
    if (rc == PKO_EINVAL && strcmp(err->field, "measures") == 0)
        snprintf(err->field, sizeof(err->field), "shortfall_standard");
    json_decref(ev);
    if (rc) {
        json_decref(plan);
        return rc;
    }
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (!rc) {
        rc = insert_measure(tx, b, pid, mid,
                            json_string_value(json_object_get(plan, "classification")), err);
        if (rc)
            pko_tx_rollback(tx);
        else
            rc = pko_tx_commit(tx, err);
    }
    char eid[PKO_ID_LEN];
    snprintf(eid, sizeof(eid), "%s", json_string_value(json_object_get(plan, "evaluation_id")));
    json_decref(plan);
    if (rc)
        return rc;
    json_t *out;
    rc = load_plan(req, eid, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, out);
    return PKO_OK;
}

static pko_rc h_measure_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *cur;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = get_scoped(req, &pko_entity_perf_measure, id, &cur, err);
    if (rc)
        return rc;
    char today[11];
    pko_today(today);
    int64_t expect = 0;
    json_t *ver = json_object_get(b, "version");
    if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be the record's version");
    else if (ver) {
        expect = json_integer_value(ver);
        json_object_del(b, "version");
    }
    if (!rc)
        rc = may_write(req, json_string_value(json_object_get(cur, "mission_id")), err);
    if (!rc)
        rc = perf_measure_validate(b, 0, cur, today, err);
    if (!rc && json_object_get(b, "shortfall_standard"))
        rc = pko_err_field(err, PKO_EINVAL, "shortfall_standard",
                           "a measure's shortfall cannot change; add another measure");
    json_t *plan = NULL;
    if (!rc)
        rc = get_scoped(req, &pko_entity_perf_plan,
                        json_string_value(json_object_get(cur, "plan_id")), &plan, err);
    if (!rc && strcmp(json_string_value(json_object_get(plan, "status")), "open") != 0)
        rc = pko_err_set(err, PKO_ECONFLICT, "the plan is closed: its measures no longer change");
    char eid[PKO_ID_LEN] = "";
    if (plan)
        snprintf(eid, sizeof(eid), "%s", json_string_value(json_object_get(plan, "evaluation_id")));
    json_decref(plan);
    json_decref(cur);
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_perf_measure, id, b, expect,
                       err);
    if (rc)
        return rc;
    json_t *out;
    rc = get_scoped(req, &pko_entity_perf_measure, id, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

/* Close a plan: only when every measure is completed or cancelled. */
static pko_rc h_plan_close(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    json_t *plan;
    pko_rc rc = get_scoped(req, &pko_entity_perf_plan, pid, &plan, err);
    if (rc)
        return rc;
    char eid[PKO_ID_LEN];
    snprintf(eid, sizeof(eid), "%s", json_string_value(json_object_get(plan, "evaluation_id")));
    rc = may_write(req, json_string_value(json_object_get(plan, "mission_id")), err);
    if (!rc && strcmp(json_string_value(json_object_get(plan, "status")), "open") != 0)
        rc = pko_err_set(err, PKO_ECONFLICT, "the plan is already closed");
    json_decref(plan);
    if (rc)
        return rc;
    /* Count open measures over every measure of the plan, whatever the
     * caller's clearance: a measure hidden from the caller still counts. */
    static const char q[] = "SELECT count(*) FROM perf_measures WHERE plan_id = ?1"
                            " AND status IN ('planned', 'in_progress')";
    char today[11];
    pko_today(today);
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    pko_stmt *s;
    int row;
    int64_t open = 0;
    rc = pko_db_prepare(pko_tx_db(tx), q, &s, err);
    if (!rc) {
        sqlite3_bind_text(s, 1, pid, -1, SQLITE_TRANSIENT);
        rc = pko_db_step(pko_tx_db(tx), s, &row, err);
        open = row ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
    }
    if (!rc && open)
        rc = pko_err_set(err, PKO_ECONFLICT,
                         "%lld remedial measure(s) are still planned or in progress: complete or "
                         "cancel them before closing the plan",
                         (long long)open);
    if (!rc) {
        json_t *f = json_pack("{s:s, s:s}", "status", "closed", "closed_on", today);
        rc = pko_tx_update(tx, &pko_entity_perf_plan, pid, f, 0, err);
        json_decref(f);
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    json_t *out;
    rc = load_plan(req, eid, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

/* ==== Summary ============================================================ */

/* Per unit of the caller's missions: its latest evaluation, the number of
 * evaluations, open and overdue measures, and for formed police units
 * whether the quarterly evaluation of the last complete quarter is
 * missing. */
static pko_rc h_summary(pko_req *req, pko_err *err)
{
    const char *mission = pko_req_query(req, "mission_id");
    pko_scope sc;
    pko_req_scope(req, "performance.read", &sc);
    char today[11], q[8], last_q[24];
    pko_today(today);
    perf_quarter_of(today, q);
    int y = atoi(q) % 10000, n = q[6] - '0';
    snprintf(last_q, sizeof(last_q), "%04d-Q%d", n == 1 ? y - 1 : y, n == 1 ? 4 : n - 1);
    static const char sql[] =
        "SELECT e.mission_id, e.unit_name, max(e.component), max(e.contributing_country),"
        " count(*),"
        " (SELECT e2.id FROM perf_evaluations e2 WHERE e2.mission_id = e.mission_id AND"
        "  e2.unit_name = e.unit_name AND e2.classification <= ?3"
        "  ORDER BY e2.evaluated_on DESC, e2.id DESC LIMIT 1),"
        " max(CASE WHEN e.kind = 'in_mission' THEN e.period END),"
        " (SELECT count(*) FROM perf_measures m JOIN perf_plans p ON p.id = m.plan_id"
        "  JOIN perf_evaluations e3 ON e3.id = p.evaluation_id WHERE e3.mission_id ="
        "  e.mission_id AND e3.unit_name = e.unit_name AND m.classification <= ?3 AND"
        "  m.status IN ('planned', 'in_progress')),"
        " (SELECT count(*) FROM perf_measures m JOIN perf_plans p ON p.id = m.plan_id"
        "  JOIN perf_evaluations e3 ON e3.id = p.evaluation_id WHERE e3.mission_id ="
        "  e.mission_id AND e3.unit_name = e.unit_name AND m.classification <= ?3 AND"
        "  m.status IN ('planned', 'in_progress') AND m.due_on < ?5)"
        " FROM perf_evaluations e WHERE"
        " (?1 OR e.mission_id IN (SELECT id FROM missions WHERE acronym IN"
        " (SELECT value FROM json_each(?2)))) AND e.classification <= ?3"
        " AND (?4 IS NULL OR e.mission_id = ?4)"
        " GROUP BY e.mission_id, e.unit_name ORDER BY e.mission_id, e.unit_name";
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    bind_scope(s, &sc);
    if (mission)
        sqlite3_bind_text(s, 4, mission, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, today, -1, SQLITE_TRANSIENT);
    json_t *units = json_array(), *latest_ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        const char *comp = (const char *)sqlite3_column_text(s, 2);
        const char *lastp = (const char *)sqlite3_column_text(s, 6);
        bool police = comp && strcmp(comp, "police") == 0;
        json_t *u = json_pack(
            "{s:s, s:s, s:s, s:s, s:I, s:o, s:I, s:I}", "mission_id",
            (const char *)sqlite3_column_text(s, 0), "unit_name",
            (const char *)sqlite3_column_text(s, 1), "component", comp, "contributing_country",
            (const char *)sqlite3_column_text(s, 3), "evaluations",
            (json_int_t)sqlite3_column_int64(s, 4), "last_period",
            lastp ? json_string(lastp) : json_null(), "open_measures",
            (json_int_t)sqlite3_column_int64(s, 7), "overdue_measures",
            (json_int_t)sqlite3_column_int64(s, 8));
        json_object_set_new(u, "quarterly_evaluation_due",
                            json_boolean(police && (!lastp || strcmp(lastp, last_q) < 0)));
        json_array_append_new(latest_ids, json_string((const char *)sqlite3_column_text(s, 5)));
        json_array_append_new(units, u);
    }
    sqlite3_reset(s);
    json_t *latest = NULL;
    if (!rc)
        rc = read_all(req, &pko_entity_perf_evaluation, latest_ids, &latest, err);
    if (!rc) {
        size_t i;
        json_t *u;
        json_array_foreach(units, i, u)
        {
            json_t *ev = NULL;
            size_t j;
            json_t *x;
            json_array_foreach(latest, j, x)
            {
                if (json_equal(json_object_get(x, "id"), json_array_get(latest_ids, i)))
                    ev = x;
            }
            json_object_set_new(
                u, "latest",
                ev ? json_pack("{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(ev, "id"),
                               "kind", json_object_get(ev, "kind"), "evaluated_on",
                               json_object_get(ev, "evaluated_on"), "period",
                               json_object_get(ev, "period"), "overall_rating",
                               json_object_get(ev, "overall_rating"))
                   : json_null());
        }
    }
    json_decref(latest);
    json_decref(latest_ids);
    if (rc) {
        json_decref(units);
        return rc;
    }
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:s, s:s}", "items", units, "last_complete_quarter", last_q,
                            "definition",
                            "One row per unit (mission, unit name) of the caller's missions, up "
                            "to the caller's clearance. quarterly_evaluation_due: a formed "
                            "police unit whose latest in-mission evaluation is for a quarter "
                            "before the last complete quarter. Overdue: a planned or in-progress "
                            "measure whose due date has passed."));
    return PKO_OK;
}

static pko_rc h_standards(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *o = json_object();
    const char *const *lists[] = {perf_standards, perf_kinds, perf_measure_areas,
                                  perf_measure_statuses, severities, responsibles, levels};
    const char *names[] = {"standards",  "kinds",       "measure_areas", "measure_statuses",
                           "severities", "responsible", "levels"};
    for (size_t i = 0; i < 7; i++) {
        json_t *a = json_array();
        for (size_t j = 0; lists[i][j]; j++)
            json_array_append_new(a, json_string(lists[i][j]));
        json_object_set_new(o, names[i], a);
    }
    json_t *mil = json_array(), *pol = json_array();
    for (int r = 1; r <= 4; r++)
        json_array_append_new(mil, json_pack("{s:i, s:s}", "rating", r, "label",
                                             perf_rating_label("military", r)));
    for (int r = 1; r <= 5; r++)
        json_array_append_new(pol, json_pack("{s:i, s:s}", "rating", r, "label",
                                             perf_rating_label("police", r)));
    json_object_set_new(o, "scales", json_pack("{s:o, s:o}", "military", mil, "police", pol));
    pko_req_reply(req, 200, o);
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route perf_routes[] = {
    {"GET", "/api/v1/unit-evaluations", h_list, "performance.read", 0, 0},
    {"POST", "/api/v1/unit-evaluations", h_create, "performance.write", 0, 65536},
    {"GET", "/api/v1/unit-evaluations/summary", h_summary, "performance.read", 0, 0},
    {"GET", "/api/v1/unit-evaluations/standards", h_standards, "performance.read", 0, 0},
    {"PATCH", "/api/v1/unit-evaluations/measures/{id}", h_measure_update, "performance.write", 0,
     16384},
    {"POST", "/api/v1/unit-evaluations/plans/{id}/measures", h_measure_add, "performance.write", 0,
     16384},
    {"POST", "/api/v1/unit-evaluations/plans/{id}/close", h_plan_close, "performance.write", 0,
     1024},
    {"GET", "/api/v1/unit-evaluations/{id}", h_get, "performance.read", 0, 0},
    {"PATCH", "/api/v1/unit-evaluations/{id}", h_update, "performance.write", 0, 65536},
    {"GET", "/api/v1/unit-evaluations/{id}/history", h_history, "performance.read", 0, 0},
    {"GET", "/api/v1/unit-evaluations/{id}/plan", h_plan_get, "performance.read", 0, 0},
    {"POST", "/api/v1/unit-evaluations/{id}/plan", h_plan_create, "performance.write", 0, 131072},
};

static const pko_entity *const perf_entities[] = {
    &pko_entity_perf_evaluation, &pko_entity_perf_plan, &pko_entity_perf_measure};

const pko_module pko_module_performance = {
    .name = "performance",
    .summary = "unit performance: evaluations, improvement plans, remedial measures",
    .migrations = perf_migrations,
    .n_migrations = sizeof(perf_migrations) / sizeof(perf_migrations[0]),
    .entities = perf_entities,
    .n_entities = sizeof(perf_entities) / sizeof(perf_entities[0]),
    .perms = perf_perms,
    .n_perms = sizeof(perf_perms) / sizeof(perf_perms[0]),
    .routes = perf_routes,
    .n_routes = sizeof(perf_routes) / sizeof(perf_routes[0]),
};
