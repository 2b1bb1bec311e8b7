/* SPDX-License-Identifier: MIT
 *
 * PCRS: force generation and readiness. Reference data (Member States,
 * unit types), pledges of units by Member States with readiness levels,
 * statements of unit requirements of missions, and the matching of pledges
 * to requirements (ranked candidates with explained scores, and a global
 * minimum-cost assignment by the Hungarian algorithm). See docs/pcrs.md.
 */
#ifndef PKO_MODULES_PCRS_H
#define PKO_MODULES_PCRS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"
#include "store/store.h"

/* ---- Reference data (refdata.c) ---------------------------------------- */

typedef struct pcrs_member_state {
    const char *iso3; /* ISO 3166-1 alpha-3 */
    const char *name;
} pcrs_member_state;

#define PCRS_MAX_TAGS 8

typedef struct pcrs_unit_type {
    const char *code;      /* "infantry_battalion" */
    const char *name;      /* "Infantry battalion" */
    const char *component; /* "military" or "police" */
    int standard_strength;
    const char *tags[PCRS_MAX_TAGS]; /* capability tags, NULL-terminated */
} pcrs_unit_type;

extern const pcrs_member_state pcrs_member_states[];
extern const size_t pcrs_n_member_states;
extern const pcrs_unit_type pcrs_unit_types[];
extern const size_t pcrs_n_unit_types;

const pcrs_member_state *pcrs_member_state_find(const char *iso3);
const pcrs_unit_type *pcrs_unit_type_find(const char *code);
bool pcrs_unit_type_has(const pcrs_unit_type *t, const char *cap);

/* ---- Readiness levels ---------------------------------------------------- */

/* "registered", "level_1", "level_2", "level_3", "rapid_deployment";
 * NULL-terminated, in rising order. */
extern const char *const pcrs_levels[];
/* Index of a level in pcrs_levels, or -1. */
int pcrs_level_index(const char *level);
/* Days from a call to deployment for a level (rapid_deployment: 60). */
int pcrs_level_days(int level_index);
/* Days since 1970-01-01 of a valid YYYY-MM-DD, or -1. */
long pcrs_day_number(const char *date);
/* The date YYYY-MM-DD of a day number. */
void pcrs_format_day(long day, char out[11]);

/* ---- Entities and validation (pcrs.c) ----------------------------------- */

extern const pko_module pko_module_pcrs;
extern const pko_entity pko_entity_pcrs_pledge;
extern const pko_entity pko_entity_pcrs_requirement;

/* Validate a pledge's fields for create ('creating') or update. */
PKO_MUST_USE pko_rc pcrs_pledge_validate(json_t *fields, int creating, pko_err *err);
/* Validate a requirement's fields; 'today' is YYYY-MM-DD (required_by must
 * not be before it). */
PKO_MUST_USE pko_rc pcrs_requirement_validate(json_t *fields, int creating, const char *today,
                                              pko_err *err);

/* ---- Requirements for other modules (pcrs.c) -------------------------------
 *
 * A requirement's status: "draft" (stated but not yet asked of Member
 * States: never a candidate's requirement, never solved, never a gap),
 * "open" (POST /api/v1/pcrs/requirements/{id}/open, or created open),
 * "filled" (with pledge_id), "cancelled". */

/* Create a statement of unit requirement inside the caller's own write
 * transaction 'tx', through the same validation and write path as
 * POST /api/v1/pcrs/requirements (pcrs_requirement_validate, the mission
 * must exist, a pledge_id must be an available pledge of the same unit type
 * filling no other requirement; pko_tx_insert appends the change record and
 * audit entry under the transaction's actor). 'fields' (borrowed, not
 * changed) are those of the API; without "status" the requirement is a
 * "draft". 'today' is YYYY-MM-DD (NULL: today in UTC); required_by must not
 * be before it. On success '*out' (may be NULL) receives a new object: the
 * fields as written with "id" and "status". On failure err names the field
 * (PKO_EINVAL; PKO_ECONFLICT when the pledge already fills a requirement);
 * every check runs before the first write, so a refused requirement writes
 * nothing, but the caller should still roll 'tx' back on any error (a
 * database error after the insert leaves it in the transaction). Permission is the caller's business: a module creating a
 * requirement on a user's behalf checks pcrs.requirements.write (or its own
 * equivalent) in the mission first. */
PKO_MUST_USE pko_rc pcrs_requirement_create(pko_tx *tx, const char *today, json_t *fields,
                                            json_t **out, pko_err *err);

/* Read-only feasibility of a requirement for 'unit_type' by 'required_by'
 * (YYYY-MM-DD, or NULL for no date) as of 'today' (NULL: today in UTC),
 * over the available pledges with classification <= 'clearance' (use
 * PKO_CLASS_STRICTLY_CONFIDENTIAL for all). '*out' receives
 *   {unit_type, required_by, today, pledges, levels: {registered, level_1,
 *    level_2, level_3, rapid_deployment}, strength, eligible, on_time,
 *    earliest_deployment (date or null), feasible}
 * where 'levels' counts the available pledges per readiness level,
 * 'eligible' those still available on required_by, 'on_time' the eligible
 * ones whose earliest deployment (max(today, available_from) + the level's
 * days) is on or before required_by, 'earliest_deployment' the earliest
 * among the eligible, and 'feasible' is on_time > 0 (eligible > 0 without a
 * date). Unknown unit type or bad date: PKO_EINVAL naming "unit_type" or
 * "required_by". Runs on 'db' (inside a transaction, pko_tx_db(tx)). */
PKO_MUST_USE pko_rc pcrs_feasibility(pko_db *db, int clearance, const char *unit_type,
                                     const char *required_by, const char *today, json_t **out,
                                     pko_err *err);

/* ---- Visits (visits.c) ---------------------------------------------------- */

extern const pko_entity pko_entity_pcrs_visit;
/* Validate a new visit; 'today' is YYYY-MM-DD (visit_date not after it). */
PKO_MUST_USE pko_rc pcrs_visit_validate(json_t *fields, const char *today, pko_err *err);

/* ---- Matching (match.c) --------------------------------------------------- */

/* Score pledge 'p' for requirement 'r' (both JSON records as stored) as of
 * 'today'; 'contributors' (may be NULL) maps a country code to the units it
 * already deploys to the requirement's mission. Returns a new object
 * {total, eligible, earliest_deployment, days_to_deploy, components:{time,
 * capability, language, gender, caveats, diversity}, reasons:[..]}, or NULL
 * if the pledge's unit type differs (not a candidate). */
json_t *pcrs_score(json_t *r, json_t *p, const char *today, json_t *contributors);

/* Minimum-cost assignment of an n x m cost matrix (row-major, n rows, m
 * columns, any shape). 'row_to_col' (n entries) receives each row's column
 * or -1 when n > m leaves it unassigned. Returns the total cost. O(k^3)
 * with k = max(n, m). */
double pcrs_hungarian(const double *cost, size_t n, size_t m, int *row_to_col);
/* The same for n <= m, also giving the row potentials 'u' (n entries) of
 * the optimal dual: u_i + v_j <= cost_ij for every pair, with v_j <= 0
 * and v_j = 0 on every column left unmatched. A column outside the matrix
 * could only improve row i's cost below what was found if
 * cost_ij < u_i (the engine's optimality check). */
double pcrs_hungarian_duals(const double *cost, size_t n, size_t m, int *row_to_col, double *u);

/* ---- Deployments and rotations (rotations.c) ------------------------------ */

extern const pko_entity pko_entity_pcrs_rotation;
/* 'date' (YYYY-MM-DD) plus 'months', the day clamped to the month's end. */
void pcrs_add_months(const char *date, int months, char out[11]);
/* The rotation history of requirement record 'r' (its pledge record 'p',
 * may be NULL) as of 'today': {requirement_id, mission_id, unit_type,
 * pledge_id, country, deployed, deployed_on, rotation_months,
 * rotation_months_assumed, contingents: [{id, number, start_date,
 * end_date, strength, women_share, notes, recorded}], current,
 * next_rotation_due, days_to_next_rotation, rotation_planned, overdue}. */
PKO_MUST_USE pko_rc pcrs_rotation_view(pko_db *db, json_t *r, json_t *p, const char *today,
                                       json_t **out, pko_err *err);
/* Route handlers (registered in pcrs.c). */
PKO_MUST_USE pko_rc pcrs_h_rotations_get(pko_req *req, pko_err *err);
PKO_MUST_USE pko_rc pcrs_h_rotation_create(pko_req *req, pko_err *err);
PKO_MUST_USE pko_rc pcrs_h_rotations_due(pko_req *req, pko_err *err);

/* ---- Gender parity (parity.c) -------------------------------------------- */

extern const pko_entity pko_entity_pcrs_parity_target;
/* The parity category of a unit type: 0 military contingents, 1 military
 * observers and staff officers, 2 formed police units, 3 individual police
 * officers. */
int pcrs_parity_category(const char *unit_type);
PKO_MUST_USE pko_rc pcrs_h_parity(pko_req *req, pko_err *err);
PKO_MUST_USE pko_rc pcrs_h_parity_missions(pko_req *req, pko_err *err);
PKO_MUST_USE pko_rc pcrs_h_parity_targets(pko_req *req, pko_err *err);
PKO_MUST_USE pko_rc pcrs_h_parity_target_create(pko_req *req, pko_err *err);
PKO_MUST_USE pko_rc pcrs_h_parity_target_update(pko_req *req, pko_err *err);

/* ---- The matching engine (engine.c) -------------------------------------
 *
 * One query per table into plain structs, scores per unit-type block, the
 * Hungarian algorithm on each block's kept pairs (see engine.c). These are
 * the code paths of the routes, also timed by bench/bench_pcrs.c. 'today'
 * is YYYY-MM-DD (NULL: today in UTC for pcrs_solve); 'actor' (may be NULL:
 * no audit) is audited for the confidential records in the answer. */

/* Only the greedy baseline (bench): assignments are greedy's. */
#define PCRS_SOLVE_GREEDY_ONLY 1u

/* The body of POST assignments/solve without apply: {assignments,
 * unassigned, total_score, greedy_total_score, requirements, pledges} over
 * the open requirements visible under 'scope' and the available pledges
 * within its clearance. '*versions' (may be NULL) receives {requirement
 * id: version} of the requirements read. */
PKO_MUST_USE pko_rc pcrs_solve(pko_db *db, const pko_scope *scope, const pko_actor *actor,
                               const char *today, unsigned flags, json_t **out,
                               json_t **versions, pko_err *err);
/* The body of GET gaps. */
PKO_MUST_USE pko_rc pcrs_gaps(pko_db *db, const pko_scope *scope, const pko_actor *actor,
                              const char *today, json_t **out, pko_err *err);
/* The ranked candidates (items of GET requirements/{id}/candidates) of
 * requirement record 'r'. */
PKO_MUST_USE pko_rc pcrs_candidates(pko_db *db, const pko_scope *scope, const pko_actor *actor,
                                    json_t *r, const char *today, json_t **out, pko_err *err);
/* Tests: unit-type blocks solved so far on the first try (each
 * requirement's 16 best pledges, proven optimal by the duals) and again
 * with each requirement's n best. */
void pcrs_solve_stats(long *first, long *fallback);
/* Tests: score every same-type pair of the open requirements and
 * available pledges both ways (the engine's plain structs and pcrs_score);
 * '*max_diff' receives the largest difference of totals (1e9 when the
 * eligibility differs), '*pairs' the number of pairs. */
PKO_MUST_USE pko_rc pcrs_engine_check(pko_db *db, const char *today, double *max_diff,
                                      size_t *pairs, pko_err *err);

#endif
