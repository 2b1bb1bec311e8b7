/* SPDX-License-Identifier: MIT
 *
 * CPAS: planning and performance assessment. Mission plans (versioned,
 * draft -> approved -> superseded), the results framework tree (mandate
 * priorities -> intended outcomes -> outputs) tagged with Action for
 * Peacekeeping Plus priorities, indicators with baselines and targets per
 * period, data points (draft -> approved, corrections in the change log),
 * and a dashboard whose every figure comes with its reasons.
 *
 * cpas_calc.c holds the computations as pure functions (no store, no HTTP)
 * so they are unit-tested on their own; cpas.c is the module.
 */
#ifndef PKO_MODULES_CPAS_H
#define PKO_MODULES_CPAS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "http/http.h"

extern const pko_module pko_module_cpas;

/* ==== Plans drafted by other modules ======================================
 * cpas_plan_skeleton: create a draft plan skeleton for a mission inside the
 * caller's own store transaction 'tx' (the mission-design module calls it
 * while it writes its own records, so both commit or neither does). It
 * goes through the same validation and the same write path
 * (pko_tx_insert: change log and audit trail) as POST /api/v1/cpas/plans
 * and POST /api/v1/cpas/plans/{id}/framework:
 *
 *  - the plan: 'mission_id' (missions.id, must exist), 'period_start' and
 *    'period_end' (months "YYYY-MM", end not before start), 'context' (the
 *    context analysis as text, may be NULL; up to 20,000 characters), status
 *    draft, version_no one more than the mission's highest, title
 *    "<ACRONYM> plan <start> to <end>", unclassified;
 *  - 'outcomes' (borrowed; NULL or an array): each element an object
 *    {"priority": title, "outcome": title, "mandated_task": text?,
 *    "a4p": [tags]?}. One mandate priority per distinct priority title (in
 *    order of first appearance; mandated_task and a4p from that first
 *    element) and one intended outcome per element under its priority
 *    (with the element's mandated_task and a4p).
 *
 * 'who' must hold cpas.plan (planner or mission administrator) for the
 * mission, otherwise PKO_EFORBIDDEN; NULL means the caller acts as the
 * system (CLI, server internals) and has checked rights itself.
 *
 * On success '*plan_out' (caller decrefs) is the stored plan record (id,
 * version, mission_id, title, version_no, status, period_start,
 * period_end, context, ...) with one more member "priorities": the
 * priority nodes, each with "children" (its outcome nodes, each with empty
 * "children" and "indicators"): the shape of GET .../framework.
 *
 * Errors name the field: "mission_id", "period_start", "period_end",
 * "context", "outcomes", "outcomes[i]", "outcomes[i].priority",
 * "outcomes[i].outcome", "outcomes[i].mandated_task", "outcomes[i].a4p",
 * "outcomes[i].<unknown key>" (PKO_EINVAL). On any error nothing is
 * usable: the caller must roll 'tx' back (rows may already have been
 * written in it). The route POST /api/v1/cpas/plans/skeleton wraps this
 * function in its own transaction. */
PKO_MUST_USE pko_rc cpas_plan_skeleton(pko_tx *tx, const pko_principal *who,
                                       const char *mission_id, const char *period_start,
                                       const char *period_end, const char *context,
                                       json_t *outcomes, json_t **plan_out, pko_err *err);

/* ==== Periods ============================================================
 * A period is "YYYY-MM" (monthly), "YYYY-Qn" (quarterly) or "YYYY"
 * (annual). Months are counted as year*12 + month-1. */
typedef enum cpas_freq { CPAS_MONTHLY = 0, CPAS_QUARTERLY = 1, CPAS_ANNUAL = 2 } cpas_freq;

/* Parse 'p' into its first and last month; false when malformed or the
 * year is outside 1945..9999. '*freq' (may be NULL) gets its kind. */
bool cpas_period_parse(const char *p, int *first, int *last, cpas_freq *freq);
/* "monthly"/"quarterly"/"annual" -> freq; -1 when unknown. */
int cpas_freq_parse(const char *s);
const char *cpas_freq_name(cpas_freq f);
/* Write the period of kind 'f' that contains month 'm' into out (16 bytes). */
void cpas_period_of_month(cpas_freq f, int m, char out[16]);

/* ==== Indicator computations ============================================ */
typedef struct cpas_point {
    char period[16];
    double value;
} cpas_point;

typedef struct cpas_ind_in {
    int direction;       /* +1: an increase is good; -1: a decrease is good */
    bool has_baseline;
    double baseline;
    double on_track;     /* progress ratio at or above which: on track (default 0.9) */
    double at_risk;      /* at or above which: at risk, below: off track (default 0.6) */
    const cpas_point *targets;
    size_t n_targets;
    const cpas_point *actuals; /* approved totals, any order */
    size_t n_actuals;
} cpas_ind_in;

typedef struct cpas_ind_out {
    const char *status; /* "on_track", "at_risk", "off_track", "no_data", "no_target" */
    char reason[512];
    bool has_latest;
    char latest_period[16];
    double latest;
    bool has_target;
    char target_period[16];
    double target;
    bool has_progress;
    double progress; /* (latest - baseline) / (target - baseline) */
    bool has_change_baseline;
    double change_baseline;
    bool has_change_last;
    char previous_period[16];
    double change_last;
} cpas_ind_out;

/* Status against target and trend. Pure; never fails. */
void cpas_indicator_status(const cpas_ind_in *in, cpas_ind_out *out);

/* Reporting completeness: the periods of kind 'f' that lie within months
 * [plan_first, plan_last] and have ended by month 'as_of' (that is, whose
 * last month < as_of), and have no entry in 'reported' (n periods). Writes
 * up to 'cap' overdue periods to 'overdue', returns how many are overdue
 * in all; '*expected' gets how many periods were due. */
size_t cpas_overdue(cpas_freq f, int plan_first, int plan_last, int as_of,
                    const char *const *reported, size_t n, char (*overdue)[16], size_t cap,
                    size_t *expected);

/* Roll-up of an outcome from its indicators: the weighted mean of their
 * progress, each clipped to [0, 1] so one indicator far past its target
 * does not hide another behind it. Indicators without progress (no data,
 * no target) are left out and counted in '*missing'. Returns false when
 * none has progress. */
typedef struct cpas_rollup_in {
    double progress;
    double weight; /* > 0; 0 is read as 1 */
    bool has_progress;
} cpas_rollup_in;
bool cpas_rollup(const cpas_rollup_in *in, size_t n, double *progress, size_t *used,
                 size_t *missing);
/* The status word for a progress ratio: "on_track" (>= on), "at_risk"
 * (>= risk) or "off_track". */
const char *cpas_status_of(double progress, double on, double risk);

/* Computed indicators: per-period totals from per-month values. For each
 * period of kind 'f' wholly within [plan_first, plan_last] that ended
 * before 'as_of', the sum of vals[i] over months[i] in it (0 when none).
 * Writes up to 'cap' points; returns how many periods there are. */
size_t cpas_sum_periods(cpas_freq f, int plan_first, int plan_last, int as_of, const int *months,
                        const double *vals, size_t n, cpas_point *out, size_t cap);
/* The measures a computed indicator may take from the incidents module,
 * NULL-terminated; index 0 is "count". */
extern const char *const cpas_incident_measures[];

/* ==== Formulas (cpas_expr.c) ==============================================
 * A computed indicator of source "formula" (DHIS2's indicator: numerator /
 * denominator x factor):
 *   {"source": "formula", "numerator": side, "denominator": side?,
 *    "factor": number?}
 * where a side is either an expression over other indicators of the same
 * plan, referred to by their code as I{code} ("I{poc_incidents} * 1000",
 * "(I{a} + I{b}) / 2": a composite), or an incidents measure object
 * {"source": "incidents", "measure", "where"}. Per period of the formula's
 * frequency: value = numerator / denominator x factor; no value for a
 * period when a referenced indicator has none or the denominator is 0.
 * Referenced indicators must be quantitative with the same frequency; a
 * cycle among formulas is refused naming it. */
#define CPAS_CODE_MAX 32
#define CPAS_EXPR_MAX 128 /* tokens */
#define CPAS_EXPR_REFS 16
typedef struct cpas_expr {
    int n; /* tokens in reverse Polish order */
    struct {
        char op; /* 'n' number, 'r' reference, '~' negate, + - * / */
        double num;
        int ref;
    } tok[CPAS_EXPR_MAX];
    int n_refs;
    char refs[CPAS_EXPR_REFS][CPAS_CODE_MAX + 1]; /* distinct codes, in order */
} cpas_expr;
/* A code: 1..32 of A-Z a-z 0-9 _. */
bool cpas_code_ok(const char *s);
/* Parse 's'; errors (field "computed") say where and name an unknown
 * word, e.g. "the expression refers to an unknown field killed (at 4)". */
PKO_MUST_USE pko_rc cpas_expr_parse(const char *s, cpas_expr *e, pko_err *err);
/* Evaluate with vals[r]/has[r] per reference; false when a reference has
 * no value or a division by zero or overflow occurs. */
bool cpas_expr_eval(const cpas_expr *e, const double *vals, const bool *has, double *out);

/* ==== The dashboard engine (cpas_dash.c) ================================= */
typedef struct cpas_dash_opts {
    int clearance;          /* the reader's: records above it are left out */
    int as_of;              /* month index: periods ended before it count */
    bool incidents_ok;      /* the reader holds incidents.read for the mission */
    const pko_actor *actor; /* for the audit of confidential reads */
} cpas_dash_opts;
/* The dashboard of 'plan' (a plan record already read through the
 * caller's scope) into '*out': one query per table (indicators, approved
 * totals, nodes), one grouped query per incidents measure, computations
 * in C. The JSON of GET /api/v1/cpas/plans/{id}/dashboard. */
PKO_MUST_USE pko_rc cpas_dashboard(pko_db *db, json_t *plan, const cpas_dash_opts *o,
                                   json_t **out, pko_err *err);

/* ==== Import and export (cpas_io.c; docs/cpas.md) ======================== */
extern const char *const cpas_csv_framework_cols[], *const cpas_csv_data_cols[];
/* Parse an import body: format "json" (the document) or "csv" with 'what'
 * "framework" (nodes and indicators) or "data" (data points) into the
 * JSON document "pko-cpas-1". CSV rows carry "_line". Errors name the
 * column and the line. */
PKO_MUST_USE pko_rc cpas_import_parse(const char *data, size_t len, const char *format,
                                      const char *what, json_t **doc, pko_err *err);
/* The document's structure: known parts, arrays of objects, node keys
 * unique with parents listed first, indicator keys unique, every
 * reference to a key resolvable. Fields are named "nodes[3].parent". */
PKO_MUST_USE pko_rc cpas_import_check(json_t *doc, pko_err *err);
/* CSV writers of a document's framework and data; one CSV field. */
void cpas_csv_write_framework(FILE *f, json_t *doc);
void cpas_csv_write_data(FILE *f, json_t *doc);
void cpas_csv_field(FILE *f, const char *s, bool last);
/* Shortest text that reads back as the same double. */
void cpas_fmt_num(double v, char out[40]);

/* ==== The PDF factsheet (cpas_pdf.c) ===================================== */
typedef struct _cairo cairo_t; /* as <cairo.h> declares it */
/* Draw the one-page factsheet of dashboard 'dash' (cpas_dashboard()'s
 * JSON) of plan 'plan' for mission 'acronym' on 'cr', in points on an A4
 * page (595 x 842). Used for the PDF and, in tests, to render a PNG. */
void cpas_factsheet_draw(cairo_t *cr, const char *acronym, json_t *plan, json_t *dash);
/* The factsheet as a one-page PDF into '*out' (malloc'd, '*len' bytes). */
PKO_MUST_USE pko_rc cpas_factsheet_pdf(const char *acronym, json_t *plan, json_t *dash,
                                       char **out, size_t *len, pko_err *err);

/* The module's entities (for the bench and tests). */
extern const pko_entity cpas_entity_plan, cpas_entity_node, cpas_entity_indicator,
    cpas_entity_datapoint, cpas_entity_assessment, cpas_entity_recommendation,
    cpas_entity_driver, cpas_entity_stakeholder;

/* ==== Validation (exposed for the unit tests) =========================== */
/* The A4P+ tags: 7 priorities and 2 cross-cutting, NULL-terminated. */
extern const char *const cpas_a4p_tags[];
PKO_MUST_USE pko_rc cpas_validate_plan(json_t *f, pko_err *err);
PKO_MUST_USE pko_rc cpas_validate_node(json_t *f, pko_err *err);
PKO_MUST_USE pko_rc cpas_validate_indicator(json_t *f, int plan_first, int plan_last,
                                            pko_err *err);
/* 'disaggs' is the indicator's JSON array of dimension names; 'qualitative'
 * whether it takes text. */
PKO_MUST_USE pko_rc cpas_validate_datapoint(json_t *f, bool qualitative, json_t *disaggs,
                                            int plan_first, int plan_last, pko_err *err);
/* Impact assessments and their recommendations. */
extern const char *const cpas_ratings[];
PKO_MUST_USE pko_rc cpas_validate_assessment(json_t *f, pko_err *err);
PKO_MUST_USE pko_rc cpas_validate_recommendation(json_t *f, pko_err *err);
/* Context analysis records of a plan. 'creating': required fields must be
 * present (otherwise only the fields given are checked, for PATCH). */
extern const char *const cpas_driver_trends[], *const cpas_stakeholder_types[],
    *const cpas_influence_levels[], *const cpas_attitudes[];
PKO_MUST_USE pko_rc cpas_validate_driver(json_t *f, bool creating, pko_err *err);
PKO_MUST_USE pko_rc cpas_validate_stakeholder(json_t *f, bool creating, pko_err *err);
/* "YYYY-MM-DD" with a real day. */
bool cpas_is_date(const char *s);
#endif
