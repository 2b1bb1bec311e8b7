/* SPDX-License-Identifier: MIT
 *
 * The accountability module: cases of crimes against peacekeepers and the
 * events of their national proceedings. Records are scoped to the mission
 * of the fatality; analysts, mission administrators and conduct officers
 * of the mission read them (they name no one: suspects are counted, not
 * identified); analysts and mission administrators record them. Events are
 * appended, never edited: a correction is a new case note, and the audit
 * trail keeps every write. Figure III aggregates them for everyone through
 * the reports module (counts only).
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/accountability/accountability.h"
#include "modules/fatalities/fatalities.h"

/* ==== Schema ============================================================= */

static const pko_migration acc_migrations[] = {
    {1, "CREATE TABLE accountability_cases("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " fatality_id TEXT NOT NULL UNIQUE REFERENCES fatalities(id),"
        " fatality_date TEXT NOT NULL,"
        " national_authority TEXT, reference TEXT,"
        " stage TEXT NOT NULL CHECK (stage IN ('registered','investigation_opened',"
        "'suspects_identified','arrested','prosecuted','convicted')),"
        " notes TEXT"
        ") STRICT;"
        "CREATE INDEX accountability_cases_mission ON accountability_cases(mission_id);"
        "CREATE TABLE accountability_events("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " case_id TEXT NOT NULL REFERENCES accountability_cases(id),"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " stage TEXT NOT NULL CHECK (stage IN ('investigation_opened','suspects_identified',"
        "'arrested','prosecuted','convicted')),"
        " event_date TEXT NOT NULL,"
        " individuals INTEGER NOT NULL CHECK (individuals BETWEEN 0 AND 1000),"
        " notes TEXT"
        ") STRICT;"
        "CREATE INDEX accountability_events_case ON accountability_events(case_id, event_date);"},
};

static const pko_col case_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"fatality_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"fatality_date", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"national_authority", PKO_COL_TEXT, 0},
    {"reference", PKO_COL_TEXT, 0},
    {"stage", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_acc_case = {"accountability_case",
                                        "accountability_cases",
                                        case_cols,
                                        sizeof(case_cols) / sizeof(case_cols[0]),
                                        "mission_id",
                                        0};

static const pko_col event_cols[] = {
    {"case_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"stage", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"event_date", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"individuals", PKO_COL_INT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_acc_event = {"accountability_event",
                                         "accountability_events",
                                         event_cols,
                                         sizeof(event_cols) / sizeof(event_cols[0]),
                                         "mission_id",
                                         0};

#define ACC_READERS (PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN | PKO_ROLE_CONDUCT_OFFICER)
static const pko_perm acc_perms[] = {
    {"accountability.read", ACC_READERS,
     "see the cases of crimes against peacekeepers of one's missions", false},
    {"accountability.write", PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN,
     "open cases and record the stages of national proceedings", false},
};

const char *const accountability_stages[] = {
    "investigation_opened", "suspects_identified", "arrested", "prosecuted", "convicted", NULL};
enum { S_INV, S_SUS, S_ARR, S_PRO, S_CON, S_N };

/* ==== The progression ====================================================== */

static int cmp_event(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(json_string_value(json_object_get(x, "event_date")),
                   json_string_value(json_object_get(y, "event_date")));
    if (c)
        return c;
    return fatalities_index(accountability_stages, json_string_value(json_object_get(x, "stage"))) -
           fatalities_index(accountability_stages, json_string_value(json_object_get(y, "stage")));
}

pko_rc accountability_check_progression(json_t *events, const char *fatality_date, pko_err *err)
{
    size_t n = json_array_size(events);
    json_t **ev = n ? calloc(n, sizeof(*ev)) : NULL;
    if (n && !ev)
        return pko_err_set(err, PKO_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        ev[i] = json_array_get(events, i);
    if (n)
        qsort(ev, n, sizeof(*ev), cmp_event);
    int64_t cum[S_N] = {0};
    const char *inv_date = NULL;
    pko_rc rc = PKO_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *date = json_string_value(json_object_get(ev[i], "event_date"));
        int st = fatalities_index(accountability_stages,
                                  json_string_value(json_object_get(ev[i], "stage")));
        int64_t k = json_integer_value(json_object_get(ev[i], "individuals"));
        if (strcmp(date, fatality_date) < 0) {
            rc = pko_err_field(err, PKO_EINVAL, "event_date", "%s is before the fatality (%s)",
                               date, fatality_date);
            break;
        }
        if (st == S_INV) {
            if (inv_date)
                rc = pko_err_field(err, PKO_EINVAL, "stage",
                                   "the national investigation was already opened on %s", inv_date);
            inv_date = date;
        } else if (!inv_date) {
            rc = pko_err_field(err, PKO_EINVAL, "stage",
                               "%s on %s needs a national investigation opened on or before "
                               "that date: record investigation_opened first",
                               accountability_stages[st], date);
        }
        cum[st] += k;
        /* Check once every event of the same date is in. */
        if (rc || (i + 1 < n &&
                   strcmp(json_string_value(json_object_get(ev[i + 1], "event_date")), date) == 0))
            continue;
        if (cum[S_CON] > cum[S_PRO])
            rc = cum[S_PRO] == 0
                     ? pko_err_field(err, PKO_EINVAL, "stage",
                                     "a conviction needs a prosecution: no one had been "
                                     "prosecuted in this case by %s",
                                     date)
                     : pko_err_field(err, PKO_EINVAL, "individuals",
                                     "%lld convicted by %s but only %lld prosecuted",
                                     (long long)cum[S_CON], date, (long long)cum[S_PRO]);
        else if (cum[S_PRO] > cum[S_SUS])
            rc = pko_err_field(err, PKO_EINVAL, "individuals",
                               "%lld prosecuted by %s but only %lld suspects identified",
                               (long long)cum[S_PRO], date, (long long)cum[S_SUS]);
        else if (cum[S_ARR] > cum[S_SUS])
            rc = pko_err_field(err, PKO_EINVAL, "individuals",
                               "%lld arrested or detained by %s but only %lld suspects "
                               "identified",
                               (long long)cum[S_ARR], date, (long long)cum[S_SUS]);
    }
    free(ev);
    return rc;
}

/* ==== Helpers ============================================================== */

/* The events of case 'id' as [{stage, event_date, individuals}]. */
static pko_rc load_events(pko_db *db, const char *case_id, json_t **out, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT stage, event_date, individuals FROM accountability_events"
                               " WHERE case_id = ?1 ORDER BY event_date, id",
                               &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, case_id, -1, SQLITE_TRANSIENT);
    json_t *arr = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:I}", "stage",
                                             (const char *)sqlite3_column_text(s, 0), "event_date",
                                             (const char *)sqlite3_column_text(s, 1), "individuals",
                                             (json_int_t)sqlite3_column_int64(s, 2)));
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}

/* The furthest stage reached by the events. */
static const char *stage_of(json_t *events)
{
    int best = -1;
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        int st =
            fatalities_index(accountability_stages, json_string_value(json_object_get(e, "stage")));
        if (st > best)
            best = st;
    }
    return best < 0 ? "registered" : accountability_stages[best];
}

static const char *const case_fields[] = {
    "fatality_id", "national_authority", "reference", "notes", "classification", "version", NULL};

static pko_rc check_texts(json_t *b, pko_err *err)
{
    static const char *const t[] = {"national_authority", "reference", "notes"};
    static const size_t max[] = {200, 100, 4000};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(b, t[i]);
        if (v && !json_is_null(v) && (!json_is_string(v) || strlen(json_string_value(v)) > max[i]))
            return pko_err_field(err, PKO_EINVAL, t[i], "%s must be text up to %zu characters",
                                 t[i], max[i]);
    }
    return PKO_OK;
}

/* The case with its events and totals per stage. */
static pko_rc case_json(pko_req *req, const pko_scope *scope, const char *id, json_t **out,
                        pko_err *err)
{
    json_t *c;
    pko_rc rc =
        pko_db_get(pko_req_db(req), &pko_entity_acc_case, scope, pko_req_actor(req), id, &c, err);
    if (rc)
        return rc;
    pko_stmt *s;
    rc = pko_db_prepare(pko_req_db(req),
                        "SELECT id FROM accountability_events WHERE case_id = ?1"
                        " ORDER BY event_date, id",
                        &s, err);
    if (rc) {
        json_decref(c);
        return rc;
    }
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    json_t *ids = json_array();
    int row;
    while (!(rc = pko_db_step(pko_req_db(req), s, &row, err)) && row)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    json_t *events = json_array(), *totals = json_object();
    for (size_t i = 0; accountability_stages[i]; i++)
        json_object_set_new(totals, accountability_stages[i], json_integer(0));
    size_t i;
    json_t *eid;
    json_array_foreach(ids, i, eid)
    {
        if (rc)
            break;
        json_t *e;
        rc = pko_db_get(pko_req_db(req), &pko_entity_acc_event, scope, pko_req_actor(req),
                        json_string_value(eid), &e, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            rc = PKO_OK;
            continue;
        }
        if (rc)
            break;
        const char *st = json_string_value(json_object_get(e, "stage"));
        json_int_t k = json_integer_value(json_object_get(e, "individuals"));
        json_object_set_new(totals, st,
                            json_integer(json_integer_value(json_object_get(totals, st)) +
                                         (strcmp(st, "investigation_opened") ? k : 1)));
        json_array_append_new(events, e);
    }
    json_decref(ids);
    if (rc) {
        json_decref(c);
        json_decref(events);
        json_decref(totals);
        return rc;
    }
    json_object_set_new(c, "events", events);
    json_object_set_new(c, "totals", totals);
    *out = c;
    return PKO_OK;
}

/* ==== Handlers ============================================================== */

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *stage = pko_req_query(req, "stage");
    if (stage && strcmp(stage, "registered") && fatalities_index(accountability_stages, stage) < 0)
        return pko_err_field(err, PKO_EINVAL, "stage", "unknown stage %.40s", stage);
    pko_scope scope;
    pko_req_scope(req, "accountability.read", &scope);
    const char *binds[3] = {pko_req_query(req, "mission"), stage, cursor ? cursor : ""};
    return fatalities_reply_ids(
        req, &pko_entity_acc_case, &scope,
        "SELECT id FROM accountability_cases WHERE (?1 IS NULL OR mission_id = (SELECT id FROM"
        " missions WHERE acronym = ?1 OR id = ?1)) AND (?2 IS NULL OR stage = ?2) AND id > ?3"
        " ORDER BY id LIMIT ?4",
        binds, 3, limit, err);
}

static pko_rc h_get(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "accountability.read", &scope);
    json_t *c;
    pko_rc rc = case_json(req, &scope, pko_req_param(req, "id"), &c, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, c);
    return PKO_OK;
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = fatalities_check_known(b, case_fields, "case", err);
    if (!rc)
        rc = check_texts(b, err);
    if (!rc)
        rc = fatalities_check_class(req, b, err);
    if (rc)
        return rc;
    json_object_del(b, "version");
    const char *fid = json_string_value(json_object_get(b, "fatality_id"));
    if (!fid)
        return pko_err_field(err, PKO_EINVAL, "fatality_id",
                             "fatality_id (the malicious-act fatality) is required");
    pko_scope scope;
    pko_req_scope(req, "fatalities.read", &scope);
    json_t *f;
    rc =
        pko_db_get(pko_req_db(req), &pko_entity_fatality, &scope, pko_req_actor(req), fid, &f, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "fatality_id", "no fatality %.40s", fid);
    }
    if (rc)
        return rc;
    const char *mid = json_string_value(json_object_get(f, "mission_id"));
    if (strcmp(json_string_value(json_object_get(f, "incident_type")), "malicious_act") != 0 ||
        strcmp(json_string_value(json_object_get(f, "casualty_type")), "fatality") != 0)
        rc = pko_err_field(err, PKO_EINVAL, "fatality_id",
                           "a case is opened for a fatality from a malicious act; this record is "
                           "a %s (%s)",
                           json_string_value(json_object_get(f, "casualty_type")),
                           json_string_value(json_object_get(f, "incident_type")));
    if (!rc)
        rc = fatalities_check_mission(req, "fatality_id", mid, "accountability.write", NULL, err);
    if (!rc) {
        json_object_set(b, "mission_id", json_object_get(f, "mission_id"));
        json_object_set(b, "fatality_date", json_object_get(f, "incident_date"));
        json_object_set_new(b, "stage", json_string("registered"));
    }
    json_decref(f);
    if (rc)
        return rc;
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, &pko_entity_acc_case, b, id, err);
    if (rc == PKO_ECONFLICT) {
        pko_err_clear(err);
        rc = pko_err_field(err, PKO_ECONFLICT, "fatality_id",
                           "a case is already open for fatality %.40s", fid);
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *c;
    rc = case_json(req, &all, id, &c, err);
    if (rc)
        return rc;
    char loc[128];
    snprintf(loc, sizeof(loc), "/api/v1/accountability/%s", id);
    pko_req_add_header(req, "Location", loc);
    pko_req_reply(req, 201, c);
    return PKO_OK;
}

static pko_rc visible_case(pko_req *req, const char *id, const char *perm, json_t **out,
                           pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "accountability.read", &scope);
    pko_rc rc =
        pko_db_get(pko_req_db(req), &pko_entity_acc_case, &scope, pko_req_actor(req), id, out, err);
    if (rc)
        return rc;
    rc = fatalities_check_mission(
        req, "mission_id", json_string_value(json_object_get(*out, "mission_id")), perm, NULL, err);
    if (rc)
        json_decref(*out);
    return rc;
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *cur;
    rc = visible_case(req, id, "accountability.write", &cur, err);
    if (rc)
        return rc;
    json_decref(cur);
    static const char *const fields[] = {"national_authority", "reference", "notes",
                                         "classification",     "version",   NULL};
    rc = fatalities_check_known(b, fields, "case (stages are recorded as events)", err);
    if (!rc)
        rc = check_texts(b, err);
    if (!rc)
        rc = fatalities_check_class(req, b, err);
    json_t *ver = json_object_get(b, "version");
    if (!rc && ver && !json_is_integer(ver))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t expect = json_integer_value(ver);
    json_object_del(b, "version");
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_acc_case, id, b, expect,
                       err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *c;
    rc = case_json(req, &all, id, &c, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, c);
    return PKO_OK;
}

static pko_rc h_event(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *c;
    rc = visible_case(req, id, "accountability.write", &c, err);
    if (rc)
        return rc;
    static const char *const fields[] = {"stage", "event_date",     "individuals",
                                         "notes", "classification", NULL};
    char today[11];
    fatalities_today(today);
    rc = fatalities_check_known(b, fields, "case event", err);
    json_t *st = json_object_get(b, "stage");
    int si = fatalities_index(accountability_stages, json_string_value(st));
    if (!rc && si < 0)
        rc = pko_err_field(err, PKO_EINVAL, "stage",
                           "stage must be investigation_opened, suspects_identified, arrested, "
                           "prosecuted or convicted");
    if (!rc)
        rc = fatalities_check_date(b, "event_date", true, today, err);
    json_t *k = json_object_get(b, "individuals");
    if (!rc && si == S_INV) {
        if (k && !(json_is_integer(k) && json_integer_value(k) == 0) && !json_is_null(k))
            rc = pko_err_field(err, PKO_EINVAL, "individuals",
                               "the opening of an investigation counts no individuals");
        json_object_set_new(b, "individuals", json_integer(0));
    } else if (!rc &&
               (!json_is_integer(k) || json_integer_value(k) < 1 || json_integer_value(k) > 1000)) {
        rc = pko_err_field(err, PKO_EINVAL, "individuals",
                           "individuals must be the number of persons, 1 to 1000");
    }
    if (!rc) {
        json_t *n = json_object_get(b, "notes");
        if (n && !json_is_null(n) && (!json_is_string(n) || strlen(json_string_value(n)) > 4000))
            rc =
                pko_err_field(err, PKO_EINVAL, "notes", "notes must be text up to 4000 characters");
    }
    if (!rc)
        rc = fatalities_check_class(req, b, err);
    if (rc) {
        json_decref(c);
        return rc;
    }
    json_object_set(b, "case_id", json_object_get(c, "id"));
    json_object_set(b, "mission_id", json_object_get(c, "mission_id"));
    char fdate[11];
    snprintf(fdate, sizeof(fdate), "%s", json_string_value(json_object_get(c, "fatality_date")));
    json_int_t cver = json_integer_value(json_object_get(c, "version"));
    const char *old_stage = json_string_value(json_object_get(c, "stage"));
    char prev_stage[32];
    snprintf(prev_stage, sizeof(prev_stage), "%s", old_stage ? old_stage : "");
    json_decref(c);
    pko_tx *tx;
    char eid[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    /* The whole progression with the new event, read inside the
     * transaction: two writers cannot both pass the check. */
    json_t *events = NULL;
    rc = load_events(pko_tx_db(tx), id, &events, err);
    if (!rc) {
        json_array_append_new(events, json_pack("{s:O, s:O, s:O}", "stage", st, "event_date",
                                                json_object_get(b, "event_date"), "individuals",
                                                json_object_get(b, "individuals")));
        rc = accountability_check_progression(events, fdate, err);
    }
    if (!rc)
        rc = pko_tx_insert(tx, &pko_entity_acc_event, b, eid, err);
    if (!rc && strcmp(stage_of(events), prev_stage) != 0) {
        json_t *upd = json_pack("{s:s}", "stage", stage_of(events));
        rc = pko_tx_update(tx, &pko_entity_acc_case, id, upd, cver, err);
        json_decref(upd);
    }
    json_decref(events);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *out;
    rc = case_json(req, &all, id, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, out);
    return PKO_OK;
}

/* ==== Figure III ============================================================ */

pko_rc accountability_figure_iii(pko_db *db, const pko_scope *scope, const char *from,
                                 const char *to, json_t **out, int64_t *total, pko_err *err)
{
    int y0 = atoi(from), y1 = atoi(to);
    size_t ny = (size_t)(y1 - y0 + 1);
    int64_t(*per)[S_N + 1] = calloc(ny, sizeof(*per));
    if (!per)
        return pko_err_set(err, PKO_ENOMEM, "out of memory");
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db,
        "SELECT CAST(substr(fatality_date,1,4) AS INTEGER), COUNT(*) FROM accountability_cases"
        " WHERE" FATALITIES_SCOPE_SQL " AND fatality_date BETWEEN ?4 AND ?5 GROUP BY 1",
        &s, err);
    int row;
    int64_t n = 0;
    if (!rc) {
        fatalities_bind_scope(s, scope);
        sqlite3_bind_text(s, 4, from, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, to, -1, SQLITE_TRANSIENT);
        while (!(rc = pko_db_step(db, s, &row, err)) && row) {
            int y = sqlite3_column_int(s, 0);
            if (y >= y0 && y <= y1)
                per[y - y0][S_N] += sqlite3_column_int64(s, 1);
            n += sqlite3_column_int64(s, 1);
        }
        sqlite3_reset(s);
    }
    if (!rc)
        rc = pko_db_prepare(
            db,
            "SELECT CAST(substr(event_date,1,4) AS INTEGER), stage,"
            " SUM(CASE WHEN stage = 'investigation_opened' THEN 1 ELSE individuals END), COUNT(*)"
            " FROM accountability_events WHERE" FATALITIES_SCOPE_SQL
            " AND event_date BETWEEN ?4 AND ?5 GROUP BY 1, 2",
            &s, err);
    if (!rc) {
        fatalities_bind_scope(s, scope);
        sqlite3_bind_text(s, 4, from, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, to, -1, SQLITE_TRANSIENT);
        while (!(rc = pko_db_step(db, s, &row, err)) && row) {
            int y = sqlite3_column_int(s, 0);
            int st =
                fatalities_index(accountability_stages, (const char *)sqlite3_column_text(s, 1));
            if (y >= y0 && y <= y1 && st >= 0)
                per[y - y0][st] += sqlite3_column_int64(s, 2);
            n += sqlite3_column_int64(s, 3);
        }
        sqlite3_reset(s);
    }
    if (rc) {
        free(per);
        return rc;
    }
    json_t *arr = json_array();
    int64_t cum[S_N + 1] = {0};
    for (size_t i = 0; i < ny; i++) {
        for (int k = 0; k <= S_N; k++)
            cum[k] += per[i][k];
        json_array_append_new(
            arr, json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "year", y0 + (int)i, "cases",
                           (json_int_t)cum[S_N], "investigations", (json_int_t)cum[S_INV],
                           "suspects_identified", (json_int_t)cum[S_SUS], "arrested",
                           (json_int_t)cum[S_ARR], "prosecuted", (json_int_t)cum[S_PRO],
                           "convicted", (json_int_t)cum[S_CON]));
    }
    free(per);
    *out = arr;
    if (total)
        *total = n;
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route acc_routes[] = {
    {"GET", "/api/v1/accountability", h_list, "accountability.read", 0, 0},
    {"POST", "/api/v1/accountability", h_create, "accountability.write", 0, 16384},
    {"GET", "/api/v1/accountability/{id}", h_get, "accountability.read", 0, 0},
    {"PATCH", "/api/v1/accountability/{id}", h_update, "accountability.write", 0, 16384},
    {"POST", "/api/v1/accountability/{id}/events", h_event, "accountability.write", 0, 16384},
};

static const pko_entity *const acc_entities[] = {&pko_entity_acc_case, &pko_entity_acc_event};

const pko_module pko_module_accountability = {
    .name = "accountability",
    .summary = "crimes against peacekeepers: national investigations to convictions; figure III",
    .migrations = acc_migrations,
    .n_migrations = sizeof(acc_migrations) / sizeof(acc_migrations[0]),
    .entities = acc_entities,
    .n_entities = sizeof(acc_entities) / sizeof(acc_entities[0]),
    .perms = acc_perms,
    .n_perms = sizeof(acc_perms) / sizeof(acc_perms[0]),
    .routes = acc_routes,
    .n_routes = sizeof(acc_routes) / sizeof(acc_routes[0]),
};
