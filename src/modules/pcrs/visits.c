/* SPDX-License-Identifier: MIT
 *
 * Assessment and advisory visits: the only way a pledge's readiness level
 * changes after it is recorded. A visit names the pledge, its date, its
 * findings and evidence (references to reports), and optionally the level
 * the pledge moves to; the visit and the level change are written in one
 * transaction, so neither exists without the other. PATCH on a pledge
 * refuses a level change (pcrs.c).
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "modules/pcrs/pcrs.h"

static const pko_col visit_cols[] = {
    {"pledge_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"kind", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"visit_date", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"findings", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"evidence", PKO_COL_JSON, PKO_COL_READONLY},
    {"level_before", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"level_after", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
};

const pko_entity pko_entity_pcrs_visit = {
    "pcrs_visit", "pcrs_visits", visit_cols, sizeof(visit_cols) / sizeof(visit_cols[0]), NULL, 0};

pko_rc pcrs_visit_validate(json_t *f, const char *today, pko_err *err)
{
    static const char *const known[] = {"pledge_id", "kind",        "visit_date",     "findings",
                                        "evidence",  "level_after", "classification", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a visit", k);
    }
    v = json_object_get(f, "pledge_id");
    if (!json_is_string(v) || strlen(json_string_value(v)) != PKO_ID_LEN - 1)
        return pko_err_field(err, PKO_EINVAL, "pledge_id", "pledge_id must be a pledge's id");
    v = json_object_get(f, "kind");
    const char *kind = json_string_value(v);
    if (v && (!kind || (strcmp(kind, "assessment_advisory_visit") &&
                        strcmp(kind, "pre_deployment_visit") && strcmp(kind, "desk_review"))))
        return pko_err_field(err, PKO_EINVAL, "kind",
                             "kind must be assessment_advisory_visit, pre_deployment_visit or "
                             "desk_review");
    v = json_object_get(f, "visit_date");
    const char *d = json_string_value(v);
    int y, mo, da;
    if (!d || strlen(d) != 10 || sscanf(d, "%4d-%2d-%2d", &y, &mo, &da) != 3 || d[4] != '-' ||
        d[7] != '-' || y < 1990 || mo < 1 || mo > 12 || da < 1 || da > 31)
        return pko_err_field(err, PKO_EINVAL, "visit_date", "visit_date must be a date YYYY-MM-DD");
    if (today && strcmp(d, today) > 0)
        return pko_err_field(err, PKO_EINVAL, "visit_date",
                             "visit_date %s is in the future: record a visit once it took place",
                             d);
    v = json_object_get(f, "findings");
    if (!json_is_string(v) || strlen(json_string_value(v)) < 1 ||
        strlen(json_string_value(v)) > 20000)
        return pko_err_field(err, PKO_EINVAL, "findings",
                             "findings are required, 1 to 20000 characters");
    v = json_object_get(f, "evidence");
    if (v && !json_is_null(v)) {
        bool ok = json_is_array(v) && json_array_size(v) <= 64;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) ok = ok && json_is_string(e) &&
                                         strlen(json_string_value(e)) >= 1 &&
                                         strlen(json_string_value(e)) <= 500;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, "evidence",
                                 "evidence must be an array of up to 64 references (report "
                                 "numbers, document links) of 1 to 500 characters");
    }
    v = json_object_get(f, "level_after");
    if (v && pcrs_level_index(json_string_value(v)) < 0)
        return pko_err_field(err, PKO_EINVAL, "level_after",
                             "level_after must be registered, level_1, level_2, level_3 or "
                             "rapid_deployment");
    if (v && kind && strcmp(kind, "desk_review") == 0 &&
        pcrs_level_index(json_string_value(v)) >= 2)
        return pko_err_field(err, PKO_EINVAL, "kind",
                             "a desk review cannot raise a pledge above Level 1: Level 2 and "
                             "above need an assessment and advisory visit");
    return PKO_OK;
}
