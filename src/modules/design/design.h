/* SPDX-License-Identifier: MIT
 *
 * Mission design: the modular peacekeeping of the 2024 Future of
 * Peacekeeping study (seed 000) as a working tool. The catalogue (30
 * models, 6 modalities, the 21 mandate components of the Security Council
 * Affairs Division, threats, ten success factors, one capability
 * vocabulary, the Capstone life cycle, the mandate rules and the cost
 * rates) is data in data/catalogue/<name>.json, embedded in the binary at build
 * time. On it: a composer (crisis profile -> proposed models with reasons
 * citing the study), a mandate check (C34 criteria as explicit rules),
 * mission designs as records (models, modality, phases, editable
 * assumptions) from which capability needs, unit requirements, cost and
 * feasibility are derived, pushed to PCRS as draft requirements and to
 * CPAS as a plan skeleton. See docs/design.md.
 *
 * catalogue.c, compose.c, mandate.c and derive.c are pure (no store, no
 * HTTP) and unit-tested on their own; design.c is the module.
 */
#ifndef PKO_MODULES_DESIGN_H
#define PKO_MODULES_DESIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

extern const pko_module pko_module_design;
extern const pko_entity pko_entity_design_mission;

/* ==== Catalogue (catalogue.c) ============================================ */

/* The parsed catalogue file 'name' ("models", "capabilities", "modalities",
 * "mandate_components", "threats", "success_factors", "signals",
 * "lifecycle", "mandate_rules", "rates"), borrowed and never freed; NULL
 * when unknown. Parsed once, thread-safe. Callers must not modify it. */
const json_t *design_catalogue(const char *name);
/* The list inside a file: design_catalogue_list("models", "models"). */
const json_t *design_catalogue_list(const char *name, const char *key);
/* Model 'id' (1..30), or NULL. */
const json_t *design_model(int id);
/* Capability 'code' of the vocabulary, or NULL. */
const json_t *design_capability(const char *code);
/* Mandate component 'id' (1..21), or NULL. */
const json_t *design_component(int id);
/* Modality 'id' ("standalone" ...), or NULL. */
const json_t *design_modality(const char *id);
/* Signal 'code' (threat or situation), or NULL. */
const json_t *design_signal(const char *code);
/* Mandate rule 'id' ("MC01"), or NULL. */
const json_t *design_rule(const char *id);
/* "000_7f7c5e6c24e24b33.txt:464" for a {file, line[, end_line]} object. */
void design_cite(const json_t *source, char *out, size_t cap);

/* ==== Composer (compose.c) =============================================== */

/* Propose models for a crisis profile {threats:[..], situations:[..],
 * host_consent, parties_consent: "full"|"partial"|"none", host_capacity:
 * "low"|"medium"|"high", regional_actors: "none"|"supportive"|"deployed"|
 * "leading", urgency: "low"|"medium"|"high", max_models: 1..30}. '*out' is
 * {proposals:[{model, name, score, reasons:[{text, source}], capability_codes,
 * links}], modality:{id, reasons}, phases:[..], warnings:[..]}. PKO_EINVAL
 * with the field on a bad profile. */
PKO_MUST_USE pko_rc design_compose(json_t *profile, json_t **out, pko_err *err);

/* ==== Mandate check (mandate.c) ========================================== */

/* Check a mandate {title?, chapter: "VI"|"VII", tasks:[{component, text,
 * priority?, phase?}], resources:{capabilities:[codes], units:[{unit_type,
 * count}], budget_usd?}, exit_benchmarks:[..], previous:{tasks, resources}?,
 * host_consent?, parties_consent?}. '*out' is {findings:[{rule, criterion,
 * severity, message, sources, task?}], summary:{errors, warnings},
 * criteria:{clear: "pass"|"fail", ...}}. PKO_EINVAL on malformed input. */
PKO_MUST_USE pko_rc design_mandate_check(json_t *mandate, json_t **out, pko_err *err);

/* ==== Derivation (derive.c) ============================================== */

/* Validate a mission design's fields (create or update). */
PKO_MUST_USE pko_rc design_validate(json_t *fields, int creating, pko_err *err);

/* From a design record (models, phases, scale, assumptions, mandate_date)
 * derive {capabilities:[{code, label, kind, models}], units:[{unit_type,
 * count, strength, capabilities, phases}], civilian_posts, personnel,
 * phases:[{phase, months, models, uniformed, civilian, cost_usd}], cost:{..},
 * benchmark:{kind, days, source}, assumptions_used}. Never fails on a
 * validated record. */
json_t *design_derive(json_t *design);

/* Feasibility of derived 'units' (as from design_derive) against 'pledges'
 * (PCRS pledge records, any status: only available ones count) for a
 * mandate on 'mandate_date' (YYYY-MM-DD). Returns {units:[{unit_type,
 * needed, pledged:{level: n}, earliest_days, earliest_date}], earliest_days,
 * earliest_date, benchmark_days, meets_benchmark, missing:[unit types]}. */
json_t *design_feasibility(json_t *units, json_t *pledges, const char *mandate_date,
                           int benchmark_days);

/* Life cycle: index of state 'id' in lifecycle.json, or -1. */
int design_state_index(const char *id);
/* Check the transition of 'design' to state 'to' with request 'body'
 * (decision, date). PKO_OK when allowed; otherwise PKO_EINVAL/ECONFLICT
 * naming the unmet condition and its source. */
PKO_MUST_USE pko_rc design_transition_check(json_t *design, const char *to, json_t *body,
                                            pko_err *err);

/* Days between two YYYY-MM-DD dates (b - a); false when either is bad. */
bool design_days_between(const char *a, const char *b, long *out);
/* 'date' + 'days' into out (11 bytes); false when 'date' is bad. */
bool design_add_days(const char *date, long days, char out[11]);

#endif
