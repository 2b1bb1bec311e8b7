/* SPDX-License-Identifier: MIT
 *
 * Status-of-forces agreement violations: restrictions of movement, of
 * flights and of drones, detentions of UN personnel, and obstructions of
 * imports (equipment or supplies held at customs), each with the host-State
 * authority responsible, place, dates, impact on operations and resolution
 * (Secretary-General's 2023 report on peacekeeping performance, §57-58:
 * impediments to freedom of movement, to the use of aviation assets and
 * drones, detention of UN personnel). Records belong to a mission (store
 * scope: roles per mission), may link to an incident, and add up to a
 * summary per type and year with days to resolution. See docs/conduct.md.
 */
#ifndef PKO_MODULES_SOFA_H
#define PKO_MODULES_SOFA_H

#include <jansson.h>

#include "http/http.h"

extern const pko_module pko_module_sofa;
extern const pko_entity pko_entity_sofa_violation;

/* Closed vocabularies, NULL-terminated. */
extern const char *const sofa_types[];       /* movement_restriction, ... */
extern const char *const sofa_authorities[]; /* host_armed_forces, ... */
extern const char *const sofa_impacts[];     /* none, minor, moderate, severe */
extern const char *const sofa_statuses[];    /* open, raised_with_host_state, resolved, ... */

/* Validate a violation's fields for create ('creating' = 1) or update
 * ('current' = the stored record, so cross-field rules see the result).
 * 'today' is YYYY-MM-DD. Fills err->field on the first problem. */
PKO_MUST_USE pko_rc sofa_validate(json_t *fields, int creating, const json_t *current,
                                  const char *today, pko_err *err);

#endif
