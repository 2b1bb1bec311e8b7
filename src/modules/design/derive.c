/* SPDX-License-Identifier: MIT
 *
 * Mission designs: validation, and what follows from a design -- its
 * capability needs (the union of its models' capabilities), unit
 * requirements and civilian posts (capabilities.json assumptions, or the
 * design's own), cost per phase (rates.json), the 30/90-day deployment
 * benchmark (lifecycle.json), feasibility against PCRS pledges, and the
 * life cycle's transition conditions. Pure functions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/design/design.h"
#include "modules/pcrs/pcrs.h"

/* ==== Dates ============================================================== */

static long day_number(const char *s)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return -1;
    /* Days from civil (Howard Hinnant's algorithm). */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    char tmp[80];
    snprintf(tmp, sizeof(tmp), "%04ld-%02ld-%02ld", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

bool design_days_between(const char *a, const char *b, long *out)
{
    long x = day_number(a), y = day_number(b);
    if (x < 0 && !(a && strcmp(a, "1970-01-01") == 0))
        return false;
    if (y < 0 && !(b && strcmp(b, "1970-01-01") == 0))
        return false;
    *out = y - x;
    return true;
}

bool design_add_days(const char *date, long days, char out[11])
{
    long x = day_number(date);
    if (x < 0)
        return false;
    civil_from_days(x + days, out);
    return true;
}

/* ==== Validation ========================================================= */

static const char *const phase_names[] = {"start_up", "main", "drawdown", NULL};

static int phase_index(const char *s)
{
    for (int i = 0; s && phase_names[i]; i++)
        if (strcmp(s, phase_names[i]) == 0)
            return i;
    return -1;
}

static pko_rc check_models(json_t *v, const char *field, bool nonempty, pko_err *err)
{
    if (!json_is_array(v) || json_array_size(v) > 30 || (nonempty && json_array_size(v) == 0))
        return pko_err_field(err, PKO_EINVAL, field,
                             "%s must be an array of distinct model numbers 1-30", field);
    bool seen[31] = {false};
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 30)
            return pko_err_field(err, PKO_EINVAL, field,
                                 "%s[%zu] must be a model number 1-30 (GET /api/v1/design/models)",
                                 field, i);
        if (seen[json_integer_value(x)])
            return pko_err_field(err, PKO_EINVAL, field, "%s lists model %lld twice", field,
                                 (long long)json_integer_value(x));
        seen[json_integer_value(x)] = true;
    }
    return PKO_OK;
}

static bool in_models(json_t *models, json_int_t id)
{
    size_t i;
    json_t *x;
    json_array_foreach(models, i, x) if (json_integer_value(x) == id) return true;
    return false;
}

static pko_rc check_assumptions(json_t *a, pko_err *err)
{
    if (!json_is_object(a) || json_object_size(a) > 100)
        return pko_err_field(err, PKO_EINVAL, "assumptions",
                             "assumptions must be an object {capability_code: {units, "
                             "civilian_posts}}");
    const char *code;
    json_t *v;
    json_object_foreach(a, code, v)
    {
        if (!design_capability(code))
            return pko_err_field(err, PKO_EINVAL, "assumptions",
                                 "assumptions: %.60s is not a capability code "
                                 "(GET /api/v1/design/capabilities)",
                                 code);
        if (!json_is_object(v))
            return pko_err_field(err, PKO_EINVAL, "assumptions",
                                 "assumptions.%.60s must be an object {units, civilian_posts}",
                                 code);
        const char *k;
        json_t *w;
        json_object_foreach(v, k, w) if (strcmp(k, "units") && strcmp(k, "civilian_posts")) return
            pko_err_field(err, PKO_EINVAL, "assumptions", "assumptions.%.60s: unknown field %.40s",
                          code, k);
        json_t *units = json_object_get(v, "units");
        if (units && (!json_is_array(units) || json_array_size(units) > 20))
            return pko_err_field(err, PKO_EINVAL, "assumptions",
                                 "assumptions.%.60s.units must be an array", code);
        size_t i;
        json_t *u;
        json_array_foreach(units, i, u)
        {
            const char *ut = json_string_value(json_object_get(u, "unit_type"));
            json_t *c = json_object_get(u, "count");
            json_t *s = json_object_get(u, "strength");
            if (!ut || !pcrs_unit_type_find(ut))
                return pko_err_field(err, PKO_EINVAL, "assumptions",
                                     "assumptions.%.60s.units[%zu].unit_type must be a PCRS unit "
                                     "type (GET /api/v1/pcrs/unit-types)",
                                     code, i);
            if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > 50)
                return pko_err_field(err, PKO_EINVAL, "assumptions",
                                     "assumptions.%.60s.units[%zu].count must be 0-50", code, i);
            if (s && (!json_is_integer(s) || json_integer_value(s) < 1 ||
                      json_integer_value(s) > 10000))
                return pko_err_field(err, PKO_EINVAL, "assumptions",
                                     "assumptions.%.60s.units[%zu].strength must be 1-10000",
                                     code, i);
        }
        json_t *cp = json_object_get(v, "civilian_posts");
        if (cp && (!json_is_integer(cp) || json_integer_value(cp) < 0 ||
                   json_integer_value(cp) > 1000))
            return pko_err_field(err, PKO_EINVAL, "assumptions",
                                 "assumptions.%.60s.civilian_posts must be 0-1000", code);
    }
    return PKO_OK;
}

pko_rc design_validate(json_t *f, int creating, pko_err *err)
{
    static const char *const known[] = {
        "mission_id", "title",         "profile",        "models", "modality",
        "phases",     "scale",         "assumptions",    "mandate", "mandate_date",
        "exit_benchmarks", "notes",    "classification", "version", NULL};
    static const char *const internal[] = {"state", "state_since", "pushed_requirements",
                                           "plan_id", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        for (size_t i = 0; internal[i]; i++)
            if (strcmp(k, internal[i]) == 0)
                return pko_err_field(err, PKO_EINVAL, k,
                                     "%s is set by the design's actions (transition, "
                                     "requirements, plan), not directly",
                                     k);
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "unknown field %.60s in a mission design", k);
    }
    v = json_object_get(f, "mission_id");
    if (creating && (!json_is_string(v) || strlen(json_string_value(v)) != PKO_ID_LEN - 1))
        return pko_err_field(err, PKO_EINVAL, "mission_id", "mission_id must be a mission's id");
    if (!creating && v)
        return pko_err_field(err, PKO_EINVAL, "mission_id", "mission_id cannot change");
    v = json_object_get(f, "title");
    if ((creating || v) && (!json_is_string(v) || strlen(json_string_value(v)) < 1 ||
                            strlen(json_string_value(v)) > 200))
        return pko_err_field(err, PKO_EINVAL, "title", "title must be text of 1-200 characters");
    v = json_object_get(f, "profile");
    if (v && !json_is_null(v)) {
        json_t *o = NULL;
        pko_rc rc = design_compose(v, &o, err);
        json_decref(o);
        if (rc) {
            char f2[PKO_ERR_FIELD_MAX];
            snprintf(f2, sizeof(f2), "profile.%.80s", err->field);
            snprintf(err->field, sizeof(err->field), "%s", f2);
            return rc;
        }
    }
    json_t *models = json_object_get(f, "models");
    if (models && !json_is_null(models)) {
        pko_rc rc = check_models(models, "models", false, err);
        if (rc)
            return rc;
    }
    v = json_object_get(f, "modality");
    if (v && !json_is_null(v) && !design_modality(json_string_value(v)))
        return pko_err_field(err, PKO_EINVAL, "modality",
                             "modality must be one of standalone, sequenced, parallel, joint, "
                             "hybrid, un_authorized");
    v = json_object_get(f, "phases");
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > 3)
            return pko_err_field(err, PKO_EINVAL, "phases",
                                 "phases must be an array of up to 3 phases {phase, models, "
                                 "months}");
        bool seen[3] = {false};
        size_t i;
        json_t *ph;
        json_array_foreach(v, i, ph)
        {
            int pi = phase_index(json_string_value(json_object_get(ph, "phase")));
            if (!json_is_object(ph) || pi < 0)
                return pko_err_field(err, PKO_EINVAL, "phases",
                                     "phases[%zu].phase must be start_up, main or drawdown", i);
            if (seen[pi])
                return pko_err_field(err, PKO_EINVAL, "phases", "phase %s is given twice",
                                     phase_names[pi]);
            seen[pi] = true;
            char fld[40];
            snprintf(fld, sizeof(fld), "phases[%zu].models", i);
            json_t *pm = json_object_get(ph, "models");
            pko_rc rc = check_models(pm, fld, false, err);
            if (rc) {
                snprintf(err->field, sizeof(err->field), "phases");
                return rc;
            }
            json_t *mo = json_object_get(ph, "months");
            if (!json_is_integer(mo) || json_integer_value(mo) < 1 || json_integer_value(mo) > 240)
                return pko_err_field(err, PKO_EINVAL, "phases",
                                     "phases[%zu].months must be a whole number 1-240", i);
            const char *k2;
            json_t *w;
            json_object_foreach(ph, k2, w) if (strcmp(k2, "phase") && strcmp(k2, "models") &&
                                               strcmp(k2, "months")) return
                pko_err_field(err, PKO_EINVAL, "phases", "phases[%zu]: unknown field %.40s", i, k2);
        }
    }
    v = json_object_get(f, "scale");
    if (v && !json_is_null(v) &&
        (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5))
        return pko_err_field(err, PKO_EINVAL, "scale",
                             "scale must be a whole number 1-5 (multiplies the unit counts)");
    v = json_object_get(f, "assumptions");
    if (v && !json_is_null(v)) {
        pko_rc rc = check_assumptions(v, err);
        if (rc)
            return rc;
    }
    v = json_object_get(f, "mandate");
    if (v && !json_is_null(v)) {
        json_t *o = NULL;
        pko_rc rc = design_mandate_check(v, &o, err);
        json_decref(o);
        if (rc) {
            char f2[PKO_ERR_FIELD_MAX];
            snprintf(f2, sizeof(f2), "mandate.%.80s", err->field);
            snprintf(err->field, sizeof(err->field), "%s", f2);
            return rc;
        }
    }
    v = json_object_get(f, "mandate_date");
    if (v && !json_is_null(v) && day_number(json_string_value(v)) < 0)
        return pko_err_field(err, PKO_EINVAL, "mandate_date",
                             "mandate_date must be a date YYYY-MM-DD");
    v = json_object_get(f, "exit_benchmarks");
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > 50)
            return pko_err_field(err, PKO_EINVAL, "exit_benchmarks",
                                 "exit_benchmarks must be an array of up to 50 texts");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) if (!json_is_string(x) || strlen(json_string_value(x)) < 1 ||
                                        strlen(json_string_value(x)) > 500) return
            pko_err_field(err, PKO_EINVAL, "exit_benchmarks",
                          "exit_benchmarks[%zu] must be text of 1-500 characters", i);
    }
    v = json_object_get(f, "notes");
    if (v && !json_is_null(v) && (!json_is_string(v) || strlen(json_string_value(v)) > 4000))
        return pko_err_field(err, PKO_EINVAL, "notes", "notes must be text up to 4000 characters");
    return PKO_OK;
}

/* Phases of a design: the ones given, each model restricted to the design's
 * models; or one main phase of 12 months with all its models. */
static json_t *effective_phases(json_t *d)
{
    json_t *models = json_object_get(d, "models");
    json_t *given = json_object_get(d, "phases");
    json_t *out = json_array();
    size_t i;
    json_t *ph;
    json_array_foreach(given, i, ph)
    {
        json_t *ms = json_array();
        size_t j;
        json_t *x;
        json_array_foreach(json_object_get(ph, "models"), j, x) if (in_models(models,
                                                                             json_integer_value(x)))
            json_array_append_new(ms, json_integer(json_integer_value(x)));
        json_array_append_new(out, json_pack("{s:O, s:o, s:O}", "phase",
                                             json_object_get(ph, "phase"), "models", ms, "months",
                                             json_object_get(ph, "months")));
    }
    if (json_array_size(out) == 0)
        json_array_append_new(out, json_pack("{s:s, s:o, s:i}", "phase", "main", "models",
                                             models ? json_incref(models) : json_array(), "months",
                                             12));
    return out;
}

/* The mapping of capability 'code': the design's assumption, else the
 * catalogue's. */
static json_t *mapping_of(json_t *d, const char *code, bool *overridden)
{
    json_t *a = json_object_get(json_object_get(d, "assumptions"), code);
    const json_t *c = design_capability(code);
    *overridden = a != NULL;
    json_t *units = a && json_object_get(a, "units") ? json_object_get(a, "units")
                                                     : json_object_get(c, "units");
    json_t *posts = a && json_object_get(a, "civilian_posts") ? json_object_get(a, "civilian_posts")
                                                              : json_object_get(c, "civilian_posts");
    return json_pack("{s:o, s:o}", "units", units ? json_incref(units) : json_array(),
                     "civilian_posts", posts ? json_incref(posts) : json_integer(0));
}

/* Capability codes of a list of models, in first-seen order, as an object
 * code -> [model ids]. */
static json_t *caps_of(json_t *models)
{
    json_t *caps = json_object();
    size_t i;
    json_t *x;
    json_array_foreach(models, i, x)
    {
        const json_t *m = design_model((int)json_integer_value(x));
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(m, "capability_codes"), j, c)
        {
            json_t *arr = json_object_get(caps, json_string_value(c));
            if (!arr) {
                arr = json_array();
                json_object_set_new(caps, json_string_value(c), arr);
            }
            json_array_append_new(arr, json_integer(json_integer_value(x)));
        }
    }
    return caps;
}

/* Units (keyed "unit_type/strength") and civilian posts for a set of
 * capabilities at 'scale'. */
static json_t *units_of(json_t *d, json_t *caps, int scale, long *civ)
{
    json_t *units = json_object();
    *civ = 0;
    const char *code;
    json_t *ms;
    json_object_foreach(caps, code, ms)
    {
        bool ov;
        json_t *mp = mapping_of(d, code, &ov);
        *civ += (long)json_integer_value(json_object_get(mp, "civilian_posts")) * scale;
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(mp, "units"), i, u)
        {
            const char *ut = json_string_value(json_object_get(u, "unit_type"));
            const pcrs_unit_type *t = pcrs_unit_type_find(ut);
            if (!t)
                continue;
            json_int_t count = json_integer_value(json_object_get(u, "count")) * scale;
            json_t *sv = json_object_get(u, "strength");
            json_int_t strength = json_is_integer(sv) ? json_integer_value(sv)
                                                      : t->standard_strength;
            if (count <= 0)
                continue;
            char key[120];
            snprintf(key, sizeof(key), "%s/%lld", ut, (long long)strength);
            json_t *e = json_object_get(units, key);
            if (!e) {
                e = json_pack("{s:s, s:s, s:s, s:I, s:I, s:[]}", "unit_type", ut, "name", t->name,
                              "component", t->component, "count", (json_int_t)0, "strength",
                              strength, "capabilities");
                json_object_set_new(units, key, e);
            }
            json_object_set_new(e, "count",
                                json_integer(json_integer_value(json_object_get(e, "count")) +
                                             count));
            json_array_append_new(json_object_get(e, "capabilities"), json_string(code));
        }
        json_decref(mp);
    }
    return units;
}

static double unit_surcharge(const json_t *rates, const char *ut)
{
    json_t *v = json_object_get(json_object_get(rates, "unit_type_month"), ut);
    return json_is_number(v) ? json_number_value(v) : 0;
}

json_t *design_derive(json_t *d)
{
    const json_t *rates = design_catalogue("rates");
    const json_t *lc = design_catalogue("lifecycle");
    json_t *models = json_object_get(d, "models");
    json_t *scale_v = json_object_get(d, "scale");
    int scale = json_is_integer(scale_v) ? (int)json_integer_value(scale_v) : 1;

    /* Capability needs of the whole design. */
    json_t *caps = caps_of(models);
    json_t *cap_list = json_array();
    json_t *overrides = json_array();
    const char *code;
    json_t *ms;
    json_object_foreach(caps, code, ms)
    {
        const json_t *c = design_capability(code);
        bool ov;
        json_t *mp = mapping_of(d, code, &ov);
        if (ov)
            json_array_append_new(overrides, json_string(code));
        json_array_append_new(
            cap_list, json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "code", code, "label",
                                json_object_get(c, "label"), "kind", json_object_get(c, "kind"),
                                "models", ms, "units", json_object_get(mp, "units"),
                                "civilian_posts", json_object_get(mp, "civilian_posts")));
        json_decref(mp);
    }
    long civ_all;
    json_t *units_all = units_of(d, caps, scale, &civ_all);
    json_decref(caps);

    /* Phases: units, personnel and cost of each. */
    double per_person = json_number_value(json_object_get(rates, "uniformed_per_person_month"));
    double equip = json_number_value(json_object_get(rates, "equipment_factor"));
    double civ_rate = json_number_value(json_object_get(rates, "civilian_post_month"));
    double overhead = json_number_value(json_object_get(rates, "support_overhead"));
    json_t *phases = effective_phases(d);
    json_t *phase_out = json_array();
    double total = 0;
    long months_total = 0, start_months = 0, main_months = 0;
    size_t i;
    json_t *ph;
    json_array_foreach(phases, i, ph)
    {
        json_t *pc = caps_of(json_object_get(ph, "models"));
        long civ;
        json_t *pu = units_of(d, pc, scale, &civ);
        json_decref(pc);
        long uniformed = 0;
        double surcharge = 0;
        json_t *unit_keys = json_array();
        const char *key;
        json_t *u;
        json_object_foreach(pu, key, u)
        {
            json_int_t n = json_integer_value(json_object_get(u, "count"));
            uniformed += (long)(n * json_integer_value(json_object_get(u, "strength")));
            surcharge += (double)n * unit_surcharge(rates, json_string_value(
                                                                  json_object_get(u, "unit_type")));
            json_array_append_new(unit_keys, json_string(key));
        }
        json_decref(pu);
        long months = (long)json_integer_value(json_object_get(ph, "months"));
        const char *pname = json_string_value(json_object_get(ph, "phase"));
        if (strcmp(pname, "start_up") == 0)
            start_months = months;
        if (strcmp(pname, "main") == 0)
            main_months = months;
        double monthly = ((double)uniformed * per_person * (1 + equip) + surcharge +
                          (double)civ * civ_rate) *
                         (1 + overhead);
        double cost = round(monthly * (double)months);
        total += cost;
        months_total += months;
        json_array_append_new(
            phase_out, json_pack("{s:s, s:O, s:i, s:I, s:I, s:f, s:f, s:o}", "phase", pname,
                                 "models", json_object_get(ph, "models"), "months", (int)months,
                                 "uniformed", (json_int_t)uniformed, "civilian", (json_int_t)civ,
                                 "monthly_cost_usd", round(monthly), "cost_usd", cost, "units",
                                 unit_keys));
    }

    /* Required-by offset of each unit: needed in start-up (or with no
     * phases) -> the deployment benchmark; only later -> when its phase
     * starts. */
    const json_t *bm = json_object_get(lc, "deployment_benchmarks");
    bool traditional = json_array_size(models) > 0;
    json_t *x;
    json_array_foreach(models, i, x) if (!in_models(json_object_get(bm, "traditional_models"),
                                                    json_integer_value(x))) traditional = false;
    int bdays = (int)json_integer_value(
        json_object_get(bm, traditional ? "traditional_days" : "multidimensional_days"));
    json_t *unit_list = json_array();
    long uniformed_peak = 0;
    const char *key;
    json_t *u;
    json_object_foreach(units_all, key, u)
    {
        long offset = -1;
        json_t *in_phases = json_array();
        json_array_foreach(phase_out, i, ph)
        {
            size_t j;
            json_t *k;
            bool has = false;
            json_array_foreach(json_object_get(ph, "units"), j, k) has =
                has || strcmp(json_string_value(k), key) == 0;
            if (!has)
                continue;
            const char *pname = json_string_value(json_object_get(ph, "phase"));
            json_array_append_new(in_phases, json_string(pname));
            long off = !strcmp(pname, "drawdown") ? (start_months + main_months) * 30
                       : !strcmp(pname, "main")   ? (start_months ? start_months * 30 : bdays)
                                                  : bdays;
            if (offset < 0 || off < offset)
                offset = off;
        }
        if (offset < 0)
            offset = bdays;
        json_t *e = json_deep_copy(u);
        json_object_set_new(e, "phases", in_phases);
        json_object_set_new(e, "required_after_days", json_integer(offset));
        uniformed_peak += (long)(json_integer_value(json_object_get(u, "count")) *
                                 json_integer_value(json_object_get(u, "strength")));
        json_array_append_new(unit_list, e);
    }
    json_decref(units_all);
    json_decref(phases);
    json_array_foreach(phase_out, i, ph) json_object_del(ph, "units");

    char cite[96];
    design_cite(json_object_get(bm, "source"), cite, sizeof(cite));
    return json_pack(
        "{s:o, s:o, s:I, s:I, s:o, s:{s:f, s:I, s:f, s:s, s:O}, s:{s:s, s:i, s:s}, s:i, s:o}",
        "capabilities", cap_list, "units", unit_list, "uniformed_peak", (json_int_t)uniformed_peak,
        "civilian_posts", (json_int_t)civ_all, "phases", phase_out, "cost", "total_usd", total,
        "months", (json_int_t)months_total, "annual_usd",
        months_total ? round(total * 12.0 / (double)months_total) : 0.0, "currency", "USD",
        "rates", rates, "benchmark", "kind", traditional ? "traditional" : "multidimensional",
        "days", bdays, "source", cite, "scale", scale, "assumptions_overridden", overrides);
}

/* ==== Feasibility ======================================================== */

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

json_t *design_feasibility(json_t *units, json_t *pledges, const char *mandate_date,
                           int benchmark_days)
{
    /* Needed count per unit type. */
    json_t *need = json_object();
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        const char *ut = json_string_value(json_object_get(u, "unit_type"));
        json_int_t n = json_integer_value(json_object_get(u, "count"));
        json_int_t cur = json_integer_value(json_object_get(need, ut));
        json_object_set_new(need, ut, json_integer(cur + n));
    }
    long base = -1;
    design_days_between("1970-01-01", mandate_date, &base);
    json_t *rows = json_array(), *missing = json_array();
    long worst = 0;
    bool all = true;
    const char *ut;
    json_t *nv;
    json_object_foreach(need, ut, nv)
    {
        size_t np = json_array_size(pledges);
        long *days = calloc(np ? np : 1, sizeof(long));
        size_t nd = 0;
        json_t *by_level = json_object();
        for (size_t l = 0; pcrs_levels[l]; l++)
            json_object_set_new(by_level, pcrs_levels[l], json_integer(0));
        json_t *p;
        json_array_foreach(pledges, i, p)
        {
            const char *put = json_string_value(json_object_get(p, "unit_type"));
            const char *pst = json_string_value(json_object_get(p, "status"));
            if (!put || !pst || strcmp(put, ut) != 0 || strcmp(pst, "available") != 0)
                continue;
            const char *lv = json_string_value(json_object_get(p, "level"));
            int li = pcrs_level_index(lv);
            if (li < 0)
                continue;
            json_object_set_new(by_level, lv,
                                json_integer(json_integer_value(json_object_get(by_level, lv)) + 1));
            long d = pcrs_level_days(li);
            long from;
            const char *af = json_string_value(json_object_get(p, "available_from"));
            if (af && base >= 0 && design_days_between(mandate_date, af, &from) && from > d)
                d = from;
            days[nd++] = d;
        }
        qsort(days, nd, sizeof(long), cmp_long);
        json_int_t needed = json_integer_value(nv);
        json_t *row = json_pack("{s:s, s:I, s:I, s:o}", "unit_type", ut, "needed", needed,
                                "pledged_available", (json_int_t)nd, "pledged_by_level", by_level);
        if ((json_int_t)nd >= needed && needed > 0) {
            long d = days[needed - 1];
            char date[11] = "";
            if (base >= 0)
                design_add_days(mandate_date, d, date);
            json_object_set_new(row, "earliest_days", json_integer(d));
            json_object_set_new(row, "earliest_date", base >= 0 ? json_string(date) : json_null());
            json_object_set_new(row, "meets_benchmark", json_boolean(d <= benchmark_days));
            if (d > worst)
                worst = d;
        } else {
            all = false;
            json_object_set_new(row, "earliest_days", json_null());
            json_object_set_new(row, "earliest_date", json_null());
            json_object_set_new(row, "meets_benchmark", json_false());
            json_object_set_new(row, "short_by", json_integer(needed - (json_int_t)nd));
            json_array_append_new(missing, json_string(ut));
        }
        free(days);
        json_array_append_new(rows, row);
    }
    json_decref(need);
    json_t *out = json_pack("{s:o, s:o, s:i, s:s}", "units", rows, "missing", missing,
                            "benchmark_days", benchmark_days, "mandate_date",
                            mandate_date ? mandate_date : "");
    if (all) {
        char date[11] = "";
        json_object_set_new(out, "earliest_days", json_integer(worst));
        json_object_set_new(out, "earliest_date",
                            base >= 0 && design_add_days(mandate_date, worst, date)
                                ? json_string(date)
                                : json_null());
        json_object_set_new(out, "meets_benchmark", json_boolean(worst <= benchmark_days));
    } else {
        json_object_set_new(out, "earliest_days", json_null());
        json_object_set_new(out, "earliest_date", json_null());
        json_object_set_new(out, "meets_benchmark", json_false());
    }
    return out;
}

/* ==== Life cycle ========================================================= */

int design_state_index(const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach(design_catalogue_list("lifecycle", "states"), i, s)
    {
        if (id && strcmp(json_string_value(json_object_get(s, "id")), id) == 0)
            return (int)i;
    }
    return -1;
}

static bool nonempty_array(json_t *v)
{
    return json_is_array(v) && json_array_size(v) > 0;
}

pko_rc design_transition_check(json_t *d, const char *to, json_t *body, pko_err *err)
{
    const char *from = json_string_value(json_object_get(d, "state"));
    if (design_state_index(to) < 0)
        return pko_err_field(err, PKO_EINVAL, "to",
                             "to must be a life cycle state (GET /api/v1/design/lifecycle)");
    const json_t *tr = NULL;
    const char *next = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(design_catalogue_list("lifecycle", "transitions"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "from")), from ? from : "") != 0)
            continue;
        next = json_string_value(json_object_get(t, "to"));
        if (strcmp(next, to) == 0)
            tr = t;
    }
    if (!tr)
        return pko_err_field(err, PKO_ECONFLICT, "to",
                             "a design in state %s cannot move to %s%s%s", from ? from : "?", to,
                             next ? "; the next state is " : " (it is closed)", next ? next : "");
    char cite[96];
    design_cite(json_object_get(tr, "source"), cite, sizeof(cite));
    const char *bench = json_string_value(json_object_get(tr, "benchmark"));
    json_t *c;
    json_array_foreach(json_object_get(tr, "conditions"), i, c)
    {
        const char *cond = json_string_value(c);
        bool ok = true;
        if (!strcmp(cond, "profile"))
            ok = json_is_object(json_object_get(d, "profile"));
        else if (!strcmp(cond, "models"))
            ok = nonempty_array(json_object_get(d, "models"));
        else if (!strcmp(cond, "mandate_date"))
            ok = json_is_string(json_object_get(d, "mandate_date"));
        else if (!strcmp(cond, "modality"))
            ok = json_is_string(json_object_get(d, "modality"));
        else if (!strcmp(cond, "requirements_pushed"))
            ok = nonempty_array(json_object_get(d, "pushed_requirements"));
        else if (!strcmp(cond, "plan_created"))
            ok = json_is_string(json_object_get(d, "plan_id"));
        else if (!strcmp(cond, "exit_benchmarks"))
            ok = nonempty_array(json_object_get(d, "exit_benchmarks")) ||
                 nonempty_array(json_object_get(json_object_get(d, "mandate"), "exit_benchmarks"));
        else if (!strcmp(cond, "decision")) {
            const char *dec = json_string_value(json_object_get(body, "decision"));
            ok = dec && strlen(dec) > 0;
        }
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, cond,
                                 "%s -> %s needs %s. Benchmark: %s (%s)", from, to, cond,
                                 bench ? bench : "", cite);
    }
    return PKO_OK;
}
