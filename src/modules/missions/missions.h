/* SPDX-License-Identifier: MIT
 *
 * Missions: the peace operations PKO serves (MINUSCA, MONUSCO, ...). Every
 * mission-scoped record in other modules points at a mission, and roles are
 * granted per mission acronym. This is the first module and the example of
 * how one plugs in: a pko_module with migrations, one entity, permissions
 * and routes; see docs/architecture.md.
 */
#ifndef PKO_MODULES_MISSIONS_H
#define PKO_MODULES_MISSIONS_H

#include <jansson.h>

#include "http/http.h"

extern const pko_module pko_module_missions;
extern const pko_entity pko_entity_mission;

/* Validate a mission's fields for create ('creating' = 1) or update; fills
 * err->field on the first problem. Exposed for the unit tests and the fuzz
 * target of request bodies. */
PKO_MUST_USE pko_rc missions_validate(json_t *fields, int creating, pko_err *err);

/* A mission's sites (bases): sites.c. */
extern const pko_entity pko_entity_mission_site;
/* The site kinds, NULL-terminated. */
extern const char *const sites_kinds[];
/* Validate a new site's fields (mission_id is set by the handler); fills
 * err->field on the first problem. */
PKO_MUST_USE pko_rc sites_validate(json_t *fields, pko_err *err);
pko_rc sites_h_list(pko_req *req, pko_err *err);
pko_rc sites_h_create(pko_req *req, pko_err *err);

/* The acronym of mission 'mid' (may be NULL) when the caller of 'req' may
 * read it; otherwise PKO_EINVAL naming mission_id ("no mission ..."), so a
 * mission the caller cannot see looks like one that does not exist. For the
 * modules whose records belong to a mission. */
PKO_MUST_USE pko_rc missions_acronym(pko_req *req, const char *mid, char out[40], pko_err *err);

#endif
