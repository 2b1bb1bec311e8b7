/* SPDX-License-Identifier: MIT
 *
 * Fatalities and casualties of peacekeepers (the register NOTICAS keeps in
 * the field): who (person category, nationality, gender), where (mission),
 * when, what (fatality or injury; malicious act, accident, illness,
 * self-inflicted, to be determined, unknown; the weapon of a malicious
 * act), with an optional link to the incident. Import of the public UN
 * dataset "Fatalities in PKOs and SPMs since 1948" (psdata.un.org,
 * DPPADPOSS-FATALITIES). Figure II of the Secretary-General's report on
 * peacekeeping performance is computed here (fatalities_figure_ii).
 *
 * The module also holds what the accountability registers share (casevac,
 * accountability, reports): date checks against today, the mission and
 * incident links, the scoped read of a filtered id list. See
 * docs/registers.md.
 */
#ifndef PKO_MODULES_FATALITIES_H
#define PKO_MODULES_FATALITIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http/http.h"

extern const pko_module pko_module_fatalities;
extern const pko_entity pko_entity_fatality;

/* ---- Vocabularies (NULL-terminated) --------------------------------------- */

/* military, police, military_observer, international_civilian,
 * national_staff, other */
extern const char *const fatalities_categories[];
/* fatality, injury */
extern const char *const fatalities_casualty_types[];
/* malicious_act, accident, illness, self_inflicted, to_be_determined, unknown */
extern const char *const fatalities_incident_types[];
/* ied_explosive_ordnance, indirect_fire, armed_drone, small_arms, ... */
extern const char *const fatalities_weapons[];

/* True for the uniformed categories: military, police, military_observer. */
bool fatalities_is_uniformed(const char *category);
/* Index of 's' in the NULL-terminated list 'list', or -1. */
int fatalities_index(const char *const *list, const char *s);

/* ---- Shared checks for the registers --------------------------------------- */

/* YYYY-MM-DD, a real calendar day from 1945 on. */
bool fatalities_is_date(const char *s);
/* Today (UTC) as YYYY-MM-DD into 'out'. */
void fatalities_today(char out[11]);
/* Field 'name' of 'f' must be a date (YYYY-MM-DD) not after 'today'.
 * Absent or null passes unless 'required'. */
PKO_MUST_USE pko_rc fatalities_check_date(json_t *f, const char *name, bool required,
                                          const char *today, pko_err *err);
/* Parse "YYYY-MM-DDTHH:MM[:SS]Z" (or "+00:00") into seconds since 1970.
 * Returns false when malformed. */
bool fatalities_parse_time(const char *s, int64_t *secs);
/* Id of the mission with 'acronym' into 'out'; PKO_ENOTFOUND if none. */
PKO_MUST_USE pko_rc fatalities_mission_by_acronym(pko_db *db, const char *acronym,
                                                  char out[PKO_ID_LEN], pko_err *err);
/* The caller must see mission 'mission_id' (field 'field' names it in the
 * error) and hold 'perm' for it. '*acronym' (33 bytes, may be NULL)
 * receives its acronym. */
PKO_MUST_USE pko_rc fatalities_check_mission(pko_req *req, const char *field,
                                             const char *mission_id, const char *perm,
                                             char acronym[33], pko_err *err);
/* 'incident_id' (may be NULL: nothing to check) must be an incident the
 * caller can see, in mission 'mission_id' when the incident has a mission. */
PKO_MUST_USE pko_rc fatalities_check_incident(pko_req *req, const char *incident_id,
                                              const char *mission_id, pko_err *err);
/* Fail with PKO_EFORBIDDEN when "classification" in 'b' is above the
 * caller's clearance. */
PKO_MUST_USE pko_rc fatalities_check_class(pko_req *req, json_t *b, pko_err *err);
/* Reject any field of 'f' not in 'known' (NULL-terminated). */
PKO_MUST_USE pko_rc fatalities_check_known(json_t *f, const char *const *known, const char *what,
                                           pko_err *err);

/* Run 'sql' (first column an id; text bindings ?1..?n from 'binds', NULL
 * binds NULL; the integer limit at ?(n+1)) and read each id through
 * pko_db_get under 'scope' (rows out of scope are skipped). Replies with
 * {items, next_cursor}. */
PKO_MUST_USE pko_rc fatalities_reply_ids(pko_req *req, const pko_entity *e, const pko_scope *scope,
                                         const char *sql, const char *const *binds, int n_binds,
                                         int limit, pko_err *err);
/* Reply with record 'id' of 'e' (201 sets Location: loc_prefix + id). */
PKO_MUST_USE pko_rc fatalities_reply_record(pko_req *req, const pko_entity *e, const char *id,
                                            int status, const char *loc_prefix, pko_err *err);

/* ---- Validation ------------------------------------------------------------ */

/* Check a fatality's fields: 'f' is the whole record as it will be stored
 * (after an update is applied). 'today' is YYYY-MM-DD. */
PKO_MUST_USE pko_rc fatalities_validate(json_t *f, const char *today, pko_err *err);

/* ---- Import of the public UN dataset ------------------------------------- */

typedef struct fatalities_import_opts {
    bool create_missions; /* create a closed mission for an unknown acronym */
    FILE *errors;         /* per-row report (rejections, duplicates), or NULL */
    json_t *error_list;   /* if set, the first 1,000 problems as objects */
    int classification;   /* pko_class of imported records */
} fatalities_import_opts;

typedef struct fatalities_import_summary {
    uint64_t rows, inserted, updated, unchanged, rejected, duplicates, missions_created;
    double seconds;
} fatalities_import_summary;

/* Import the CSV of the UN dataset (header id, incident_date, casualty_id,
 * mission_acronym, type_of_casualty, gender, casualty_nationality,
 * casualty_personnel_type, type_of_incident, m49_code, isocode3, ...) from
 * 'in' in one transaction. A casualty is keyed by its casualty_id: a row
 * repeating a casualty_id already seen in the file (the dataset lists a few
 * casualties under two nationalities) is counted as a duplicate and
 * skipped; a casualty imported before is updated in place. Rejected rows
 * are reported and skipped. PKO_EINVAL when the input is unusable (header,
 * missing columns) or an unknown mission appears without create_missions.
 */
PKO_MUST_USE pko_rc fatalities_import(pko_db *db, const pko_actor *actor, FILE *in,
                                      const fatalities_import_opts *o,
                                      fatalities_import_summary *sum, pko_err *err);

/* The columns of the dataset the import reads, in this order:
 * incident_date, casualty_id, mission_acronym, type_of_casualty, gender,
 * casualty_nationality, casualty_personnel_type, type_of_incident,
 * isocode3 (the last, gender and casualty_nationality may be absent). */
#define FATALITIES_CSV_COLUMNS 9
extern const char *const fatalities_csv_columns[FATALITIES_CSV_COLUMNS];
/* Find the columns in a header row ('names', 'n' fields; matched after
 * trimming, lower-casing, spaces as '_'): 'idx' receives each column's
 * position or -1. PKO_EINVAL naming a missing required column. */
PKO_MUST_USE pko_rc fatalities_csv_header(const char *const *names, size_t n,
                                          int idx[FATALITIES_CSV_COLUMNS], pko_err *err);
/* Parse one row (values in fatalities_csv_columns order) into 'f' (an
 * empty object): the fields of a fatality as fatalities_validate() accepts
 * them under 'today', plus "mission_acronym" (upper-cased, without
 * spaces) in place of mission_id. Pure: no database. On PKO_EINVAL
 * '*field' names the CSV column at fault (or a register field). Exposed
 * for the fuzz target. */
PKO_MUST_USE pko_rc fatalities_parse_row(const char *const v[FATALITIES_CSV_COLUMNS],
                                         const char *today, json_t *f, const char **field,
                                         pko_err *err);

/* ---- Figure II --------------------------------------------------------------- */

/* Uniformed fatalities (military, police, military observers) from
 * malicious acts per year of incident between 'from' and 'to' (inclusive,
 * YYYY-MM-DD), with those caused by explosive ordnance or IEDs, read under
 * 'scope'. '*out' receives [{year, fatalities, eo_ied, weapon_recorded,
 * eo_ied_share}] for every year of the period; eo_ied_share is eo_ied over
 * the fatalities whose weapon is recorded (null when none is). '*total'
 * (may be NULL) the fatalities counted. */
PKO_MUST_USE pko_rc fatalities_figure_ii(pko_db *db, const pko_scope *scope, const char *from,
                                         const char *to, json_t **out, int64_t *total,
                                         pko_err *err);

/* The SQL condition of a scoped aggregate over a table with columns
 * classification and mission_id: binds ?1 clearance, ?2 all-missions flag,
 * ?3 JSON array of acronyms. */
#define FATALITIES_SCOPE_SQL                                                                       \
    " classification <= ?1 AND (?2 OR mission_id IN (SELECT id FROM missions WHERE acronym IN"     \
    " (SELECT value FROM json_each(?3)))) "
/* Bind a scope to ?1..?3 of 's'. */
void fatalities_bind_scope(pko_stmt *s, const pko_scope *scope);

#endif
