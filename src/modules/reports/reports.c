/* SPDX-License-Identifier: MIT
 *
 * The reports module: the Secretary-General's report figures from live
 * data (GET /api/v1/reports/sg-figures, `pko report sg-figures`) and the
 * uniformed gender returns figure I is drawn from.
 *
 * Access: every role reads the figures; they are counts only, computed
 * under the caller's clearance and missions (figure II and III) -- a
 * reader of one mission gets that mission's figures. Gender returns are
 * world-wide published totals (no mission): planners and system
 * administrators with an all-missions grant record them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/accountability/accountability.h"
#include "modules/fatalities/fatalities.h"
#include "modules/reports/reports.h"
#include "modules/misconduct/misconduct.h"

/* ==== Schema ============================================================= */

static const pko_migration reports_migrations[] = {
    {1, "CREATE TABLE reports_gender_returns("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " year INTEGER NOT NULL CHECK (year BETWEEN 1948 AND 2200),"
        " category TEXT NOT NULL CHECK (category IN ('military_contingents',"
        "'military_observers_staff_officers','formed_police_units','individual_police_officers',"
        "'justice_corrections')),"
        " women INTEGER NOT NULL CHECK (women >= 0),"
        " total INTEGER NOT NULL CHECK (total > 0 AND total >= women),"
        " source TEXT NOT NULL,"
        " UNIQUE (year, category)"
        ") STRICT;"},
};

static const pko_col gender_cols[] = {
    {"year", PKO_COL_INT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"category", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"women", PKO_COL_INT, PKO_COL_REQUIRED},
    {"total", PKO_COL_INT, PKO_COL_REQUIRED},
    {"source", PKO_COL_TEXT, PKO_COL_REQUIRED},
};

const pko_entity pko_entity_gender_return = {"gender_return",
                                             "reports_gender_returns",
                                             gender_cols,
                                             sizeof(gender_cols) / sizeof(gender_cols[0]),
                                             NULL,
                                             0};

static const pko_perm reports_perms[] = {
    {"reports.read", PKO_ROLES_ALL, "see the report figures (counts, within one's missions)",
     false},
    {"reports.data.write", PKO_ROLE_PLANNER,
     "record published uniformed gender returns (all missions)", true},
};

static const char *const gender_categories[] = {
    "military_contingents", "military_observers_staff_officers",
    "formed_police_units",  "individual_police_officers",
    "justice_corrections",  NULL};
static const char *const gender_labels[] = {
    "Military contingents", "Military observers and staff officers", "Formed police units",
    "Individual police officers", "Justice and corrections personnel"};

/* ==== Figures ============================================================ */

unsigned reports_parse_figures(const char *s)
{
    if (!s || !*s || strcmp(s, "all") == 0)
        return REPORTS_ALL_FIGURES;
    unsigned bits = 0;
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", s);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "I") == 0 || strcmp(t, "1") == 0)
            bits |= 1u << 1;
        else if (strcmp(t, "II") == 0 || strcmp(t, "2") == 0)
            bits |= 1u << 2;
        else if (strcmp(t, "III") == 0 || strcmp(t, "3") == 0)
            bits |= 1u << 3;
        else if (strcmp(t, "IV") == 0 || strcmp(t, "4") == 0)
            bits |= 1u << 4;
        else
            return 0;
    }
    return bits;
}

pko_rc reports_check_period(const char *from, const char *to, const char *today, pko_err *err)
{
    if (!fatalities_is_date(from))
        return pko_err_field(err, PKO_EINVAL, "from",
                             "from must be a date YYYY-MM-DD from 1945 on");
    if (!fatalities_is_date(to))
        return pko_err_field(err, PKO_EINVAL, "to", "to must be a date YYYY-MM-DD from 1945 on");
    if (strcmp(from, today) > 0)
        return pko_err_field(err, PKO_EINVAL, "from", "from %s is in the future (today is %s)",
                             from, today);
    if (strcmp(to, today) > 0)
        return pko_err_field(err, PKO_EINVAL, "to", "to %s is in the future (today is %s)", to,
                             today);
    if (strcmp(from, to) > 0)
        return pko_err_field(err, PKO_EINVAL, "from", "from %s is after to %s", from, to);
    if (atoi(to) - atoi(from) > 100)
        return pko_err_field(err, PKO_EINVAL, "from", "the period is longer than 100 years");
    return PKO_OK;
}

static json_t *series(const char *key, const char *label, const char *kind, const char *axis)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "key", key, "label", label, "kind", kind, "axis",
                     axis);
}

static json_t *figure(const char *id, const char *title, const char *definition, const char *source)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:n, s:[], s:[]}", "id", id, "title", title,
                     "definition", definition, "source", source, "empty", 1, "note", "series",
                     "rows");
}

static pko_rc fig_i(pko_db *db, const char *from, const char *to, json_t *fig, pko_err *err)
{
    json_t *ser = json_object_get(fig, "series");
    for (size_t c = 0; gender_categories[c]; c++)
        json_array_append_new(ser,
                              series(gender_categories[c], gender_labels[c], "line", "percent"));
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT year, category, women, total FROM reports_gender_returns"
                               " WHERE year BETWEEN ?1 AND ?2 ORDER BY year",
                               &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, atoi(from));
    sqlite3_bind_int(s, 2, atoi(to));
    json_t *rows = json_object_get(fig, "rows");
    int y0 = atoi(from), y1 = atoi(to);
    for (int y = y0; y <= y1; y++)
        json_array_append_new(rows, json_pack("{s:i}", "year", y));
    int row;
    int64_t n = 0;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        json_t *r = json_array_get(rows, (size_t)(sqlite3_column_int(s, 0) - y0));
        if (!r)
            continue;
        json_object_set_new(
            r, (const char *)sqlite3_column_text(s, 1),
            json_real((double)sqlite3_column_int64(s, 2) / (double)sqlite3_column_int64(s, 3)));
        n++;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    json_object_set_new(fig, "empty", json_boolean(n == 0));
    if (n == 0)
        json_object_set_new(fig, "note",
                            json_string("No gender returns are recorded for this period "
                                        "(POST /api/v1/reports/uniformed-women)."));
    return PKO_OK;
}

static pko_rc fig_ii(pko_db *db, const pko_scope *scope, const char *from, const char *to,
                     json_t *fig, pko_err *err)
{
    json_t *ser = json_object_get(fig, "series");
    json_array_append_new(
        ser, series("fatalities", "Uniformed fatalities from malicious acts", "bar", "count"));
    json_array_append_new(ser, series("eo_ied_share",
                                      "Share caused by explosive ordnance or IEDs (of those "
                                      "with the weapon recorded)",
                                      "line", "percent"));
    /* Not drawn; in the data table and the CSV. */
    json_array_append_new(ser, series("eo_ied", "Caused by explosive ordnance or IEDs", "data",
                                      "count"));
    json_array_append_new(ser, series("weapon_recorded", "Weapon recorded", "data", "count"));
    json_t *data;
    int64_t total;
    pko_rc rc = fatalities_figure_ii(db, scope, from, to, &data, &total, err);
    if (rc)
        return rc;
    int64_t recorded = 0, eo = 0;
    size_t i;
    json_t *r;
    json_array_foreach(data, i, r)
    {
        recorded += json_integer_value(json_object_get(r, "weapon_recorded"));
        eo += json_integer_value(json_object_get(r, "eo_ied"));
    }
    json_object_set_new(fig, "rows", data);
    json_object_set_new(fig, "empty", json_boolean(total == 0));
    json_object_set_new(fig, "total", json_integer(total));
    char note[300];
    if (total == 0)
        snprintf(note, sizeof(note),
                 "No uniformed fatality from a malicious act is recorded between %s and %s.", from,
                 to);
    else
        snprintf(note, sizeof(note),
                 "%lld fatalities; the weapon is recorded for %lld of them, %lld by explosive "
                 "ordnance or IEDs.",
                 (long long)total, (long long)recorded, (long long)eo);
    json_object_set_new(fig, "note", json_string(note));
    return PKO_OK;
}

static pko_rc fig_iii(pko_db *db, const pko_scope *scope, const char *from, const char *to,
                      json_t *fig, pko_err *err)
{
    json_t *ser = json_object_get(fig, "series");
    json_array_append_new(
        ser, series("cases", "Cases (malicious-act fatalities followed)", "line", "count"));
    json_array_append_new(
        ser, series("investigations", "National investigations opened", "line", "count"));
    json_array_append_new(
        ser, series("suspects_identified", "Alleged perpetrators identified", "line", "count"));
    json_array_append_new(ser, series("arrested", "Arrested or detained", "line", "count"));
    json_array_append_new(ser, series("prosecuted", "Prosecuted", "line", "count"));
    json_array_append_new(ser, series("convicted", "Convicted", "line", "count"));
    json_t *data;
    int64_t total;
    pko_rc rc = accountability_figure_iii(db, scope, from, to, &data, &total, err);
    if (rc)
        return rc;
    json_object_set_new(fig, "rows", data);
    json_object_set_new(fig, "empty", json_boolean(total == 0));
    if (total == 0) {
        char note[200];
        snprintf(note, sizeof(note),
                 "No case of a crime against peacekeepers is recorded between %s and %s.", from,
                 to);
        json_object_set_new(fig, "note", json_string(note));
    }
    return PKO_OK;
}

/* Figure IV comes whole from the misconduct module's public statistics
 * (counts over every record, no record revealed); here it gets a row for
 * every year of the period and the series to draw. */
static pko_rc fig_iv(pko_db *db, const char *from, const char *to, json_t *fig, pko_err *err)
{
    json_t *m;
    pko_rc rc = misconduct_figure_iv(db, from, to, &m, err);
    if (rc)
        return rc;
    static const char *const keys[] = {"title", "definition", "source"};
    for (size_t i = 0; i < 3; i++)
        if (json_is_string(json_object_get(m, keys[i])))
            json_object_set(fig, keys[i], json_object_get(m, keys[i]));
    json_t *ser = json_object_get(fig, "series");
    json_array_append_new(ser,
                          series("same_year", "Incident in the year reported", "stack", "count"));
    json_array_append_new(ser,
                          series("earlier_years", "Incident in an earlier year", "stack", "count"));
    json_array_append_new(ser, series("unknown", "Incident date unknown", "stack", "count"));
    json_t *rows = json_object_get(fig, "rows");
    int y0 = atoi(from), y1 = atoi(to);
    for (int y = y0; y <= y1; y++)
        json_array_append_new(rows, json_pack("{s:i, s:i, s:i, s:i, s:i}", "year", y, "same_year",
                                              0, "earlier_years", 0, "unknown", 0, "total", 0));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(m, "rows"), i, r)
    {
        json_int_t y = json_integer_value(json_object_get(r, "year"));
        if (y >= y0 && y <= y1)
            json_array_set(rows, (size_t)(y - y0), r);
    }
    json_int_t total = json_integer_value(json_object_get(m, "total"));
    json_object_set_new(fig, "total", json_integer(total));
    json_object_set_new(fig, "empty", json_boolean(total == 0));
    char note[200];
    if (total == 0)
        snprintf(note, sizeof(note), "No allegation is recorded as reported between %s and %s.",
                 from, to);
    else
        snprintf(note, sizeof(note), "%lld allegations reported in the period.", (long long)total);
    json_object_set_new(fig, "note", json_string(note));
    json_decref(m);
    return PKO_OK;
}

pko_rc reports_sg_figures(pko_db *db, const pko_scope *scope, const char *from, const char *to,
                          unsigned which, json_t **out, pko_err *err)
{
    pko_scope everything = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    if (!scope)
        scope = &everything;
    json_t *figs = json_array();
    pko_rc rc = PKO_OK;
    if (which & (1u << 1)) {
        json_t *f = figure(
            "I", "Percentage of uniformed women deployed",
            "Women as a share of the uniformed personnel deployed by the United Nations, per "
            "category (military contingents; military observers and staff officers; formed "
            "police units; individual police officers; justice and corrections "
            "government-provided personnel) and year, from the returns recorded in PKO.",
            "Uniformed gender returns recorded in PKO from the Uniformed Gender Parity Strategy "
            "progress reports (Action for Peacekeeping Plus); each row names its source.");
        json_array_append_new(figs, f);
        rc = fig_i(db, from, to, f, err);
    }
    if (!rc && (which & (1u << 2))) {
        json_t *f = figure(
            "II",
            "Uniformed peacekeeper fatalities resulting from malicious acts, and the share "
            "caused by explosive ordnance or improvised explosive devices",
            "Uniformed = military (contingents and staff officers), police and military "
            "observers. Fatalities (not injuries) whose type of incident is malicious act, by "
            "year of the incident. The share counts the weapon 'IED or explosive ordnance' among "
            "the fatalities whose weapon is recorded.",
            "PKO fatalities register (NOTICAS records entered in PKO and the UN dataset "
            "'Fatalities in PKOs and SPMs since 1948', psdata.un.org, imported).");
        json_array_append_new(figs, f);
        rc = fig_ii(db, scope, from, to, f, err);
    }
    if (!rc && (which & (1u << 3))) {
        json_t *f = figure(
            "III", "Investigation and prosecution of crimes against peacekeepers (cumulative)",
            "Cumulative counts from the start of the period to the end of each year: cases "
            "opened for fatalities from malicious acts (by date of the fatality), national "
            "investigations opened, and individuals identified as alleged perpetrators, "
            "arrested or detained, prosecuted and convicted (by date of each step).",
            "PKO accountability register (crimes against peacekeepers, Security Council "
            "resolution 2589 (2021)).");
        json_array_append_new(figs, f);
        rc = fig_iii(db, scope, from, to, f, err);
    }
    if (!rc && (which & (1u << 4))) {
        json_t *f = figure(
            "IV", "Number of allegations of misconduct reported by year",
            "Allegations by year reported, split by whether the incident happened in that year "
            "or in an earlier year. Public statistics only (counts).",
            "PKO misconduct register, public statistics.");
        json_array_append_new(figs, f);
        rc = fig_iv(db, from, to, f, err);
    }
    if (rc) {
        json_decref(figs);
        return rc;
    }
    bool empty = true;
    size_t i;
    json_t *f;
    if (!scope->all_missions) {
        /* Figures I and IV are not kept per mission. */
        json_array_foreach(figs, i, f)
        {
            const char *id = json_string_value(json_object_get(f, "id"));
            if (strcmp(id, "I") == 0 || strcmp(id, "IV") == 0)
                json_object_set_new(f, "all_missions", json_true());
        }
    }
    json_array_foreach(figs, i, f) empty = empty && json_is_true(json_object_get(f, "empty"));
    *out =
        json_pack("{s:s, s:s, s:b, s:o}", "from", from, "to", to, "empty", empty, "figures", figs);
    return PKO_OK;
}

pko_rc reports_narrow_scope(const pko_scope *in, const char *list, pko_scope *out, char **json,
                            pko_err *err)
{
    *json = NULL;
    json_t *allowed = in->all_missions ? NULL : json_loads(in->missions_json, 0, NULL);
    json_t *arr = json_array();
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", list);
    pko_rc rc = strlen(list) >= sizeof(buf)
                    ? pko_err_field(err, PKO_EINVAL, "missions", "missions: too long a list")
                    : PKO_OK;
    char *save = NULL;
    for (char *p = buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    for (char *t = strtok_r(buf, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(t);
        bool ok = n >= 2 && n <= 16;
        for (size_t i = 0; ok && i < n; i++)
            ok = (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '-';
        if (!ok) {
            rc = pko_err_field(err, PKO_EINVAL, "missions",
                               "missions must be a comma-separated list of acronyms, e.g. "
                               "MINUSCA,MONUSCO");
            break;
        }
        bool mine = !allowed;
        size_t i;
        json_t *a;
        json_array_foreach(allowed, i, a) mine = mine || strcmp(json_string_value(a), t) == 0;
        if (!mine)
            rc = pko_err_field(err, PKO_EFORBIDDEN, "missions",
                               "%s is not among the missions you may see", t);
        else
            json_array_append_new(arr, json_string(t));
    }
    if (!rc && json_array_size(arr) == 0)
        rc = pko_err_field(err, PKO_EINVAL, "missions", "missions names no mission");
    if (!rc) {
        *json = json_dumps(arr, JSON_COMPACT);
        *out = *in;
        out->all_missions = false;
        out->missions_json = *json;
    }
    json_decref(arr);
    json_decref(allowed);
    return rc;
}

/* ==== Handlers ============================================================ */

static pko_rc h_sg_figures(pko_req *req, pko_err *err)
{
    char today[11];
    fatalities_today(today);
    const char *from = pko_req_query(req, "from"), *to = pko_req_query(req, "to");
    const char *format = pko_req_query(req, "format");
    if (!from)
        from = "1948-01-01";
    if (!to)
        to = today;
    pko_rc rc = reports_check_period(from, to, today, err);
    if (rc)
        return rc;
    unsigned which = reports_parse_figures(pko_req_query(req, "figure"));
    if (!which)
        return pko_err_field(err, PKO_EINVAL, "figure",
                             "figure must be all, or a list of I, II, III, IV");
    if (format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "svg") &&
        strcmp(format, "png") && strcmp(format, "pdf"))
        return pko_err_field(err, PKO_EINVAL, "format",
                             "format must be json, csv, svg, png or pdf");
    pko_scope scope;
    pko_req_scope(req, "reports.read", &scope);
    char *narrowed = NULL;
    const char *missions = pko_req_query(req, "missions");
    if (missions && (rc = reports_narrow_scope(&scope, missions, &scope, &narrowed, err)))
        return rc;
    json_t *figs;
    rc = reports_sg_figures(pko_req_db(req), &scope, from, to, which, &figs, err);
    if (!rc)
        json_object_set_new(figs, "missions",
                            scope.all_missions ? json_string("all")
                                               : json_loads(scope.missions_json, 0, NULL));
    free(narrowed);
    if (rc)
        return rc;
    if (!format || strcmp(format, "json") == 0) {
        pko_req_reply(req, 200, figs);
        return PKO_OK;
    }
    pko_buf b;
    pko_buf_init(&b, 64u * 1024 * 1024);
    const char *ctype;
    rc = reports_render(figs, format, &b, &ctype, err);
    json_decref(figs);
    if (rc) {
        pko_buf_free(&b);
        return rc;
    }
    char disp[96];
    snprintf(disp, sizeof(disp), "inline; filename=\"sg-figures-%s-%s.%s\"", from, to, format);
    pko_req_add_header(req, "Content-Disposition", disp);
    pko_req_reply_raw(req, 200, ctype, b.data ? b.data : "", b.len);
    pko_buf_free(&b);
    return PKO_OK;
}

static pko_rc h_gender_list(pko_req *req, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "reports.read", &scope);
    const char *binds[1] = {""};
    return fatalities_reply_ids(req, &pko_entity_gender_return, &scope,
                                "SELECT id FROM reports_gender_returns WHERE id > ?1"
                                " ORDER BY year, category LIMIT ?2",
                                binds, 1, 500, err);
}

static pko_rc h_gender_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    static const char *const known[] = {"year", "category", "women", "total", "source", NULL};
    if (!rc)
        rc = fatalities_check_known(b, known, "gender return", err);
    if (rc)
        return rc;
    char today[11];
    fatalities_today(today);
    json_t *y = json_object_get(b, "year"), *w = json_object_get(b, "women"),
           *t = json_object_get(b, "total"), *src = json_object_get(b, "source");
    if (!json_is_integer(y) || json_integer_value(y) < 1948 || json_integer_value(y) > atoi(today))
        return pko_err_field(err, PKO_EINVAL, "year", "year must be from 1948 to %d", atoi(today));
    if (fatalities_index(gender_categories, json_string_value(json_object_get(b, "category"))) < 0)
        return pko_err_field(err, PKO_EINVAL, "category",
                             "category must be military_contingents, "
                             "military_observers_staff_officers, formed_police_units, "
                             "individual_police_officers or justice_corrections");
    if (!json_is_integer(t) || json_integer_value(t) < 1 || json_integer_value(t) > 10000000)
        return pko_err_field(err, PKO_EINVAL, "total",
                             "total must be the number of personnel deployed, at least 1");
    if (!json_is_integer(w) || json_integer_value(w) < 0 ||
        json_integer_value(w) > json_integer_value(t))
        return pko_err_field(err, PKO_EINVAL, "women", "women must be from 0 to total");
    if (!json_is_string(src) || !*json_string_value(src) || strlen(json_string_value(src)) > 500)
        return pko_err_field(err, PKO_EINVAL, "source",
                             "source must name the publication, up to 500 characters");
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, &pko_entity_gender_return, b, id, err);
    if (rc == PKO_ECONFLICT) {
        pko_err_clear(err);
        rc = pko_err_field(err, PKO_ECONFLICT, "category",
                           "a return for %lld and this category exists",
                           (long long)json_integer_value(y));
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    return fatalities_reply_record(req, &pko_entity_gender_return, id, 201, NULL, err);
}

/* Correct a return's women, total or source (year and category are its
 * key and stay). */
static pko_rc h_gender_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    static const char *const known[] = {"women", "total", "source", "version", NULL};
    if (!rc)
        rc = fatalities_check_known(b, known, "gender return (year and category stay)", err);
    if (rc)
        return rc;
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *cur;
    rc = pko_db_get(pko_req_db(req), &pko_entity_gender_return, &all, pko_req_actor(req), id, &cur,
                    err);
    if (rc)
        return rc;
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t expect = json_integer_value(ver);
    json_object_del(b, "version");
    json_t *m = json_copy(cur);
    json_object_update(m, b);
    json_decref(cur);
    json_t *w = json_object_get(m, "women"), *t = json_object_get(m, "total"),
           *src = json_object_get(m, "source");
    if (!rc &&
        (!json_is_integer(t) || json_integer_value(t) < 1 || json_integer_value(t) > 10000000))
        rc = pko_err_field(err, PKO_EINVAL, "total",
                           "total must be the number of personnel deployed, at least 1");
    if (!rc && (!json_is_integer(w) || json_integer_value(w) < 0 ||
                json_integer_value(w) > json_integer_value(t)))
        rc = pko_err_field(err, PKO_EINVAL, "women", "women must be from 0 to total");
    if (!rc &&
        (!json_is_string(src) || !*json_string_value(src) || strlen(json_string_value(src)) > 500))
        rc = pko_err_field(err, PKO_EINVAL, "source",
                           "source must name the publication, up to 500 characters");
    json_decref(m);
    if (rc)
        return rc;
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_gender_return, id, b,
                       expect, err);
    if (rc)
        return rc;
    return fatalities_reply_record(req, &pko_entity_gender_return, id, 200, NULL, err);
}

/* ==== Module ============================================================= */

static const pko_route reports_routes[] = {
    {"GET", "/api/v1/reports/sg-figures", h_sg_figures, "reports.read", 0, 0},
    {"GET", "/api/v1/reports/uniformed-women", h_gender_list, "reports.read", 0, 0},
    {"POST", "/api/v1/reports/uniformed-women", h_gender_create, "reports.data.write", 0, 4096},
    {"PATCH", "/api/v1/reports/uniformed-women/{id}", h_gender_update, "reports.data.write", 0,
     4096},
};

static const pko_entity *const reports_entities[] = {&pko_entity_gender_return};

const pko_module pko_module_reports = {
    .name = "reports",
    .summary = "the Secretary-General's report figures from live data (SVG, PNG, PDF, CSV)",
    .migrations = reports_migrations,
    .n_migrations = sizeof(reports_migrations) / sizeof(reports_migrations[0]),
    .entities = reports_entities,
    .n_entities = sizeof(reports_entities) / sizeof(reports_entities[0]),
    .perms = reports_perms,
    .n_perms = sizeof(reports_perms) / sizeof(reports_perms[0]),
    .routes = reports_routes,
    .n_routes = sizeof(reports_routes) / sizeof(reports_routes[0]),
};
