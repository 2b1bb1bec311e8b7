/* SPDX-License-Identifier: MIT
 *
 * The composer: a crisis profile in, proposed models out, each with the
 * reasons that put it there, every reason citing the study. The rules are
 * documented in docs/design.md ("Composer"):
 *   +3 for each situation the profile reports that the model's strategic
 *      purpose answers (models.json signals), +1 for each threat category;
 *   -3 for a model deployed at a Member State's request (11, 15, 16, 24)
 *      when the host does not fully consent;
 *   +1 for a rapid-deployment model (2, 21) when urgency is high;
 *   +1 for a regional-footprint model (20, 28) when regional actors support;
 *   +1 for the capacity-building models (13, 14) when host capacity is low.
 * A model is proposed only when at least one signal matched and its score
 * stays above zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/design/design.h"

static const char SEED0[] = "000_7f7c5e6c24e24b33.txt";

static json_t *src_obj(const char *file, int line)
{
    return json_pack("{s:s, s:i}", "file", file, "line", line);
}

/* Append {text, source, cite} to 'arr'; steals 'source'. */
static void add_reason(json_t *arr, const char *text, json_t *source)
{
    char cite[96];
    design_cite(source, cite, sizeof(cite));
    json_array_append_new(arr, json_pack("{s:s, s:o, s:s}", "text", text, "source", source,
                                         "cite", cite));
}

static bool one_of(const char *v, const char *const *allowed)
{
    for (size_t i = 0; v && allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0)
            return true;
    return false;
}

static pko_rc enum_field(json_t *p, const char *key, const char *const *allowed, const char *dflt,
                         const char **out, pko_err *err)
{
    json_t *v = json_object_get(p, key);
    if (!v || json_is_null(v)) {
        *out = dflt;
        return PKO_OK;
    }
    if (!json_is_string(v) || !one_of(json_string_value(v), allowed)) {
        char list[200] = "";
        for (size_t i = 0; allowed[i]; i++) {
            strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
            strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
        }
        return pko_err_field(err, PKO_EINVAL, key, "%s must be one of %s", key, list);
    }
    *out = json_string_value(v);
    return PKO_OK;
}

static pko_rc signal_list(json_t *p, const char *key, const char *kind, pko_err *err)
{
    json_t *v = json_object_get(p, key);
    if (!v || json_is_null(v))
        return PKO_OK;
    if (!json_is_array(v) || json_array_size(v) > 64)
        return pko_err_field(err, PKO_EINVAL, key, "%s must be an array of up to 64 codes", key);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        const json_t *s = design_signal(json_string_value(x));
        if (!s || strcmp(json_string_value(json_object_get(s, "kind")), kind) != 0)
            return pko_err_field(err, PKO_EINVAL, key,
                                 "%s[%zu] is not a known %s code (GET /api/v1/design/signals)",
                                 key, i, kind);
    }
    return PKO_OK;
}

static bool has_str(json_t *arr, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (json_is_string(x) && strcmp(json_string_value(x), s) == 0)
        return true;
    return false;
}

static const char *const consents[] = {"full", "partial", "none", NULL};
static const char *const levels3[] = {"low", "medium", "high", NULL};
static const char *const regional[] = {"none", "supportive", "deployed", "leading", NULL};
static const char *const unity[] = {"united", "divided", "unknown", NULL};

typedef struct proposal {
    int id;
    int score;
    int matched;
    json_t *reasons;
} proposal;

static int by_score(const void *a, const void *b)
{
    const proposal *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    return x->id - y->id;
}

pko_rc design_compose(json_t *p, json_t **out, pko_err *err)
{
    static const char *const known[] = {"threats",       "situations",      "host_consent",
                                        "parties_consent", "host_capacity", "regional_actors",
                                        "urgency",       "max_models",      "council_unity",
                                        NULL};
    if (!json_is_object(p))
        return pko_err_set(err, PKO_EINVAL, "the crisis profile must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v) if (!one_of(k, known)) return pko_err_field(
        err, PKO_EINVAL, k, "unknown field %.60s in the crisis profile", k);
    pko_rc rc = signal_list(p, "threats", "threat", err);
    if (!rc)
        rc = signal_list(p, "situations", "situation", err);
    const char *host, *parties, *capacity, *reg, *urgency;
    if (!rc)
        rc = enum_field(p, "host_consent", consents, "full", &host, err);
    if (!rc)
        rc = enum_field(p, "parties_consent", consents, "full", &parties, err);
    if (!rc)
        rc = enum_field(p, "host_capacity", levels3, "medium", &capacity, err);
    if (!rc)
        rc = enum_field(p, "regional_actors", regional, "none", &reg, err);
    if (!rc)
        rc = enum_field(p, "urgency", levels3, "medium", &urgency, err);
    const char *council;
    if (!rc)
        rc = enum_field(p, "council_unity", unity, "unknown", &council, err);
    if (rc)
        return rc;
    int max_models = 5;
    v = json_object_get(p, "max_models");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 30)
            return pko_err_field(err, PKO_EINVAL, "max_models",
                                 "max_models must be a whole number from 1 to 30");
        max_models = (int)json_integer_value(v);
    }
    json_t *threats = json_object_get(p, "threats");
    json_t *situations = json_object_get(p, "situations");
    if (json_array_size(threats) + json_array_size(situations) == 0)
        return pko_err_field(err, PKO_EINVAL, "situations",
                             "the profile reports no threat and no situation: give threats or "
                             "situations (GET /api/v1/design/signals)");

    proposal props[30];
    char buf[640];
    for (int id = 1; id <= 30; id++) {
        proposal *pr = &props[id - 1];
        const json_t *m = design_model(id);
        pr->id = id;
        pr->score = 0;
        pr->matched = 0;
        pr->reasons = json_array();
        const json_t *src = json_object_get(m, "source");
        const char *file = json_string_value(json_object_get(src, "file"));
        int pline = (int)json_integer_value(json_object_get(src, "purpose_line"));
        int dline = (int)json_integer_value(json_object_get(src, "description_line"));
        const char *purpose = json_string_value(json_object_get(m, "purpose"));
        size_t i;
        json_t *sg;
        json_array_foreach(json_object_get(m, "signals"), i, sg)
        {
            const char *code = json_string_value(sg);
            const json_t *sig = design_signal(code);
            bool threat = strcmp(json_string_value(json_object_get(sig, "kind")), "threat") == 0;
            if (!has_str(threat ? threats : situations, code))
                continue;
            pr->score += threat ? 1 : 3;
            pr->matched++;
            snprintf(buf, sizeof(buf), "The profile reports %s \"%s\"; the model's strategic purpose: \"%s\"",
                     threat ? "the threat" : "the situation",
                     json_string_value(json_object_get(sig, "label")), purpose);
            add_reason(pr->reasons, buf, src_obj(file, pline));
        }
        if (!pr->matched)
            continue;
        if (json_is_true(json_object_get(m, "requires_host_request")) && strcmp(host, "full")) {
            pr->score -= 3;
            add_reason(pr->reasons,
                       "Penalised: this model is deployed at the request of the host Member State, "
                       "and the host does not fully consent",
                       src_obj(file, dline));
        }
        if (json_is_true(json_object_get(m, "rapid_deployment")) && !strcmp(urgency, "high")) {
            pr->score += 1;
            add_reason(pr->reasons,
                       id == 2 ? "Urgency is high: this model must be deployed quickly, drawing on "
                                 "the PCRS Rapid Deployment Level"
                               : "Urgency is high: rapid deployment would be crucial for this model",
                       src_obj(file, dline));
        }
        if (json_is_true(json_object_get(m, "regional_footprint")) &&
            (!strcmp(reg, "supportive") || !strcmp(reg, "deployed") || !strcmp(reg, "leading"))) {
            pr->score += 1;
            add_reason(pr->reasons,
                       "Regional actors are engaged: this model needs a regional footprint and "
                       "works with regional arrangements",
                       src_obj(file, dline));
        }
        if ((id == 13 || id == 14) && !strcmp(capacity, "low")) {
            pr->score += 1;
            add_reason(pr->reasons,
                       "Host capacity is low: this model enhances the capacity of national "
                       "institutions",
                       src_obj(file, pline));
        }
    }
    qsort(props, 30, sizeof(props[0]), by_score);

    json_t *proposals = json_array();
    bool chosen[31] = {false};
    int n_chosen = 0;
    for (int i = 0; i < 30; i++) {
        proposal *pr = &props[i];
        if (pr->matched && pr->score > 0 && n_chosen < max_models) {
            chosen[pr->id] = true;
            n_chosen++;
        }
    }
    for (int i = 0; i < 30; i++) {
        proposal *pr = &props[i];
        if (!chosen[pr->id]) {  /* in score order */
            json_decref(pr->reasons);
            continue;
        }
        const json_t *m = design_model(pr->id);
        json_t *links = json_array();
        size_t j;
        json_t *ln;
        json_array_foreach(json_object_get(m, "links"), j, ln)
        {
            int to = (int)json_integer_value(json_object_get(ln, "model"));
            if (to >= 1 && to <= 30 && chosen[to])
                json_array_append_new(links, json_deep_copy(ln));
        }
        json_array_append_new(
            proposals,
            json_pack("{s:i, s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "model", pr->id, "name",
                      json_string_value(json_object_get(m, "name")), "purpose",
                      json_string_value(json_object_get(m, "purpose")), "score", pr->score,
                      "reasons", pr->reasons, "capability_codes",
                      json_deep_copy(json_object_get(m, "capability_codes")), "links", links,
                      "source", json_deep_copy(json_object_get(m, "source"))));
    }

    /* Modality: the least cumbersome lines of authority unless the
     * regional situation or consent says otherwise. */
    json_t *mreasons = json_array();
    const char *modality = "standalone";
    if (!strcmp(reg, "leading")) {
        modality = "un_authorized";
        add_reason(mreasons,
                   "A regional organisation or coalition leads: a UN-authorized mission under its "
                   "own command and control, possibly with a UN support package",
                   src_obj(SEED0, 941));
    } else if (!strcmp(reg, "deployed")) {
        if (!strcmp(urgency, "high")) {
            modality = "sequenced";
            add_reason(mreasons,
                       "A regional force is already deployed and urgency is high: a sequenced "
                       "mission, the UN re-hatting the earlier operation",
                       src_obj(SEED0, 904));
        } else {
            modality = "parallel";
            add_reason(mreasons,
                       "A regional force is deployed: a parallel deployment with complementary "
                       "mandates and practical coordination",
                       src_obj(SEED0, 908));
        }
    } else {
        add_reason(mreasons,
                   "A standalone UN mission has the least cumbersome lines of authority and works "
                   "closest with the UN Country Team",
                   src_obj(SEED0, 954));
    }
    if (!strcmp(host, "none") && strcmp(modality, "un_authorized")) {
        modality = "un_authorized";
        add_reason(mreasons,
                   "The host does not consent: a UN-led peacekeeping operation relies on host "
                   "consent, so only an operation authorized by the Council under Chapter VII "
                   "with a non-UN lead remains",
                   src_obj(SEED0, 188));
    }

    /* Phases: a modular approach designs the life cycle; start with the
     * models that must deploy fast (or the best), end with the smaller,
     * focused ones as an exit strategy. */
    json_t *start = json_array(), *main_ph = json_array(), *draw = json_array();
    size_t i;
    json_t *pp;
    json_array_foreach(proposals, i, pp)
    {
        int id = (int)json_integer_value(json_object_get(pp, "model"));
        const json_t *m = design_model(id);
        json_array_append_new(main_ph, json_integer(id));
        if (i == 0 || json_is_true(json_object_get(m, "rapid_deployment")))
            json_array_append_new(start, json_integer(id));
        if (id == 5 || id == 6 || id == 13 || id == 14 || id == 15 || id == 16 || id == 18)
            json_array_append_new(draw, json_integer(id));
    }
    /* None of the focused models proposed: keep the last (lowest-scoring)
     * proposal as the smaller presence that remains. */
    if (json_array_size(draw) == 0 && json_array_size(proposals) > 0)
        json_array_append_new(
            draw, json_integer(json_integer_value(json_object_get(
                      json_array_get(proposals, json_array_size(proposals) - 1), "model"))));
    json_t *phases = json_pack(
        "[{s:s, s:o, s:i}, {s:s, s:o, s:i}, {s:s, s:o, s:i}]", "phase", "start_up", "models",
        start, "months", 6, "phase", "main", "models", main_ph, "months", 24, "phase", "drawdown",
        "models", draw, "months", 12);

    json_t *warnings = json_array();
    if (strcmp(host, "full") || strcmp(parties, "full"))
        add_reason(warnings,
                   "Consent is not full: peacekeeping relies on the strategic consent and "
                   "continued cooperation of host states and other critical parties",
                   src_obj(SEED0, 188));
    if (json_array_size(proposals) == 0)
        add_reason(warnings,
                   "No model answers this profile; the models are a non-exhaustive and flexible "
                   "list of options",
                   src_obj(SEED0, 412));
    /* The ten success factors (section 7) that the profile speaks to. */
    json_t *factors = json_array();
    size_t fi;
    json_t *fx;
    json_array_foreach(design_catalogue_list("success_factors", "factors"), fi, fx)
    {
        int id = (int)json_integer_value(json_object_get(fx, "id"));
        const char *status = "not_assessed", *why = "the profile does not speak to this factor";
        if (id == 1 && strcmp(council, "unknown")) {
            bool u = !strcmp(council, "united");
            status = u ? "supportive" : "at_risk";
            why = u ? "the Council is united" : "the Council is divided: a divided, reactive Council "
                                               "undermines its credibility and leverage";
        } else if (id == 2) {
            bool f = !strcmp(host, "full");
            status = f ? "supportive" : "at_risk";
            why = f ? "the host consents fully" : "the host does not consent fully";
        } else if (id == 4) {
            bool none = !strcmp(reg, "none");
            status = none ? "at_risk" : "supportive";
            why = none ? "no regional actor is engaged" : "regional actors are engaged";
        } else if (id == 5) {
            bool broad = json_array_size(proposals) > 3;
            status = broad ? "at_risk" : "supportive";
            why = broad ? "more than three models: a broad mandate, harder to match with resources"
                        : "three models or fewer: a focused mandate";
        } else if (id == 10 && json_array_size(draw) > 0) {
            status = "supportive";
            why = "a drawdown phase is planned from the start";
        }
        char cite[96];
        design_cite(json_object_get(fx, "source"), cite, sizeof(cite));
        json_array_append_new(factors,
                              json_pack("{s:i, s:O, s:s, s:s, s:s}", "id", id, "name",
                                        json_object_get(fx, "name"), "status", status, "reason",
                                        why, "cite", cite));
    }
    *out = json_pack("{s:o, s:{s:s, s:o}, s:o, s:o, s:o}", "proposals", proposals, "modality",
                     "id", modality, "reasons", mreasons, "phases", phases, "warnings", warnings,
                     "success_factors", factors);
    return PKO_OK;
}
