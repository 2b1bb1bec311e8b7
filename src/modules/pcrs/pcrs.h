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

#endif
