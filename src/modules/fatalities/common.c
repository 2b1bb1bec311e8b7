/* SPDX-License-Identifier: MIT
 *
 * What the accountability registers share: vocabularies, date and time
 * checks, the mission and incident links, scoped reads of id lists.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/fatalities/fatalities.h"
#include "modules/incidents/incidents.h"
#include "modules/missions/missions.h"

const char *const fatalities_categories[] = {
    "military", "police", "military_observer", "international_civilian", "national_staff",
    "other",    NULL};
const char *const fatalities_casualty_types[] = {"fatality", "injury", NULL};
const char *const fatalities_incident_types[] = {
    "malicious_act", "accident", "illness", "self_inflicted", "to_be_determined", "unknown", NULL};
const char *const fatalities_weapons[] = {"ied_explosive_ordnance",
                                          "indirect_fire",
                                          "armed_drone",
                                          "small_arms",
                                          "rocket_propelled_grenade",
                                          "landmine",
                                          "edged_weapon",
                                          "vehicle_ramming",
                                          "arson",
                                          "other",
                                          "unknown",
                                          NULL};

int fatalities_index(const char *const *list, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

bool fatalities_is_uniformed(const char *c)
{
    return c && (strcmp(c, "military") == 0 || strcmp(c, "police") == 0 ||
                 strcmp(c, "military_observer") == 0);
}

bool fatalities_is_date(const char *s)
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

void fatalities_today(char out[11])
{
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    strftime(out, 11, "%Y-%m-%d", &t);
}

pko_rc fatalities_check_date(json_t *f, const char *name, bool required, const char *today,
                             pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (!v || json_is_null(v)) {
        if (required)
            return pko_err_field(err, PKO_EINVAL, name, "%s is required (YYYY-MM-DD)", name);
        return PKO_OK;
    }
    if (!json_is_string(v) || !fatalities_is_date(json_string_value(v)))
        return pko_err_field(err, PKO_EINVAL, name, "%s must be a date YYYY-MM-DD from 1945 on",
                             name);
    if (today && strcmp(json_string_value(v), today) > 0)
        return pko_err_field(err, PKO_EINVAL, name, "%s %s is in the future (today is %s)", name,
                             json_string_value(v), today);
    return PKO_OK;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool two(const char *p, int *out)
{
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
        return false;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

bool fatalities_parse_time(const char *s, int64_t *secs)
{
    if (!s || strlen(s) < 17 || s[10] != 'T')
        return false;
    char date[11];
    memcpy(date, s, 10);
    date[10] = 0;
    if (!fatalities_is_date(date))
        return false;
    int hh, mm, ss = 0;
    if (!two(s + 11, &hh) || s[13] != ':' || !two(s + 14, &mm) || hh > 23 || mm > 59)
        return false;
    const char *p = s + 16;
    if (*p == ':') {
        if (!two(p + 1, &ss) || ss > 59)
            return false;
        p += 3;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return false;
    *secs = days_from_civil(atoi(s), (unsigned)atoi(s + 5), (unsigned)atoi(s + 8)) * 86400 +
            hh * 3600 + mm * 60 + ss;
    return true;
}

pko_rc fatalities_mission_by_acronym(pko_db *db, const char *acronym, char out[PKO_ID_LEN],
                                     pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, "SELECT id FROM missions WHERE acronym = ?1", &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, acronym, -1, SQLITE_TRANSIENT);
    int row;
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        snprintf(out, PKO_ID_LEN, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (!rc && !row)
        return pko_err_field(err, PKO_ENOTFOUND, "mission", "no mission %.40s", acronym);
    return rc;
}

pko_rc fatalities_check_mission(pko_req *req, const char *field, const char *mission_id,
                                const char *perm, char acronym[33], pko_err *err)
{
    if (!mission_id || strlen(mission_id) != PKO_ID_LEN - 1)
        return pko_err_field(err, PKO_EINVAL, field, "%s must be a mission's id", field);
    pko_scope scope;
    pko_req_scope(req, "missions.read", &scope);
    json_t *m;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &scope, pko_req_actor(req),
                           mission_id, &m, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, field, "no mission %.40s", mission_id);
    }
    if (rc)
        return rc;
    const char *acr = json_string_value(json_object_get(m, "acronym"));
    if (acronym)
        snprintf(acronym, 33, "%s", acr ? acr : "");
    rc = perm ? pko_req_require(req, perm, acr, err) : PKO_OK;
    json_decref(m);
    return rc;
}

pko_rc fatalities_check_incident(pko_req *req, const char *incident_id, const char *mission_id,
                                 pko_err *err)
{
    if (!incident_id)
        return PKO_OK;
    if (strlen(incident_id) != PKO_ID_LEN - 1)
        return pko_err_field(err, PKO_EINVAL, "incident_id",
                             "incident_id must be an incident's id");
    pko_scope scope;
    pko_req_scope(req, "incidents.read", &scope);
    json_t *inc;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_incident, &scope, pko_req_actor(req),
                           incident_id, &inc, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "incident_id", "no incident %.40s", incident_id);
    }
    if (rc)
        return rc;
    const char *im = json_string_value(json_object_get(inc, "mission_id"));
    if (im && mission_id && strcmp(im, mission_id) != 0)
        rc = pko_err_field(err, PKO_EINVAL, "incident_id",
                           "incident %.40s belongs to another mission", incident_id);
    json_decref(inc);
    return rc;
}

pko_rc fatalities_check_class(pko_req *req, json_t *b, pko_err *err)
{
    json_t *c = json_object_get(b, "classification");
    if (!c)
        return PKO_OK;
    int cls = json_is_string(c) ? pko_class_parse(json_string_value(c)) : -1;
    if (cls < 0)
        return pko_err_field(err, PKO_EINVAL, "classification",
                             "classification must be unclassified, confidential or "
                             "strictly_confidential");
    if (cls > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    return PKO_OK;
}

pko_rc fatalities_check_known(json_t *f, const char *const *known, const char *what, pko_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        if (fatalities_index(known, k) < 0)
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a %s", k, what);
    }
    return PKO_OK;
}

void fatalities_bind_scope(pko_stmt *s, const pko_scope *scope)
{
    sqlite3_bind_int(s, 1, scope->clearance);
    sqlite3_bind_int(s, 2, scope->all_missions);
    sqlite3_bind_text(s, 3, scope->missions_json ? scope->missions_json : "[]", -1,
                      SQLITE_TRANSIENT);
}

pko_rc fatalities_reply_ids(pko_req *req, const pko_entity *e, const pko_scope *scope,
                            const char *sql, const char *const *binds, int n_binds, int limit,
                            pko_err *err)
{
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    for (int i = 0; i < n_binds; i++)
        if (binds[i])
            sqlite3_bind_text(s, i + 1, binds[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, n_binds + 1, limit);
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
    size_t n = json_array_size(ids);
    json_t *next = n == (size_t)limit && n ? json_copy(json_array_get(ids, n - 1)) : json_null();
    json_decref(ids);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

pko_rc fatalities_reply_record(pko_req *req, const pko_entity *e, const char *id, int status,
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
