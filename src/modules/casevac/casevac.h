/* SPDX-License-Identifier: MIT
 *
 * Casualty evacuation (CASEVAC): each evacuation from its request through
 * approval and lift-off to the arrival at a medical facility, with the
 * times of injury, first aid, damage-control resuscitation and surgery
 * when known, measured against the 10-1-2 standard of UN peacekeeping
 * medical support (first aid within 10 minutes of injury, damage-control
 * resuscitation within 1 hour, surgery within 2 hours); per-mission
 * statistics. See docs/registers.md.
 */
#ifndef PKO_MODULES_CASEVAC_H
#define PKO_MODULES_CASEVAC_H

#include <jansson.h>

#include "http/http.h"

extern const pko_module pko_module_casevac;
extern const pko_entity pko_entity_casevac;

/* Validate a CASEVAC record as it will be stored ('f' after an update is
 * applied): times "YYYY-MM-DDTHH:MM[:SS]Z", none after 'now_secs' (plus 5
 * minutes of clock skew), in the order injury <= first aid, injury <=
 * request <= approval <= lift-off <= arrival, DCR and surgery after the
 * injury (after the request when the injury time is unknown), surgery
 * after DCR. Times are rewritten to "YYYY-MM-DDTHH:MM:SSZ". */
PKO_MUST_USE pko_rc casevac_validate(json_t *f, int64_t now_secs, pko_err *err);

/* The intervals of one record in minutes (null when an end is missing):
 * request_to_approval, approval_to_lift_off, lift_off_to_arrival,
 * request_to_arrival, injury_to_arrival (from the injury, or the request
 * when the injury time is unknown: 'clock_from'), first_aid (injury to
 * first aid), dcr and surgery (from clock_from); and the 10-1-2 checks
 * meets_10, meets_1h, meets_2h (true/false, null when not measurable). */
json_t *casevac_measures(json_t *rec);

/* Per-mission statistics of the evacuations requested between 'from' and
 * 'to' (YYYY-MM-DD, inclusive) under 'scope': a JSON array with one object
 * per mission {mission, requests, arrived, cancelled, request_to_arrival
 * {n, median, mean, p90, max}, request_to_approval {...}, ten {measured, met,
 * share}, one_hour {...}, two_hours {...}} and a last object for all
 * missions (mission "ALL"). Medians of an even count average the middle
 * two; p90 is the nearest rank ceil(0.9 n). */
PKO_MUST_USE pko_rc casevac_stats(pko_db *db, const pko_scope *scope, const char *from,
                                  const char *to, const char *mission, json_t **out, pko_err *err);

#endif
