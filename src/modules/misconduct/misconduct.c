/* SPDX-License-Identifier: MIT
 *
 * The misconduct module: schema, validation, access and routes. The import
 * of the UN table of allegations is in import.c, the public statistics in
 * stats.c. See misconduct.h for the access rule and docs/conduct.md.
 *
 * How the access rule is enforced. Records carry their mission as an
 * acronym (the UN table names missions long closed, which PKO need not
 * hold), so the store's generic mission filter (scope_col, a missions.id)
 * does not apply: every read goes through visible() or the list query
 * below, which require a conduct_officer grant for the record's mission
 * (or all missions) or system_admin, and a clearance at or above the
 * record's classification. Records are never classified below
 * confidential, so every read the store performs is audited (pko_db_get
 * appends a "read" audit entry), and a list is read inside one transaction
 * so that its audit entries commit together with one sync.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/field.h"
#include "modules/misconduct/misconduct.h"

/* ==== Schema ============================================================= */

static const pko_migration misconduct_migrations[] = {
    {1, "CREATE TABLE misconduct_allegations("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
        " classification INTEGER NOT NULL DEFAULT 2 CHECK (classification >= 1),"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission TEXT NOT NULL CHECK (length(mission) BETWEEN 2 AND 32),"
        " category TEXT NOT NULL, allegation_types TEXT,"
        " personnel_type TEXT NOT NULL, personnel TEXT, personnel_count INTEGER"
        " CHECK (personnel_count IS NULL OR personnel_count >= 0),"
        " nationality TEXT,"
        " incident_from TEXT, incident_to TEXT, reported_on TEXT NOT NULL,"
        " victims_adult INTEGER CHECK (victims_adult IS NULL OR victims_adult >= 0),"
        " victims_child INTEGER CHECK (victims_child IS NULL OR victims_child >= 0),"
        " victims_unknown_age INTEGER"
        " CHECK (victims_unknown_age IS NULL OR victims_unknown_age >= 0),"
        " victims_note TEXT,"
        " investigating_entity TEXT, investigation_status TEXT, investigation_days INTEGER"
        " CHECK (investigation_days IS NULL OR investigation_days >= 0),"
        " nio_appointed TEXT, result TEXT, result_detail TEXT,"
        " interim_action TEXT, final_action TEXT, referral_criminal TEXT,"
        " paternity_claim INTEGER, paternity_established TEXT,"
        " victim_assistance_given INTEGER, victim_assistance TEXT,"
        " source TEXT, source_key TEXT UNIQUE, notes TEXT"
        ") STRICT;"
        "CREATE INDEX misconduct_mission ON misconduct_allegations(mission, id);"
        "CREATE INDEX misconduct_reported ON misconduct_allegations(reported_on);"},
};

static const pko_col allegation_cols[] = {
    {"mission", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"category", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"allegation_types", PKO_COL_JSON, 0},
    {"personnel_type", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"personnel", PKO_COL_JSON, 0},
    {"personnel_count", PKO_COL_INT, 0},
    {"nationality", PKO_COL_TEXT, 0},
    {"incident_from", PKO_COL_TEXT, 0},
    {"incident_to", PKO_COL_TEXT, 0},
    {"reported_on", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"victims_adult", PKO_COL_INT, 0},
    {"victims_child", PKO_COL_INT, 0},
    {"victims_unknown_age", PKO_COL_INT, 0},
    {"victims_note", PKO_COL_TEXT, 0},
    {"investigating_entity", PKO_COL_TEXT, 0},
    {"investigation_status", PKO_COL_TEXT, 0},
    {"investigation_days", PKO_COL_INT, 0},
    {"nio_appointed", PKO_COL_TEXT, 0},
    {"result", PKO_COL_TEXT, 0},
    {"result_detail", PKO_COL_TEXT, 0},
    {"interim_action", PKO_COL_TEXT, 0},
    {"final_action", PKO_COL_TEXT, 0},
    {"referral_criminal", PKO_COL_TEXT, 0},
    {"paternity_claim", PKO_COL_BOOL, 0},
    {"paternity_established", PKO_COL_TEXT, 0},
    {"victim_assistance_given", PKO_COL_BOOL, 0},
    {"victim_assistance", PKO_COL_TEXT, 0},
    {"source", PKO_COL_TEXT, 0},
    {"source_key", PKO_COL_TEXT, PKO_COL_READONLY},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_misconduct_allegation = {
    "misconduct_allegation", "misconduct_allegations",
    allegation_cols,         sizeof(allegation_cols) / sizeof(allegation_cols[0]),
    NULL,                    0};

static const pko_perm misconduct_perms[] = {
    {"misconduct.read", PKO_ROLE_CONDUCT_OFFICER,
     "read the misconduct register of one's missions (every read audited)", false},
    {"misconduct.write", PKO_ROLE_CONDUCT_OFFICER,
     "record and update allegations of misconduct in one's missions", false},
    {"misconduct.import", PKO_ROLE_CONDUCT_OFFICER,
     "import the UN table of allegations (all missions)", true},
};

/* ==== Vocabularies ======================================================= */

const char *const misconduct_categories[] = {
    "sexual_exploitation_and_abuse", "sexual_harassment", "prohibited_conduct", "fraud",
    "theft_or_misappropriation", "abuse_of_authority", "assault", "misuse_of_assets",
    "other", NULL};

const char *const misconduct_personnel_types[] = {
    "military_contingent",    "military_observer",     "military_staff_officer",
    "police_unpol",           "police_fpu",            "police_government_provided",
    "civilian_international", "civilian_national",     "civilian_unv",
    "civilian_contractor",    "civilian_vendor",       "civilian_daily_worker",
    "other",                  NULL};

static const char *const investigation_statuses[] = {"pending", "completed", "not_applicable",
                                                     NULL};
static const char *const nio_values[] = {"yes", "no_response", "declined", "pending",
                                         "not_applicable", NULL};
static const char *const results[] = {"pending",  "substantiated", "unsubstantiated",
                                      "incomplete", "not_applicable", NULL};
static const char *const tri_values[] = {"yes", "no", "pending", "not_applicable", NULL};

static const char *const known_fields[] = {
    "mission",           "category",          "allegation_types",     "personnel_type",
    "personnel",         "personnel_count",   "nationality",          "incident_from",
    "incident_to",       "reported_on",       "victims_adult",        "victims_child",
    "victims_unknown_age", "victims_note",    "investigating_entity", "investigation_status",
    "investigation_days", "nio_appointed",    "result",               "result_detail",
    "interim_action",    "final_action",      "referral_criminal",    "paternity_claim",
    "paternity_established", "victim_assistance_given", "victim_assistance", "source",
    "notes",             "classification",    NULL};

/* ==== Validation ========================================================= */

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool misconduct_is_partial_date(const char *s)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool sep = i == 4 || i == 7;
        if (sep ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    int y = atoi(s);
    if (y < 1945)
        return false;
    if (n == 4)
        return true;
    int m = atoi(s + 5);
    if (m < 1 || m > 12)
        return false;
    if (n == 7)
        return true;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int d = atoi(s + 8);
    return d >= 1 && d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

/* Compare two partial dates at the precision of the less precise one:
 * "2015" and "2015-06" are equal; "2015-07" is after "2015". */
static int cmp_partial(const char *a, const char *b)
{
    size_t n = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
    return strncmp(a, b, n);
}


static pko_rc check_count(json_t *f, const char *name, json_int_t max, pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (pko_field_null(v))
        return PKO_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return pko_err_field(err, PKO_EINVAL, name, "%s must be a whole number from 0 to %lld",
                             name, (long long)max);
    return PKO_OK;
}

static pko_rc check_text(json_t *f, const char *name, size_t max, pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (pko_field_null(v))
        return PKO_OK;
    if (!json_is_string(v) || strlen(json_string_value(v)) > max)
        return pko_err_field(err, PKO_EINVAL, name, "%s must be text of at most %zu bytes", name,
                             max);
    return PKO_OK;
}

static pko_rc check_date(json_t *f, const char *name, const char *today, pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (pko_field_null(v))
        return PKO_OK;
    const char *s = json_string_value(v);
    if (!misconduct_is_partial_date(s))
        return pko_err_field(err, PKO_EINVAL, name,
                             "%s must be a date YYYY-MM-DD, a month YYYY-MM or a year YYYY "
                             "(from 1945)",
                             name);
    if (today && cmp_partial(s, today) > 0)
        return pko_err_field(err, PKO_EINVAL, name, "%s %s is in the future (today is %s)", name,
                             s, today);
    return PKO_OK;
}

static bool is_acronym(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-' &&
            s[i] != '_')
            return false;
    return true;
}

/* The value a field will have after the write: the new one, else the
 * stored one. */
static json_t *merged(json_t *f, const json_t *cur, const char *name)
{
    json_t *v = json_object_get(f, name);
    if (!v && cur)
        v = json_object_get(cur, name);
    return json_is_null(v) ? NULL : v;
}

pko_rc misconduct_validate(json_t *f, int creating, const json_t *cur, const char *today,
                           pko_err *err)
{
    if (!json_is_object(f))
        return pko_err_set(err, PKO_EINVAL, "an allegation must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        if (!pko_field_in(known_fields, k))
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of an allegation", k);
    }
    if (creating) {
        static const char *const req[] = {"mission", "category", "personnel_type",
                                          "reported_on"};
        for (size_t i = 0; i < 4; i++)
            if (pko_field_null(json_object_get(f, req[i])))
                return pko_err_field(err, PKO_EINVAL, req[i],
                                     "%s is required: every allegation names its %s", req[i],
                                     strcmp(req[i], "reported_on") == 0 ? "date of report"
                                                                        : req[i]);
    } else {
        if (json_object_get(f, "mission"))
            return pko_err_field(err, PKO_EINVAL, "mission",
                                 "mission cannot change; record the allegation again");
        static const char *const req[] = {"category", "personnel_type", "reported_on"};
        for (size_t i = 0; i < 3; i++) {
            json_t *r = json_object_get(f, req[i]);
            if (r && json_is_null(r))
                return pko_err_field(err, PKO_EINVAL, req[i], "%s cannot be removed", req[i]);
        }
    }
    pko_rc rc = PKO_OK;
    v = json_object_get(f, "mission");
    if (creating && !is_acronym(json_string_value(v)))
        return pko_err_field(err, PKO_EINVAL, "mission",
                             "mission must be a mission's acronym (2 to 32 capital letters, "
                             "digits or '-'), such as MINUSCA");
    if ((rc = pko_field_enum(f, "category", misconduct_categories, true, err)) ||
        (rc = pko_field_enum(f, "personnel_type", misconduct_personnel_types, true, err)) ||
        (rc = pko_field_enum(f, "investigation_status", investigation_statuses, false, err)) ||
        (rc = pko_field_enum(f, "nio_appointed", nio_values, false, err)) ||
        (rc = pko_field_enum(f, "result", results, false, err)) ||
        (rc = pko_field_enum(f, "referral_criminal", tri_values, false, err)) ||
        (rc = pko_field_enum(f, "paternity_established", tri_values, false, err)) ||
        (rc = check_count(f, "personnel_count", 100000, err)) ||
        (rc = check_count(f, "victims_adult", 100000, err)) ||
        (rc = check_count(f, "victims_child", 100000, err)) ||
        (rc = check_count(f, "victims_unknown_age", 100000, err)) ||
        (rc = check_count(f, "investigation_days", 36500, err)) ||
        (rc = check_text(f, "nationality", 120, err)) ||
        (rc = check_text(f, "victims_note", 1000, err)) ||
        (rc = check_text(f, "investigating_entity", 200, err)) ||
        (rc = check_text(f, "result_detail", 2000, err)) ||
        (rc = check_text(f, "interim_action", 2000, err)) ||
        (rc = check_text(f, "final_action", 2000, err)) ||
        (rc = check_text(f, "victim_assistance", 4000, err)) ||
        (rc = check_text(f, "source", 500, err)) ||
        (rc = check_text(f, "notes", 8000, err)) ||
        (rc = check_date(f, "reported_on", today, err)) ||
        (rc = check_date(f, "incident_from", today, err)) ||
        (rc = check_date(f, "incident_to", today, err)))
        return rc;
    v = json_object_get(f, "classification");
    if (v && (!json_is_string(v) || pko_class_parse(json_string_value(v)) < PKO_CLASS_CONFIDENTIAL))
        return pko_err_field(err, PKO_EINVAL, "classification",
                             "an allegation is classified confidential or strictly_confidential, "
                             "never lower");
    static const char *const bools[] = {"paternity_claim", "victim_assistance_given"};
    for (size_t i = 0; i < 2; i++) {
        v = json_object_get(f, bools[i]);
        if (!pko_field_null(v) && !json_is_boolean(v))
            return pko_err_field(err, PKO_EINVAL, bools[i], "%s must be true or false", bools[i]);
    }
    v = json_object_get(f, "allegation_types");
    if (!pko_field_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > 32)
            return pko_err_field(err, PKO_EINVAL, "allegation_types",
                                 "allegation_types must be an array of at most 32 texts such as "
                                 "\"SA (Rape)\"");
        size_t i;
        json_t *t;
        json_array_foreach(v, i, t)
        {
            if (!json_is_string(t) || !*json_string_value(t) ||
                strlen(json_string_value(t)) > 200)
                return pko_err_field(err, PKO_EINVAL, "allegation_types",
                                     "allegation_types[%zu] must be a non-empty text of at most "
                                     "200 bytes",
                                     i);
        }
    }
    v = json_object_get(f, "personnel");
    if (!pko_field_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > 32)
            return pko_err_field(err, PKO_EINVAL, "personnel",
                                 "personnel must be an array of at most 32 {type, count}");
        size_t i;
        json_t *p;
        json_array_foreach(v, i, p)
        {
            json_t *t = json_object_get(p, "type"), *c = json_object_get(p, "count");
            if (!json_is_object(p) || !pko_field_in(misconduct_personnel_types, json_string_value(t)) ||
                (!pko_field_null(c) && (!json_is_integer(c) || json_integer_value(c) < 0 ||
                                  json_integer_value(c) > 100000)) ||
                json_object_size(p) > 2)
                return pko_err_field(err, PKO_EINVAL, "personnel",
                                     "personnel[%zu] must be {\"type\": a personnel type, "
                                     "\"count\": a whole number or null}",
                                     i);
        }
    }
    /* Cross-field rules on the record as it will be. */
    json_t *from = merged(f, cur, "incident_from"), *to = merged(f, cur, "incident_to"),
           *rep = merged(f, cur, "reported_on");
    if (to && !from)
        return pko_err_field(err, PKO_EINVAL, "incident_from",
                             "incident_from is required when incident_to is given");
    if (from && to && cmp_partial(json_string_value(to), json_string_value(from)) < 0)
        return pko_err_field(err, PKO_EINVAL, "incident_to",
                             "incident_to %s is before incident_from %s", json_string_value(to),
                             json_string_value(from));
    if (from && rep && cmp_partial(json_string_value(from), json_string_value(rep)) > 0)
        return pko_err_field(err, PKO_EINVAL, "reported_on",
                             "reported_on %s is before the incident (incident_from %s): an "
                             "allegation cannot be reported before it occurred",
                             json_string_value(rep), json_string_value(from));
    json_t *pc = merged(f, cur, "paternity_claim");
    json_t *pe = merged(f, cur, "paternity_established");
    if (pe && json_is_string(pe) && strcmp(json_string_value(pe), "not_applicable") != 0 &&
        !json_is_true(pc))
        return pko_err_field(err, PKO_EINVAL, "paternity_established",
                             "paternity_established needs paternity_claim true");
    json_t *days = merged(f, cur, "investigation_days");
    json_t *ist = merged(f, cur, "investigation_status");
    if (days && ist && strcmp(json_string_value(ist), "completed") != 0)
        return pko_err_field(err, PKO_EINVAL, "investigation_days",
                             "investigation_days is the time a completed investigation took: "
                             "set investigation_status to completed");
    return PKO_OK;
}

/* ==== Access ============================================================= */

/* May the caller read records of 'mission' classified 'cls'? */
static bool may_read(const pko_principal *p, const char *mission, int cls)
{
    return p && cls <= p->clearance &&
           pko_principal_has_roles(p, PKO_ROLE_CONDUCT_OFFICER, mission);
}

/* Load the access attributes of record 'id'. PKO_ENOTFOUND with the same
 * message whether it does not exist or the caller may not see it. */
static pko_rc visible(pko_req *req, const char *id, char mission[40], pko_err *err)
{
    static const char q[] =
        "SELECT mission, classification FROM misconduct_allegations WHERE id = ?1";
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    bool ok = false;
    if (!rc && row) {
        snprintf(mission, 40, "%s", (const char *)sqlite3_column_text(s, 0));
        ok = may_read(pko_req_user(req), mission, sqlite3_column_int(s, 1));
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (!ok)
        return pko_err_set(err, PKO_ENOTFOUND, "no allegation with id %.40s", id);
    return PKO_OK;
}

static pko_scope read_scope(pko_req *req)
{
    pko_scope sc = {.clearance = pko_req_user(req)->clearance, .all_missions = true,
                    .missions_json = "[]"};
    return sc;
}

/* Read the records 'ids' (already filtered by access) inside one
 * transaction: each read is audited, and the entries commit together. */
static pko_rc read_audited(pko_req *req, json_t *ids, json_t **out, pko_err *err)
{
    *out = json_array();
    if (json_array_size(ids) == 0)
        return PKO_OK;
    pko_db *db = pko_req_db(req);
    pko_tx *tx;
    pko_rc rc = pko_tx_begin(db, pko_req_actor(req), &tx, err);
    if (rc) {
        json_decref(*out);
        return rc;
    }
    pko_scope sc = read_scope(req);
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        json_t *rec;
        rc = pko_db_get(db, &pko_entity_misconduct_allegation, &sc, pko_req_actor(req),
                        json_string_value(id), &rec, err);
        if (rc)
            break;
        json_object_del(rec, "source_key");
        json_array_append_new(*out, rec);
    }
    if (!rc)
        rc = pko_tx_commit(tx, err);
    else
        pko_tx_rollback(tx);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ==== Handlers =========================================================== */

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *mission = pko_req_query(req, "mission");
    const char *category = pko_req_query(req, "category");
    const char *year = pko_req_query(req, "year");
    const char *nat = pko_req_query(req, "nationality");
    const char *q = pko_req_query(req, "q");
    if (category && !pko_field_in(misconduct_categories, category))
        return pko_err_field(err, PKO_EINVAL, "category", "unknown category %.64s", category);
    if (year && (strlen(year) != 4 || !misconduct_is_partial_date(year)))
        return pko_err_field(err, PKO_EINVAL, "year", "year must be four digits, such as 2023");
    if (q && strlen(q) > 200)
        return pko_err_field(err, PKO_EINVAL, "q", "q must be at most 200 bytes");
    pko_scope scope;
    pko_req_scope(req, "misconduct.read", &scope);
    static const char sql[] =
        "SELECT id FROM misconduct_allegations"
        " WHERE (?1 OR mission IN (SELECT value FROM json_each(?2))) AND classification <= ?3"
        " AND (?4 IS NULL OR mission = ?4) AND (?5 IS NULL OR category = ?5)"
        " AND (?6 IS NULL OR substr(reported_on, 1, 4) = ?6)"
        " AND (?7 IS NULL OR nationality = ?7)"
        " AND (?8 IS NULL OR instr(lower(coalesce(nationality,'') || ' ' ||"
        " coalesce(allegation_types,'') || ' ' || coalesce(result_detail,'') || ' ' ||"
        " coalesce(final_action,'') || ' ' || coalesce(notes,'') || ' ' ||"
        " coalesce(investigating_entity,'')), lower(?8)) > 0)"
        " AND id > ?9 ORDER BY id LIMIT ?10";
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, scope.all_missions);
    sqlite3_bind_text(s, 2, scope.missions_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, scope.clearance);
    const char *binds[5] = {mission, category, year, nat, q};
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
    json_t *items = NULL;
    if (!rc)
        rc = read_audited(req, ids, &items, err);
    size_t n = json_array_size(ids);
    json_t *next = n == (size_t)limit ? json_copy(json_array_get(ids, n - 1)) : json_null();
    json_decref(ids);
    if (rc) {
        json_decref(next);
        return rc;
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc reply_one(pko_req *req, int status, const char *id, pko_err *err)
{
    json_t *ids = json_pack("[s]", id), *items;
    pko_rc rc = read_audited(req, ids, &items, err);
    json_decref(ids);
    if (rc)
        return rc;
    pko_req_reply(req, status, json_incref(json_array_get(items, 0)));
    json_decref(items);
    return PKO_OK;
}

static pko_rc h_get(pko_req *req, pko_err *err)
{
    char mission[40];
    const char *id = pko_req_param(req, "id");
    pko_rc rc = visible(req, id, mission, err);
    return rc ? rc : reply_one(req, 200, id, err);
}

/* Refuse a classification above the caller's clearance: they could not
 * read the record they write. */
static pko_rc check_class(pko_req *req, json_t *b, pko_err *err)
{
    json_t *c = json_object_get(b, "classification");
    if (c && pko_class_parse(json_string_value(c)) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    return PKO_OK;
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    char today[11];
    pko_today(today);
    rc = misconduct_validate(b, 1, NULL, today, err);
    if (!rc)
        rc = pko_req_require(req, "misconduct.write",
                             json_string_value(json_object_get(b, "mission")), err);
    if (!json_object_get(b, "classification"))
        json_object_set_new(b, "classification",
                            json_string(pko_class_name(pko_req_user(req)->clearance >=
                                                               PKO_CLASS_STRICTLY_CONFIDENTIAL
                                                           ? PKO_CLASS_STRICTLY_CONFIDENTIAL
                                                           : PKO_CLASS_CONFIDENTIAL)));
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    char id[PKO_ID_LEN];
    rc = pko_db_insert(pko_req_db(req), pko_req_actor(req), &pko_entity_misconduct_allegation, b,
                       id, err);
    return rc ? rc : reply_one(req, 201, id, err);
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    char mission[40];
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = visible(req, id, mission, err);
    if (!rc)
        rc = pko_req_require(req, "misconduct.write", mission, err);
    if (rc)
        return rc;
    int64_t expect = 0;
    json_t *ver = json_object_get(b, "version");
    if (ver) {
        if (!json_is_integer(ver) || json_integer_value(ver) < 1)
            return pko_err_field(err, PKO_EINVAL, "version",
                                 "version must be the record's version number");
        expect = json_integer_value(ver);
        json_object_del(b, "version");
    }
    json_t *cur;
    pko_scope sc = read_scope(req);
    /* This read is audited like any other. */
    rc = pko_db_get(pko_req_db(req), &pko_entity_misconduct_allegation, &sc, pko_req_actor(req),
                    id, &cur, err);
    if (rc)
        return rc;
    char today[11];
    pko_today(today);
    rc = misconduct_validate(b, 0, cur, today, err);
    json_decref(cur);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_misconduct_allegation, id,
                       b, expect, err);
    return rc ? rc : reply_one(req, 200, id, err);
}

static pko_rc h_history(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    char mission[40];
    pko_rc rc = visible(req, id, mission, err);
    if (rc)
        return rc;
    json_t *h;
    rc = pko_db_history(pko_req_db(req), pko_entity_misconduct_allegation.name, id, &h, err);
    if (rc)
        return rc;
    size_t i;
    json_t *c;
    json_array_foreach(h, i, c) json_object_del(json_object_get(c, "fields"), "source_key");
    rc = pko_db_audit(pko_req_db(req), pko_req_actor(req), "read_history",
                      pko_entity_misconduct_allegation.name, id, NULL, err);
    if (rc) {
        json_decref(h);
        return rc;
    }
    pko_req_reply(req, 200, json_pack("{s:o}", "items", h));
    return PKO_OK;
}

static pko_rc h_import(pko_req *req, pko_err *err)
{
    const char *data;
    size_t len;
    pko_req_raw_body(req, &data, &len);
    const char *cls = pko_req_query(req, "classification");
    int c = cls ? pko_class_parse(cls) : PKO_CLASS_STRICTLY_CONFIDENTIAL;
    if (c < PKO_CLASS_CONFIDENTIAL)
        return pko_err_field(err, PKO_EINVAL, "classification",
                             "classification must be confidential or strictly_confidential");
    if (c > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify records above your own clearance");
    misconduct_import_summary sum;
    json_t *rejected;
    pko_rc rc = misconduct_import(pko_req_db(req), pko_req_actor(req), data, len, c, &sum,
                                  &rejected, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200,
                  json_pack("{s:I, s:I, s:I, s:I, s:o}", "rows", (json_int_t)sum.rows, "inserted",
                            (json_int_t)sum.inserted, "unchanged", (json_int_t)sum.unchanged,
                            "rejected", (json_int_t)sum.rejected, "errors", rejected));
    return PKO_OK;
}

static pko_rc h_figure_iv(pko_req *req, pko_err *err)
{
    json_t *out;
    pko_rc rc = misconduct_figure_iv(pko_req_db(req), pko_req_query(req, "from"),
                                     pko_req_query(req, "to"), &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

static pko_rc h_statistics(pko_req *req, pko_err *err)
{
    json_t *out;
    pko_rc rc = misconduct_public_stats(pko_req_db(req), pko_req_query(req, "from"),
                                        pko_req_query(req, "to"), &out, err);
    if (rc)
        return rc;
    /* Tell the interface whether this caller may open the register. */
    json_object_set_new(out, "register_access",
                        json_boolean(pko_principal_has_roles(pko_req_user(req),
                                                             PKO_ROLE_CONDUCT_OFFICER, "*")));
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

static pko_rc h_vocab(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *cats = json_array(), *types = json_array();
    for (size_t i = 0; misconduct_categories[i]; i++)
        json_array_append_new(cats, json_string(misconduct_categories[i]));
    for (size_t i = 0; misconduct_personnel_types[i]; i++)
        json_array_append_new(types, json_string(misconduct_personnel_types[i]));
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "categories", cats, "personnel_types", types));
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route misconduct_routes[] = {
    {"GET", "/api/v1/misconduct", h_list, "misconduct.read", 0, 0},
    {"POST", "/api/v1/misconduct", h_create, "misconduct.write", 0, 65536},
    {"POST", "/api/v1/misconduct/import", h_import, "misconduct.import", PKO_ROUTE_RAW_BODY,
     8u << 20},
    {"GET", "/api/v1/misconduct/statistics", h_statistics, NULL, 0, 0},
    {"GET", "/api/v1/misconduct/figure-iv", h_figure_iv, NULL, 0, 0},
    {"GET", "/api/v1/misconduct/vocabulary", h_vocab, NULL, 0, 0},
    {"GET", "/api/v1/misconduct/{id}", h_get, "misconduct.read", 0, 0},
    {"PATCH", "/api/v1/misconduct/{id}", h_update, "misconduct.write", 0, 65536},
    {"GET", "/api/v1/misconduct/{id}/history", h_history, "misconduct.read", 0, 0},
};

static const pko_entity *const misconduct_entities[] = {&pko_entity_misconduct_allegation};

const pko_module pko_module_misconduct = {
    .name = "misconduct",
    .summary = "restricted misconduct and SEA register (conduct officers only), public figures",
    .migrations = misconduct_migrations,
    .n_migrations = sizeof(misconduct_migrations) / sizeof(misconduct_migrations[0]),
    .entities = misconduct_entities,
    .n_entities = sizeof(misconduct_entities) / sizeof(misconduct_entities[0]),
    .perms = misconduct_perms,
    .n_perms = sizeof(misconduct_perms) / sizeof(misconduct_perms[0]),
    .routes = misconduct_routes,
    .n_routes = sizeof(misconduct_routes) / sizeof(misconduct_routes[0]),
};
