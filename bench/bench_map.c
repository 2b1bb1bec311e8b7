/* SPDX-License-Identifier: MIT
 *
 * The map query benchmark (issue: "map queries over 10 million events in
 * milliseconds"). Generates N synthetic events from a fixed seed, clustered
 * on real conflict locations (the UCDP GED points in ../shared/data when
 * present, else a built-in list of conflict-affected towns), loads them into
 *   1. PKO's in-memory index (src/modules/incidents/index.c),
 *   2. SQLite with a 3-D R*Tree (lon, lat, time) and auxiliary columns,
 *   3. PostgreSQL 15 + PostGIS 3.3 (GiST on the point, btree on time),
 * and runs six queries on each, side by side, checking that the engines'
 * answers agree (counts; the ids of Q5). Prints a markdown table of p50,
 * p99 and the PKO/PostGIS ratio per query.
 *
 * Usage: bench_map --events N [--pg "host=127.0.0.1 port=P dbname=bench"]
 *                  [--runs R] [--centers ged.csv] [--workdir DIR]
 * Without --pg, PostGIS is skipped (and said so in the output).
 */
#define _GNU_SOURCE
#include <libpq-fe.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "modules/incidents/incidents.h"

/* ==== Generator ============================================================ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rnd01(void)
{
    return (double)(rnd64() >> 11) / 9007199254740992.0;
}
static double gauss(void)
{
    double u = rnd01() + 1e-12, v = rnd01();
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

typedef struct center {
    double lon, lat;
} center;

/* Conflict-affected towns used when ../shared/data is absent. */
static const center fallback[] = {
    {29.22, -1.68}, {29.23, 0.51},  {28.86, -2.51}, {18.56, 4.36},  {22.39, 8.41},
    {16.06, 8.24},  {-3.99, 16.77}, {-0.04, 16.27}, {-4.15, 14.49}, {31.58, 4.85},
    {31.66, 9.53},  {25.07, 13.63}, {45.34, 2.04},  {42.55, -0.36}, {36.20, 36.20},
    {37.16, 36.20}, {44.36, 33.31}, {43.13, 36.34}, {69.16, 34.53}, {65.71, 31.61},
    {35.50, 33.89}, {34.47, 31.50}, {30.50, 50.45}, {37.80, 48.00}, {-75.57, 6.25},
    {3.39, 6.46},   {13.16, 11.85}, {7.49, 9.06},   {-13.23, 8.48}, {-10.80, 6.31},
    {26.52, -10.70}, {27.47, -11.66}, {23.60, -6.13}, {35.74, -15.80}, {40.52, -12.97},
};

static center *centers;
static size_t n_centers;

static void load_centers(const char *path)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f) {
        char line[4096];
        size_t cap = 65536;
        centers = pko_malloc(cap * sizeof(center));
        if (!fgets(line, sizeof(line), f)) /* header: year,longitude,latitude,... */
            line[0] = '\0';
        while (fgets(line, sizeof(line), f)) {
            double lon, lat;
            int year;
            if (sscanf(line, "%d,%lf,%lf", &year, &lon, &lat) != 3)
                continue;
            if (n_centers == cap) {
                cap *= 2;
                centers = pko_realloc(centers, cap * sizeof(center));
            }
            centers[n_centers++] = (center){lon, lat};
        }
        fclose(f);
    }
    if (!n_centers) {
        centers = pko_malloc(sizeof(fallback));
        memcpy(centers, fallback, sizeof(fallback));
        n_centers = sizeof(fallback) / sizeof(fallback[0]);
    }
}

#define T0 10000000 /* 1989-01-05 in minutes */
#define SPAN (35 * 365 * 1440)
static int leaf_cats[64];
static int n_leaf;

static void gen(incidx_event *e, uint32_t rowid)
{
    const center *c = &centers[rnd64() % n_centers];
    double lon = c->lon + gauss() * 0.25, lat = c->lat + gauss() * 0.25;
    lon = fmax(-179.999, fmin(179.999, lon));
    lat = fmax(-89.999, fmin(89.999, lat));
    memset(e, 0, sizeof(*e));
    e->rowid = rowid;
    e->lon = (float)lon;
    e->lat = (float)lat;
    /* More events in recent years, as in UCDP. */
    double u = sqrt(rnd01());
    e->t = T0 + (int32_t)(u * SPAN);
    e->cat = (uint16_t)leaf_cats[rnd64() % (uint64_t)n_leaf];
    e->status = INC_VERIFIED;
    e->killed = (int32_t)(rnd01() < 0.4 ? 0 : 1 + (int)(-log(rnd01() + 1e-12) * 4));
    e->casualties = e->killed;
}

/* ==== Timing =============================================================== */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct stat_ {
    double p50, p99;
    uint64_t answer;
} stat_;

static stat_ stats(double *ms, int n, uint64_t answer)
{
    qsort(ms, (size_t)n, sizeof(double), cmp_d);
    stat_ s = {ms[n / 2], ms[(int)ceil(n * 0.99) - 1 < n ? (int)ceil(n * 0.99) - 1 : n - 1],
               answer};
    return s;
}

/* ==== Queries ============================================================== */

typedef struct query {
    const char *name, *desc;
    double minlon, minlat, maxlon, maxlat; /* box; world if minlon > maxlon */
    int days;                              /* window ending at the data's end */
    int cats;                              /* 0 = all, 2 = two categories */
    double cell;                           /* grid clusters; 0 = other kind */
    int kind; /* 0 grid, 1 histogram, 2 newest 100, 3 radius count */
} query;

static query queries[] = {
    /* The box: eastern DRC, Rwanda and Burundi (27-31 E, 4 S-4 N). */
    {"Q1", "4x8 deg box, 90 days, 2 categories, 0.1 deg grid", 27, -4, 31, 4, 90, 2, 0.1, 0},
    {"Q2", "same box, 1 year, all categories, 0.05 deg grid", 27, -4, 31, 4, 365, 0, 0.05, 0},
    {"Q3", "the world, 30 days, 1 deg grid", 1, 0, -1, 0, 30, 0, 1.0, 0},
    {"Q4", "daily histogram of the box over a year", 27, -4, 31, 4, 365, 0, 0, 1},
    {"Q5", "newest 100 events in a 0.5 deg box", 29.0, -1.9, 29.5, -1.4, 0, 0, 0, 2},
    {"Q6", "events within 20 km of a point in 30 days", 29.22, -1.68, 0, 0, 30, 0, 0, 3},
};
#define NQ (sizeof(queries) / sizeof(queries[0]))

static int32_t t_end;
static int qcat[2];

/* ---- PKO ------------------------------------------------------------------ */

static uint8_t *cat_ok;

static uint64_t run_pko(const incidx *x, const query *q, uint32_t *ids100)
{
    incidx_filter f;
    incidx_filter_init(&f);
    f.all_missions_full = true;
    f.clearance = 2;
    if (q->kind == 3) {
        incidx_filter_radius(&f, q->minlon, q->minlat, 20000);
    } else if (q->minlon <= q->maxlon) {
        f.has_bbox = true;
        f.minlon = q->minlon;
        f.minlat = q->minlat;
        f.maxlon = q->maxlon;
        f.maxlat = q->maxlat;
    }
    if (q->days) {
        f.t_from = t_end - q->days * 1440;
        f.t_to = t_end;
    }
    if (q->cats) {
        memset(cat_ok, 0, incidents_n_categories());
        cat_ok[qcat[0]] = cat_ok[qcat[1]] = 1;
        f.cat_ok = cat_ok;
    }
    pko_err e;
    pko_err_clear(&e);
    if (q->kind == 0) {
        incidx_cluster *cl;
        size_t n;
        uint64_t total;
        if (incidx_clusters(x, &f, q->cell, &cl, &n, &total, &e))
            abort();
        pko_free(cl);
        return total;
    }
    if (q->kind == 1) {
        incidx_bin *b;
        size_t n;
        if (incidx_histogram(x, &f, INCIDX_DAY, &b, &n, &e))
            abort();
        uint64_t t = 0;
        for (size_t i = 0; i < n; i++)
            t += b[i].count;
        pko_free(b);
        return t;
    }
    if (q->kind == 2) {
        incidx_event out[100];
        size_t n = incidx_list(x, &f, INT32_MAX, 0, 100, out);
        for (size_t i = 0; ids100 && i < n; i++)
            ids100[i] = out[i].rowid;
        return n;
    }
    return incidx_count(x, &f);
}

/* ---- SQLite R*Tree ---------------------------------------------------------- */

static sqlite3 *lite;

static void lite_load(const char *path, const incidx_event *ev, size_t n, double *secs)
{
    unlink(path);
    if (sqlite3_open(path, &lite) != SQLITE_OK)
        abort();
    sqlite3_exec(lite,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-1000000;"
                 /* 32-bit integer R*Tree: exact time in minutes, and coordinates in
                  * micro-degrees (a float R*Tree rounds bounds outward). */
                 "CREATE VIRTUAL TABLE ev USING rtree_i32(id, minx, maxx, miny, maxy, mint, maxt,"
                 " +cat INTEGER, +killed INTEGER);",
                 NULL, NULL, NULL);
    int64_t t0 = pko_mono_us();
    sqlite3_exec(lite, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(lite, "INSERT INTO ev VALUES(?1,?2,?2,?3,?3,?4,?4,?5,?6)", -1, &s, NULL);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(s, 1, ev[i].rowid);
        sqlite3_bind_int64(s, 2, llround((double)ev[i].lon * 1e6));
        sqlite3_bind_int64(s, 3, llround((double)ev[i].lat * 1e6));
        sqlite3_bind_int(s, 4, ev[i].t);
        sqlite3_bind_int(s, 5, ev[i].cat);
        sqlite3_bind_int(s, 6, ev[i].killed);
        if (sqlite3_step(s) != SQLITE_DONE)
            abort();
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    sqlite3_exec(lite, "COMMIT", NULL, NULL, NULL);
    *secs = (double)(pko_mono_us() - t0) / 1e6;
}

/* SQL for one query; R*Tree stores float32 bounds (rounded outward), so
 * the exact test on the stored point is repeated in the WHERE clause. */
static void q_sql(const query *q, bool pg, char *sql, size_t n)
{
    char where[512] = "", cats[64] = "";
    int32_t t0 = t_end - q->days * 1440;
    if (q->cats)
        snprintf(cats, sizeof(cats), " AND cat IN (%d,%d)", qcat[0], qcat[1]);
    const char *T = pg ? "t" : "mint";
    if (q->kind == 3) {
        if (pg)
            snprintf(where, sizeof(where),
                     /* The GiST index serves the box around the circle; the
                      * distance is then exact on the sphere. */
                     "geom && ST_Expand(ST_SetSRID(ST_MakePoint(%.6f,%.6f),4326), %.6f) AND "
                     "ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(%.6f,%.6f),4326)"
                     "::geography, 20000, false) AND t >= %d AND t < %d",
                     q->minlon, q->minlat,
                     20000.0 / INCIDX_EARTH_RADIUS_M * 180 / M_PI * 1.001 /
                         cos(fabs(q->minlat) * M_PI / 180),
                     q->minlon, q->minlat, t0, t_end);
        else
            where[0] = '\0'; /* SQLite has no distance: filtered in C */
    } else {
        char box[256] = "";
        if (q->minlon <= q->maxlon) {
            if (pg)
                snprintf(box, sizeof(box),
                         "geom && ST_MakeEnvelope(%.6f,%.6f,%.6f,%.6f,4326) AND ", q->minlon,
                         q->minlat, q->maxlon, q->maxlat);
            else
                snprintf(box, sizeof(box),
                         "minx >= %lld AND maxx <= %lld AND miny >= %lld AND maxy <= %lld AND ",
                         llround(q->minlon * 1e6), llround(q->maxlon * 1e6),
                         llround(q->minlat * 1e6), llround(q->maxlat * 1e6));
        }
        if (q->days)
            snprintf(where, sizeof(where), "%s%s >= %d AND %s < %d%s", box, T, t0, T, t_end,
                     cats);
        else
            snprintf(where, sizeof(where), "%s1=1%s", box, cats);
    }
    if (q->kind == 0) {
        if (pg)
            snprintf(sql, n,
                     "SELECT count(*), sum(c) FROM (SELECT ST_SnapToGrid(geom, %g) g, count(*) c"
                     " FROM ev WHERE %s GROUP BY 1) s",
                     q->cell, where);
        else
            snprintf(sql, n,
                     "SELECT count(*), sum(c) FROM (SELECT minx / %lld gx, miny / %lld gy,"
                     " count(*) c FROM ev WHERE %s GROUP BY 1, 2)",
                     llround(q->cell * 1e6), llround(q->cell * 1e6), where);
    } else if (q->kind == 1) {
        snprintf(sql, n,
                 "SELECT count(*), sum(c) FROM (SELECT %s / 1440 d, count(*) c FROM ev WHERE %s"
                 " GROUP BY 1) s",
                 T, where);
    } else if (q->kind == 2) {
        snprintf(sql, n, "SELECT id FROM ev WHERE %s ORDER BY %s DESC, id DESC LIMIT 100", where,
                 T);
    } else if (pg) {
        snprintf(sql, n, "SELECT count(*), count(*) FROM ev WHERE %s", where);
    } else {
        int32_t tt0 = t_end - q->days * 1440;
        double dlat = 20000.0 / INCIDX_EARTH_RADIUS_M * 180 / M_PI * 1.001;
        double dlon = dlat / cos(q->minlat * M_PI / 180);
        snprintf(sql, n,
                 "SELECT minx / 1e6, miny / 1e6 FROM ev WHERE minx >= %lld AND maxx <= %lld AND"
                 " miny >= %lld AND maxy <= %lld AND mint >= %d AND mint < %d",
                 llround((q->minlon - dlon) * 1e6), llround((q->minlon + dlon) * 1e6),
                 llround((q->minlat - dlat) * 1e6), llround((q->minlat + dlat) * 1e6), tt0, t_end);
    }
}

static double hav(double lon1, double lat1, double lon2, double lat2)
{
    const double r = M_PI / 180.0;
    double a = sin((lat2 - lat1) * r / 2) * sin((lat2 - lat1) * r / 2) +
               cos(lat1 * r) * cos(lat2 * r) * sin((lon2 - lon1) * r / 2) *
                   sin((lon2 - lon1) * r / 2);
    return 2 * INCIDX_EARTH_RADIUS_M * asin(fmin(1, sqrt(a)));
}

static uint64_t run_lite(const query *q, uint32_t *ids100)
{
    char sql[2048];
    q_sql(q, false, sql, sizeof(sql));
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(lite, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n%s\n", sqlite3_errmsg(lite), sql);
        abort();
    }
    uint64_t answer = 0;
    size_t k = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (q->kind == 2) {
            if (ids100)
                ids100[k] = (uint32_t)sqlite3_column_int64(s, 0);
            k++;
            answer++;
        } else if (q->kind == 3) {
            answer += hav(q->minlon, q->minlat, sqlite3_column_double(s, 0),
                          sqlite3_column_double(s, 1)) <= 20000;
        } else {
            answer = (uint64_t)sqlite3_column_int64(s, 1);
        }
    }
    sqlite3_finalize(s);
    return answer;
}

/* ---- PostGIS ------------------------------------------------------------------ */

static PGconn *pg;

static void pg_exec(const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "postgres: %s\n%s\n", PQerrorMessage(pg), sql);
        exit(1);
    }
    PQclear(r);
}

static void pg_load(const incidx_event *ev, size_t n, double *secs, double *index_secs)
{
    pg_exec("DROP TABLE IF EXISTS ev");
    pg_exec("CREATE UNLOGGED TABLE ev(id bigint, geom geometry(Point,4326), t int, cat smallint,"
            " killed int)");
    int64_t t0 = pko_mono_us();
    PGresult *r = PQexec(pg, "COPY ev FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        exit(1);
    PQclear(r);
    char *buf = pko_malloc(1 << 20);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        used += (size_t)snprintf(buf + used, 256, "%u\tSRID=4326;POINT(%.9g %.9g)\t%d\t%d\t%d\n",
                                 ev[i].rowid, (double)ev[i].lon, (double)ev[i].lat, ev[i].t,
                                 ev[i].cat, ev[i].killed);
        if (used > (1 << 20) - 512 || i + 1 == n) {
            if (PQputCopyData(pg, buf, (int)used) != 1)
                exit(1);
            used = 0;
        }
    }
    pko_free(buf);
    if (PQputCopyEnd(pg, NULL) != 1)
        exit(1);
    r = PQgetResult(pg);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "COPY: %s\n", PQerrorMessage(pg));
        exit(1);
    }
    PQclear(r);
    *secs = (double)(pko_mono_us() - t0) / 1e6;
    t0 = pko_mono_us();
    pg_exec("CREATE INDEX ev_geom ON ev USING gist(geom)");
    pg_exec("CREATE INDEX ev_t ON ev(t)");
    pg_exec("ANALYZE ev");
    *index_secs = (double)(pko_mono_us() - t0) / 1e6;
}

static uint64_t run_pg(const query *q, uint32_t *ids100)
{
    char sql[2048];
    q_sql(q, true, sql, sizeof(sql));
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "postgres: %s\n%s\n", PQerrorMessage(pg), sql);
        exit(1);
    }
    uint64_t answer = 0;
    if (q->kind == 2) {
        answer = (uint64_t)PQntuples(r);
        for (int i = 0; ids100 && i < PQntuples(r); i++)
            ids100[i] = (uint32_t)strtoul(PQgetvalue(r, i, 0), NULL, 10);
    } else {
        answer = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return answer;
}

/* ==== Main ===================================================================== */

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int runs = 51;
    const char *pgconn = NULL, *centers_path = NULL, *workdir = "/tmp";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--events") == 0)
            n = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0)
            runs = atoi(argv[i + 1]); /* checksrc: bench argument */
        else if (strcmp(argv[i], "--pg") == 0)
            pgconn = argv[i + 1];
        else if (strcmp(argv[i], "--centers") == 0)
            centers_path = argv[i + 1];
        else if (strcmp(argv[i], "--workdir") == 0)
            workdir = argv[i + 1];
    }
    pko_log_set_level(PKO_LOG_WARN);
    load_centers(centers_path);
    for (size_t i = 0; i < incidents_n_categories(); i++) {
        const char *code = incidents_category_at(i)->code;
        if (strchr(code, '.') && n_leaf < 64)
            leaf_cats[n_leaf++] = (int)i;
    }
    qcat[0] = incidents_category_index("battles.armed_clash");
    qcat[1] = incidents_category_index("violence_against_civilians.attack");
    cat_ok = pko_calloc(incidents_n_categories(), 1);

    incidx_event *ev = pko_malloc(n * sizeof(*ev));
    for (size_t i = 0; i < n; i++)
        gen(&ev[i], (uint32_t)(i + 1));
    t_end = T0 + SPAN;

    /* PKO: build the index as `pko serve` does at start (put + compact). */
    int64_t t0 = pko_mono_us();
    incidx *x = incidx_new();
    for (size_t i = 0; i < n; i++)
        incidx_put(x, &ev[i]);
    incidx_compact(x);
    double pko_build = (double)(pko_mono_us() - t0) / 1e6;

    char litepath[512];
    snprintf(litepath, sizeof(litepath), "%s/bench-rtree.db", workdir);
    double lite_load_s;
    lite_load(litepath, ev, n, &lite_load_s);

    double pg_load_s = 0, pg_index_s = 0;
    if (pgconn) {
        pg = PQconnectdb(pgconn);
        if (PQstatus(pg) != CONNECTION_OK) {
            fprintf(stderr, "postgres: %s\n", PQerrorMessage(pg));
            return 1;
        }
        pg_load(ev, n, &pg_load_s, &pg_index_s);
    }
    printf("### %zu events\n\n", n);
    printf("Centres: %zu %s. Load: PKO index %.2f s (%.0f events/s, sort and grid included); "
           "SQLite R*Tree %.1f s (%.0f/s)",
           n_centers, n_centers > 100 ? "UCDP GED points" : "built-in towns", pko_build,
           n / pko_build, lite_load_s, n / lite_load_s);
    if (pgconn)
        printf("; PostGIS COPY %.1f s (%.0f/s) + indexes %.1f s (%.0f/s overall)", pg_load_s,
               n / pg_load_s, pg_index_s, n / (pg_load_s + pg_index_s));
    printf(".\n\n");
    printf("| query | what | answer | PKO p50 ms | PKO p99 ms | R*Tree p50 ms | PostGIS p50 ms | "
           "PostGIS p99 ms | PostGIS / PKO (p50) |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    double *ms = pko_malloc((size_t)runs * sizeof(double));
    int mismatches = 0;
    for (size_t qi = 0; qi < NQ; qi++) {
        const query *q = &queries[qi];
        uint32_t ids_a[100], ids_b[100], ids_c[100];
        uint64_t a = 0, b = 0, c = 0;
        for (int r = 0; r < runs; r++) {
            double s = now_ms();
            a = run_pko(x, q, ids_a);
            ms[r] = now_ms() - s;
        }
        stat_ sp = stats(ms, runs, a);
        int lruns = runs > 11 ? 11 : runs;
        for (int r = 0; r < lruns; r++) {
            double s = now_ms();
            b = run_lite(q, ids_b);
            ms[r] = now_ms() - s;
        }
        stat_ sl = stats(ms, lruns, b);
        stat_ sg = {0, 0, 0};
        if (pgconn) {
            for (int r = 0; r < lruns; r++) {
                double s = now_ms();
                c = run_pg(q, ids_c);
                ms[r] = now_ms() - s;
            }
            sg = stats(ms, lruns, c);
        }
        bool agree = a == b && (!pgconn || a == c);
        if (q->kind == 2 && agree)
            for (size_t i = 0; i < a; i++)
                agree &= ids_a[i] == ids_b[i] && (!pgconn || ids_a[i] == ids_c[i]);
        if (!agree) {
            mismatches++;
            fprintf(stderr, "%s: answers differ: PKO %llu, R*Tree %llu, PostGIS %llu\n", q->name,
                    (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
        }
        if (pgconn)
            printf("| %s | %s | %llu%s | %.4f | %.4f | %.2f | %.2f | %.2f | %.0f× |\n", q->name,
                   q->desc, (unsigned long long)a, agree ? "" : " (MISMATCH)", sp.p50, sp.p99,
                   sl.p50, sg.p50, sg.p99, sg.p50 / fmax(sp.p50, 1e-6));
        else
            printf("| %s | %s | %llu%s | %.4f | %.4f | %.2f | – | – | – |\n", q->name, q->desc,
                   (unsigned long long)a, agree ? "" : " (MISMATCH)", sp.p50, sp.p99, sl.p50);
    }
    printf("\nAnswers: the events counted (Q1–Q4, Q6) or returned (Q5); all engines %s.\n\n",
           mismatches ? "DISAGREE on some queries (see stderr)" : "agree on every query");
    pko_free(ms);
    incidx_free(x);
    pko_free(ev);
    sqlite3_close(lite);
    unlink(litepath);
    if (pg)
        PQfinish(pg);
    return mismatches ? 1 : 0;
}
