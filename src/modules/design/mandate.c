/* SPDX-License-Identifier: MIT
 *
 * The mandate check: the C34 criteria (clear, focused, prioritized,
 * sequenced, achievable, adaptable, matched by resources; study line 362)
 * as explicit rules MC01..MC14, whose titles, thresholds and sources are data
 * (data/catalogue/mandate_rules.json) and whose logic is here, one block
 * per rule. Every finding names its rule and cites the rule's sources.
 * docs/design.md lists the rules.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "modules/design/design.h"
#include "modules/pcrs/pcrs.h"

static int rule_threshold(const char *id, int dflt)
{
    json_t *t = json_object_get(design_rule(id), "threshold");
    return json_is_integer(t) ? (int)json_integer_value(t) : dflt;
}

static void finding(json_t *out, const char *rule, int task, const char *fmt, ...)
    PKO_PRINTF(4, 5);

static void finding(json_t *out, const char *rule, int task, const char *fmt, ...)
{
    const json_t *r = design_rule(rule);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *sources = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(r, "sources"), i, s)
    {
        char cite[96];
        design_cite(s, cite, sizeof(cite));
        json_t *c = json_deep_copy(s);
        json_object_set_new(c, "cite", json_string(cite));
        json_array_append_new(sources, c);
    }
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "rule", rule, "criterion",
                          json_string_value(json_object_get(r, "criterion")), "severity",
                          json_string_value(json_object_get(r, "severity")), "title",
                          json_string_value(json_object_get(r, "title")), "message", msg,
                          "sources", sources);
    if (task >= 0)
        json_object_set_new(f, "task", json_integer(task));
    json_array_append_new(out, f);
}

/* The capability codes a set of resources provides: the codes given, and
 * for each unit the capabilities whose standard units include its type. */
static pko_rc resource_caps(json_t *res, const char *field, json_t *caps, pko_err *err)
{
    if (!res || json_is_null(res))
        return PKO_OK;
    if (!json_is_object(res))
        return pko_err_field(err, PKO_EINVAL, field, "%s must be an object {capabilities, units}",
                             field);
    const char *k;
    json_t *v;
    json_object_foreach(res, k, v) if (strcmp(k, "capabilities") && strcmp(k, "units") &&
                                       strcmp(k, "budget_usd")) return
        pko_err_field(err, PKO_EINVAL, field, "unknown field %.40s in %s", k, field);
    json_t *cl = json_object_get(res, "capabilities");
    if (cl && (!json_is_array(cl) || json_array_size(cl) > 200))
        return pko_err_field(err, PKO_EINVAL, field, "%s.capabilities must be an array of codes",
                             field);
    size_t i;
    json_t *x;
    json_array_foreach(cl, i, x)
    {
        if (!design_capability(json_string_value(x)))
            return pko_err_field(err, PKO_EINVAL, field,
                                 "%s.capabilities[%zu] is not a capability code "
                                 "(GET /api/v1/design/capabilities)",
                                 field, i);
        json_object_set_new(caps, json_string_value(x), json_true());
    }
    json_t *ul = json_object_get(res, "units");
    if (ul && (!json_is_array(ul) || json_array_size(ul) > 200))
        return pko_err_field(err, PKO_EINVAL, field, "%s.units must be an array", field);
    json_array_foreach(ul, i, x)
    {
        const char *ut = json_string_value(json_object_get(x, "unit_type"));
        json_t *cnt = json_object_get(x, "count");
        if (!ut || !pcrs_unit_type_find(ut))
            return pko_err_field(err, PKO_EINVAL, field,
                                 "%s.units[%zu].unit_type must be a PCRS unit type", field, i);
        if (cnt && (!json_is_integer(cnt) || json_integer_value(cnt) < 0 ||
                    json_integer_value(cnt) > 1000))
            return pko_err_field(err, PKO_EINVAL, field,
                                 "%s.units[%zu].count must be a whole number from 0 to 1000",
                                 field, i);
        if (cnt && json_integer_value(cnt) == 0)
            continue;
        size_t j;
        json_t *c;
        json_array_foreach(design_catalogue_list("capabilities", "capabilities"), j, c)
        {
            size_t u;
            json_t *un;
            json_array_foreach(json_object_get(c, "units"), u, un)
            {
                if (strcmp(json_string_value(json_object_get(un, "unit_type")), ut) == 0)
                    json_object_set_new(caps, json_string_value(json_object_get(c, "code")),
                                        json_true());
            }
        }
    }
    json_t *b = json_object_get(res, "budget_usd");
    if (b && !json_is_null(b) && (!json_is_number(b) || json_number_value(b) < 0))
        return pko_err_field(err, PKO_EINVAL, field, "%s.budget_usd must be a number >= 0",
                             field);
    return PKO_OK;
}

static bool resources_empty(json_t *res)
{
    return json_array_size(json_object_get(res, "capabilities")) == 0 &&
           json_array_size(json_object_get(res, "units")) == 0 &&
           !json_is_number(json_object_get(res, "budget_usd"));
}

static int task_component(json_t *t)
{
    json_t *c = json_object_get(t, "component");
    if (!json_is_integer(c) || !design_component((int)json_integer_value(c)))
        return 0;
    return (int)json_integer_value(c);
}

static pko_rc check_tasks(json_t *tasks, const char *field, pko_err *err)
{
    if (!json_is_array(tasks) || json_array_size(tasks) == 0 || json_array_size(tasks) > 300)
        return pko_err_field(err, PKO_EINVAL, field, "%s must be an array of 1 to 300 tasks",
                             field);
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t)
    {
        if (!json_is_object(t))
            return pko_err_field(err, PKO_EINVAL, field, "%s[%zu] must be an object", field, i);
        json_t *tx = json_object_get(t, "text");
        if (tx && !json_is_null(tx) && (!json_is_string(tx) || strlen(json_string_value(tx)) > 2000))
            return pko_err_field(err, PKO_EINVAL, field, "%s[%zu].text must be text", field, i);
        json_t *pr = json_object_get(t, "priority");
        if (pr && !json_is_null(pr) &&
            (!json_is_integer(pr) || json_integer_value(pr) < 1 || json_integer_value(pr) > 9))
            return pko_err_field(err, PKO_EINVAL, field,
                                 "%s[%zu].priority must be a whole number from 1 (highest) to 9",
                                 field, i);
        const char *ph = json_string_value(json_object_get(t, "phase"));
        json_t *phv = json_object_get(t, "phase");
        if (phv && !json_is_null(phv) &&
            (!ph || (strcmp(ph, "start_up") && strcmp(ph, "main") && strcmp(ph, "drawdown"))))
            return pko_err_field(err, PKO_EINVAL, field,
                                 "%s[%zu].phase must be start_up, main or drawdown", field, i);
    }
    return PKO_OK;
}

static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; p && *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* The sorted component multiset of a task list as a string, for MC10. */
static void component_key(json_t *tasks, char *out, size_t cap)
{
    int counts[22] = {0};
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) counts[task_component(t)]++;
    out[0] = '\0';
    for (int c = 0; c < 22; c++) {
        char b[24];
        snprintf(b, sizeof(b), "%d:%d,", c, counts[c]);
        if (counts[c])
            strncat(out, b, cap - strlen(out) - 1);
    }
}

pko_rc design_mandate_check(json_t *m, json_t **out, pko_err *err)
{
    static const char *const known[] = {"title",     "chapter",         "tasks",
                                        "resources", "exit_benchmarks", "previous",
                                        "host_consent", "parties_consent", NULL};
    if (!json_is_object(m))
        return pko_err_set(err, PKO_EINVAL, "the mandate must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "unknown field %.60s in the mandate", k);
    }
    json_t *tasks = json_object_get(m, "tasks");
    pko_rc rc = check_tasks(tasks, "tasks", err);
    if (rc)
        return rc;
    const char *chapter = json_string_value(json_object_get(m, "chapter"));
    v = json_object_get(m, "chapter");
    if (v && !json_is_null(v) && (!chapter || (strcmp(chapter, "VI") && strcmp(chapter, "VII"))))
        return pko_err_field(err, PKO_EINVAL, "chapter", "chapter must be VI or VII");
    json_t *eb = json_object_get(m, "exit_benchmarks");
    if (eb && !json_is_null(eb) && !json_is_array(eb))
        return pko_err_field(err, PKO_EINVAL, "exit_benchmarks",
                             "exit_benchmarks must be an array of texts");
    static const char *const consent_keys[] = {"host_consent", "parties_consent"};
    for (int i = 0; i < 2; i++) {
        json_t *c = json_object_get(m, consent_keys[i]);
        const char *cs = json_string_value(c);
        if (c && !json_is_null(c) &&
            (!cs || (strcmp(cs, "full") && strcmp(cs, "partial") && strcmp(cs, "none"))))
            return pko_err_field(err, PKO_EINVAL, consent_keys[i],
                                 "%s must be full, partial or none", consent_keys[i]);
    }
    json_t *res = json_object_get(m, "resources");
    json_t *caps = json_object();
    rc = resource_caps(res, "resources", caps, err);
    json_t *prev = json_object_get(m, "previous");
    json_t *prev_caps = json_object();
    if (!rc && prev && !json_is_null(prev)) {
        if (!json_is_object(prev))
            rc = pko_err_field(err, PKO_EINVAL, "previous",
                               "previous must be the earlier mandate {tasks, resources}");
        if (!rc)
            rc = check_tasks(json_object_get(prev, "tasks"), "previous.tasks", err);
        if (!rc)
            rc = resource_caps(json_object_get(prev, "resources"), "previous.resources",
                               prev_caps, err);
    }
    json_decref(prev_caps);
    if (rc) {
        json_decref(caps);
        return rc;
    }

    json_t *f = json_array();
    size_t i;
    json_t *t;
    /* MC01 clear: every task names a component. */
    bool has_component[22] = {false};
    json_array_foreach(tasks, i, t)
    {
        int c = task_component(t);
        has_component[c] = true;
        if (!c)
            finding(f, "MC01", (int)i,
                    "task %zu (\"%.80s\") names no mandate component 1-21: what it asks for is "
                    "not clear",
                    i, json_string_value(json_object_get(t, "text")) ? json_string_value(json_object_get(t, "text")) : "");
    }
    /* MC02 focused: distinct clusters. */
    int clusters = 0;
    for (int c = 1; c <= 21; c++)
        clusters += has_component[c];
    int max_clusters = rule_threshold("MC02", 8);
    if (clusters > max_clusters)
        finding(f, "MC02", -1,
                "%d task clusters (mandate components), more than %d: the mandate is not focused",
                clusters, max_clusters);
    /* MC03 prioritized. */
    int with_prio = 0, distinct_prio = 0;
    bool seen_prio[10] = {false};
    json_array_foreach(tasks, i, t)
    {
        json_t *p = json_object_get(t, "priority");
        if (json_is_integer(p)) {
            with_prio++;
            if (!seen_prio[json_integer_value(p)])
                distinct_prio++;
            seen_prio[json_integer_value(p)] = true;
        }
    }
    if (json_array_size(tasks) > 1 && with_prio == 0)
        finding(f, "MC03", -1, "none of the %zu tasks has a priority", json_array_size(tasks));
    else if (json_array_size(tasks) > 1 && distinct_prio == 1 &&
             (size_t)with_prio == json_array_size(tasks))
        finding(f, "MC03", -1, "all %zu tasks have the same priority: nothing is prioritized",
                json_array_size(tasks));
    /* MC04 sequenced: phases. */
    int with_phase = 0;
    json_array_foreach(tasks, i, t) with_phase += json_is_string(json_object_get(t, "phase"));
    int seq_min = rule_threshold("MC04", 3);
    if ((int)json_array_size(tasks) > seq_min && with_phase == 0)
        finding(f, "MC04", -1, "%zu tasks and none is placed in a phase (start_up, main, drawdown)",
                json_array_size(tasks));
    /* MC05 resources stated. */
    bool no_res = !res || json_is_null(res) || resources_empty(res);
    if (no_res)
        finding(f, "MC05", -1, "the mandate states no resources (capabilities, units or budget)");
    /* MC06 every task has a capability to deliver it. */
    json_array_foreach(tasks, i, t)
    {
        int c = task_component(t);
        if (!c)
            continue;
        const json_t *comp = design_component(c);
        bool ok = false;
        size_t j;
        json_t *d;
        json_array_foreach(json_object_get(comp, "delivered_by"), j, d) ok =
            ok || json_object_get(caps, json_string_value(d)) != NULL;
        if (!ok) {
            char need[300] = "";
            json_array_foreach(json_object_get(comp, "delivered_by"), j, d)
            {
                strncat(need, j ? ", " : "", sizeof(need) - strlen(need) - 1);
                strncat(need, json_string_value(d), sizeof(need) - strlen(need) - 1);
            }
            finding(f, "MC06", (int)i,
                    "task %zu (%s) has no capability to deliver it among the resources; it needs "
                    "one of: %s",
                    i, json_string_value(json_object_get(comp, "name")), need);
        }
    }
    /* MC07 POC without mobility or aviation. */
    if (has_component[20] && !json_object_get(caps, "aviation") &&
        !json_object_get(caps, "protected_mobility") &&
        !json_object_get(caps, "quick_reaction_force") &&
        !json_object_get(caps, "deterrent_military_units"))
        finding(f, "MC07", -1,
                "protection of civilians is mandated without aviation or mobile forces (aviation, "
                "protected_mobility, quick_reaction_force or deterrent_military_units)");
    /* MC08 exit benchmarks. */
    size_t n_exit = 0;
    json_array_foreach(eb, i, t) n_exit +=
        json_is_string(t) && strlen(json_string_value(t)) > 0;
    if (n_exit == 0)
        finding(f, "MC08", -1, "no exit benchmarks: the mandate gives no condition for transition");
    /* MC09 "within existing resources". */
    json_array_foreach(tasks, i, t)
    {
        const char *tx = json_string_value(json_object_get(t, "text"));
        if (tx && ci_contains(tx, "within existing resources"))
            finding(f, "MC09", (int)i, "task %zu is to be implemented \"within existing resources\"",
                    i);
    }
    /* MC10 mandate change without resource change. */
    if (prev && json_is_object(prev)) {
        char a[256], b[256];
        component_key(tasks, a, sizeof(a));
        component_key(json_object_get(prev, "tasks"), b, sizeof(b));
        json_t *pres = json_object_get(prev, "resources");
        bool same_res = (no_res && (!pres || resources_empty(pres))) ||
                        (res && pres && json_equal(res, pres));
        if (strcmp(a, b) != 0 && same_res)
            finding(f, "MC10", -1,
                    "the tasks changed from the previous mandate (%zu to %zu tasks) but the "
                    "resources did not",
                    json_array_size(json_object_get(prev, "tasks")), json_array_size(tasks));
    }
    /* MC11 use of force without Chapter VII. */
    if (has_component[21] && (!chapter || strcmp(chapter, "VII") != 0))
        finding(f, "MC11", -1,
                "component 21 (authorization to use force in defense of the mandate) is given "
                "but the mandate is not under Chapter VII");
    /* MC12 political process. */
    if (!has_component[11])
        finding(f, "MC12", -1,
                "no task supports a political process (component 11): the mission is not "
                "anchored in a political strategy");
    /* MC13 consent. */
    const char *hc = json_string_value(json_object_get(m, "host_consent"));
    const char *pc = json_string_value(json_object_get(m, "parties_consent"));
    if ((hc && strcmp(hc, "full")) || (pc && strcmp(pc, "full")))
        finding(f, "MC13", -1, "consent is not full (host: %s, main parties: %s)", hc ? hc : "full",
                pc ? pc : "full");
    /* MC14 adaptable: a way to learn and adjust. */
    if (!has_component[18] && !has_component[19])
        finding(f, "MC14", -1,
                "no task provides for contingency planning (component 18) or mission impact "
                "assessment (component 19): nothing makes the mandate adaptable");
    json_decref(caps);

    /* Summary per criterion. */
    int errors = 0, warnings = 0;
    json_t *crit = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "clear", "pass", "focused",
                             "pass", "prioritized", "pass", "sequenced", "pass", "achievable",
                             "pass", "adaptable", "pass", "matched by resources", "pass");
    json_array_foreach(f, i, t)
    {
        const char *sev = json_string_value(json_object_get(t, "severity"));
        const char *cr = json_string_value(json_object_get(t, "criterion"));
        bool is_err = strcmp(sev, "error") == 0;
        errors += is_err;
        warnings += !is_err;
        const char *cur = json_string_value(json_object_get(crit, cr));
        if (is_err || (cur && strcmp(cur, "fail") != 0))
            json_object_set_new(crit, cr, json_string(is_err ? "fail" : "concern"));
    }
    *out = json_pack("{s:o, s:{s:i, s:i, s:i}, s:o}", "findings", f, "summary", "errors", errors,
                     "warnings", warnings, "clusters", clusters, "criteria", crit);
    return PKO_OK;
}
