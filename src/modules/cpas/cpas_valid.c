/* SPDX-License-Identifier: MIT
 *
 * CPAS input validation: plans, framework nodes, indicators and data
 * points. Each failure names the field; nothing is written before all
 * fields pass.
 */
#include <math.h>
#include <string.h>

#include "modules/cpas/cpas.h"

const char *const cpas_a4p_tags[] = {
    "political_strategy",        "integration",  "capabilities_mindsets",
    "accountability_to_peacekeepers", "accountability_of_peacekeepers",
    "strategic_communications",  "host_country_cooperation",
    "women_peace_security",      "data_technology", NULL};

static bool in_list(const char *v, const char *const *list)
{
    for (size_t i = 0; v && list[i]; i++)
        if (!strcmp(v, list[i]))
            return true;
    return false;
}

static pko_rc only_known(json_t *f, const char *const *known, const char *what, pko_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        if (!in_list(k, known))
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of %s", k, what);
    }
    return PKO_OK;
}

static bool text_ok(json_t *v, size_t max, bool required)
{
    if (!v || json_is_null(v))
        return !required;
    if (!json_is_string(v))
        return false;
    size_t n = strlen(json_string_value(v));
    return n >= (required ? 1u : 0u) && n <= max;
}

pko_rc cpas_validate_plan(json_t *f, pko_err *err)
{
    static const char *const known[] = {"mission_id", "title", "period_start", "period_end",
                                        "previous_id", "context", "classification", NULL};
    pko_rc rc = only_known(f, known, "a plan", err);
    if (rc)
        return rc;
    if (!text_ok(json_object_get(f, "mission_id"), 64, true))
        return pko_err_field(err, PKO_EINVAL, "mission_id", "mission_id is required");
    if (!text_ok(json_object_get(f, "title"), 200, true))
        return pko_err_field(err, PKO_EINVAL, "title", "title is required, 1 to 200 characters");
    int f0, l0, f1, l1;
    cpas_freq k;
    const char *ps = json_string_value(json_object_get(f, "period_start"));
    const char *pe = json_string_value(json_object_get(f, "period_end"));
    if (!cpas_period_parse(ps, &f0, &l0, &k) || k != CPAS_MONTHLY)
        return pko_err_field(err, PKO_EINVAL, "period_start",
                             "period_start must be a month YYYY-MM");
    if (!cpas_period_parse(pe, &f1, &l1, &k) || k != CPAS_MONTHLY || f1 < f0)
        return pko_err_field(err, PKO_EINVAL, "period_end",
                             "period_end must be a month YYYY-MM not before period_start");
    if (!text_ok(json_object_get(f, "previous_id"), 64, false))
        return pko_err_field(err, PKO_EINVAL, "previous_id", "previous_id must be a plan id");
    if (!text_ok(json_object_get(f, "context"), 20000, false))
        return pko_err_field(err, PKO_EINVAL, "context",
                             "context must be text up to 20000 characters");
    return PKO_OK;
}

pko_rc cpas_validate_node(json_t *f, pko_err *err)
{
    static const char *const known[] = {"parent_id", "level", "title", "mandated_task", "a4p",
                                        "classification", NULL};
    static const char *const levels[] = {"priority", "outcome", "output", NULL};
    pko_rc rc = only_known(f, known, "a framework node", err);
    if (rc)
        return rc;
    if (!in_list(json_string_value(json_object_get(f, "level")), levels))
        return pko_err_field(err, PKO_EINVAL, "level", "level must be priority, outcome or output");
    if (!text_ok(json_object_get(f, "title"), 300, true))
        return pko_err_field(err, PKO_EINVAL, "title", "title is required, 1 to 300 characters");
    if (!text_ok(json_object_get(f, "mandated_task"), 4000, false))
        return pko_err_field(err, PKO_EINVAL, "mandated_task",
                             "mandated_task must be text up to 4000 characters");
    if (!text_ok(json_object_get(f, "parent_id"), 64, false))
        return pko_err_field(err, PKO_EINVAL, "parent_id", "parent_id must be a node id");
    json_t *a = json_object_get(f, "a4p");
    if (a && !json_is_null(a)) {
        size_t i;
        json_t *t;
        if (!json_is_array(a))
            return pko_err_field(err, PKO_EINVAL, "a4p", "a4p must be an array of priority tags");
        json_array_foreach(a, i, t)
        {
            if (!in_list(json_string_value(t), cpas_a4p_tags))
                return pko_err_field(err, PKO_EINVAL, "a4p",
                                     "a4p tags are political_strategy, integration, "
                                     "capabilities_mindsets, accountability_to_peacekeepers, "
                                     "accountability_of_peacekeepers, strategic_communications, "
                                     "host_country_cooperation, women_peace_security, "
                                     "data_technology");
            for (size_t j = 0; j < i; j++)
                if (json_equal(t, json_array_get(a, j)))
                    return pko_err_field(err, PKO_EINVAL, "a4p", "a4p lists a tag twice");
        }
    }
    return PKO_OK;
}

static bool period_in_plan(const char *p, int pf, int pl)
{
    int f, l;
    return cpas_period_parse(p, &f, &l, NULL) && f >= pf && l <= pl;
}

const char *const cpas_incident_measures[] = {
    "count",             "killed_total",       "casualties_total", "killed_civilians",
    "injured_civilians", "abducted_civilians", "women_killed",     "children_killed", NULL};

/* {"source": "incidents", "measure": "count" | "<field>", "where": {category?,
 * status?: verified|published, admin1?, admin2?, country?}}: an unknown key
 * or field is named in the message. */
static pko_rc validate_incidents(json_t *c, pko_err *err)
{
    static const char *const keys[] = {"source", "measure", "where", NULL};
    static const char *const wkeys[] = {"category", "status", "admin1", "admin2", "country", NULL};
    static const char *const statuses[] = {"verified", "published", NULL};
    if (!json_is_object(c))
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "computed must be an object {source, measure, where}");
    const char *k;
    json_t *v;
    json_object_foreach(c, k, v)
    {
        if (!in_list(k, keys))
            return pko_err_field(err, PKO_EINVAL, "computed",
                                 "computed has no key %.32s (source, measure, where)", k);
    }
    const char *src = json_string_value(json_object_get(c, "source"));
    if (!src || strcmp(src, "incidents"))
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "computed.source must be incidents (the only source so far)");
    const char *m = json_string_value(json_object_get(c, "measure"));
    if (!in_list(m, cpas_incident_measures))
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "computed.measure %.64s is not count or a casualty field of incidents "
                             "(killed_total, casualties_total, killed_civilians, injured_civilians, "
                             "abducted_civilians, women_killed, children_killed)",
                             m ? m : "(missing)");
    json_t *w = json_object_get(c, "where");
    if (w && !json_is_null(w)) {
        if (!json_is_object(w))
            return pko_err_field(err, PKO_EINVAL, "computed", "computed.where must be an object");
        json_object_foreach(w, k, v)
        {
            if (!in_list(k, wkeys))
                return pko_err_field(err, PKO_EINVAL, "computed",
                                     "computed.where refers to an unknown field %.32s (category, "
                                     "status, admin1, admin2, country)", k);
            if (!text_ok(v, 200, true))
                return pko_err_field(err, PKO_EINVAL, "computed",
                                     "computed.where.%s must be text of 1 to 200 characters", k);
        }
        json_t *st = json_object_get(w, "status");
        if (st && !in_list(json_string_value(st), statuses))
            return pko_err_field(err, PKO_EINVAL, "computed",
                                 "computed.where.status must be verified or published");
    }
    return PKO_OK;
}

/* One side of a formula: an expression over I{code} or an incidents
 * measure object. Errors name the side in the message. */
static pko_rc validate_side(json_t *v, const char *side, pko_err *err)
{
    pko_err e2;
    pko_err_clear(&e2);
    pko_rc rc = PKO_OK;
    if (json_is_string(v)) {
        cpas_expr ex;
        rc = cpas_expr_parse(json_string_value(v), &ex, &e2);
    } else if (json_is_object(v)) {
        rc = validate_incidents(v, &e2);
    } else {
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "computed.%s must be an expression over I{code} or an incidents "
                             "measure {source, measure, where}", side);
    }
    if (rc)
        return pko_err_field(err, rc, "computed", "computed.%s: %s", side, e2.msg);
    return PKO_OK;
}

/* {"source": "incidents", ...} or {"source": "formula", "numerator",
 * "denominator"?, "factor"?}. */
static pko_rc validate_computed(json_t *c, pko_err *err)
{
    if (!json_is_object(c))
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "computed must be an object {source, ...}");
    const char *src = json_string_value(json_object_get(c, "source"));
    if (!src || strcmp(src, "formula"))
        return validate_incidents(c, err);
    static const char *const keys[] = {"source", "numerator", "denominator", "factor", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(c, k, v)
    {
        if (!in_list(k, keys))
            return pko_err_field(err, PKO_EINVAL, "computed",
                                 "computed has no key %.32s (source, numerator, denominator, "
                                 "factor)", k);
    }
    json_t *num = json_object_get(c, "numerator");
    if (!num || json_is_null(num))
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "computed.numerator is required for a formula");
    pko_rc rc = validate_side(num, "numerator", err);
    if (rc)
        return rc;
    json_t *den = json_object_get(c, "denominator");
    if (den && !json_is_null(den) && (rc = validate_side(den, "denominator", err)))
        return rc;
    json_t *fac = json_object_get(c, "factor");
    if (fac && !json_is_null(fac) &&
        (!json_is_number(fac) || !isfinite(json_number_value(fac)) || json_number_value(fac) == 0))
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "computed.factor must be a number other than 0, such as 100");
    return PKO_OK;
}

pko_rc cpas_validate_indicator(json_t *f, int pf, int pl, pko_err *err)
{
    static const char *const known[] = {
        "node_id",  "name",       "kind",          "unit",       "direction",
        "baseline_value", "baseline_period", "targets", "data_source", "frequency",
        "component", "disaggregations", "on_track", "at_risk", "weight", "computed", "code",
        "classification", NULL};
    static const char *const kinds[] = {"quantitative", "qualitative", NULL};
    static const char *const dirs[] = {"increase", "decrease", NULL};
    pko_rc rc = only_known(f, known, "an indicator", err);
    if (rc)
        return rc;
    if (!text_ok(json_object_get(f, "node_id"), 64, true))
        return pko_err_field(err, PKO_EINVAL, "node_id", "node_id is required");
    if (!text_ok(json_object_get(f, "name"), 300, true))
        return pko_err_field(err, PKO_EINVAL, "name", "name is required, 1 to 300 characters");
    if (!in_list(json_string_value(json_object_get(f, "kind")), kinds))
        return pko_err_field(err, PKO_EINVAL, "kind", "kind must be quantitative or qualitative");
    json_t *code = json_object_get(f, "code");
    if (code && !json_is_null(code) && !cpas_code_ok(json_string_value(code)))
        return pko_err_field(err, PKO_EINVAL, "code",
                             "code must be 1 to 32 of A-Z, a-z, 0-9, _ (formulas refer to it as "
                             "I{code})");
    if (!text_ok(json_object_get(f, "unit"), 64, false))
        return pko_err_field(err, PKO_EINVAL, "unit", "unit must be text up to 64 characters");
    if (!in_list(json_string_value(json_object_get(f, "direction")), dirs))
        return pko_err_field(err, PKO_EINVAL, "direction",
                             "direction must be increase or decrease (which change is good)");
    json_t *bv = json_object_get(f, "baseline_value");
    if (bv && !json_is_null(bv) && (!json_is_number(bv) || !isfinite(json_number_value(bv))))
        return pko_err_field(err, PKO_EINVAL, "baseline_value", "baseline_value must be a number");
    json_t *bp = json_object_get(f, "baseline_period");
    if (bp && !json_is_null(bp) && !cpas_period_parse(json_string_value(bp), NULL, NULL, NULL))
        return pko_err_field(err, PKO_EINVAL, "baseline_period",
                             "baseline_period must be YYYY, YYYY-Qn or YYYY-MM");
    if ((bv && !json_is_null(bv)) != (bp && !json_is_null(bp)))
        return pko_err_field(err, PKO_EINVAL, "baseline_period",
                             "baseline_value and baseline_period go together");
    int fq = cpas_freq_parse(json_string_value(json_object_get(f, "frequency")));
    if (fq < 0)
        return pko_err_field(err, PKO_EINVAL, "frequency",
                             "frequency must be monthly, quarterly or annual");
    json_t *t = json_object_get(f, "targets");
    if (t && !json_is_null(t)) {
        const char *k;
        json_t *v;
        if (!json_is_object(t))
            return pko_err_field(err, PKO_EINVAL, "targets",
                                 "targets must be an object of period: number");
        json_object_foreach(t, k, v)
        {
            if (!period_in_plan(k, pf, pl))
                return pko_err_field(err, PKO_EINVAL, "targets",
                                     "target period %.32s is not a period within the plan", k);
            if (!json_is_number(v) || !isfinite(json_number_value(v)))
                return pko_err_field(err, PKO_EINVAL, "targets",
                                     "the target for %.32s must be a number", k);
        }
    }
    if (!text_ok(json_object_get(f, "data_source"), 500, false))
        return pko_err_field(err, PKO_EINVAL, "data_source",
                             "data_source must be text up to 500 characters");
    if (!text_ok(json_object_get(f, "component"), 200, false))
        return pko_err_field(err, PKO_EINVAL, "component",
                             "component must be text up to 200 characters");
    json_t *d = json_object_get(f, "disaggregations");
    if (d && !json_is_null(d)) {
        size_t i;
        json_t *x;
        if (!json_is_array(d) || json_array_size(d) > 8)
            return pko_err_field(err, PKO_EINVAL, "disaggregations",
                                 "disaggregations must be an array of up to 8 dimension names");
        json_array_foreach(d, i, x)
        {
            const char *s = json_string_value(x);
            bool ok = s && *s && strlen(s) <= 32;
            for (const char *c = s; ok && *c; c++)
                ok = (*c >= 'a' && *c <= 'z') || *c == '_' || (*c >= '0' && *c <= '9');
            for (size_t j = 0; ok && j < i; j++)
                ok = !json_equal(x, json_array_get(d, j));
            if (!ok)
                return pko_err_field(err, PKO_EINVAL, "disaggregations",
                                     "each dimension is a distinct name of 1 to 32 of a-z, 0-9, _ "
                                     "such as sex or age_group");
        }
    }
    static const char *const thr[] = {"on_track", "at_risk"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(f, thr[i]);
        if (v && !json_is_null(v) &&
            (!json_is_number(v) || !(json_number_value(v) > 0) || json_number_value(v) > 10))
            return pko_err_field(err, PKO_EINVAL, thr[i],
                                 "%s must be a progress ratio above 0, such as 0.9", thr[i]);
    }
    json_t *c = json_object_get(f, "computed");
    if (c && !json_is_null(c)) {
        rc = validate_computed(c, err);
        if (rc)
            return rc;
        if (strcmp(json_string_value(json_object_get(f, "kind")), "quantitative"))
            return pko_err_field(err, PKO_EINVAL, "computed",
                                 "a computed indicator is quantitative");
        json_t *dd = json_object_get(f, "disaggregations");
        if (json_array_size(dd))
            return pko_err_field(err, PKO_EINVAL, "computed",
                                 "a computed indicator has no disaggregations yet");
    }
    json_t *w = json_object_get(f, "weight");
    if (w && !json_is_null(w) &&
        (!json_is_number(w) || !(json_number_value(w) > 0) || json_number_value(w) > 1000))
        return pko_err_field(err, PKO_EINVAL, "weight",
                             "weight must be a number above 0 and up to 1000");
    json_t *on = json_object_get(f, "on_track"), *ar = json_object_get(f, "at_risk");
    double von = json_is_number(on) ? json_number_value(on) : 0.9;
    double var = json_is_number(ar) ? json_number_value(ar) : 0.6;
    if (var > von)
        return pko_err_field(err, PKO_EINVAL, "at_risk",
                             "at_risk must not be above on_track");
    return PKO_OK;
}

pko_rc cpas_validate_datapoint(json_t *f, bool qualitative, json_t *disaggs, int pf, int pl,
                               pko_err *err)
{
    static const char *const known[] = {"period", "value", "text_value", "disaggregation",
                                        "note", "classification", NULL};
    pko_rc rc = only_known(f, known, "a data point", err);
    if (rc)
        return rc;
    const char *p = json_string_value(json_object_get(f, "period"));
    if (!cpas_period_parse(p, NULL, NULL, NULL))
        return pko_err_field(err, PKO_EINVAL, "period", "period must be YYYY, YYYY-Qn or YYYY-MM");
    if (!period_in_plan(p, pf, pl))
        return pko_err_field(err, PKO_EINVAL, "period", "period %.16s is outside the plan", p);
    json_t *v = json_object_get(f, "value");
    if (v && !json_is_null(v) && (!json_is_number(v) || !isfinite(json_number_value(v))))
        return pko_err_field(err, PKO_EINVAL, "value", "value must be a number");
    json_t *tv = json_object_get(f, "text_value");
    if (!text_ok(tv, 4000, false))
        return pko_err_field(err, PKO_EINVAL, "text_value",
                             "text_value must be text up to 4000 characters");
    if (!qualitative && (!v || json_is_null(v)))
        return pko_err_field(err, PKO_EINVAL, "value",
                             "value is required and must be a number for a quantitative indicator");
    if (!qualitative && tv && !json_is_null(tv))
        return pko_err_field(err, PKO_EINVAL, "text_value",
                             "a quantitative indicator takes a value, not text_value");
    if (qualitative && (!tv || json_is_null(tv)))
        return pko_err_field(err, PKO_EINVAL, "text_value",
                             "text_value is required for a qualitative indicator");
    json_t *d = json_object_get(f, "disaggregation");
    if (d && !json_is_null(d)) {
        const char *k;
        json_t *x;
        if (!json_is_object(d))
            return pko_err_field(err, PKO_EINVAL, "disaggregation",
                                 "disaggregation must be an object of dimension: category");
        json_object_foreach(d, k, x)
        {
            bool has = false;
            size_t i;
            json_t *name;
            json_array_foreach(disaggs, i, name)
            {
                has = has || !strcmp(json_string_value(name) ? json_string_value(name) : "", k);
            }
            if (!has)
                return pko_err_field(err, PKO_EINVAL, "disaggregation",
                                     "the indicator has no disaggregation %.32s", k);
            if (!text_ok(x, 64, true))
                return pko_err_field(err, PKO_EINVAL, "disaggregation",
                                     "the category of %.32s must be text of 1 to 64 characters", k);
        }
    }
    if (!text_ok(json_object_get(f, "note"), 4000, false))
        return pko_err_field(err, PKO_EINVAL, "note", "note must be text up to 4000 characters");
    return PKO_OK;
}

const char *const cpas_ratings[] = {"significant_progress", "some_progress", "no_progress",
                                    "regression", NULL};

bool cpas_is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1945 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

pko_rc cpas_validate_assessment(json_t *f, pko_err *err)
{
    static const char *const known[] = {"plan_id", "title", "scope", "period", "questions",
                                        "findings", "rating", "classification", NULL};
    pko_rc rc = only_known(f, known, "an assessment", err);
    if (rc)
        return rc;
    if (!text_ok(json_object_get(f, "plan_id"), 64, true))
        return pko_err_field(err, PKO_EINVAL, "plan_id", "plan_id is required");
    if (!text_ok(json_object_get(f, "title"), 300, true))
        return pko_err_field(err, PKO_EINVAL, "title", "title is required, 1 to 300 characters");
    if (!text_ok(json_object_get(f, "scope"), 4000, false))
        return pko_err_field(err, PKO_EINVAL, "scope", "scope must be text up to 4000 characters");
    if (!cpas_period_parse(json_string_value(json_object_get(f, "period")), NULL, NULL, NULL))
        return pko_err_field(err, PKO_EINVAL, "period",
                             "period (assessed) must be YYYY, YYYY-Qn or YYYY-MM");
    json_t *q = json_object_get(f, "questions");
    if (q && !json_is_null(q)) {
        size_t i;
        json_t *x;
        if (!json_is_array(q) || json_array_size(q) > 50)
            return pko_err_field(err, PKO_EINVAL, "questions",
                                 "questions must be an array of up to 50 texts");
        json_array_foreach(q, i, x)
        {
            if (!text_ok(x, 1000, true))
                return pko_err_field(err, PKO_EINVAL, "questions",
                                     "each question is text of 1 to 1000 characters");
        }
    }
    if (!text_ok(json_object_get(f, "findings"), 20000, false))
        return pko_err_field(err, PKO_EINVAL, "findings",
                             "findings must be text up to 20000 characters");
    json_t *r = json_object_get(f, "rating");
    if (r && !json_is_null(r) && !in_list(json_string_value(r), cpas_ratings))
        return pko_err_field(err, PKO_EINVAL, "rating",
                             "rating must be significant_progress, some_progress, no_progress or "
                             "regression");
    return PKO_OK;
}

pko_rc cpas_validate_recommendation(json_t *f, pko_err *err)
{
    static const char *const known[] = {"text", "owner", "due_date", "classification", NULL};
    pko_rc rc = only_known(f, known, "a recommendation", err);
    if (rc)
        return rc;
    if (!text_ok(json_object_get(f, "text"), 4000, true))
        return pko_err_field(err, PKO_EINVAL, "text", "text is required, 1 to 4000 characters");
    if (!text_ok(json_object_get(f, "owner"), 200, true))
        return pko_err_field(err, PKO_EINVAL, "owner",
                             "owner (the component or post responsible) is required");
    json_t *d = json_object_get(f, "due_date");
    if (!cpas_is_date(json_string_value(d)))
        return pko_err_field(err, PKO_EINVAL, "due_date", "due_date must be a date YYYY-MM-DD");
    return PKO_OK;
}

/* ---- Context analysis: conflict drivers and stakeholders ---------------- */

const char *const cpas_driver_trends[] = {"worsening", "stable", "improving", NULL};
const char *const cpas_stakeholder_types[] = {
    "government", "security_forces", "armed_group", "political_party", "civil_society",
    "community", "religious_leaders", "women_groups", "youth_groups", "private_sector",
    "regional_organization", "international_partner", "media", "other", NULL};
const char *const cpas_influence_levels[] = {"low", "medium", "high", NULL};
const char *const cpas_attitudes[] = {"hostile", "opposed", "neutral", "supportive", "champion",
                                      NULL};

static pko_rc node_ids_ok(json_t *f, pko_err *err)
{
    json_t *a = json_object_get(f, "node_ids");
    if (!a || json_is_null(a))
        return PKO_OK;
    size_t i;
    json_t *x;
    if (!json_is_array(a) || json_array_size(a) > 50)
        return pko_err_field(err, PKO_EINVAL, "node_ids",
                             "node_ids must be an array of up to 50 framework node ids");
    json_array_foreach(a, i, x)
    {
        if (!text_ok(x, 64, true))
            return pko_err_field(err, PKO_EINVAL, "node_ids", "each node id is text");
    }
    return PKO_OK;
}

pko_rc cpas_validate_driver(json_t *f, bool creating, pko_err *err)
{
    static const char *const known[] = {"title", "description", "trend", "node_ids",
                                        "classification", NULL};
    pko_rc rc = only_known(f, known, "a conflict driver", err);
    if (rc)
        return rc;
    json_t *t = json_object_get(f, "title");
    if ((creating || t) && !text_ok(t, 300, true))
        return pko_err_field(err, PKO_EINVAL, "title", "title is required, 1 to 300 characters");
    if (!text_ok(json_object_get(f, "description"), 8000, false))
        return pko_err_field(err, PKO_EINVAL, "description",
                             "description must be text up to 8000 characters");
    json_t *tr = json_object_get(f, "trend");
    if (tr && !json_is_null(tr) && !in_list(json_string_value(tr), cpas_driver_trends))
        return pko_err_field(err, PKO_EINVAL, "trend", "trend must be worsening, stable or improving");
    return node_ids_ok(f, err);
}

pko_rc cpas_validate_stakeholder(json_t *f, bool creating, pko_err *err)
{
    static const char *const known[] = {"name", "type", "influence", "attitude", "interests",
                                        "node_ids", "classification", NULL};
    pko_rc rc = only_known(f, known, "a stakeholder", err);
    if (rc)
        return rc;
    json_t *n = json_object_get(f, "name");
    if ((creating || n) && !text_ok(n, 300, true))
        return pko_err_field(err, PKO_EINVAL, "name", "name is required, 1 to 300 characters");
    json_t *t = json_object_get(f, "type");
    if ((creating || t) && !in_list(json_string_value(t), cpas_stakeholder_types))
        return pko_err_field(err, PKO_EINVAL, "type",
                             "type must be government, security_forces, armed_group, "
                             "political_party, civil_society, community, religious_leaders, "
                             "women_groups, youth_groups, private_sector, regional_organization, "
                             "international_partner, media or other");
    json_t *i = json_object_get(f, "influence");
    if ((creating || i) && !in_list(json_string_value(i), cpas_influence_levels))
        return pko_err_field(err, PKO_EINVAL, "influence", "influence must be low, medium or high");
    json_t *a = json_object_get(f, "attitude");
    if ((creating || a) && !in_list(json_string_value(a), cpas_attitudes))
        return pko_err_field(err, PKO_EINVAL, "attitude",
                             "attitude (towards the mission's objectives) must be hostile, "
                             "opposed, neutral, supportive or champion");
    if (!text_ok(json_object_get(f, "interests"), 4000, false))
        return pko_err_field(err, PKO_EINVAL, "interests",
                             "interests must be text up to 4000 characters");
    return node_ids_ok(f, err);
}
