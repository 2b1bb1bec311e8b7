/* SPDX-License-Identifier: MIT
 *
 * Unit performance: evaluations of military units and formed police units
 * against performance standards on a rating scale (quarterly for formed
 * police units, with an expanded scale), the shortfalls they identify,
 * performance improvement plans whose remedial measures are tracked to
 * closure at mission or Headquarters level, and pre-rotation visits
 * (Secretary-General's 2023 report on peacekeeping performance, §68-70).
 * Records are scoped to their mission; see docs/conduct.md.
 *
 * Scales. Military units: 1 unsatisfactory, 2 needs improvement,
 * 3 satisfactory, 4 excellent. Formed police units (the "expanded rating
 * scale" of §69): 1 unsatisfactory, 2 needs improvement, 3 satisfactory,
 * 4 very good, 5 excellent. The labels are PKO's; the report gives no
 * names. A rating below satisfactory (1 or 2) is a shortfall and must be
 * named in 'shortfalls'.
 */
#ifndef PKO_MODULES_PERFORMANCE_H
#define PKO_MODULES_PERFORMANCE_H

#include <jansson.h>

#include "http/http.h"

extern const pko_module pko_module_performance;
extern const pko_entity pko_entity_perf_evaluation;
extern const pko_entity pko_entity_perf_plan;
extern const pko_entity pko_entity_perf_measure;

/* Closed vocabularies, NULL-terminated. */
extern const char *const perf_standards[];     /* command_and_control, ... */
extern const char *const perf_kinds[];         /* in_mission, pre_rotation_visit, special */
extern const char *const perf_measure_areas[]; /* training, health_and_welfare, ... */
extern const char *const perf_measure_statuses[];

/* Highest rating of a component's scale: 4 military, 5 police; 0 if the
 * component is unknown. */
int perf_scale_max(const char *component);
/* Label of 'rating' on the component's scale ("satisfactory"), or NULL. */
const char *perf_rating_label(const char *component, int rating);

/* Validate an evaluation's fields for create ('creating' = 1) or update
 * ('current' = the stored record). Fills "component" from the unit type
 * (pcrs unit types) on create. 'today' is YYYY-MM-DD. Also computes
 * 'overall_rating' (mean of the ratings, one decimal) into 'fields' when
 * ratings are given. err->field names the first problem. */
PKO_MUST_USE pko_rc perf_evaluation_validate(json_t *fields, int creating, const json_t *current,
                                             const char *today, pko_err *err);

/* Validate one remedial measure for create ('creating') or update
 * ('current' = stored). 'today' YYYY-MM-DD. */
PKO_MUST_USE pko_rc perf_measure_validate(json_t *fields, int creating, const json_t *current,
                                          const char *today, pko_err *err);

/* The quarter "YYYY-Qn" of a date "YYYY-MM-DD" into 'out' (8 bytes). */
void perf_quarter_of(const char *date, char out[8]);

#endif
