/* SPDX-License-Identifier: MIT
 *
 * Gender parity against the Uniformed Gender Parity Strategy 2018-2028
 * (DPO). The strategy sets a target per category of uniformed personnel
 * for each year up to 2028; PKO ships the 2028 targets (15% of military
 * contingents, 25% of military observers and staff officers, 20% of
 * formed police units, 30% of individual police officers) and keeps the
 * year-by-year targets as records (entity pcrs_parity_target: category,
 * year, target, source), entered with the document they come from, since
 * the reference material of this project does not carry the strategy's
 * annual table (docs/pcrs.md). A year without a recorded target is
 * measured against the 2028 target, and the answer says so.
 *
 * Two views: the pledged units (available or deployed), and the deployed
 * units per mission, each counted with its current contingent's strength
 * and share of women when rotations are recorded, else its pledge's.
 */
#define _GNU_SOURCE
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/pcrs/pcrs.h"

static const pko_col target_cols[] = {
    {"category", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"year", PKO_COL_INT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"target", PKO_COL_REAL, PKO_COL_REQUIRED},
    {"source", PKO_COL_TEXT, PKO_COL_REQUIRED},
};

const pko_entity pko_entity_pcrs_parity_target = {
    "pcrs_parity_target", "pcrs_parity_targets", target_cols,
    sizeof(target_cols) / sizeof(target_cols[0]), NULL, 0};

#define N_CAT 4

static const struct {
    const char *category;
    double target_2028;
} cats[N_CAT] = {
    {"military_contingents", 0.15},
    {"military_observers_staff_officers", 0.25},
    {"formed_police_units", 0.20},
    {"individual_police_officers", 0.30},
};

static const char *const strategy = "Uniformed Gender Parity Strategy 2018-2028";

int pcrs_parity_category(const char *unit_type)
{
    if (!unit_type)
        return 0;
    if (strcmp(unit_type, "military_observers") == 0 || strcmp(unit_type, "staff_officers") == 0)
        return 1;
    if (strcmp(unit_type, "formed_police_unit") == 0)
        return 2;
    if (strcmp(unit_type, "individual_police_officers") == 0)
        return 3;
    return 0;
}

static int category_index(const char *c)
{
    for (int i = 0; c && i < N_CAT; i++)
        if (strcmp(cats[i].category, c) == 0)
            return i;
    return -1;
}

static int this_year(void)
{
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    return t.tm_year + 1900;
}

typedef struct yt {
    double target[N_CAT];
    int year[N_CAT];
    char source[N_CAT][256];
} yt;

/* The targets that apply in 'year': recorded ones, else 2028's. */
static pko_rc targets_for(pko_db *db, int year, yt *t, pko_err *err)
{
    for (int c = 0; c < N_CAT; c++) {
        t->target[c] = cats[c].target_2028;
        t->year[c] = 2028;
        snprintf(t->source[c], sizeof(t->source[c]),
                 "%s, target for 2028 (no target recorded for %d)", strategy, year);
    }
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db, "SELECT category, target, source FROM pcrs_parity_targets WHERE year = ?1", &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, year);
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        int c = category_index((const char *)sqlite3_column_text(s, 0));
        if (c < 0)
            continue;
        t->target[c] = sqlite3_column_double(s, 1);
        t->year[c] = year;
        snprintf(t->source[c], sizeof(t->source[c]), "%s", (const char *)sqlite3_column_text(s, 2));
    }
    sqlite3_reset(s);
    return rc;
}

static pko_rc year_param(pko_req *req, int *year, pko_err *err)
{
    const char *y = pko_req_query(req, "year");
    *year = this_year();
    if (!y)
        return PKO_OK;
    char *end;
    long v = strtol(y, &end, 10);
    if (*end || v < 2018 || v > 2100)
        return pko_err_field(err, PKO_EINVAL, "year", "year must be a year from 2018, e.g. 2026");
    *year = (int)v;
    return PKO_OK;
}

static json_t *category_item(const yt *t, int c, double strength, double women, int64_t units)
{
    double target = t->target[c], share = strength > 0 ? women / strength : 0;
    return json_pack("{s:s, s:f, s:i, s:s, s:I, s:f, s:f, s:f, s:b, s:f}", "category",
                     cats[c].category, "target", target, "target_year", t->year[c],
                     "target_source", t->source[c], "pledges", (json_int_t)units, "strength",
                     strength, "women", women, "share", share, "meets_target",
                     strength > 0 && share + 1e-9 >= target, "women_short",
                     share >= target ? 0.0 : target * strength - women);
}

pko_rc pcrs_h_parity(pko_req *req, pko_err *err)
{
    int year;
    pko_rc rc = year_param(req, &year, err);
    if (rc)
        return rc;
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    pko_db *db = pko_req_db(req);
    yt t;
    rc = targets_for(db, year, &t, err);
    if (rc)
        return rc;
    pko_stmt *s;
    rc = pko_db_prepare(db,
                        "SELECT unit_type, SUM(strength),"
                        " SUM(strength * COALESCE(women_share, 0)), COUNT(*)"
                        " FROM pcrs_pledges WHERE status <> 'withdrawn'"
                        " AND classification <= ?1 GROUP BY unit_type",
                        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, scope.clearance);
    double strength[N_CAT] = {0}, women[N_CAT] = {0};
    int64_t pledges[N_CAT] = {0};
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        int c = pcrs_parity_category((const char *)sqlite3_column_text(s, 0));
        strength[c] += (double)sqlite3_column_int64(s, 1);
        women[c] += sqlite3_column_double(s, 2);
        pledges[c] += sqlite3_column_int64(s, 3);
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int c = 0; c < N_CAT; c++)
        json_array_append_new(items, category_item(&t, c, strength[c], women[c], pledges[c]));
    char label[160];
    snprintf(label, sizeof(label), "%s, targets for %d", strategy, year);
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:s, s:i}", "items", items, "targets", label, "year", year));
    return PKO_OK;
}

/* GET parity/missions?year=: deployed units per mission the caller sees. */
pko_rc pcrs_h_parity_missions(pko_req *req, pko_err *err)
{
    int year;
    pko_rc rc = year_param(req, &year, err);
    if (rc)
        return rc;
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    pko_db *db = pko_req_db(req);
    yt t;
    rc = targets_for(db, year, &t, err);
    if (rc)
        return rc;
    char today[11];
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(today, sizeof(today), "%Y-%m-%d", &tmv);
    pko_stmt *s;
    rc = pko_db_prepare(
        db,
        "SELECT r.mission_id, m.acronym, r.unit_type, COALESCE(c.strength, p.strength),"
        " COALESCE(c.women_share, p.women_share, 0), c.number IS NOT NULL"
        " FROM pcrs_requirements r JOIN pcrs_pledges p ON p.id = r.pledge_id"
        " JOIN missions m ON m.id = r.mission_id"
        " LEFT JOIN pcrs_rotations c ON c.requirement_id = r.id AND c.number ="
        "  (SELECT MAX(number) FROM pcrs_rotations WHERE requirement_id = r.id"
        "   AND pledge_id = r.pledge_id AND start_date <= ?1)"
        " WHERE r.status = 'filled' AND r.classification <= ?2 AND p.classification <= ?2"
        " AND (?3 OR m.acronym IN (SELECT value FROM json_each(?4)))"
        " ORDER BY m.acronym",
        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, scope.clearance);
    sqlite3_bind_int(s, 3, scope.all_missions);
    sqlite3_bind_text(s, 4, scope.missions_json ? scope.missions_json : "[]", -1,
                      SQLITE_TRANSIENT);
    json_t *missions = json_array();
    char cur[PKO_ID_LEN] = "", acr[64] = "";
    double strength[N_CAT] = {0}, women[N_CAT] = {0}, tot_s = 0, tot_w = 0;
    int64_t units[N_CAT] = {0}, from_rot = 0, n_units = 0;
    int row;
    for (;;) {
        rc = pko_db_step(db, s, &row, err);
        const char *mid = !rc && row ? (const char *)sqlite3_column_text(s, 0) : NULL;
        if (cur[0] && (!mid || strcmp(mid, cur) != 0)) {
            json_t *items = json_array();
            for (int c = 0; c < N_CAT; c++)
                if (units[c])
                    json_array_append_new(items,
                                          category_item(&t, c, strength[c], women[c], units[c]));
            size_t k;
            json_t *it;
            json_array_foreach(items, k, it)
            {
                json_object_set(it, "units", json_object_get(it, "pledges"));
                json_object_del(it, "pledges");
            }
            json_array_append_new(
                missions,
                json_pack("{s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:o}", "mission_id", cur,
                          "acronym", acr, "units", (json_int_t)n_units,
                          "units_with_recorded_contingent", (json_int_t)from_rot, "strength",
                          tot_s, "women", tot_w, "share", tot_s > 0 ? tot_w / tot_s : 0.0,
                          "categories", items));
            memset(strength, 0, sizeof(strength));
            memset(women, 0, sizeof(women));
            memset(units, 0, sizeof(units));
            tot_s = tot_w = 0;
            from_rot = n_units = 0;
            cur[0] = 0;
        }
        if (!mid)
            break;
        if (!cur[0]) {
            snprintf(cur, sizeof(cur), "%s", mid);
            snprintf(acr, sizeof(acr), "%s", (const char *)sqlite3_column_text(s, 1));
        }
        int c = pcrs_parity_category((const char *)sqlite3_column_text(s, 2));
        double st = (double)sqlite3_column_int64(s, 3), w = st * sqlite3_column_double(s, 4);
        strength[c] += st;
        women[c] += w;
        units[c]++;
        tot_s += st;
        tot_w += w;
        n_units++;
        from_rot += sqlite3_column_int(s, 5);
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(missions);
        return rc;
    }
    char label[160];
    snprintf(label, sizeof(label), "%s, targets for %d", strategy, year);
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:s, s:i}", "missions", missions, "targets", label, "year",
                            year));
    return PKO_OK;
}

/* ---- Recorded year-by-year targets ---------------------------------------- */

static pko_rc target_validate(json_t *b, bool creating, pko_err *err)
{
    static const char *const known[] = {"category", "year", "target", "source", "version", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a parity target", k);
    }
    v = json_object_get(b, "category");
    if (creating || v)
        if (category_index(json_string_value(v)) < 0)
            return pko_err_field(err, PKO_EINVAL, "category",
                                 "category must be military_contingents, "
                                 "military_observers_staff_officers, formed_police_units or "
                                 "individual_police_officers");
    v = json_object_get(b, "year");
    if (creating || v)
        if (!json_is_integer(v) || json_integer_value(v) < 2018 || json_integer_value(v) > 2028)
            return pko_err_field(err, PKO_EINVAL, "year",
                                 "year must be a year of the strategy, 2018 to 2028");
    v = json_object_get(b, "target");
    if (creating || v)
        if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) <= 0 ||
            json_number_value(v) > 1)
            return pko_err_field(err, PKO_EINVAL, "target",
                                 "target must be a share above 0 and at most 1, e.g. 0.15");
    v = json_object_get(b, "source");
    if (creating || v)
        if (!json_is_string(v) || strlen(json_string_value(v)) < 5 ||
            strlen(json_string_value(v)) > 250)
            return pko_err_field(err, PKO_EINVAL, "source",
                                 "source is required: the document and page the target comes "
                                 "from (5 to 250 characters)");
    return PKO_OK;
}

pko_rc pcrs_h_parity_targets(pko_req *req, pko_err *err)
{
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT id, version, category, year, target, source"
                               " FROM pcrs_parity_targets ORDER BY category, year",
                               &s, err);
    if (rc)
        return rc;
    json_t *rec = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(
            rec, json_pack("{s:s, s:I, s:s, s:i, s:f, s:s}", "id",
                           (const char *)sqlite3_column_text(s, 0), "version",
                           (json_int_t)sqlite3_column_int64(s, 1), "category",
                           (const char *)sqlite3_column_text(s, 2), "year",
                           sqlite3_column_int(s, 3), "target", sqlite3_column_double(s, 4),
                           "source", (const char *)sqlite3_column_text(s, 5)));
    sqlite3_reset(s);
    if (rc) {
        json_decref(rec);
        return rc;
    }
    json_t *end = json_array();
    for (int c = 0; c < N_CAT; c++)
        json_array_append_new(end, json_pack("{s:s, s:i, s:f, s:s}", "category", cats[c].category,
                                             "year", 2028, "target", cats[c].target_2028,
                                             "source", strategy));
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "recorded", rec, "targets_2028", end));
    return PKO_OK;
}

pko_rc pcrs_h_parity_target_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.pledges.write", NULL, err);
    if (!rc)
        rc = target_validate(b, true, err);
    if (rc)
        return rc;
    json_object_del(b, "version");
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, &pko_entity_pcrs_parity_target, b, id, err);
    if (rc == PKO_ECONFLICT || (rc && err->sqlite_rc == SQLITE_CONSTRAINT_UNIQUE)) {
        pko_err_clear(err);
        rc = pko_err_field(err, PKO_ECONFLICT, "year",
                           "a target for %s in %lld is already recorded: change it with PATCH",
                           json_string_value(json_object_get(b, "category")),
                           (long long)json_integer_value(json_object_get(b, "year")));
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *o;
    rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_parity_target, &all, pko_req_actor(req), id,
                    &o, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, o);
    return PKO_OK;
}

pko_rc pcrs_h_parity_target_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.pledges.write", NULL, err);
    if (!rc)
        rc = target_validate(b, false, err);
    if (!rc && json_object_get(b, "category"))
        rc = pko_err_field(err, PKO_EINVAL, "category", "category cannot change");
    if (!rc && json_object_get(b, "year"))
        rc = pko_err_field(err, PKO_EINVAL, "year", "year cannot change");
    json_t *ver = json_object_get(b, "version");
    if (!rc && ver && !json_is_integer(ver))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    if (rc)
        return rc;
    int64_t expect = ver ? json_integer_value(ver) : 0;
    json_object_del(b, "version");
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_pcrs_parity_target, id, b,
                       expect, err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *o;
    rc = pko_db_get(pko_req_db(req), &pko_entity_pcrs_parity_target, &all, pko_req_actor(req), id,
                    &o, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, o);
    return PKO_OK;
}
