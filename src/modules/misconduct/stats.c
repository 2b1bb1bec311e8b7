/* SPDX-License-Identifier: MIT
 *
 * Public statistics of the misconduct register: the only view of it that
 * roles other than conduct officers get. Aggregates over every record
 * (whatever its mission or classification), by year and category, as the
 * UN publishes them on conduct.unmissions.org; no field of any record is
 * returned, and no breakdown finer than year x category (or year x type of
 * sexual exploitation and abuse) is offered.
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "modules/misconduct/misconduct.h"

#define SOURCE                                                                                    \
    "PKO misconduct register; imported allegations from the United Nations Conduct in UN "      \
    "Field Missions table of allegations (conduct.unmissions.org)"

/* "2023" -> "2023-01-01" (from) or "2023-12-31" (to); "2023-05" -> the
 * month's first or last day (31 is enough for a string comparison). */
static pko_rc bound(const char *in, bool upper, const char *field, char out[11], pko_err *err)
{
    if (!in) {
        snprintf(out, 11, "%s", upper ? "9999-12-31" : "0000-01-01");
        return PKO_OK;
    }
    if (!misconduct_is_partial_date(in))
        return pko_err_field(err, PKO_EINVAL, field,
                             "%s must be a date YYYY-MM-DD (or YYYY-MM, YYYY)", field);
    size_t n = strlen(in);
    if (n == 4)
        snprintf(out, 11, "%s-%s", in, upper ? "12-31" : "01-01");
    else if (n == 7)
        snprintf(out, 11, "%s-%s", in, upper ? "31" : "01");
    else
        snprintf(out, 11, "%s", in);
    return PKO_OK;
}

static pko_rc range(const char *from, const char *to, char f[11], char t[11], pko_err *err)
{
    pko_rc rc = bound(from, false, "from", f, err);
    if (!rc)
        rc = bound(to, true, "to", t, err);
    if (!rc && strcmp(f, t) > 0)
        rc = pko_err_field(err, PKO_EINVAL, "to", "to (%s) is before from (%s)", to, from);
    return rc;
}

/* reported_on as a full date (first day of its month or year). */
#define REPORTED_DAY                                                                              \
    "(CASE length(reported_on) WHEN 4 THEN reported_on || '-01-01'"                               \
    " WHEN 7 THEN reported_on || '-01' ELSE reported_on END)"

static json_t *opt_str(const char *s) { return s ? json_string(s) : json_null(); }

pko_rc misconduct_figure_iv(pko_db *db, const char *from, const char *to, json_t **out,
                            pko_err *err)
{
    *out = NULL;
    char f[11], t[11];
    pko_rc rc = range(from, to, f, t, err);
    if (rc)
        return rc;
    static const char q[] =
        "SELECT substr(reported_on, 1, 4) AS y,"
        " sum(coalesce(incident_to, incident_from) IS NOT NULL"
        "     AND substr(coalesce(incident_to, incident_from), 1, 4) >= substr(reported_on, 1, 4)),"
        " sum(coalesce(incident_to, incident_from) IS NOT NULL"
        "     AND substr(coalesce(incident_to, incident_from), 1, 4) < substr(reported_on, 1, 4)),"
        " sum(incident_from IS NULL), count(*)"
        " FROM misconduct_allegations WHERE " REPORTED_DAY " BETWEEN ?1 AND ?2"
        " GROUP BY y ORDER BY y";
    pko_stmt *s;
    rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, f, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, t, -1, SQLITE_TRANSIENT);
    json_t *rows = json_array();
    json_int_t total = 0;
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        json_int_t n = sqlite3_column_int64(s, 4);
        total += n;
        json_array_append_new(
            rows, json_pack("{s:i, s:I, s:I, s:I, s:I}", "year", atoi((const char *)sqlite3_column_text(s, 0)),
                            "same_year", (json_int_t)sqlite3_column_int64(s, 1), "earlier_years",
                            (json_int_t)sqlite3_column_int64(s, 2), "unknown",
                            (json_int_t)sqlite3_column_int64(s, 3), "total", n));
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    *out = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:b}", "figure", "IV", "title",
        "Number of allegations reported by year in peacekeeping operations", "definition",
        "Allegations recorded in the misconduct register, counted by the year they were "
        "reported to the UN. 'same_year': the incident took place (or, for an incident over a "
        "period, was still taking place) in the year it was reported; 'earlier_years': the "
        "incident ended in an earlier year; 'unknown': the date of the incident is not known. "
        "Every category of misconduct in the register counts (the imported UN table holds "
        "sexual exploitation and abuse only). A report dated by month counts on the first day "
        "of that month for the period filter.",
        "source", SOURCE, "from", opt_str(from), "to", opt_str(to), "rows", rows, "total", total,
        "empty", total == 0);
    return PKO_OK;
}

pko_rc misconduct_public_stats(pko_db *db, const char *from, const char *to, json_t **out,
                               pko_err *err)
{
    *out = NULL;
    char f[11], t[11];
    pko_rc rc = range(from, to, f, t, err);
    if (rc)
        return rc;
    static const char q_year[] =
        "SELECT substr(reported_on, 1, 4) AS y, category, count(*),"
        " sum(coalesce(victims_adult, 0) + coalesce(victims_child, 0)"
        "     + coalesce(victims_unknown_age, 0))"
        " FROM misconduct_allegations WHERE " REPORTED_DAY " BETWEEN ?1 AND ?2"
        " GROUP BY y, category ORDER BY y, category";
    static const char q_type[] =
        "SELECT substr(reported_on, 1, 4) AS y,"
        " sum(EXISTS (SELECT 1 FROM json_each(allegation_types) WHERE value LIKE 'SE%')),"
        " sum(EXISTS (SELECT 1 FROM json_each(allegation_types) WHERE value LIKE 'SA%'))"
        " FROM misconduct_allegations WHERE " REPORTED_DAY " BETWEEN ?1 AND ?2"
        " AND category = 'sexual_exploitation_and_abuse' GROUP BY y ORDER BY y";
    json_t *by_year = json_array(), *by_type = json_array();
    pko_stmt *s;
    int row;
    rc = pko_db_prepare(db, q_year, &s, err);
    if (!rc) {
        sqlite3_bind_text(s, 1, f, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, t, -1, SQLITE_TRANSIENT);
        while (!(rc = pko_db_step(db, s, &row, err)) && row)
            json_array_append_new(
                by_year, json_pack("{s:i, s:s, s:I, s:I}", "year",
                                   atoi((const char *)sqlite3_column_text(s, 0)), "category",
                                   (const char *)sqlite3_column_text(s, 1), "allegations",
                                   (json_int_t)sqlite3_column_int64(s, 2), "victims",
                                   (json_int_t)sqlite3_column_int64(s, 3)));
        sqlite3_reset(s);
    }
    if (!rc)
        rc = pko_db_prepare(db, q_type, &s, err);
    if (!rc) {
        sqlite3_bind_text(s, 1, f, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, t, -1, SQLITE_TRANSIENT);
        while (!(rc = pko_db_step(db, s, &row, err)) && row) {
            int y = atoi((const char *)sqlite3_column_text(s, 0));
            json_array_append_new(by_type,
                                  json_pack("{s:i, s:s, s:I}", "year", y, "type",
                                            "sexual_exploitation", "allegations",
                                            (json_int_t)sqlite3_column_int64(s, 1)));
            json_array_append_new(by_type, json_pack("{s:i, s:s, s:I}", "year", y, "type",
                                                     "sexual_abuse", "allegations",
                                                     (json_int_t)sqlite3_column_int64(s, 2)));
        }
        sqlite3_reset(s);
    }
    if (rc) {
        json_decref(by_year);
        json_decref(by_type);
        return rc;
    }
    *out = json_pack(
        "{s:o, s:o, s:s, s:s, s:o, s:o}", "from", opt_str(from), "to", opt_str(to), "definition",
        "Allegations by the year they were reported and by category, with the number of "
        "victims they name (adults, children and victims of unknown age); for sexual "
        "exploitation and abuse, the allegations naming at least one act of exploitation (SE) "
        "and of abuse (SA) (one allegation may name both). Aggregates only, as the UN "
        "publishes them.",
        "source", SOURCE, "by_year", by_year, "by_type", by_type);
    return PKO_OK;
}
