/* SPDX-License-Identifier: MIT
 *
 * The in-memory incident index: the map query engine.
 *
 * Layout. A "main" segment holds every event in columns (struct of arrays)
 * sorted by (time, rowid); a small unsorted "delta" takes new and changed
 * events and is merged into main when it grows past 1/8 of it. A dense
 * rowid -> slot array finds an event to replace it; replaced events are
 * marked dead until the next merge. The merge also builds a 1-degree grid:
 * for each cell, the main slots in that cell, ascending (so also in time
 * order).
 *
 * Query plan. A time range is two binary searches on main. A bounding box
 * covering few grid cells is answered from those cells' slot lists (a
 * binary search per cell for the time range); a large box scans the time
 * range. Whichever touches fewer slots wins; the delta is always scanned.
 * Sorting a bulk load uses an LSD radix sort on (time, rowid) keys.
 */
#define _GNU_SOURCE /* M_PI */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "modules/incidents/incidents.h"

#define CELLS_X 360
#define CELLS_Y 180
#define N_CELLS (CELLS_X * CELLS_Y)

struct incidx {
    /* main segment, sorted by (t, rowid) */
    size_t n, cap;
    int32_t *t;
    float *lon, *lat;
    uint16_t *cat, *mission;
    uint8_t *status, *cls, *dead;
    int32_t *killed, *cas;
    uint32_t *perp, *target, *reporter, *rowid;
    size_t n_dead;
    /* grid over main: cell_start[c]..cell_start[c+1] in cell_slots */
    uint32_t *cell_start; /* N_CELLS + 1 */
    uint32_t *cell_slots; /* n */
    /* delta */
    incidx_event *delta;
    uint8_t *delta_dead;
    size_t n_delta, cap_delta, n_delta_dead;
    /* rowid -> slot + 1 (0 = absent); slots >= n are delta */
    uint32_t *slot_of;
    size_t cap_slot;
};

/* ==== Helpers ============================================================ */

static int cell_of(float lon, float lat)
{
    int cx = (int)floorf(lon + 180.0f), cy = (int)floorf(lat + 90.0f);
    if (cx < 0)
        cx = 0;
    if (cx >= CELLS_X)
        cx = CELLS_X - 1;
    if (cy < 0)
        cy = 0;
    if (cy >= CELLS_Y)
        cy = CELLS_Y - 1;
    return cy * CELLS_X + cx;
}

static uint64_t sort_key(int32_t t, uint32_t rowid)
{
    return ((uint64_t)((uint32_t)t ^ 0x80000000u) << 32) | rowid;
}

/* Great-circle distance in metres (haversine). */
static double gc_dist(double lon1, double lat1, double lon2, double lat2)
{
    const double r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * INCIDX_EARTH_RADIUS_M * asin(fmin(1.0, sqrt(a)));
}

void incidx_filter_radius(incidx_filter *f, double lon, double lat, double meters)
{
    f->has_radius = true;
    f->rlon = lon;
    f->rlat = lat;
    f->radius_m = meters;
    double dlat = meters / INCIDX_EARTH_RADIUS_M * 180.0 / M_PI * 1.001;
    double c = cos(fmin(89.0, fabs(lat) + dlat) * M_PI / 180.0);
    double dlon = c > 1e-6 ? dlat / c : 180;
    double minlon = fmax(-180, lon - dlon), maxlon = fmin(180, lon + dlon);
    double minlat = fmax(-90, lat - dlat), maxlat = fmin(90, lat + dlat);
    if (f->has_bbox) {
        minlon = fmax(minlon, f->minlon);
        maxlon = fmin(maxlon, f->maxlon);
        minlat = fmax(minlat, f->minlat);
        maxlat = fmin(maxlat, f->maxlat);
    }
    f->has_bbox = true;
    f->minlon = minlon;
    f->maxlon = maxlon;
    f->minlat = minlat;
    f->maxlat = maxlat;
}

void incidx_filter_init(incidx_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->t_from = INT32_MIN;
    f->t_to = INT32_MAX;
    f->min_killed = -1;
    f->min_casualties = -1;
}

incidx *incidx_new(void)
{
    incidx *x = pko_calloc(1, sizeof(*x));
    x->cell_start = pko_calloc(N_CELLS + 1, sizeof(uint32_t));
    return x;
}

static void free_main(incidx *x)
{
    pko_free(x->t);
    pko_free(x->lon);
    pko_free(x->lat);
    pko_free(x->cat);
    pko_free(x->mission);
    pko_free(x->status);
    pko_free(x->cls);
    pko_free(x->dead);
    pko_free(x->killed);
    pko_free(x->cas);
    pko_free(x->perp);
    pko_free(x->target);
    pko_free(x->reporter);
    pko_free(x->rowid);
    pko_free(x->cell_slots);
}

void incidx_free(incidx *x)
{
    if (!x)
        return;
    free_main(x);
    pko_free(x->cell_start);
    pko_free(x->delta);
    pko_free(x->delta_dead);
    pko_free(x->slot_of);
    pko_free(x);
}

size_t incidx_size(const incidx *x)
{
    return x->n - x->n_dead + x->n_delta - x->n_delta_dead;
}

static void set_slot(incidx *x, uint32_t rowid, uint32_t slot_plus_one)
{
    if (rowid >= x->cap_slot) {
        size_t cap = x->cap_slot ? x->cap_slot : 1024;
        while (cap <= rowid)
            cap *= 2;
        x->slot_of = pko_realloc(x->slot_of, cap * sizeof(uint32_t));
        memset(x->slot_of + x->cap_slot, 0, (cap - x->cap_slot) * sizeof(uint32_t));
        x->cap_slot = cap;
    }
    x->slot_of[rowid] = slot_plus_one;
}

static void kill_slot(incidx *x, uint32_t rowid)
{
    if (rowid >= x->cap_slot || !x->slot_of[rowid])
        return;
    size_t slot = x->slot_of[rowid] - 1;
    if (slot < x->n) {
        if (!x->dead[slot]) {
            x->dead[slot] = 1;
            x->n_dead++;
        }
    } else if (!x->delta_dead[slot - x->n]) {
        x->delta_dead[slot - x->n] = 1;
        x->n_delta_dead++;
    }
    x->slot_of[rowid] = 0;
}

void incidx_remove(incidx *x, uint32_t rowid)
{
    kill_slot(x, rowid);
}

void incidx_put(incidx *x, const incidx_event *e)
{
    kill_slot(x, e->rowid);
    if (x->n_delta == x->cap_delta) {
        x->cap_delta = x->cap_delta ? 2 * x->cap_delta : 1024;
        x->delta = pko_realloc(x->delta, x->cap_delta * sizeof(*x->delta));
        x->delta_dead = pko_realloc(x->delta_dead, x->cap_delta);
    }
    x->delta[x->n_delta] = *e;
    x->delta_dead[x->n_delta] = 0;
    set_slot(x, e->rowid, (uint32_t)(x->n + x->n_delta + 1));
    x->n_delta++;
    if (x->n_delta > 65536 && x->n_delta > x->n / 8)
        incidx_compact(x);
}

/* ==== Merge ============================================================== */

/* Sort 'keys' ascending, permuting 'vals' alongside (LSD radix, 16-bit
 * digits, skipping digits that are equal in every key). */
static void radix_sort(uint64_t *keys, uint32_t *vals, size_t n)
{
    if (n < 2)
        return;
    uint64_t *k2 = pko_malloc(n * sizeof(uint64_t));
    uint32_t *v2 = pko_malloc(n * sizeof(uint32_t));
    size_t *count = pko_malloc(65536 * sizeof(size_t));
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof(size_t));
        for (size_t i = 0; i < n; i++)
            count[(keys[i] >> shift) & 0xffff]++;
        if (count[(keys[0] >> shift) & 0xffff] == n)
            continue; /* this digit is the same everywhere */
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t d = (keys[i] >> shift) & 0xffff;
            k2[count[d]] = keys[i];
            v2[count[d]] = vals[i];
            count[d]++;
        }
        memcpy(keys, k2, n * sizeof(uint64_t));
        memcpy(vals, v2, n * sizeof(uint32_t));
    }
    pko_free(count);
    pko_free(k2);
    pko_free(v2);
}

void incidx_compact(incidx *x)
{
    size_t live_main = x->n - x->n_dead, live_delta = x->n_delta - x->n_delta_dead;
    size_t n = live_main + live_delta;
    /* Sort the live delta; main is already sorted. */
    uint64_t *dk = pko_malloc((live_delta + 1) * sizeof(uint64_t));
    uint32_t *dv = pko_malloc((live_delta + 1) * sizeof(uint32_t));
    size_t m = 0;
    for (size_t i = 0; i < x->n_delta; i++) {
        if (x->delta_dead[i])
            continue;
        dk[m] = sort_key(x->delta[i].t, x->delta[i].rowid);
        dv[m] = (uint32_t)i;
        m++;
    }
    radix_sort(dk, dv, m);

    incidx nx = {0};
    nx.n = n;
    nx.cap = n ? n : 1;
    nx.t = pko_malloc(nx.cap * sizeof(int32_t));
    nx.lon = pko_malloc(nx.cap * sizeof(float));
    nx.lat = pko_malloc(nx.cap * sizeof(float));
    nx.cat = pko_malloc(nx.cap * sizeof(uint16_t));
    nx.mission = pko_malloc(nx.cap * sizeof(uint16_t));
    nx.status = pko_malloc(nx.cap);
    nx.cls = pko_malloc(nx.cap);
    nx.dead = pko_calloc(nx.cap, 1);
    nx.killed = pko_malloc(nx.cap * sizeof(int32_t));
    nx.cas = pko_malloc(nx.cap * sizeof(int32_t));
    nx.perp = pko_malloc(nx.cap * sizeof(uint32_t));
    nx.target = pko_malloc(nx.cap * sizeof(uint32_t));
    nx.reporter = pko_malloc(nx.cap * sizeof(uint32_t));
    nx.rowid = pko_malloc(nx.cap * sizeof(uint32_t));

    size_t i = 0, j = 0, o = 0;
    while (i < x->n || j < m) {
        if (i < x->n && x->dead[i]) {
            i++;
            continue;
        }
        bool take_main;
        if (i >= x->n)
            take_main = false;
        else if (j >= m)
            take_main = true;
        else
            take_main = sort_key(x->t[i], x->rowid[i]) <= dk[j];
        if (take_main) {
            nx.t[o] = x->t[i];
            nx.lon[o] = x->lon[i];
            nx.lat[o] = x->lat[i];
            nx.cat[o] = x->cat[i];
            nx.mission[o] = x->mission[i];
            nx.status[o] = x->status[i];
            nx.cls[o] = x->cls[i];
            nx.killed[o] = x->killed[i];
            nx.cas[o] = x->cas[i];
            nx.perp[o] = x->perp[i];
            nx.target[o] = x->target[i];
            nx.reporter[o] = x->reporter[i];
            nx.rowid[o] = x->rowid[i];
            i++;
        } else {
            const incidx_event *e = &x->delta[dv[j]];
            nx.t[o] = e->t;
            nx.lon[o] = e->lon;
            nx.lat[o] = e->lat;
            nx.cat[o] = e->cat;
            nx.mission[o] = e->mission;
            nx.status[o] = e->status;
            nx.cls[o] = e->cls;
            nx.killed[o] = e->killed;
            nx.cas[o] = e->casualties;
            nx.perp[o] = e->perp;
            nx.target[o] = e->target;
            nx.reporter[o] = e->reporter;
            nx.rowid[o] = e->rowid;
            j++;
        }
        o++;
    }
    pko_free(dk);
    pko_free(dv);

    /* Grid: counting sort of slots by cell, slots ascending within a cell. */
    nx.cell_slots = pko_malloc(nx.cap * sizeof(uint32_t));
    uint32_t *start = x->cell_start;
    memset(start, 0, (N_CELLS + 1) * sizeof(uint32_t));
    for (size_t s = 0; s < n; s++)
        start[cell_of(nx.lon[s], nx.lat[s]) + 1]++;
    for (int c = 0; c < N_CELLS; c++)
        start[c + 1] += start[c];
    uint32_t *fill = pko_malloc(N_CELLS * sizeof(uint32_t));
    memcpy(fill, start, N_CELLS * sizeof(uint32_t));
    for (size_t s = 0; s < n; s++)
        nx.cell_slots[fill[cell_of(nx.lon[s], nx.lat[s])]++] = (uint32_t)s;
    pko_free(fill);

    free_main(x);
    x->n = nx.n;
    x->cap = nx.cap;
    x->t = nx.t;
    x->lon = nx.lon;
    x->lat = nx.lat;
    x->cat = nx.cat;
    x->mission = nx.mission;
    x->status = nx.status;
    x->cls = nx.cls;
    x->dead = nx.dead;
    x->killed = nx.killed;
    x->cas = nx.cas;
    x->perp = nx.perp;
    x->target = nx.target;
    x->reporter = nx.reporter;
    x->rowid = nx.rowid;
    x->cell_slots = nx.cell_slots;
    x->n_dead = 0;
    x->n_delta = 0;
    x->n_delta_dead = 0;
    if (x->cap_slot)
        memset(x->slot_of, 0, x->cap_slot * sizeof(uint32_t));
    for (size_t s = 0; s < n; s++)
        set_slot(x, x->rowid[s], (uint32_t)(s + 1));
}

/* ==== Matching =========================================================== */

/* Even-odd rule point-in-polygon test. */
static bool in_poly(const double *p, size_t n, double lon, double lat)
{
    bool in = false;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * j], yj = p[2 * j + 1];
        if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

static bool rowid_allowed(const incidx_filter *f, uint32_t rowid)
{
    size_t lo = 0, hi = f->n_rowids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->rowids[mid] < rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->n_rowids && f->rowids[lo] == rowid;
}

/* Everything but time: access first, then the conditions. */
static inline bool match(const incidx_filter *f, float lon, float lat, uint16_t cat,
                         uint8_t status, uint8_t cls, uint16_t mission, int32_t killed,
                         int32_t cas, uint32_t perp, uint32_t target, uint32_t reporter,
                         uint32_t rowid)
{
    if (cls > f->clearance)
        return false;
    bool full = f->all_missions_full ||
                (mission < f->n_mission_bits && f->mission_full && f->mission_full[mission]);
    if (!full) {
        bool read = f->all_missions_read ||
                    (mission < f->n_mission_bits && f->mission_read && f->mission_read[mission]);
        if (!read)
            return false;
        if (status != INC_VERIFIED && status != INC_PUBLISHED && !(f->me && reporter == f->me))
            return false;
    }
    if (f->has_bbox && (lon < f->minlon || lon > f->maxlon || lat < f->minlat || lat > f->maxlat))
        return false;
    if (f->cat_ok && !f->cat_ok[cat])
        return false;
    if (f->status_mask && !(f->status_mask & (1u << status)))
        return false;
    if (f->min_killed >= 0 && killed < f->min_killed)
        return false;
    if (f->min_casualties >= 0 && cas < f->min_casualties)
        return false;
    if (f->actor && perp != f->actor && target != f->actor)
        return false;
    if (f->poly && !in_poly(f->poly, f->poly_n, lon, lat))
        return false;
    if (f->has_radius && gc_dist(f->rlon, f->rlat, lon, lat) > f->radius_m)
        return false;
    if (f->rowids && !rowid_allowed(f, rowid))
        return false;
    return true;
}

static inline bool match_main(const incidx *x, const incidx_filter *f, size_t s)
{
    return !x->dead[s] && match(f, x->lon[s], x->lat[s], x->cat[s], x->status[s], x->cls[s],
                                x->mission[s], x->killed[s], x->cas[s], x->perp[s],
                                x->target[s], x->reporter[s], x->rowid[s]);
}

static inline bool match_delta(const incidx *x, const incidx_filter *f, size_t i)
{
    const incidx_event *e = &x->delta[i];
    return !x->delta_dead[i] && e->t >= f->t_from && e->t < f->t_to &&
           match(f, e->lon, e->lat, e->cat, e->status, e->cls, e->mission, e->killed,
                 e->casualties, e->perp, e->target, e->reporter, e->rowid);
}

/* First main slot with t >= 'v'. */
static size_t lower_t(const incidx *x, int32_t v)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->t[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Within a cell's slot list [a, b), first position whose slot has t >= v. */
static size_t lower_cell(const incidx *x, size_t a, size_t b, int32_t v)
{
    while (a < b) {
        size_t mid = (a + b) / 2;
        if (x->t[x->cell_slots[mid]] < v)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

/* A plan over main: either the slot range [lo, hi) or, for small boxes, a
 * list of cell ranges. */
typedef struct plan {
    size_t lo, hi;
    bool cells;
    size_t n_ranges;
    size_t (*ranges)[2]; /* positions in cell_slots */
} plan;

static void plan_free(plan *p)
{
    pko_free(p->ranges);
}

static void make_plan(const incidx *x, const incidx_filter *f, plan *p)
{
    memset(p, 0, sizeof(*p));
    p->lo = f->t_from == INT32_MIN ? 0 : lower_t(x, f->t_from);
    p->hi = f->t_to == INT32_MAX ? x->n : lower_t(x, f->t_to);
    if (!f->has_bbox || p->hi <= p->lo)
        return;
    int cx0 = (int)floor(f->minlon + 180), cx1 = (int)floor(f->maxlon + 180);
    int cy0 = (int)floor(f->minlat + 90), cy1 = (int)floor(f->maxlat + 90);
    cx0 = cx0 < 0 ? 0 : cx0 > CELLS_X - 1 ? CELLS_X - 1 : cx0;
    cx1 = cx1 < 0 ? 0 : cx1 > CELLS_X - 1 ? CELLS_X - 1 : cx1;
    cy0 = cy0 < 0 ? 0 : cy0 > CELLS_Y - 1 ? CELLS_Y - 1 : cy0;
    cy1 = cy1 < 0 ? 0 : cy1 > CELLS_Y - 1 ? CELLS_Y - 1 : cy1;
    size_t ncells = (size_t)(cx1 - cx0 + 1) * (size_t)(cy1 - cy0 + 1);
    if (ncells > 4096)
        return;
    size_t (*r)[2] = pko_malloc(ncells * sizeof(*r));
    size_t k = 0, touched = 0;
    for (int cy = cy0; cy <= cy1; cy++) {
        for (int cx = cx0; cx <= cx1; cx++) {
            int c = cy * CELLS_X + cx;
            size_t a = x->cell_start[c], b = x->cell_start[c + 1];
            if (a == b)
                continue;
            size_t s = f->t_from == INT32_MIN ? a : lower_cell(x, a, b, f->t_from);
            size_t e = f->t_to == INT32_MAX ? b : lower_cell(x, s, b, f->t_to);
            if (s < e) {
                r[k][0] = s;
                r[k][1] = e;
                k++;
                touched += e - s;
            }
        }
    }
    if (touched < (p->hi - p->lo) / 2) {
        p->cells = true;
        p->ranges = r;
        p->n_ranges = k;
    } else {
        pko_free(r);
    }
}

/* Call 'fn' for every matching main slot (any order) and delta entry. */
#define FOR_EACH_MATCH(x, f, SLOT_BODY, DELTA_BODY)                                               \
    do {                                                                                           \
        plan p_;                                                                                   \
        make_plan((x), (f), &p_);                                                                  \
        if (p_.cells) {                                                                            \
            for (size_t r_ = 0; r_ < p_.n_ranges; r_++)                                            \
                for (size_t q_ = p_.ranges[r_][0]; q_ < p_.ranges[r_][1]; q_++) {                  \
                    size_t s = (x)->cell_slots[q_];                                                \
                    if (match_main((x), (f), s)) {                                                 \
                        SLOT_BODY;                                                                 \
                    }                                                                              \
                }                                                                                  \
        } else {                                                                                   \
            for (size_t s = p_.lo; s < p_.hi; s++)                                                 \
                if (match_main((x), (f), s)) {                                                     \
                    SLOT_BODY;                                                                     \
                }                                                                                  \
        }                                                                                          \
        plan_free(&p_);                                                                            \
        for (size_t d = 0; d < (x)->n_delta; d++)                                                  \
            if (match_delta((x), (f), d)) {                                                        \
                DELTA_BODY;                                                                        \
            }                                                                                      \
    } while (0)

uint64_t incidx_count(const incidx *x, const incidx_filter *f)
{
    uint64_t n = 0;
    FOR_EACH_MATCH(x, f, n++, n++);
    return n;
}

void incidx_count_by_category(const incidx *x, const incidx_filter *f, uint64_t *counts,
                              int64_t *killed)
{
    size_t nc = incidents_n_categories();
    memset(counts, 0, nc * sizeof(uint64_t));
    if (killed)
        memset(killed, 0, nc * sizeof(int64_t));
    FOR_EACH_MATCH(
        x, f,
        {
            counts[x->cat[s]]++;
            if (killed)
                killed[x->cat[s]] += x->killed[s];
        },
        {
            counts[x->delta[d].cat]++;
            if (killed)
                killed[x->delta[d].cat] += x->delta[d].killed;
        });
}

/* ==== Clusters =========================================================== */

typedef struct acc {
    uint32_t count;
    int64_t killed;
    double slon, slat;
} acc;

pko_rc incidx_clusters(const incidx *x, const incidx_filter *f, double cell, incidx_cluster **out,
                       size_t *n_out, uint64_t *total, pko_err *err)
{
    *out = NULL;
    *n_out = 0;
    *total = 0;
    if (!(cell > 0))
        return pko_err_field(err, PKO_EINVAL, "cell", "cell size must be positive");
    double minlon = f->has_bbox ? f->minlon : -180, maxlon = f->has_bbox ? f->maxlon : 180;
    double minlat = f->has_bbox ? f->minlat : -90, maxlat = f->has_bbox ? f->maxlat : 90;
    double nxd = ceil((maxlon - minlon) / cell), nyd = ceil((maxlat - minlat) / cell);
    if (nxd < 1)
        nxd = 1;
    if (nyd < 1)
        nyd = 1;
    if (nxd * nyd > 4e6)
        return pko_err_field(err, PKO_EINVAL, "cell",
                             "a %g-degree grid over this box has more than 4 million cells; zoom "
                             "in or use a larger cell",
                             cell);
    size_t nx = (size_t)nxd, ny = (size_t)nyd;
    acc *g = pko_calloc(nx * ny, sizeof(acc));
    double inv = 1.0 / cell;
#define ADD(LON, LAT, KILLED)                                                                      \
    do {                                                                                           \
        size_t gx_ = (size_t)(((LON)-minlon) * inv), gy_ = (size_t)(((LAT)-minlat) * inv);         \
        if (gx_ >= nx)                                                                             \
            gx_ = nx - 1;                                                                          \
        if (gy_ >= ny)                                                                             \
            gy_ = ny - 1;                                                                          \
        acc *a_ = &g[gy_ * nx + gx_];                                                              \
        a_->count++;                                                                               \
        a_->killed += (KILLED);                                                                    \
        a_->slon += (LON);                                                                         \
        a_->slat += (LAT);                                                                         \
    } while (0)
    FOR_EACH_MATCH(x, f, ADD(x->lon[s], x->lat[s], x->killed[s]),
                   ADD(x->delta[d].lon, x->delta[d].lat, x->delta[d].killed));
#undef ADD
    size_t k = 0;
    uint64_t t = 0;
    for (size_t i = 0; i < nx * ny; i++)
        if (g[i].count)
            k++;
    incidx_cluster *o = pko_malloc((k ? k : 1) * sizeof(*o));
    k = 0;
    for (size_t i = 0; i < nx * ny; i++) {
        if (!g[i].count)
            continue;
        o[k].count = g[i].count;
        o[k].killed = g[i].killed;
        o[k].lon = g[i].slon / g[i].count;
        o[k].lat = g[i].slat / g[i].count;
        t += g[i].count;
        k++;
    }
    pko_free(g);
    *out = o;
    *n_out = k;
    *total = t;
    return PKO_OK;
}

/* ==== Histogram ========================================================== */

/* Civil date from days since 1970 (Howard Hinnant's algorithm). */
static void civil(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t yy = yoe + era * 400;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;
    int32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int32_t floor_div(int32_t a, int32_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* Bucket number of a day, and the first day of a bucket number. */
static int32_t bucket_of(int32_t day, incidx_bucket b)
{
    int y, m, d;
    switch (b) {
    case INCIDX_DAY: return day;
    case INCIDX_WEEK: return floor_div(day + 3, 7); /* weeks start on Monday */
    case INCIDX_MONTH: civil(day, &y, &m, &d); return y * 12 + (m - 1);
    default: civil(day, &y, &m, &d); return y;
    }
}

static int32_t bucket_start(int32_t k, incidx_bucket b)
{
    switch (b) {
    case INCIDX_DAY: return k;
    case INCIDX_WEEK: return k * 7 - 3;
    case INCIDX_MONTH: return days_from_civil(floor_div(k, 12), k - floor_div(k, 12) * 12 + 1, 1);
    default: return days_from_civil(k, 1, 1);
    }
}

pko_rc incidx_histogram(const incidx *x, const incidx_filter *f, incidx_bucket b, incidx_bin **out,
                        size_t *n_out, pko_err *err)
{
    *out = NULL;
    *n_out = 0;
    int32_t t0 = f->t_from, t1 = f->t_to;
    if (t0 == INT32_MIN || t1 == INT32_MAX) {
        /* Open bounds: use the data's span. */
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        if (x->n) {
            lo = x->t[0];
            hi = x->t[x->n - 1];
        }
        for (size_t d = 0; d < x->n_delta; d++) {
            if (x->delta[d].t < lo)
                lo = x->delta[d].t;
            if (x->delta[d].t > hi)
                hi = x->delta[d].t;
        }
        if (lo > hi)
            return PKO_OK; /* no data */
        if (t0 == INT32_MIN)
            t0 = lo;
        if (t1 == INT32_MAX)
            t1 = hi + 1;
    }
    if (t1 <= t0)
        return PKO_OK;
    int32_t k0 = bucket_of(floor_div(t0, 1440), b), k1 = bucket_of(floor_div(t1 - 1, 1440), b);
    if ((int64_t)k1 - k0 + 1 > 100000)
        return pko_err_field(err, PKO_EINVAL, "bucket",
                             "more than 100,000 buckets; choose a larger bucket or a shorter range");
    size_t nb = (size_t)(k1 - k0 + 1);
    incidx_bin *bins = pko_calloc(nb, sizeof(*bins));
    for (size_t i = 0; i < nb; i++)
        bins[i].start_day = bucket_start(k0 + (int32_t)i, b);
    incidx_filter g = *f;
    g.t_from = t0;
    g.t_to = t1;
#define BIN(T, KILLED)                                                                             \
    do {                                                                                           \
        int32_t k_ = bucket_of(floor_div((T), 1440), b) - k0;                                      \
        if (k_ >= 0 && (size_t)k_ < nb) {                                                          \
            bins[k_].count++;                                                                      \
            bins[k_].killed += (KILLED);                                                           \
        }                                                                                          \
    } while (0)
    FOR_EACH_MATCH(x, &g, BIN(x->t[s], x->killed[s]), BIN(x->delta[d].t, x->delta[d].killed));
#undef BIN
    *out = bins;
    *n_out = nb;
    return PKO_OK;
}

/* ==== Listing ============================================================ */

static void to_event(const incidx *x, size_t s, incidx_event *e)
{
    e->rowid = x->rowid[s];
    e->t = x->t[s];
    e->lon = x->lon[s];
    e->lat = x->lat[s];
    e->cat = x->cat[s];
    e->status = x->status[s];
    e->cls = x->cls[s];
    e->mission = x->mission[s];
    e->killed = x->killed[s];
    e->casualties = x->cas[s];
    e->perp = x->perp[s];
    e->target = x->target[s];
    e->reporter = x->reporter[s];
}

static int cmp_desc(const void *a, const void *b)
{
    const incidx_event *x = a, *y = b;
    uint64_t kx = sort_key(x->t, x->rowid), ky = sort_key(y->t, y->rowid);
    return kx < ky ? 1 : kx > ky ? -1 : 0;
}

size_t incidx_list(const incidx *x, const incidx_filter *f, int32_t cursor_t,
                   uint32_t cursor_rowid, size_t limit, incidx_event *out)
{
    if (!limit)
        return 0;
    uint64_t before = cursor_rowid ? sort_key(cursor_t, cursor_rowid) : UINT64_MAX;
    incidx_filter g = *f;
    if (cursor_rowid && cursor_t < INT32_MAX && g.t_to > cursor_t + 1)
        g.t_to = cursor_t + 1;
    /* Candidates: up to 'limit' newest from main (per cell range when the
     * plan uses cells) plus every matching delta entry; then sort and cut. */
    size_t cap = limit * 4 + 64, n = 0;
    incidx_event *cand = pko_malloc(cap * sizeof(*cand));
#define PUSH_SLOT(S)                                                                               \
    do {                                                                                           \
        if (n == cap) {                                                                            \
            cap *= 2;                                                                              \
            cand = pko_realloc(cand, cap * sizeof(*cand));                                         \
        }                                                                                          \
        to_event(x, (S), &cand[n++]);                                                              \
    } while (0)
    plan p;
    make_plan(x, &g, &p);
    if (p.cells) {
        for (size_t r = 0; r < p.n_ranges; r++) {
            size_t got = 0;
            for (size_t q = p.ranges[r][1]; q > p.ranges[r][0] && got < limit; q--) {
                size_t s = x->cell_slots[q - 1];
                if (sort_key(x->t[s], x->rowid[s]) >= before || !match_main(x, &g, s))
                    continue;
                PUSH_SLOT(s);
                got++;
            }
        }
    } else {
        size_t got = 0;
        for (size_t s = p.hi; s > p.lo && got < limit; s--) {
            if (sort_key(x->t[s - 1], x->rowid[s - 1]) >= before || !match_main(x, &g, s - 1))
                continue;
            PUSH_SLOT(s - 1);
            got++;
        }
    }
    plan_free(&p);
    for (size_t d = 0; d < x->n_delta; d++) {
        if (!match_delta(x, &g, d) || sort_key(x->delta[d].t, x->delta[d].rowid) >= before)
            continue;
        if (n == cap) {
            cap *= 2;
            cand = pko_realloc(cand, cap * sizeof(*cand));
        }
        cand[n++] = x->delta[d];
    }
#undef PUSH_SLOT
    qsort(cand, n, sizeof(*cand), cmp_desc);
    if (n > limit)
        n = limit;
    memcpy(out, cand, n * sizeof(*cand));
    pko_free(cand);
    return n;
}
