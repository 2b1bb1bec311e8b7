/* SPDX-License-Identifier: MIT
 * Internals shared by the incidents module's files. */
#ifndef PKO_MODULES_INCIDENTS_INT_H
#define PKO_MODULES_INCIDENTS_INT_H

#include "modules/incidents/incidents.h"

#define INCIDENTS_N_MIGRATIONS 2
extern const pko_migration incidents_migrations[INCIDENTS_N_MIGRATIONS];
extern const pko_col incidents_cols[];
extern const char *const incidents_actor_types[];
extern const char *const incidents_source_types[];
extern const char *const incidents_casualty_fields[15];

bool incidents_in_list(const char *const *list, const char *v);
/* Parse a polygon query value "lon lat,lon lat,..." (3 to 'cap' points,
 * finite WGS84 degrees) into 'pts' (2 * cap doubles); '*n' gets the count. */
PKO_MUST_USE pko_rc incidents_parse_polygon(const char *s, double *pts, size_t cap, size_t *n);

/* Compute t_start, killed_total (when absent) and casualties_total. */
void incidents_derive(json_t *f);

/* ==== The shared index (service.c) ======================================= */

/* Bring the index up to date with the change log (building it on first
 * use). Cheap when nothing changed: one SELECT max(seq). */
PKO_MUST_USE pko_rc inc_sync(pko_db *db, pko_err *err);
/* Hold the index for reading while a query runs. */
const incidx *inc_read_begin(void);
void inc_read_end(void);
/* Interned ids, looked up under the read lock; 0 when unknown. */
uint32_t inc_intern_find(int table, const char *id);
enum { INC_T_MISSION, INC_T_ACTOR, INC_T_USER };
/* Seconds the last full build took, and events then. */
void inc_build_stats(double *seconds, size_t *events);
/* Module start hook: build the index and log how long it took. */
pko_rc inc_start(pko_store *st, pko_err *err);

/* ==== Request filters (api.c) ============================================ */

/* Parse the query parameters shared by search, map, histogram and export
 * into 'f', with the caller's access. Arrays live in the request arena.
 * Call with the read lock held (mission and actor ids are interned). */
PKO_MUST_USE pko_rc inc_filter_from_req(pko_req *req, incidx_filter *f, pko_err *err);

/* Build the JSON of one incident from its rowid (NULL if gone). */
json_t *inc_load_rowid(pko_db *db, const pko_req *req, uint32_t rowid, pko_err *err);

/* Export handler (export.c). */
pko_rc inc_h_export(pko_req *req, pko_err *err);
/* Import handler (import.c). */
pko_rc inc_h_import(pko_req *req, pko_err *err);

/* Upsert one actor by (source_system, source_id) or name; id to 'out'. */
PKO_MUST_USE pko_rc inc_actor_upsert(pko_tx *tx, const char *name, const char *type,
                                     const char *source_system, const char *source_id,
                                     char out[PKO_ID_LEN], bool *created, pko_err *err);

#endif
