/* SPDX-License-Identifier: MIT
 *
 * Deployments and rotations. A filled requirement with its deployed_on is
 * the deployment of a pledged unit to a mission; the unit serves in
 * successive contingents (the same national unit, fresh personnel), each
 * relieved after rotation_months (12 when the requirement does not say).
 * Contingent 1 is the deployment itself; recording the first rotation
 * writes contingent 1 (from deployed_on, with the pledge's strength and
 * share of women) and contingent 2 in one transaction; each later rotation
 * closes the current contingent and opens the next. A rotation may be
 * planned ahead (up to a year); the next rotation due is then that date,
 * else the current contingent's start plus rotation_months.
 */
#define _GNU_SOURCE
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "modules/missions/missions.h"
#include "modules/pcrs/pcrs.h"

static const pko_col rotation_cols[] = {
    {"requirement_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"pledge_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"number", PKO_COL_INT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"start_date", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"end_date", PKO_COL_TEXT, 0},
    {"strength", PKO_COL_INT, 0},
    {"women_share", PKO_COL_REAL, 0},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_pcrs_rotation = {
    "pcrs_rotation", "pcrs_rotations", rotation_cols,
    sizeof(rotation_cols) / sizeof(rotation_cols[0]), "mission_id", 0};

#define DEFAULT_ROTATION_MONTHS 12

void pcrs_add_months(const char *date, int months, char out[11])
{
    int y = 0, m = 0, d = 0;
    if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3) {
        out[0] = 0;
        return;
    }
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > max)
        d = max;
    snprintf(out, 11, "%04d-%02d-%02d", (y % 10000 + 10000) % 10000, (m % 13 + 13) % 13,
             (d % 32 + 32) % 32);
}

/* The recorded contingents of requirement 'rid' served by pledge 'pid'
 * (the unit now deployed; NULL: all, as history), in order, and in '*before' the
 * highest contingent number of the units that served it earlier (a
 * requirement reopened and filled again continues the numbering). */
static pko_rc load_contingents(pko_db *db, const char *rid, const char *pid, json_t **out,
                               int64_t *before, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT COALESCE(MAX(number), 0) FROM pcrs_rotations"
                               " WHERE requirement_id = ?1 AND pledge_id <> ?2",
                               &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, rid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, pid ? pid : "", -1, SQLITE_TRANSIENT);
    int row;
    rc = pko_db_step(db, s, &row, err);
    *before = !rc && row ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc)
        return rc;
    rc = pko_db_prepare(db,
                        "SELECT id, number, start_date, end_date, strength, women_share,"
                        " notes, version, pledge_id FROM pcrs_rotations"
                        " WHERE requirement_id = ?1 AND (?2 = '' OR pledge_id = ?2)"
                        " ORDER BY number",
                        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, rid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, pid ? pid : "", -1, SQLITE_TRANSIENT);
    json_t *a = json_array();
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        json_t *c = json_pack("{s:s, s:I, s:s, s:b, s:I, s:s}", "id",
                              (const char *)sqlite3_column_text(s, 0), "number",
                              (json_int_t)sqlite3_column_int64(s, 1), "start_date",
                              (const char *)sqlite3_column_text(s, 2), "recorded", 1, "version",
                              (json_int_t)sqlite3_column_int64(s, 7), "pledge_id",
                              (const char *)sqlite3_column_text(s, 8));
        json_object_set_new(c, "end_date",
                            sqlite3_column_type(s, 3) == SQLITE_NULL
                                ? json_null()
                                : json_string((const char *)sqlite3_column_text(s, 3)));
        json_object_set_new(c, "strength",
                            sqlite3_column_type(s, 4) == SQLITE_NULL
                                ? json_null()
                                : json_integer(sqlite3_column_int64(s, 4)));
        json_object_set_new(c, "women_share",
                            sqlite3_column_type(s, 5) == SQLITE_NULL
                                ? json_null()
                                : json_real(sqlite3_column_double(s, 5)));
        json_object_set_new(c, "notes",
                            sqlite3_column_type(s, 6) == SQLITE_NULL
                                ? json_null()
                                : json_string((const char *)sqlite3_column_text(s, 6)));
        json_array_append_new(a, c);
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return PKO_OK;
}

pko_rc pcrs_rotation_view(pko_db *db, json_t *r, json_t *pledge, const char *today, json_t **out,
                          pko_err *err)
{
    const char *rid = json_string_value(json_object_get(r, "id"));
    json_t *cs;
    int64_t before;
    pko_rc rc = load_contingents(db, rid, json_string_value(json_object_get(r, "pledge_id")), &cs,
                                 &before, err);
    if (rc)
        return rc;
    const char *st = json_string_value(json_object_get(r, "status"));
    bool deployed = st && strcmp(st, "filled") == 0;
    const char *dep = json_string_value(json_object_get(r, "deployed_on"));
    json_t *rm = json_object_get(r, "rotation_months");
    int months = json_is_integer(rm) ? (int)json_integer_value(rm) : DEFAULT_ROTATION_MONTHS;
    /* Contingent 1 is the deployment until a rotation is recorded. */
    if (!json_array_size(cs) && deployed && dep)
        json_array_append_new(
            cs, json_pack("{s:n, s:I, s:s, s:n, s:O, s:O, s:n, s:b, s:O}", "id", "number",
                          (json_int_t)before + 1,
                          "start_date", dep, "end_date", "strength",
                          pledge ? json_object_get(pledge, "strength") : json_null(),
                          "women_share", pledge ? json_object_get(pledge, "women_share") : json_null(),
                          "notes", "recorded", 0, "pledge_id", json_object_get(r, "pledge_id")));
    /* The current contingent: the last that has started; a later one is
     * a planned rotation. */
    json_t *cur = NULL, *planned = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(cs, i, c)
    {
        const char *sd = json_string_value(json_object_get(c, "start_date"));
        if (sd && strcmp(sd, today) <= 0)
            cur = c;
        else if (!planned)
            planned = c;
    }
    char due[11] = "";
    if (deployed && planned)
        snprintf(due, sizeof(due), "%s", json_string_value(json_object_get(planned, "start_date")));
    else if (deployed && cur)
        pcrs_add_months(json_string_value(json_object_get(cur, "start_date")), months, due);
    long days = due[0] ? pcrs_day_number(due) - pcrs_day_number(today) : 0;
    json_t *o = json_pack(
        "{s:O, s:O, s:O, s:O, s:b, s:O, s:i, s:b, s:o, s:O, s:s?, s:O, s:b}", "requirement_id",
        json_object_get(r, "id"), "mission_id", json_object_get(r, "mission_id"), "unit_type",
        json_object_get(r, "unit_type"), "pledge_id", json_object_get(r, "pledge_id"), "deployed",
        deployed, "deployed_on", json_object_get(r, "deployed_on"), "rotation_months", months,
        "rotation_months_assumed", !json_is_integer(rm), "contingents", cs, "current",
        cur ? json_object_get(cur, "number") : json_null(), "next_rotation_due",
        due[0] ? due : NULL, "rotation_planned", planned ? json_true() : json_false(), "overdue",
        due[0] && days < 0);
    if (due[0])
        json_object_set_new(o, "days_to_next_rotation", json_integer(days));
    json_object_set_new(o, "country",
                        pledge ? json_copy(json_object_get(pledge, "country")) : json_null());
    *out = o;
    return PKO_OK;
}

/* The requirement (visible to the caller) and its pledge, if any. */
static pko_rc requirement_and_pledge(pko_req *req, const char *id, json_t **r, json_t **p,
                                     pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_requirement, &scope,
                           pko_req_actor(req), id, r, err);
    if (rc)
        return rc;
    *p = NULL;
    const char *pid = json_string_value(json_object_get(*r, "pledge_id"));
    if (pid) {
        pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
        rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_pledge, &all, pko_req_actor(req), pid,
                        p, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            rc = PKO_OK;
        }
    }
    if (rc)
        json_decref(*r);
    return rc;
}

pko_rc pcrs_h_rotations_get(pko_req *req, pko_err *err)
{
    json_t *r, *p;
    pko_rc rc = requirement_and_pledge(req, pko_req_param(req, "id"), &r, &p, err);
    if (rc)
        return rc;
    char today[11];
    pko_today(today);
    json_t *o;
    rc = pcrs_rotation_view(pko_req_db(req), r, p, today, &o, err);
    json_decref(r);
    json_decref(p);
    if (rc)
        return rc;
    pko_req_reply(req, 200, o);
    return PKO_OK;
}

static bool is_day(const char *s)
{
    return s && strlen(s) == 10 && pcrs_day_number(s) >= 0 && s[4] == '-' && s[7] == '-';
}

pko_rc pcrs_h_rotation_create(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    static const char *const known[] = {"start_date", "strength", "women_share", "notes",
                                        "classification", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a rotation", k);
    }
    char today[11], limit[11];
    pko_today(today);
    pcrs_add_months(today, 12, limit);
    const char *sd = json_string_value(json_object_get(b, "start_date"));
    if (!is_day(sd))
        return pko_err_field(err, PKO_EINVAL, "start_date",
                             "start_date (the incoming contingent's first day) must be a date "
                             "YYYY-MM-DD");
    if (strcmp(sd, limit) > 0)
        return pko_err_field(err, PKO_EINVAL, "start_date",
                             "start_date %s is more than a year ahead (after %s)", sd, limit);
    v = json_object_get(b, "strength");
    if (v && !json_is_null(v) &&
        (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000))
        return pko_err_field(err, PKO_EINVAL, "strength",
                             "strength must be a whole number from 1 to 10000");
    v = json_object_get(b, "women_share");
    if (v && !json_is_null(v) &&
        (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0 ||
         json_number_value(v) > 1))
        return pko_err_field(err, PKO_EINVAL, "women_share",
                             "women_share must be a fraction from 0 to 1, e.g. 0.15");
    v = json_object_get(b, "notes");
    if (v && !json_is_null(v) && (!json_is_string(v) || strlen(json_string_value(v)) > 4000))
        return pko_err_field(err, PKO_EINVAL, "notes", "notes must be text up to 4000 characters");
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");

    json_t *r, *p;
    rc = requirement_and_pledge(req, id, &r, &p, err);
    if (rc)
        return rc;
    /* The mission's writers only. */
    pko_scope ms;
    pko_req_scope(req, "missions.read", &ms);
    json_t *m = NULL;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &ms, pko_req_actor(req),
                    json_string_value(json_object_get(r, "mission_id")), &m, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.requirements.write",
                             json_string_value(json_object_get(m, "acronym")), err);
    json_decref(m);
    const char *st = json_string_value(json_object_get(r, "status"));
    const char *dep = json_string_value(json_object_get(r, "deployed_on"));
    if (!rc && (!st || strcmp(st, "filled") != 0))
        rc = pko_err_field(err, PKO_ECONFLICT, "status",
                           "requirement %.40s is %s: only a deployed unit (a filled "
                           "requirement) rotates",
                           id, st ? st : "?");
    if (!rc && !dep)
        rc = pko_err_field(err, PKO_EINVAL, "deployed_on",
                           "the deployment has no deployed_on: set it on the requirement "
                           "(PATCH) before recording a rotation");
    json_t *cs = NULL;
    int64_t before = 0;
    if (!rc)
        rc = load_contingents(pko_req_db(req), id,
                              json_string_value(json_object_get(r, "pledge_id")), &cs, &before,
                              err);
    const char *last_start = dep;
    if (!rc && json_array_size(cs))
        last_start = json_string_value(
            json_object_get(json_array_get(cs, json_array_size(cs) - 1), "start_date"));
    if (!rc && strcmp(sd, last_start) <= 0)
        rc = pko_err_field(err, PKO_EINVAL, "start_date",
                           "start_date %s must be after the current contingent's start %s", sd,
                           last_start);
    if (rc) {
        json_decref(r);
        json_decref(p);
        json_decref(cs);
        return rc;
    }
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc) {
        json_decref(r);
        json_decref(p);
        json_decref(cs);
        return rc;
    }
    const char *mid = json_string_value(json_object_get(r, "mission_id"));
    const char *pid = json_string_value(json_object_get(r, "pledge_id"));
    char nid[PKO_ID_LEN];
    json_int_t number;
    if (!json_array_size(cs)) {
        /* Contingent 1, the deployment, written now that it ends. */
        json_t *first = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "requirement_id", id,
                                  "mission_id", mid, "pledge_id", pid, "number",
                                  (json_int_t)before + 1, "start_date", dep, "end_date", sd);
        if (p && json_is_integer(json_object_get(p, "strength")))
            json_object_set(first, "strength", json_object_get(p, "strength"));
        if (p && json_is_number(json_object_get(p, "women_share")))
            json_object_set(first, "women_share", json_object_get(p, "women_share"));
        if (cls)
            json_object_set_new(first, "classification", json_string(cls));
        rc = pko_tx_insert(tx, &pko_entity_pcrs_rotation, first, nid, err);
        json_decref(first);
        number = (json_int_t)before + 2;
    } else {
        json_t *last = json_array_get(cs, json_array_size(cs) - 1);
        json_t *f = json_pack("{s:s}", "end_date", sd);
        rc = pko_tx_update(tx, &pko_entity_pcrs_rotation,
                           json_string_value(json_object_get(last, "id")), f,
                           json_integer_value(json_object_get(last, "version")), err);
        json_decref(f);
        number = json_integer_value(json_object_get(last, "number")) + 1;
    }
    json_t *f = json_pack("{s:s, s:s, s:s, s:I, s:s}", "requirement_id", id, "mission_id", mid,
                          "pledge_id", pid, "number", number, "start_date", sd);
    const char *copy[] = {"strength", "women_share", "notes", "classification"};
    for (size_t i = 0; i < 4; i++)
        if (json_object_get(b, copy[i]))
            json_object_set(f, copy[i], json_object_get(b, copy[i]));
    /* Without figures of its own the incoming contingent has the pledge's. */
    if (!json_object_get(f, "strength") && p && json_is_integer(json_object_get(p, "strength")))
        json_object_set(f, "strength", json_object_get(p, "strength"));
    if (!json_object_get(f, "women_share") && p &&
        json_is_number(json_object_get(p, "women_share")))
        json_object_set(f, "women_share", json_object_get(p, "women_share"));
    if (!rc)
        rc = pko_tx_insert(tx, &pko_entity_pcrs_rotation, f, nid, err);
    json_decref(f);
    json_decref(cs);
    if (rc) {
        pko_tx_rollback(tx);
        json_decref(r);
        json_decref(p);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    json_t *o = NULL;
    if (!rc)
        rc = pcrs_rotation_view(pko_req_db(req), r, p, today, &o, err);
    json_decref(r);
    json_decref(p);
    if (rc)
        return rc;
    pko_req_reply(req, 201, o);
    return PKO_OK;
}

/* GET rotations/due?within_days=: the deployed units the caller sees whose
 * next rotation is due within that many days (default 90), overdue first. */
pko_rc pcrs_h_rotations_due(pko_req *req, pko_err *err)
{
    const char *w = pko_req_query(req, "within_days");
    long within = 90;
    if (w) {
        char *end;
        within = strtol(w, &end, 10);
        if (*end || within < 0 || within > 3660)
            return pko_err_field(err, PKO_EINVAL, "within_days",
                                 "within_days must be a whole number from 0 to 3660");
    }
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db,
        "SELECT id FROM pcrs_requirements WHERE status = 'filled' AND deployed_on IS NOT NULL"
        " AND classification <= ?2 AND (?3 OR mission_id IN (SELECT id FROM missions WHERE"
        " acronym IN (SELECT value FROM json_each(?4)))) ORDER BY id",
        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 2, scope.clearance);
    sqlite3_bind_int(s, 3, scope.all_missions);
    sqlite3_bind_text(s, 4, scope.missions_json ? scope.missions_json : "[]", -1,
                      SQLITE_TRANSIENT);
    json_t *ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    char today[11];
    pko_today(today);
    json_t *items = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (rc)
            break;
        json_t *r = NULL, *p = NULL, *o;
        rc = requirement_and_pledge(req, json_string_value(id), &r, &p, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            rc = PKO_OK;
            continue;
        }
        if (!rc)
            rc = pcrs_rotation_view(db, r, p, today, &o, err);
        if (!rc) {
            json_t *d = json_object_get(o, "days_to_next_rotation");
            if (json_is_integer(d) && json_integer_value(d) <= within) {
                json_object_del(o, "contingents");
                json_array_append(items, o);
            }
            json_decref(o);
        }
        json_decref(r);
        json_decref(p);
    }
    json_decref(ids);
    if (rc) {
        json_decref(items);
        return rc;
    }
    /* Soonest first. */
    size_t n = json_array_size(items);
    for (size_t a = 1; a < n; a++)
        for (size_t b2 = a; b2 > 0; b2--) {
            json_t *x = json_array_get(items, b2 - 1), *y = json_array_get(items, b2);
            if (json_integer_value(json_object_get(x, "days_to_next_rotation")) <=
                json_integer_value(json_object_get(y, "days_to_next_rotation")))
                break;
            json_incref(x);
            json_array_set(items, b2 - 1, y);
            json_array_set_new(items, b2, x);
        }
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:I, s:s}", "items", items, "within_days", (json_int_t)within,
                            "today", today));
    return PKO_OK;
}
