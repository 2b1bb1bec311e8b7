/* SPDX-License-Identifier: MIT
 *
 * Misconduct: the restricted register of allegations of misconduct,
 * sexual exploitation and abuse included (category, personnel type and
 * nationality, mission, dates of the incident and of the report, victims
 * counted as adults and children, the investigation, its result, interim
 * and final actions, referral for criminal accountability, paternity claims
 * and victims' assistance), the import of the UN's public "table of
 * allegations" (conduct.unmissions.org), and the public statistics derived
 * from it (counts by year and category; figure IV of the Secretary-General's
 * report on the overall performance of peacekeeping operations, 1 September
 * 2023).
 *
 * Access. A record is readable only by a conduct officer of its mission (a
 * conduct_officer grant for that mission or for all missions) and by system
 * administrators, and only up to their clearance (records are classified
 * confidential or strictly confidential, never lower). Every read of a
 * record is audited. Everyone else gets the public statistics only: the
 * records are absent from every list, search, export, aggregate, map and
 * history they can reach. See docs/conduct.md.
 */
#ifndef PKO_MODULES_MISCONDUCT_H
#define PKO_MODULES_MISCONDUCT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http/http.h"

extern const pko_module pko_module_misconduct;
extern const pko_entity pko_entity_misconduct_allegation;

/* Categories, personnel types and the closed vocabularies of the record,
 * each NULL-terminated. */
extern const char *const misconduct_categories[];
extern const char *const misconduct_personnel_types[];

/* Validate an allegation's fields for create ('creating' = 1) or update
 * (then 'current' holds the stored record so that cross-field rules see the
 * merged result). 'today' is "YYYY-MM-DD" (dates after it are refused).
 * Fills err->field on the first problem. Exposed for unit tests and fuzzing. */
PKO_MUST_USE pko_rc misconduct_validate(json_t *fields, int creating, const json_t *current,
                                        const char *today, pko_err *err);

/* A partial date as the UN table writes it: "2024", "2024-07" or
 * "2024-07-15". True when 's' is one, not before 1945. */
bool misconduct_is_partial_date(const char *s);

/* ---- Import of the UN table of allegations (import.c) ------------------- */

typedef struct misconduct_import_summary {
    uint64_t rows, inserted, unchanged, rejected;
} misconduct_import_summary;

/* Parse one row of the UN table (the 15 columns of the header documented in
 * docs/conduct.md) into the fields of an allegation ('*out', new object).
 * PKO_EINVAL with a message naming the column when the row is unusable.
 * Pure: no database. Exposed for the unit tests and the fuzz target. */
PKO_MUST_USE pko_rc misconduct_parse_row(const char *const cols[15], const char *today,
                                         json_t **out, pko_err *err);

/* Import the CSV 'data' (the UN table of allegations, UTF-8) in one
 * transaction under 'actor': every usable row is inserted (a row already
 * imported, recognised by its content, is left unchanged), every unusable
 * row is rejected and listed in '*rejected' (a JSON array of {line,
 * column, message}; may be NULL) and writes nothing. A header that is not
 * the table's fails the whole import with PKO_EINVAL and writes nothing.
 * Records are classified 'classification' (confidential or
 * strictly_confidential). */
PKO_MUST_USE pko_rc misconduct_import(pko_db *db, const pko_actor *actor, const char *data,
                                      size_t len, int classification,
                                      misconduct_import_summary *sum, json_t **rejected,
                                      pko_err *err);

/* ---- Public statistics (stats.c) ----------------------------------------- */

/* Figure IV of the Secretary-General's report on peacekeeping performance:
 * allegations by year reported, split into those whose incident took place
 * in the year reported and those whose incident took place in earlier
 * years (and those whose incident date is unknown), for the allegations
 * reported between 'from' and 'to' (inclusive, "YYYY-MM-DD"; either may be
 * NULL for an open end). Aggregate public statistics: computed over every
 * record whoever asks, revealing no record. '*out' is a new object
 * {figure, title, definition, source, from, to, rows:[{year, same_year,
 * earlier_years, unknown, total}], total, empty}. A period with no
 * allegation gives rows [] and empty true. PKO_EINVAL (field "from"/"to")
 * for a malformed date or from after to. */
PKO_MUST_USE pko_rc misconduct_figure_iv(pko_db *db, const char *from, const char *to,
                                         json_t **out, pko_err *err);

/* Public statistics: allegations by year reported and category (and, for
 * sexual exploitation and abuse, by exploitation/abuse type), with the
 * number of victims, between 'from' and 'to' as above. '*out' is a new
 * object {from, to, definition, source, by_year:[{year, category, allegations,
 * victims}], by_type:[{year, type, allegations}]}. */
PKO_MUST_USE pko_rc misconduct_public_stats(pko_db *db, const char *from, const char *to,
                                            json_t **out, pko_err *err);

#endif
