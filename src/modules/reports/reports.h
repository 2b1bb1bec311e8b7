/* SPDX-License-Identifier: MIT
 *
 * Reports: the figures of the Secretary-General's report on peacekeeping
 * performance (A/78/..., seed 002) computed from live data, each with its
 * definition and data source, as JSON, CSV, SVG, PNG or PDF (cairo):
 *   I   uniformed women deployed, by category and year (where data exists:
 *       the figures entered from the gender parity strategy reports),
 *   II  uniformed fatalities from malicious acts per year, and the share
 *       caused by explosive ordnance or IEDs (fatalities module),
 *   III investigation and prosecution of crimes against peacekeepers,
 *       cumulative (accountability module),
 *   IV  allegations of misconduct by year reported, split by incident in
 *       that year or earlier (misconduct_figure_iv(): the misconduct
 *       module's public statistics, counts only).
 * See docs/registers.md.
 */
#ifndef PKO_MODULES_REPORTS_H
#define PKO_MODULES_REPORTS_H

#include <jansson.h>

#include "core/buf.h"
#include "http/http.h"

extern const pko_module pko_module_reports;
extern const pko_entity pko_entity_gender_return;

/* Bit set of figures: 1 << 1 for I ... 1 << 4 for IV. */
#define REPORTS_ALL_FIGURES 0x1eu
/* Parse "all", "II" or "I,II,IV" into a bit set; 0 when malformed. */
unsigned reports_parse_figures(const char *s);

/* Check a period: 'from' and 'to' dates YYYY-MM-DD, from <= to, neither
 * after 'today', at most 100 years. err names "from" or "to". */
PKO_MUST_USE pko_rc reports_check_period(const char *from, const char *to, const char *today,
                                         pko_err *err);

/* Compute the figures in 'which' for [from, to] under 'scope' (a NULL
 * 'scope' reads everything: the CLI). '*out' receives {from, to, empty,
 * figures: [{id, title, definition, source, empty, note, series: [{key,
 * label, kind, axis}], rows: [{year, <key>: value...}], data: [...]}]}.
 * 'empty' is true when no selected figure has data in the period. */
PKO_MUST_USE pko_rc reports_sg_figures(pko_db *db, const pko_scope *scope, const char *from,
                                       const char *to, unsigned which, json_t **out, pko_err *err);

/* Narrow 'in' to the missions of 'list' ("MINUSCA,MONUSCO"): each must be
 * within 'in' (PKO_EFORBIDDEN otherwise, field "missions"). '*out' gets
 * the narrowed scope, whose mission list '*json' (free() it after use)
 * holds. Figures I and IV are world-wide and stay so (marked
 * all_missions). */
PKO_MUST_USE pko_rc reports_narrow_scope(const pko_scope *in, const char *list, pko_scope *out,
                                         char **json, pko_err *err);

/* Render the result of reports_sg_figures() as "csv", "svg", "png" or
 * "pdf" into 'out'. '*ctype' receives the media type. */
PKO_MUST_USE pko_rc reports_render(json_t *figs, const char *format, pko_buf *out,
                                   const char **ctype, pko_err *err);

/* Release cairo's and fontconfig's process-wide caches (fonts). Call once
 * at exit, when no rendering runs any more (after the server stopped). */
void reports_shutdown(void);

#endif
