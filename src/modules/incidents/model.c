/* SPDX-License-Identifier: MIT
 *
 * The incident model: schema, entity descriptors, workflow states, time
 * parsing and field validation.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/incidents/incidents_int.h"

/* ==== Schema ============================================================= */

#define STD "id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL" \
            " DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "

const pko_migration incidents_migrations[INCIDENTS_N_MIGRATIONS] = {
    {1, "CREATE TABLE actors(" STD
        " name TEXT NOT NULL, actor_type TEXT NOT NULL, source_system TEXT, source_id TEXT) STRICT;"
        "CREATE UNIQUE INDEX actors_source ON actors(source_system, source_id)"
        "  WHERE source_id IS NOT NULL;"
        "CREATE INDEX actors_name ON actors(name COLLATE NOCASE);"
        "CREATE TABLE incidents(" STD
        " mission_id TEXT REFERENCES missions(id), title TEXT NOT NULL, narrative TEXT,"
        " occurred_start TEXT NOT NULL, occurred_end TEXT,"
        " date_precision INTEGER NOT NULL DEFAULT 1, reported_at TEXT,"
        " lat REAL NOT NULL, lon REAL NOT NULL, location_precision INTEGER,"
        " place TEXT, admin1 TEXT, admin2 TEXT, country TEXT, category TEXT NOT NULL,"
        " perpetrator_id TEXT REFERENCES actors(id), target_id TEXT REFERENCES actors(id),"
        " killed_civilians INTEGER, killed_un_uniformed INTEGER, killed_un_civilian INTEGER,"
        " killed_security_forces INTEGER, killed_armed_groups INTEGER,"
        " injured_civilians INTEGER, injured_un_uniformed INTEGER, injured_un_civilian INTEGER,"
        " injured_security_forces INTEGER, injured_armed_groups INTEGER,"
        " abducted_civilians INTEGER, abducted_un_uniformed INTEGER,"
        " abducted_un_civilian INTEGER, abducted_security_forces INTEGER,"
        " abducted_armed_groups INTEGER,"
        " women_killed INTEGER, children_killed INTEGER, women_injured INTEGER,"
        " children_injured INTEGER, women_abducted INTEGER, children_abducted INTEGER,"
        " killed_total INTEGER NOT NULL DEFAULT 0, killed_low INTEGER, killed_high INTEGER,"
        " casualties_total INTEGER NOT NULL DEFAULT 0,"
        " source_type TEXT, source_reliability TEXT, source_credibility INTEGER,"
        " source_system TEXT, source_id TEXT,"
        " status TEXT NOT NULL, status_reason TEXT, reporter_id TEXT,"
        " t_start INTEGER NOT NULL) STRICT;"
        "CREATE UNIQUE INDEX incidents_source ON incidents(source_system, source_id)"
        "  WHERE source_id IS NOT NULL;"
        "CREATE VIRTUAL TABLE incidents_fts USING fts5(title, narrative, place,"
        "  content='incidents', content_rowid='rowid');"
        "CREATE TRIGGER incidents_fts_ins AFTER INSERT ON incidents BEGIN"
        "  INSERT INTO incidents_fts(rowid, title, narrative, place)"
        "  VALUES (new.rowid, new.title, new.narrative, new.place); END;"
        "CREATE TRIGGER incidents_fts_del AFTER DELETE ON incidents BEGIN"
        "  INSERT INTO incidents_fts(incidents_fts, rowid, title, narrative, place)"
        "  VALUES ('delete', old.rowid, old.title, old.narrative, old.place); END;"
        "CREATE TRIGGER incidents_fts_upd AFTER UPDATE OF title, narrative, place ON incidents"
        "  BEGIN INSERT INTO incidents_fts(incidents_fts, rowid, title, narrative, place)"
        "  VALUES ('delete', old.rowid, old.title, old.narrative, old.place);"
        "  INSERT INTO incidents_fts(rowid, title, narrative, place)"
        "  VALUES (new.rowid, new.title, new.narrative, new.place); END;"
        "CREATE TABLE incident_links(" STD
        " incident_id TEXT NOT NULL REFERENCES incidents(id),"
        " related_id TEXT NOT NULL REFERENCES incidents(id), relation TEXT NOT NULL,"
        " UNIQUE (incident_id, related_id)) STRICT;"},
    /* Bulk imports fill the full-text index once at the end instead of row
     * by row: while a row of incidents_fts_defer exists (only ever inside an
     * import's own transaction, so no other connection sees it) the insert
     * trigger stands aside. */
    {2, "CREATE TABLE incidents_fts_defer(since INTEGER NOT NULL) STRICT;"
        "DROP TRIGGER incidents_fts_ins;"
        "CREATE TRIGGER incidents_fts_ins AFTER INSERT ON incidents"
        "  WHEN NOT EXISTS (SELECT 1 FROM incidents_fts_defer) BEGIN"
        "  INSERT INTO incidents_fts(rowid, title, narrative, place)"
        "  VALUES (new.rowid, new.title, new.narrative, new.place); END;"},
};

#define RO PKO_COL_READONLY
#define REQ PKO_COL_REQUIRED
const pko_col incidents_cols[] = {
    {"mission_id", PKO_COL_TEXT, 0},
    {"title", PKO_COL_TEXT, REQ},
    {"narrative", PKO_COL_TEXT, 0},
    {"occurred_start", PKO_COL_TEXT, REQ},
    {"occurred_end", PKO_COL_TEXT, 0},
    {"date_precision", PKO_COL_INT, 0},
    {"reported_at", PKO_COL_TEXT, 0},
    {"lat", PKO_COL_REAL, REQ},
    {"lon", PKO_COL_REAL, REQ},
    {"location_precision", PKO_COL_INT, 0},
    {"place", PKO_COL_TEXT, 0},
    {"admin1", PKO_COL_TEXT, 0},
    {"admin2", PKO_COL_TEXT, 0},
    {"country", PKO_COL_TEXT, 0},
    {"category", PKO_COL_TEXT, REQ},
    {"perpetrator_id", PKO_COL_TEXT, 0},
    {"target_id", PKO_COL_TEXT, 0},
    {"killed_civilians", PKO_COL_INT, 0},
    {"killed_un_uniformed", PKO_COL_INT, 0},
    {"killed_un_civilian", PKO_COL_INT, 0},
    {"killed_security_forces", PKO_COL_INT, 0},
    {"killed_armed_groups", PKO_COL_INT, 0},
    {"injured_civilians", PKO_COL_INT, 0},
    {"injured_un_uniformed", PKO_COL_INT, 0},
    {"injured_un_civilian", PKO_COL_INT, 0},
    {"injured_security_forces", PKO_COL_INT, 0},
    {"injured_armed_groups", PKO_COL_INT, 0},
    {"abducted_civilians", PKO_COL_INT, 0},
    {"abducted_un_uniformed", PKO_COL_INT, 0},
    {"abducted_un_civilian", PKO_COL_INT, 0},
    {"abducted_security_forces", PKO_COL_INT, 0},
    {"abducted_armed_groups", PKO_COL_INT, 0},
    {"women_killed", PKO_COL_INT, 0},
    {"children_killed", PKO_COL_INT, 0},
    {"women_injured", PKO_COL_INT, 0},
    {"children_injured", PKO_COL_INT, 0},
    {"women_abducted", PKO_COL_INT, 0},
    {"children_abducted", PKO_COL_INT, 0},
    {"killed_total", PKO_COL_INT, 0},
    {"killed_low", PKO_COL_INT, 0},
    {"killed_high", PKO_COL_INT, 0},
    {"casualties_total", PKO_COL_INT, 0},
    {"source_type", PKO_COL_TEXT, 0},
    {"source_reliability", PKO_COL_TEXT, 0},
    {"source_credibility", PKO_COL_INT, 0},
    {"source_system", PKO_COL_TEXT, RO},
    {"source_id", PKO_COL_TEXT, RO},
    {"status", PKO_COL_TEXT, REQ},
    {"status_reason", PKO_COL_TEXT, 0},
    {"reporter_id", PKO_COL_TEXT, RO},
    {"t_start", PKO_COL_INT, PKO_COL_HIDDEN},
};
const pko_entity pko_entity_incident = {
    "incident", "incidents", incidents_cols, sizeof(incidents_cols) / sizeof(incidents_cols[0]),
    "mission_id", 0};

static const pko_col actor_cols[] = {
    {"name", PKO_COL_TEXT, REQ},
    {"actor_type", PKO_COL_TEXT, REQ},
    {"source_system", PKO_COL_TEXT, RO},
    {"source_id", PKO_COL_TEXT, RO},
};
const pko_entity pko_entity_actor = {"actor", "actors", actor_cols, 4, NULL, 0};

static const pko_col link_cols[] = {
    {"incident_id", PKO_COL_TEXT, REQ | RO},
    {"related_id", PKO_COL_TEXT, REQ | RO},
    {"relation", PKO_COL_TEXT, REQ},
};
const pko_entity pko_entity_incident_link = {"incident_link", "incident_links", link_cols, 3, NULL,
                                             0};

/* ==== Vocabularies ======================================================= */

static const char *const status_names[INC_STATUS_COUNT] = {
    "draft", "submitted", "verified", "published", "returned", "rejected"};

const char *incidents_status_name(int s)
{
    return s >= 0 && s < INC_STATUS_COUNT ? status_names[s] : "unknown";
}

int incidents_status_parse(const char *s)
{
    for (int i = 0; s && i < INC_STATUS_COUNT; i++)
        if (strcmp(s, status_names[i]) == 0)
            return i;
    return -1;
}

const char *const incidents_actor_types[] = {
    "state_forces", "armed_group", "militia", "civilians", "protesters", "rioters",
    "un_mission",   "external_forces", "political_party", "criminal_group", "other", NULL};

const char *const incidents_source_types[] = {
    "un_patrol",     "un_personnel", "local_authority", "community_alert_network",
    "ngo",           "media",        "social_media",    "dataset",
    "host_security", "other",        NULL};

const char *const incidents_casualty_fields[15] = {
    "killed_civilians",    "killed_un_uniformed",      "killed_un_civilian",
    "killed_security_forces", "killed_armed_groups",   "injured_civilians",
    "injured_un_uniformed",   "injured_un_civilian",   "injured_security_forces",
    "injured_armed_groups",   "abducted_civilians",    "abducted_un_uniformed",
    "abducted_un_civilian",   "abducted_security_forces", "abducted_armed_groups"};

bool incidents_in_list(const char *const *list, const char *v)
{
    for (size_t i = 0; v && list[i]; i++)
        if (strcmp(list[i], v) == 0)
            return true;
    return false;
}

/* ==== Time =============================================================== */

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int32_t days_civil(int y, int m, int d)
{
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;
    int32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

pko_rc incidents_parse_time(const char *s, int32_t *minutes)
{
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return PKO_EINVAL;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return PKO_EINVAL;
    if (d > mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
        return PKO_EINVAL;
    int hh = 0, mm = 0, off = 0;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        hh = digits(p + 1, 2);
        if (hh < 0 || hh > 23 || p[3] != ':')
            return PKO_EINVAL;
        mm = digits(p + 4, 2);
        if (mm < 0 || mm > 59)
            return PKO_EINVAL;
        p += 6;
        if (*p == ':') {
            int ss = digits(p + 1, 2);
            if (ss < 0 || ss > 60)
                return PKO_EINVAL;
            p += 3;
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return PKO_EINVAL;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh = digits(p + 1, 2), om = p[3] == ':' ? digits(p + 4, 2) : -1;
            if (oh < 0 || oh > 14 || om < 0 || om > 59)
                return PKO_EINVAL;
            off = (oh * 60 + om) * (*p == '+' ? 1 : -1);
            p += 6;
        }
    }
    if (*p)
        return PKO_EINVAL;
    int64_t v = (int64_t)days_civil(y, m, d) * 1440 + hh * 60 + mm - off;
    *minutes = (int32_t)v;
    return PKO_OK;
}

/* ==== Polygons ============================================================ */

pko_rc incidents_parse_polygon(const char *s, double *pts, size_t cap, size_t *n)
{
    *n = 0;
    const char *p = s;
    while (*p) {
        if (*n == cap)
            return PKO_EINVAL;
        char *end;
        double lon = strtod(p, &end);
        if (end == p || *end != ' ' || !isfinite(lon) || fabs(lon) > 180)
            return PKO_EINVAL;
        p = end + 1;
        double lat = strtod(p, &end);
        if (end == p || (*end != ',' && *end != '\0') || !isfinite(lat) || fabs(lat) > 90)
            return PKO_EINVAL;
        pts[2 * *n] = lon;
        pts[2 * *n + 1] = lat;
        (*n)++;
        if (!*end)
            break;
        p = end + 1;
        if (!*p)
            return PKO_EINVAL; /* a trailing comma */
    }
    return *n >= 3 ? PKO_OK : PKO_EINVAL;
}

/* ==== Validation ========================================================= */

static pko_rc check_text(json_t *f, const char *k, size_t max, bool required, pko_err *err)
{
    json_t *v = json_object_get(f, k);
    if (!v || json_is_null(v)) {
        if (required)
            return pko_err_field(err, PKO_EINVAL, k, "%s is required", k);
        return PKO_OK;
    }
    if (!json_is_string(v))
        return pko_err_field(err, PKO_EINVAL, k, "%s must be text", k);
    size_t n = json_string_length(v);
    if ((required && n == 0) || n > max)
        return pko_err_field(err, PKO_EINVAL, k, "%s must be %s%zu characters or fewer", k,
                             required ? "1 to " : "", max);
    return PKO_OK;
}

static pko_rc check_int(json_t *f, const char *k, json_int_t lo, json_int_t hi, pko_err *err)
{
    json_t *v = json_object_get(f, k);
    if (!v || json_is_null(v))
        return PKO_OK;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return pko_err_field(err, PKO_EINVAL, k, "%s must be a whole number from %lld to %lld", k,
                             (long long)lo, (long long)hi);
    return PKO_OK;
}

static json_int_t ival(json_t *f, const char *k)
{
    json_t *v = json_object_get(f, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

pko_rc incidents_validate(json_t *f, pko_err *err)
{
    pko_rc rc;
    if ((rc = check_text(f, "title", 300, true, err)) ||
        (rc = check_text(f, "narrative", 20000, false, err)) ||
        (rc = check_text(f, "place", 200, false, err)) ||
        (rc = check_text(f, "admin1", 200, false, err)) ||
        (rc = check_text(f, "admin2", 200, false, err)) ||
        (rc = check_text(f, "country", 100, false, err)) ||
        (rc = check_text(f, "status_reason", 2000, false, err)))
        return rc;

    int32_t t0 = 0, t1 = 0;
    json_t *v = json_object_get(f, "occurred_start");
    if (!json_is_string(v) || incidents_parse_time(json_string_value(v), &t0))
        return pko_err_field(err, PKO_EINVAL, "occurred_start",
                             "occurred_start must be a date (YYYY-MM-DD) or a date and time "
                             "(YYYY-MM-DDTHH:MM:SSZ) from 1900 on");
    v = json_object_get(f, "occurred_end");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v) || incidents_parse_time(json_string_value(v), &t1))
            return pko_err_field(err, PKO_EINVAL, "occurred_end",
                                 "occurred_end must be a date (YYYY-MM-DD) or a date and time");
        if (t1 < t0)
            return pko_err_field(err, PKO_EINVAL, "occurred_end",
                                 "occurred_end is before occurred_start");
    }
    v = json_object_get(f, "reported_at");
    if (v && !json_is_null(v) &&
        (!json_is_string(v) || incidents_parse_time(json_string_value(v), &t1)))
        return pko_err_field(err, PKO_EINVAL, "reported_at",
                             "reported_at must be a date or a date and time");
    if ((rc = check_int(f, "date_precision", 1, 5, err)) ||
        (rc = check_int(f, "location_precision", 1, 7, err)))
        return rc;

    static const struct {
        const char *k;
        double lim;
    } coords[] = {{"lat", 90}, {"lon", 180}};
    for (int i = 0; i < 2; i++) {
        v = json_object_get(f, coords[i].k);
        if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
            fabs(json_number_value(v)) > coords[i].lim)
            return pko_err_field(err, PKO_EINVAL, coords[i].k,
                                 "%s must be a number from -%g to %g (WGS84 degrees)",
                                 coords[i].k, coords[i].lim, coords[i].lim);
    }

    v = json_object_get(f, "category");
    if (!json_is_string(v) || incidents_category_index(json_string_value(v)) < 0)
        return pko_err_field(err, PKO_EINVAL, "category",
                             "category must be a code from docs/taxonomy.md, e.g. "
                             "\"pk.attack_on_un\" or \"battles.armed_clash\"");

    for (int i = 0; i < 15; i++)
        if ((rc = check_int(f, incidents_casualty_fields[i], 0, 1000000, err)))
            return rc;
    static const char *const wc[] = {"women_killed",  "children_killed",  "women_injured",
                                     "children_injured", "women_abducted", "children_abducted"};
    static const char *const civ[] = {"killed_civilians",  "killed_civilians",
                                      "injured_civilians", "injured_civilians",
                                      "abducted_civilians", "abducted_civilians"};
    for (int i = 0; i < 6; i++) {
        if ((rc = check_int(f, wc[i], 0, 1000000, err)))
            return rc;
        if (ival(f, wc[i]) > ival(f, civ[i]))
            return pko_err_field(err, PKO_EINVAL, wc[i], "%s cannot exceed %s", wc[i], civ[i]);
    }
    if ((rc = check_int(f, "killed_total", 0, 10000000, err)) ||
        (rc = check_int(f, "killed_low", 0, 10000000, err)) ||
        (rc = check_int(f, "killed_high", 0, 10000000, err)) ||
        (rc = check_int(f, "source_credibility", 1, 6, err)))
        return rc;

    v = json_object_get(f, "source_reliability");
    if (v && !json_is_null(v)) {
        const char *r = json_string_value(v);
        if (!r || strlen(r) != 1 || r[0] < 'A' || r[0] > 'F')
            return pko_err_field(err, PKO_EINVAL, "source_reliability",
                                 "source_reliability must be an Admiralty grade A to F");
    }
    v = json_object_get(f, "source_type");
    if (v && !json_is_null(v) &&
        !incidents_in_list(incidents_source_types, json_string_value(v)))
        return pko_err_field(err, PKO_EINVAL, "source_type",
                             "source_type must be one of un_patrol, un_personnel, "
                             "local_authority, community_alert_network, ngo, media, "
                             "social_media, dataset, host_security, other");
    static const char *const ids[] = {"mission_id", "perpetrator_id", "target_id"};
    for (int i = 0; i < 3; i++) {
        v = json_object_get(f, ids[i]);
        if (v && !json_is_null(v) && (!json_is_string(v) || !pko_id_valid(json_string_value(v))))
            return pko_err_field(err, PKO_EINVAL, ids[i], "%s must be a record id", ids[i]);
    }
    return PKO_OK;
}

void incidents_derive(json_t *f)
{
    if (!json_is_integer(json_object_get(f, "date_precision")))
        json_object_set_new(f, "date_precision", json_integer(1));
    int32_t t = 0;
    if (incidents_parse_time(json_string_value(json_object_get(f, "occurred_start")), &t) ==
        PKO_OK)
        json_object_set_new(f, "t_start", json_integer(t));
    json_int_t killed = 0, cas = 0;
    bool any_killed = false;
    for (int i = 0; i < 15; i++) {
        json_int_t n = ival(f, incidents_casualty_fields[i]);
        cas += n;
        if (i < 5) {
            killed += n;
            any_killed |= json_is_integer(json_object_get(f, incidents_casualty_fields[i]));
        }
    }
    json_t *kt = json_object_get(f, "killed_total");
    if (!json_is_integer(kt) || (any_killed && json_integer_value(kt) < killed))
        json_object_set_new(f, "killed_total", json_integer(killed));
    killed = ival(f, "killed_total");
    /* casualties_total counts the total killed, which may exceed the
     * disaggregated counts (UCDP's best estimate), plus injured and abducted. */
    json_int_t by_group_killed = 0;
    for (int i = 0; i < 5; i++)
        by_group_killed += ival(f, incidents_casualty_fields[i]);
    json_object_set_new(f, "casualties_total", json_integer(cas - by_group_killed + killed));
}
