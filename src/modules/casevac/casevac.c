/* SPDX-License-Identifier: MIT
 *
 * The casevac module. Records are scoped to their mission; every role reads
 * the evacuations of its missions; reporters, analysts and mission
 * administrators of the mission request and advance them (PATCH sets the
 * next time: approval, lift-off, arrival). The status follows the times:
 * requested, approved, airborne, arrived; or cancelled (before arrival).
 */
#define _GNU_SOURCE
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "modules/casevac/casevac.h"
#include "modules/fatalities/fatalities.h"

/* ==== Schema ============================================================= */

static const pko_migration casevac_migrations[] = {
    {1, "CREATE TABLE casevacs("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " incident_id TEXT REFERENCES incidents(id),"
        " casualty_id TEXT REFERENCES fatalities(id),"
        " patients INTEGER NOT NULL CHECK (patients BETWEEN 1 AND 500),"
        " priority TEXT NOT NULL CHECK (priority IN ('urgent','priority','routine')),"
        " means TEXT CHECK (means IS NULL OR means IN ('air','ground','river')),"
        " pickup_place TEXT, facility TEXT,"
        " facility_level TEXT CHECK (facility_level IS NULL OR facility_level IN"
        " ('level_1','level_1_plus','level_2','level_3','level_4')),"
        " injury_at TEXT, first_aid_at TEXT, requested_at TEXT NOT NULL, approved_at TEXT,"
        " lift_off_at TEXT, arrived_at TEXT, dcr_at TEXT, surgery_at TEXT,"
        " status TEXT NOT NULL CHECK (status IN ('requested','approved','airborne','arrived',"
        "'cancelled')),"
        " notes TEXT"
        ") STRICT;"
        "CREATE INDEX casevacs_mission ON casevacs(mission_id, requested_at);"},
};

static const pko_col casevac_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"incident_id", PKO_COL_TEXT, 0},
    {"casualty_id", PKO_COL_TEXT, 0},
    {"patients", PKO_COL_INT, PKO_COL_REQUIRED},
    {"priority", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"means", PKO_COL_TEXT, 0},
    {"pickup_place", PKO_COL_TEXT, 0},
    {"facility", PKO_COL_TEXT, 0},
    {"facility_level", PKO_COL_TEXT, 0},
    {"injury_at", PKO_COL_TEXT, 0},
    {"first_aid_at", PKO_COL_TEXT, 0},
    {"requested_at", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"approved_at", PKO_COL_TEXT, 0},
    {"lift_off_at", PKO_COL_TEXT, 0},
    {"arrived_at", PKO_COL_TEXT, 0},
    {"dcr_at", PKO_COL_TEXT, 0},
    {"surgery_at", PKO_COL_TEXT, 0},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_casevac = {"casevac",    "casevacs",
                                       casevac_cols, sizeof(casevac_cols) / sizeof(casevac_cols[0]),
                                       "mission_id", 0};

static const pko_perm casevac_perms[] = {
    {"casevac.read", PKO_ROLES_ALL, "see the casualty evacuations of one's missions", false},
    {"casevac.write", PKO_ROLE_REPORTER | PKO_ROLE_ANALYST | PKO_ROLE_MISSION_ADMIN,
     "request and advance a mission's casualty evacuations", false},
};

static const char *const casevac_fields[] = {
    "mission_id",   "incident_id",    "casualty_id",    "patients",  "priority",     "means",
    "pickup_place", "facility",       "facility_level", "injury_at", "first_aid_at", "requested_at",
    "approved_at",  "lift_off_at",    "arrived_at",     "dcr_at",    "surgery_at",   "status",
    "notes",        "classification", "version",        NULL};

enum { T_INJURY, T_FIRST_AID, T_REQUEST, T_APPROVAL, T_LIFT_OFF, T_ARRIVAL, T_DCR, T_SURGERY, T_N };
static const char *const time_fields[T_N] = {"injury_at",   "first_aid_at", "requested_at",
                                             "approved_at", "lift_off_at",  "arrived_at",
                                             "dcr_at",      "surgery_at"};
static const char *const time_names[T_N] = {"the injury",
                                            "first aid",
                                            "the request",
                                            "the approval",
                                            "lift-off",
                                            "the arrival",
                                            "damage-control resuscitation",
                                            "surgery"};

/* ==== Validation ========================================================= */

/* Read the times of 'f' into 't' (INT64_MIN when absent). */
static pko_rc read_times(json_t *f, int64_t t[T_N], bool rewrite, pko_err *err)
{
    for (int i = 0; i < T_N; i++) {
        t[i] = INT64_MIN;
        json_t *v = json_object_get(f, time_fields[i]);
        if (!v || json_is_null(v))
            continue;
        if (!json_is_string(v) || !fatalities_parse_time(json_string_value(v), &t[i]))
            return pko_err_field(err, PKO_EINVAL, time_fields[i],
                                 "%s must be a UTC time YYYY-MM-DDTHH:MM[:SS]Z", time_fields[i]);
        if (rewrite) {
            time_t tt = (time_t)t[i];
            struct tm tm;
            gmtime_r(&tt, &tm);
            char buf[32];
            strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
            json_object_set_new(f, time_fields[i], json_string(buf));
        }
    }
    return PKO_OK;
}

static pko_rc order(const int64_t t[T_N], int a, int b, pko_err *err)
{
    if (t[a] != INT64_MIN && t[b] != INT64_MIN && t[b] < t[a])
        return pko_err_field(err, PKO_EINVAL, time_fields[b], "%s (%s) is before %s (%s)",
                             time_names[b], time_fields[b], time_names[a], time_fields[a]);
    return PKO_OK;
}

static pko_rc needs(const int64_t t[T_N], int a, int b, pko_err *err)
{
    if (t[b] != INT64_MIN && t[a] == INT64_MIN)
        return pko_err_field(err, PKO_EINVAL, time_fields[b], "%s needs %s first (%s)",
                             time_names[b], time_names[a], time_fields[a]);
    return PKO_OK;
}

pko_rc casevac_validate(json_t *f, int64_t now_secs, pko_err *err)
{
    int64_t t[T_N];
    pko_rc rc = read_times(f, t, true, err);
    if (rc)
        return rc;
    if (t[T_REQUEST] == INT64_MIN)
        return pko_err_field(err, PKO_EINVAL, "requested_at",
                             "requested_at is required (YYYY-MM-DDTHH:MMZ)");
    for (int i = 0; i < T_N; i++)
        if (t[i] != INT64_MIN && t[i] > now_secs + 300)
            return pko_err_field(err, PKO_EINVAL, time_fields[i], "%s is in the future",
                                 time_fields[i]);
    /* The arrival before its request gets its own words. */
    if (t[T_ARRIVAL] != INT64_MIN && t[T_ARRIVAL] < t[T_REQUEST])
        return pko_err_field(err, PKO_EINVAL, "arrived_at",
                             "the arrival (arrived_at) is before the request (requested_at)");
    static const int pairs[][2] = {{T_INJURY, T_FIRST_AID}, {T_INJURY, T_REQUEST},
                                   {T_REQUEST, T_APPROVAL}, {T_APPROVAL, T_LIFT_OFF},
                                   {T_LIFT_OFF, T_ARRIVAL}, {T_INJURY, T_DCR},
                                   {T_INJURY, T_SURGERY},   {T_DCR, T_SURGERY}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
        if ((rc = order(t, pairs[i][0], pairs[i][1], err)))
            return rc;
    /* Without the injury time the clock of the 10-1-2 measures starts at
     * the request: resuscitation and surgery cannot come before it. */
    if (t[T_INJURY] == INT64_MIN &&
        ((rc = order(t, T_REQUEST, T_DCR, err)) || (rc = order(t, T_REQUEST, T_SURGERY, err))))
        return rc;
    if ((rc = needs(t, T_REQUEST, T_APPROVAL, err)) ||
        (rc = needs(t, T_APPROVAL, T_LIFT_OFF, err)) || (rc = needs(t, T_LIFT_OFF, T_ARRIVAL, err)))
        return rc;
    json_t *v = json_object_get(f, "patients");
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 500)
        return pko_err_field(err, PKO_EINVAL, "patients",
                             "patients must be a whole number from 1 to 500");
    static const char *const prio[] = {"urgent", "priority", "routine", NULL};
    static const char *const means[] = {"air", "ground", "river", NULL};
    static const char *const levels[] = {"level_1", "level_1_plus", "level_2",
                                         "level_3", "level_4",      NULL};
    v = json_object_get(f, "priority");
    if (fatalities_index(prio, json_string_value(v)) < 0)
        return pko_err_field(err, PKO_EINVAL, "priority",
                             "priority must be urgent, priority or routine");
    v = json_object_get(f, "means");
    if (v && !json_is_null(v) && fatalities_index(means, json_string_value(v)) < 0)
        return pko_err_field(err, PKO_EINVAL, "means", "means must be air, ground or river");
    v = json_object_get(f, "facility_level");
    if (v && !json_is_null(v) && fatalities_index(levels, json_string_value(v)) < 0)
        return pko_err_field(err, PKO_EINVAL, "facility_level",
                             "facility_level must be level_1, level_1_plus, level_2, level_3 or "
                             "level_4");
    static const char *const texts[] = {"pickup_place", "facility", "notes"};
    for (size_t i = 0; i < 3; i++) {
        v = json_object_get(f, texts[i]);
        if (v && !json_is_null(v) &&
            (!json_is_string(v) || strlen(json_string_value(v)) > (i == 2 ? 4000u : 200u)))
            return pko_err_field(err, PKO_EINVAL, texts[i], "%s must be text up to %u characters",
                                 texts[i], i == 2 ? 4000u : 200u);
    }
    /* The status follows the times; only a cancellation is set by hand,
     * and not after the arrival. */
    const char *st = json_string_value(json_object_get(f, "status"));
    bool cancelled = st && strcmp(st, "cancelled") == 0;
    if (st && !cancelled && strcmp(st, "requested") && strcmp(st, "approved") &&
        strcmp(st, "airborne") && strcmp(st, "arrived"))
        return pko_err_field(err, PKO_EINVAL, "status",
                             "status follows the times; it can only be set to cancelled");
    if (cancelled && t[T_ARRIVAL] != INT64_MIN)
        return pko_err_field(err, PKO_EINVAL, "status",
                             "an evacuation that arrived cannot be cancelled");
    const char *derived = t[T_ARRIVAL] != INT64_MIN    ? "arrived"
                          : t[T_LIFT_OFF] != INT64_MIN ? "airborne"
                          : t[T_APPROVAL] != INT64_MIN ? "approved"
                                                       : "requested";
    json_object_set_new(f, "status", json_string(cancelled ? "cancelled" : derived));
    return PKO_OK;
}

static json_t *minutes(const int64_t t[T_N], int a, int b)
{
    if (t[a] == INT64_MIN || t[b] == INT64_MIN)
        return json_null();
    return json_real((double)(t[b] - t[a]) / 60.0);
}

json_t *casevac_measures(json_t *rec)
{
    int64_t t[T_N];
    pko_err err;
    pko_err_clear(&err);
    if (read_times(rec, t, false, &err))
        return json_null();
    int from = t[T_INJURY] != INT64_MIN ? T_INJURY : T_REQUEST;
    json_t *fa = minutes(t, T_INJURY, T_FIRST_AID), *dcr = minutes(t, from, T_DCR),
           *sur = minutes(t, from, T_SURGERY);
#define MEETS(v, lim) (json_is_null(v) ? json_null() : json_boolean(json_real_value(v) <= (lim)))
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "request_to_approval",
        minutes(t, T_REQUEST, T_APPROVAL), "approval_to_lift_off",
        minutes(t, T_APPROVAL, T_LIFT_OFF), "lift_off_to_arrival",
        minutes(t, T_LIFT_OFF, T_ARRIVAL), "request_to_arrival", minutes(t, T_REQUEST, T_ARRIVAL),
        "injury_to_arrival", minutes(t, from, T_ARRIVAL), "clock_from",
        from == T_INJURY ? "injury" : "request", "first_aid", fa, "dcr", dcr, "surgery", sur,
        "meets_10", MEETS(fa, 10.0), "meets_1h", MEETS(dcr, 60.0), "meets_2h", MEETS(sur, 120.0));
#undef MEETS
    return o;
}

/* ==== Statistics ========================================================== */

typedef struct series {
    double *v;
    size_t n, cap;
} series;

static void series_add(series *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = pko_realloc(s->v, s->cap * sizeof(double));
    }
    s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static json_t *series_json(series *s)
{
    if (!s->n)
        return json_pack("{s:i, s:n, s:n, s:n, s:n}", "n", 0, "median", "mean", "p90", "max");
    qsort(s->v, s->n, sizeof(double), cmp_double);
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->v[i];
    double med = s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
    size_t rank = (size_t)ceil(0.9 * (double)s->n);
    return json_pack("{s:I, s:f, s:f, s:f, s:f}", "n", (json_int_t)s->n, "median", med, "mean",
                     sum / (double)s->n, "p90", s->v[rank - 1], "max", s->v[s->n - 1]);
}

typedef struct mstats {
    char mission[33];
    int64_t requests, arrived, cancelled;
    series r2a, r2ap;
    int64_t m[3], ok[3]; /* 10 min, 1 h, 2 h: measured, met */
} mstats;

static json_t *check_json(int64_t measured, int64_t met)
{
    return json_pack("{s:I, s:I, s:o}", "measured", (json_int_t)measured, "met", (json_int_t)met,
                     "share", measured ? json_real((double)met / (double)measured) : json_null());
}

static json_t *mstats_json(mstats *m)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "mission", m->mission,
                     "requests", (json_int_t)m->requests, "arrived", (json_int_t)m->arrived,
                     "cancelled", (json_int_t)m->cancelled, "request_to_arrival",
                     series_json(&m->r2a), "request_to_approval", series_json(&m->r2ap), "ten",
                     check_json(m->m[0], m->ok[0]), "one_hour", check_json(m->m[1], m->ok[1]),
                     "two_hours", check_json(m->m[2], m->ok[2]));
}

static void mstats_add(mstats *m, json_t *rec, const char *status)
{
    m->requests++;
    m->arrived += strcmp(status, "arrived") == 0;
    m->cancelled += strcmp(status, "cancelled") == 0;
    json_t *ms = casevac_measures(rec);
    json_t *v = json_object_get(ms, "request_to_arrival");
    if (json_is_real(v))
        series_add(&m->r2a, json_real_value(v));
    v = json_object_get(ms, "request_to_approval");
    if (json_is_real(v))
        series_add(&m->r2ap, json_real_value(v));
    static const char *const checks[3] = {"meets_10", "meets_1h", "meets_2h"};
    for (int i = 0; i < 3; i++) {
        v = json_object_get(ms, checks[i]);
        if (json_is_boolean(v)) {
            m->m[i]++;
            m->ok[i] += json_is_true(v);
        }
    }
    json_decref(ms);
}

pko_rc casevac_stats(pko_db *db, const pko_scope *scope, const char *from, const char *to,
                     const char *mission, json_t **out, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db,
        "SELECT (SELECT acronym FROM missions WHERE id = c.mission_id) AS acr, status,"
        " injury_at, first_aid_at, requested_at, approved_at, lift_off_at, arrived_at, dcr_at,"
        " surgery_at FROM casevacs c WHERE" FATALITIES_SCOPE_SQL
        " AND substr(requested_at,1,10) BETWEEN ?4 AND ?5"
        " AND (?6 IS NULL OR acr = ?6) ORDER BY acr",
        &s, err);
    if (rc)
        return rc;
    fatalities_bind_scope(s, scope);
    sqlite3_bind_text(s, 4, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, to, -1, SQLITE_TRANSIENT);
    if (mission)
        sqlite3_bind_text(s, 6, mission, -1, SQLITE_TRANSIENT);
    json_t *arr = json_array();
    mstats all = {.mission = "ALL"}, cur = {0};
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        const char *acr = (const char *)sqlite3_column_text(s, 0);
        if (cur.mission[0] && strcmp(cur.mission, acr) != 0) {
            json_array_append_new(arr, mstats_json(&cur));
            pko_free(cur.r2a.v);
            pko_free(cur.r2ap.v);
            memset(&cur, 0, sizeof(cur));
        }
        snprintf(cur.mission, sizeof(cur.mission), "%s", acr);
        json_t *rec = json_object();
        for (int i = 0; i < T_N; i++) {
            const unsigned char *v = sqlite3_column_text(s, 2 + i);
            if (v)
                json_object_set_new(rec, time_fields[i], json_string((const char *)v));
        }
        const char *status = (const char *)sqlite3_column_text(s, 1);
        mstats_add(&cur, rec, status);
        mstats_add(&all, rec, status);
        json_decref(rec);
    }
    sqlite3_reset(s);
    if (cur.mission[0])
        json_array_append_new(arr, mstats_json(&cur));
    json_array_append_new(arr, mstats_json(&all));
    pko_free(cur.r2a.v);
    pko_free(cur.r2ap.v);
    pko_free(all.r2a.v);
    pko_free(all.r2ap.v);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}

/* ==== Handlers ============================================================ */

static json_t *with_measures(json_t *rec)
{
    json_object_set_new(rec, "measures", casevac_measures(rec));
    return rec;
}

static pko_rc h_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *status = pko_req_query(req, "status");
    pko_scope scope;
    pko_req_scope(req, "casevac.read", &scope);
    const char *binds[3] = {pko_req_query(req, "mission"), status, cursor ? cursor : ""};
    rc = fatalities_reply_ids(
        req, &pko_entity_casevac, &scope,
        "SELECT id FROM casevacs WHERE (?1 IS NULL OR mission_id = (SELECT id FROM missions"
        " WHERE acronym = ?1 OR id = ?1)) AND (?2 IS NULL OR status = ?2) AND id > ?3"
        " ORDER BY id LIMIT ?4",
        binds, 3, limit, err);
    return rc;
}

static pko_rc h_get(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "casevac.read", &scope);
    json_t *c;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_casevac, &scope, pko_req_actor(req),
                           pko_req_param(req, "id"), &c, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, with_measures(c));
    return PKO_OK;
}

static pko_rc check_casualty(pko_req *req, const char *id, const char *mission_id, pko_err *err)
{
    if (!id)
        return PKO_OK;
    pko_scope scope;
    pko_req_scope(req, "fatalities.read", &scope);
    json_t *f;
    pko_rc rc =
        pko_db_get(pko_req_db(req), &pko_entity_fatality, &scope, pko_req_actor(req), id, &f, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "casualty_id", "no casualty %.40s", id);
    }
    if (rc)
        return rc;
    if (strcmp(json_string_value(json_object_get(f, "mission_id")), mission_id) != 0)
        rc = pko_err_field(err, PKO_EINVAL, "casualty_id",
                           "casualty %.40s belongs to another mission", id);
    json_decref(f);
    return rc;
}

static pko_rc reply_casevac(pko_req *req, const char *id, int status, pko_err *err)
{
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *rec;
    pko_rc rc =
        pko_db_get(pko_req_db(req), &pko_entity_casevac, &all, pko_req_actor(req), id, &rec, err);
    if (rc)
        return rc;
    if (status == 201) {
        char loc[128];
        snprintf(loc, sizeof(loc), "/api/v1/casevac/%s", id);
        pko_req_add_header(req, "Location", loc);
    }
    pko_req_reply(req, status, with_measures(rec));
    return PKO_OK;
}

static pko_rc h_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = fatalities_check_known(b, casevac_fields, "casualty evacuation", err);
    const char *mid = json_string_value(json_object_get(b, "mission_id"));
    if (!rc)
        rc = fatalities_check_mission(req, "mission_id", mid, "casevac.write", NULL, err);
    if (rc)
        return rc;
    json_object_del(b, "version");
    if (!json_object_get(b, "patients"))
        json_object_set_new(b, "patients", json_integer(1));
    if (!json_object_get(b, "priority"))
        json_object_set_new(b, "priority", json_string("urgent"));
    const char *st = json_string_value(json_object_get(b, "status"));
    if (st && strcmp(st, "requested") != 0)
        return pko_err_field(err, PKO_EINVAL, "status",
                             "a new evacuation is requested; its status follows its times");
    rc = casevac_validate(b, (int64_t)time(NULL), err);
    if (!rc)
        rc = fatalities_check_class(req, b, err);
    if (!rc)
        rc = fatalities_check_incident(req, json_string_value(json_object_get(b, "incident_id")),
                                       mid, err);
    if (!rc)
        rc = check_casualty(req, json_string_value(json_object_get(b, "casualty_id")), mid, err);
    if (rc)
        return rc;
    char id[PKO_ID_LEN];
    rc = pko_db_insert(pko_req_db(req), pko_req_actor(req), &pko_entity_casevac, b, id, err);
    if (rc)
        return rc;
    return reply_casevac(req, id, 201, err);
}

static pko_rc h_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    pko_scope scope;
    pko_req_scope(req, "casevac.read", &scope);
    json_t *cur;
    rc =
        pko_db_get(pko_req_db(req), &pko_entity_casevac, &scope, pko_req_actor(req), id, &cur, err);
    if (rc)
        return rc;
    const char *mid = json_string_value(json_object_get(cur, "mission_id"));
    rc = fatalities_check_known(b, casevac_fields, "casualty evacuation", err);
    if (!rc && json_object_get(b, "mission_id"))
        rc = pko_err_field(err, PKO_EINVAL, "mission_id", "mission_id cannot be changed");
    if (!rc)
        rc = fatalities_check_mission(req, "mission_id", mid, "casevac.write", NULL, err);
    if (!rc && strcmp(json_string_value(json_object_get(cur, "status")), "cancelled") == 0)
        rc = pko_err_field(err, PKO_EINVAL, "status", "this evacuation was cancelled");
    json_t *ver = json_object_get(b, "version");
    if (!rc && ver && !json_is_integer(ver))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t expect = json_integer_value(ver);
    json_object_del(b, "version");
    if (!rc)
        rc = fatalities_check_class(req, b, err);
    json_t *merged = json_copy(cur);
    json_object_update(merged, b);
    /* Without an explicit status, the derived one replaces the stored one. */
    if (!json_object_get(b, "status"))
        json_object_del(merged, "status");
    if (!rc)
        rc = casevac_validate(merged, (int64_t)time(NULL), err);
    if (!rc && json_object_get(b, "incident_id"))
        rc = fatalities_check_incident(req, json_string_value(json_object_get(b, "incident_id")),
                                       mid, err);
    if (!rc && json_object_get(b, "casualty_id"))
        rc = check_casualty(req, json_string_value(json_object_get(b, "casualty_id")), mid, err);
    if (!rc) {
        /* Store the normalised times and the status from the merged record. */
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v)
        {
            json_t *m = json_object_get(merged, k);
            if (m)
                json_object_set(b, k, m);
        }
        json_object_set(b, "status", json_object_get(merged, "status"));
    }
    json_decref(merged);
    json_decref(cur);
    if (rc)
        return rc;
    rc =
        pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_casevac, id, b, expect, err);
    if (rc)
        return rc;
    return reply_casevac(req, id, 200, err);
}

static pko_rc h_stats(pko_req *req, pko_err *err)
{
    char today[11];
    fatalities_today(today);
    const char *from = pko_req_query(req, "from"), *to = pko_req_query(req, "to");
    if (!from)
        from = "1945-01-01";
    if (!to)
        to = today;
    if (!fatalities_is_date(from))
        return pko_err_field(err, PKO_EINVAL, "from", "from must be a date YYYY-MM-DD");
    if (!fatalities_is_date(to))
        return pko_err_field(err, PKO_EINVAL, "to", "to must be a date YYYY-MM-DD");
    if (strcmp(from, to) > 0)
        return pko_err_field(err, PKO_EINVAL, "from", "from %s is after to %s", from, to);
    pko_scope scope;
    pko_req_scope(req, "casevac.read", &scope);
    json_t *items;
    pko_rc rc = casevac_stats(pko_req_db(req), &scope, from, to, pko_req_query(req, "mission"),
                              &items, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:s, s:s, s:s}", "items", items, "from", from, "to", to,
                            "standard",
                            "10-1-2: first aid within 10 minutes of injury, damage-control "
                            "resuscitation within 1 hour, surgery within 2 hours"));
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route casevac_routes[] = {
    {"GET", "/api/v1/casevac", h_list, "casevac.read", 0, 0},
    {"POST", "/api/v1/casevac", h_create, "casevac.write", 0, 16384},
    {"GET", "/api/v1/casevac/stats", h_stats, "casevac.read", 0, 0},
    {"GET", "/api/v1/casevac/{id}", h_get, "casevac.read", 0, 0},
    {"PATCH", "/api/v1/casevac/{id}", h_update, "casevac.write", 0, 16384},
};

static const pko_entity *const casevac_entities[] = {&pko_entity_casevac};

const pko_module pko_module_casevac = {
    .name = "casevac",
    .summary = "casualty evacuations against the 10-1-2 standard, per-mission statistics",
    .migrations = casevac_migrations,
    .n_migrations = sizeof(casevac_migrations) / sizeof(casevac_migrations[0]),
    .entities = casevac_entities,
    .n_entities = sizeof(casevac_entities) / sizeof(casevac_entities[0]),
    .perms = casevac_perms,
    .n_perms = sizeof(casevac_perms) / sizeof(casevac_perms[0]),
    .routes = casevac_routes,
    .n_routes = sizeof(casevac_routes) / sizeof(casevac_routes[0]),
};
