/* SPDX-License-Identifier: MIT
 *
 * Incidents: events reported in the field or imported from datasets (UCDP
 * GED, ACLED, any CSV), verified by analysts and shown on the common
 * operational picture.
 *
 * The store (SQLite) is the system of record. Map, histogram, search and
 * export queries run on an in-memory index of every incident (incidx_*),
 * time-sorted columns with a 1-degree spatial grid, rebuilt at start and
 * fed by the store's change log so that writes from any process (an import
 * run from the command line while the server runs) reach it.
 */
#ifndef PKO_MODULES_INCIDENTS_H
#define PKO_MODULES_INCIDENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http/http.h"

extern const pko_module pko_module_incidents;
extern const pko_entity pko_entity_incident;
extern const pko_entity pko_entity_actor;
extern const pko_entity pko_entity_incident_link;

/* ==== Taxonomy (docs/taxonomy.md) ======================================== */

typedef struct incidents_category {
    const char *code;   /* "battles.armed_clash" */
    const char *label;  /* "Armed clash" */
    const char *source; /* "acled", "ucdp" or "pko" */
} incidents_category;

size_t incidents_n_categories(void);
const incidents_category *incidents_category_at(size_t i);
/* Index of 'code' in the taxonomy, or -1. */
int incidents_category_index(const char *code);
/* True when category 'child' is 'parent' or below it. */
bool incidents_category_within(size_t child, size_t parent);

/* ==== Workflow =========================================================== */

typedef enum incidents_status {
    INC_DRAFT = 0,
    INC_SUBMITTED,
    INC_VERIFIED,
    INC_PUBLISHED,
    INC_RETURNED,
    INC_REJECTED,
    INC_STATUS_COUNT
} incidents_status;

const char *incidents_status_name(int s);
int incidents_status_parse(const char *s);

/* ==== Validation ========================================================= */

/* Check the fields of an incident: 'f' is the whole record after a create
 * or update is applied. Fills err->field on the first problem. */
PKO_MUST_USE pko_rc incidents_validate(json_t *f, pko_err *err);

/* Parse "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]" into minutes
 * since 1970-01-01T00:00Z. */
PKO_MUST_USE pko_rc incidents_parse_time(const char *s, int32_t *minutes);

/* ==== The in-memory index ================================================ */

typedef struct incidx incidx;

/* One incident as the index holds it. */
typedef struct incidx_event {
    uint32_t rowid;     /* SQLite rowid of the incident */
    int32_t t;          /* occurred_start, minutes since 1970 */
    float lon, lat;     /* WGS84 degrees */
    uint16_t cat;       /* taxonomy index */
    uint8_t status;     /* incidents_status */
    uint8_t cls;        /* pko_class */
    uint16_t mission;   /* interned mission id; 0 = none */
    int32_t killed;     /* killed_total */
    int32_t casualties; /* killed + injured + abducted */
    uint32_t perp, target, reporter; /* interned ids; 0 = none */
} incidx_event;

incidx *incidx_new(void);
void incidx_free(incidx *x);
/* Insert or replace the event with e->rowid. */
void incidx_put(incidx *x, const incidx_event *e);
/* Drop the event with 'rowid' if present. */
void incidx_remove(incidx *x, uint32_t rowid);
/* Merge recent writes into the sorted columns (done automatically as they
 * accumulate; call after a bulk load). */
void incidx_compact(incidx *x);
/* Live events. */
size_t incidx_size(const incidx *x);

/* What a query selects. Every query is also bounded by the access fields. */
typedef struct incidx_filter {
    bool has_bbox;
    double minlon, minlat, maxlon, maxlat;
    bool has_radius;    /* within 'radius_m' metres of (rlon, rlat), great circle */
    double rlon, rlat, radius_m;
    const double *poly; /* lon,lat pairs of a closed ring (first != last ok), or NULL */
    size_t poly_n;      /* vertices */
    int32_t t_from, t_to; /* [from, to) in minutes; INT32_MIN/INT32_MAX for open */
    const uint8_t *cat_ok; /* per taxonomy index: 1 = selected; NULL = all */
    uint8_t status_mask;   /* bit per incidents_status; 0 = all */
    int32_t min_killed, min_casualties; /* -1 = no threshold */
    uint32_t actor;        /* perpetrator or target; 0 = any */
    const uint32_t *rowids; /* sorted allow-list (free-text matches), or NULL */
    size_t n_rowids;
    /* access */
    int clearance;
    bool all_missions_full, all_missions_read;
    const uint8_t *mission_full; /* per mission index: sees every status */
    const uint8_t *mission_read; /* per mission index: sees verified/published (+ own) */
    size_t n_mission_bits;
    uint32_t me; /* the caller's interned user id, for their own drafts */
} incidx_filter;

/* Fill 'f' with no conditions and no access (callers set access). */
void incidx_filter_init(incidx_filter *f);
/* Select events within 'meters' of (lon, lat): sets the radius and narrows
 * the bounding box to the circle's (mean Earth radius 6,371,008.8 m, as
 * PostGIS uses for geography on the sphere). */
void incidx_filter_radius(incidx_filter *f, double lon, double lat, double meters);

#define INCIDX_EARTH_RADIUS_M 6371008.8

typedef struct incidx_cluster {
    double lon, lat;   /* centroid of the events */
    uint32_t count;
    int64_t killed;
} incidx_cluster;

/* Aggregate matching events into square cells of 'cell' degrees over the
 * filter's bounding box (the world without one). '*out' (free with
 * pko_free) receives the non-empty cells; '*total' the events counted.
 * Fails with PKO_EINVAL when the grid would exceed 4 million cells. */
PKO_MUST_USE pko_rc incidx_clusters(const incidx *x, const incidx_filter *f, double cell,
                                    incidx_cluster **out, size_t *n, uint64_t *total,
                                    pko_err *err);

typedef enum incidx_bucket { INCIDX_DAY, INCIDX_WEEK, INCIDX_MONTH, INCIDX_YEAR } incidx_bucket;

typedef struct incidx_bin {
    int32_t start_day; /* days since 1970 of the bucket's first day */
    uint32_t count;
    int64_t killed;
} incidx_bin;

/* Count matching events per bucket between the filter's time bounds (or the
 * data's). Fails with PKO_EINVAL over 100,000 buckets. */
PKO_MUST_USE pko_rc incidx_histogram(const incidx *x, const incidx_filter *f, incidx_bucket b,
                                     incidx_bin **out, size_t *n, pko_err *err);

/* Newest-first listing: up to 'limit' matching events strictly before the
 * cursor (t, rowid) (cursor_rowid 0 = from the newest), written to 'out'.
 * Returns how many. */
size_t incidx_list(const incidx *x, const incidx_filter *f, int32_t cursor_t,
                   uint32_t cursor_rowid, size_t limit, incidx_event *out);

/* Count matching events. */
uint64_t incidx_count(const incidx *x, const incidx_filter *f);
/* Count matching events per taxonomy index into 'counts' (incidents_n_categories()
 * entries, zeroed first) and their killed into 'killed' (may be NULL). */
void incidx_count_by_category(const incidx *x, const incidx_filter *f, uint64_t *counts,
                              int64_t *killed);

/* ==== Imports ============================================================ */

typedef enum incidents_format { INC_IMPORT_UCDP, INC_IMPORT_ACLED, INC_IMPORT_CSV } incidents_format;

typedef struct incidents_import_opts {
    incidents_format format;
    const char *mission;   /* acronym to attach the events to, or NULL */
    int classification;    /* pko_class of imported events */
    bool cp1252;           /* input is Windows-1252 */
    json_t *mapping;       /* INC_IMPORT_CSV: field -> column mapping (borrowed) */
    FILE *errors;          /* per-row error report, or NULL */
    bool progress;         /* draw a progress bar on stderr */
    size_t total_bytes;    /* input size for the progress bar, 0 if unknown */
    json_t *error_list;    /* if set, the first 1,000 errors are appended as objects */
} incidents_import_opts;

typedef struct incidents_import_summary {
    uint64_t rows, inserted, updated, unchanged, rejected;
    uint64_t actors_created;
    double seconds;
} incidents_import_summary;

/* Import events from 'in' in one transaction (nothing is visible until all
 * accepted rows are committed). Rejected rows are reported and skipped;
 * rows already imported (same source and source id) are updated in place.
 * Returns PKO_EINVAL (err says why) when the input is unusable: missing
 * columns, an unreadable header, an unknown mission. */
PKO_MUST_USE pko_rc incidents_import(pko_db *db, const pko_actor *actor, FILE *in,
                                     const incidents_import_opts *o,
                                     incidents_import_summary *sum, pko_err *err);

#endif
