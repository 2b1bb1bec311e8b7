/* SPDX-License-Identifier: MIT
 *
 * Accountability for crimes against peacekeepers (Security Council
 * resolution 2589 (2021)): for each fatality from a malicious act, a case
 * that follows the national proceedings through its stages, recorded as
 * dated events: investigation opened, suspects identified, arrested or
 * detained, prosecuted, convicted (with the number of individuals). The
 * progression is enforced at every date: no arrest or prosecution beyond
 * the suspects identified, no conviction beyond the individuals prosecuted
 * (a conviction without a prosecution is refused), nothing before the
 * investigation is opened or before the fatality. Figure III (the
 * cumulative series) is computed here. See docs/registers.md.
 */
#ifndef PKO_MODULES_ACCOUNTABILITY_H
#define PKO_MODULES_ACCOUNTABILITY_H

#include <jansson.h>

#include "http/http.h"

extern const pko_module pko_module_accountability;
extern const pko_entity pko_entity_acc_case;
extern const pko_entity pko_entity_acc_event;

/* investigation_opened, suspects_identified, arrested, prosecuted,
 * convicted (NULL-terminated, in the order of the proceedings). */
extern const char *const accountability_stages[];

/* Check that the events of one case, a JSON array of {stage, event_date,
 * individuals} in any order, form a valid progression for a fatality of
 * 'fatality_date'. On failure err names the first event at fault. */
PKO_MUST_USE pko_rc accountability_check_progression(json_t *events, const char *fatality_date,
                                                     pko_err *err);

/* Figure III: for every year of [from, to] (YYYY-MM-DD) the cumulative
 * counts since 'from' up to the end of that year (or 'to'), under 'scope':
 * [{year, malicious_fatalities, cases, investigations, suspects_identified,
 * arrested, prosecuted, convicted}]. '*total' (may be NULL) receives the
 * number of cases and events counted. */
PKO_MUST_USE pko_rc accountability_figure_iii(pko_db *db, const pko_scope *scope, const char *from,
                                              const char *to, json_t **out, int64_t *total,
                                              pko_err *err);

#endif
