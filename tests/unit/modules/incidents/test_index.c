/* Unit tests for src/modules/incidents/index.c: every query is checked
 * against a brute-force scan of the same random events, across merges,
 * replacements and removals. */
#include "test_util.h"

#include <limits.h>
#include <math.h>

#include "core/alloc.h"
#include "modules/incidents/incidents.h"
#include "modules/incidents/incidents_int.h"

#define N 20000

static incidx_event evs[N + 5000];
static uint8_t alive[N + 5000];
static size_t n_evs;

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void make_event(incidx_event *e, uint32_t rowid)
{
    memset(e, 0, sizeof(*e));
    e->rowid = rowid;
    /* Clustered: half near two hotspots, half anywhere. */
    if (rnd() % 2) {
        double cx = (rnd() % 2) ? 22.0 : 36.5, cy = (rnd() % 2) ? 4.5 : 35.7;
        e->lon = (float)(cx + ((double)(rnd() % 2000) - 1000) / 500.0);
        e->lat = (float)(cy + ((double)(rnd() % 2000) - 1000) / 500.0);
    } else {
        e->lon = (float)((double)(rnd() % 36000) / 100.0 - 180.0);
        e->lat = (float)((double)(rnd() % 18000) / 100.0 - 90.0);
    }
    e->t = (int32_t)(rnd() % (30 * 365 * 1440)) + 10000000; /* ~1989-2019 */
    e->cat = (uint16_t)(rnd() % incidents_n_categories());
    e->status = (uint8_t)(rnd() % INC_STATUS_COUNT);
    e->cls = (uint8_t)(rnd() % 3);
    e->mission = (uint16_t)(rnd() % 4);
    e->killed = (int32_t)(rnd() % 20);
    e->casualties = e->killed + (int32_t)(rnd() % 5);
    e->perp = rnd() % 50;
    e->target = rnd() % 50;
    e->reporter = rnd() % 10;
}

static int brute_match(const incidx_filter *f, const incidx_event *e)
{
    if (e->t < f->t_from || e->t >= f->t_to || e->cls > f->clearance)
        return false;
    bool full = f->all_missions_full || (f->mission_full && f->mission_full[e->mission]);
    bool read = f->all_missions_read || (f->mission_read && f->mission_read[e->mission]);
    if (!full && (!read || (e->status != INC_VERIFIED && e->status != INC_PUBLISHED &&
                            !(f->me && e->reporter == f->me))))
        return false;
    if (f->has_bbox && (e->lon < f->minlon || e->lon > f->maxlon || e->lat < f->minlat ||
                        e->lat > f->maxlat))
        return false;
    if (f->cat_ok && !f->cat_ok[e->cat])
        return false;
    if (f->status_mask && !(f->status_mask & (1u << e->status)))
        return false;
    if (f->min_killed >= 0 && e->killed < f->min_killed)
        return false;
    if (f->actor && e->perp != f->actor && e->target != f->actor)
        return false;
    if (f->has_radius) {
        /* spherical law of cosines: an independent formula from the index's */
        double r = 3.14159265358979323846 / 180.0;
        double c = sin(f->rlat * r) * sin(e->lat * r) +
                   cos(f->rlat * r) * cos(e->lat * r) * cos((e->lon - f->rlon) * r);
        double d = INCIDX_EARTH_RADIUS_M * acos(fmax(-1.0, fmin(1.0, c)));
        if (d > f->radius_m + 0.5)
            return false;
        if (d > f->radius_m - 0.5)
            return -1; /* too close to the edge to judge with two formulas */
    }
    return true;
}

static incidx *build(void)
{
    incidx *x = incidx_new();
    n_evs = N;
    for (size_t i = 0; i < N; i++) {
        make_event(&evs[i], (uint32_t)(i + 1));
        alive[i] = 1;
        incidx_put(x, &evs[i]);
    }
    incidx_compact(x);
    /* Replace some, remove some, add some more without compacting. */
    for (int k = 0; k < 500; k++) {
        size_t i = rnd() % N;
        make_event(&evs[i], (uint32_t)(i + 1));
        incidx_put(x, &evs[i]);
    }
    for (int k = 0; k < 300; k++) {
        size_t i = rnd() % N;
        alive[i] = 0;
        incidx_remove(x, (uint32_t)(i + 1));
    }
    for (size_t i = N; i < N + 2000; i++) {
        make_event(&evs[i], (uint32_t)(i + 1));
        alive[i] = 1;
        incidx_put(x, &evs[i]);
    }
    n_evs = N + 2000;
    return x;
}

static uint8_t all_missions[4] = {1, 1, 1, 1};

/* A random filter with random access rights. */
static void random_filter(incidx_filter *f, uint8_t *cat_ok, uint8_t *full, uint8_t *read)
{
    incidx_filter_init(f);
    f->clearance = (int)(rnd() % 3);
    f->mission_full = full;
    f->mission_read = read;
    f->n_mission_bits = 4;
    for (int m = 0; m < 4; m++) {
        full[m] = rnd() % 3 == 0;
        read[m] = full[m] || rnd() % 2;
    }
    if (rnd() % 4 == 0)
        f->all_missions_full = true;
    f->me = rnd() % 3 == 0 ? 1 + rnd() % 9 : 0;
    if (rnd() % 3) {
        double w = (rnd() % 3 == 0) ? 0.3 : (rnd() % 2 ? 4 : 40);
        double cx = (rnd() % 2) ? 22 : 36.5, cy = (rnd() % 2) ? 4.5 : 35.7;
        f->has_bbox = true;
        f->minlon = cx - w;
        f->maxlon = cx + w;
        f->minlat = cy - w / 2;
        f->maxlat = cy + w / 2;
    }
    if (rnd() % 2) {
        f->t_from = 10000000 + (int32_t)(rnd() % (25 * 365 * 1440));
        f->t_to = f->t_from + (int32_t)(rnd() % (3 * 365 * 1440));
    }
    if (rnd() % 3 == 0) {
        size_t nc = incidents_n_categories();
        for (size_t i = 0; i < nc; i++)
            cat_ok[i] = rnd() % 3 == 0;
        f->cat_ok = cat_ok;
    }
    if (rnd() % 4 == 0)
        f->status_mask = (uint8_t)(rnd() % 64);
    if (rnd() % 4 == 0)
        f->min_killed = (int32_t)(rnd() % 15);
    if (rnd() % 6 == 0)
        f->actor = rnd() % 50;
    if (rnd() % 4 == 0)
        incidx_filter_radius(f, (rnd() % 2) ? 22.0 : 36.5, (rnd() % 2) ? 4.5 : 35.7,
                             1000.0 * (1 + rnd() % 200));
}

static void test_counts_and_clusters_match_brute_force(void **state)
{
    (void)state;
    incidx *x = build();
    size_t live = 0;
    for (size_t i = 0; i < n_evs; i++)
        live += alive[i];
    assert_int_equal(incidx_size(x), live);
    uint8_t cat_ok[128], full[4], read[4];
    for (int round = 0; round < 300; round++) {
        incidx_filter f;
        random_filter(&f, cat_ok, full, read);
        uint64_t want = 0, edge = 0;
        for (size_t i = 0; i < n_evs; i++) {
            int m = alive[i] ? brute_match(&f, &evs[i]) : 0;
            want += m == 1;
            edge += m == -1;
        }
        uint64_t got = incidx_count(x, &f);
        assert_true(got >= want && got <= want + edge);
        want = got;
        incidx_cluster *cl;
        size_t ncl;
        uint64_t total;
        pko_err e;
        pko_err_clear(&e);
        double cell = f.has_bbox ? 0.1 : 5;
        assert_int_equal(incidx_clusters(x, &f, cell, &cl, &ncl, &total, &e), PKO_OK);
        assert_int_equal(total, want);
        uint64_t sum = 0;
        for (size_t i = 0; i < ncl; i++) {
            sum += cl[i].count;
            if (f.has_bbox) {
                assert_true(cl[i].lon >= f.minlon - 1e-6 && cl[i].lon <= f.maxlon + 1e-6);
                assert_true(cl[i].lat >= f.minlat - 1e-6 && cl[i].lat <= f.maxlat + 1e-6);
            }
        }
        assert_int_equal(sum, want);
        pko_free(cl);
        uint64_t by_cat[128];
        incidx_count_by_category(x, &f, by_cat, NULL);
        uint64_t cat_sum = 0;
        for (size_t c = 0; c < incidents_n_categories(); c++)
            cat_sum += by_cat[c];
        assert_int_equal(cat_sum, want);
    }
    (void)all_missions;
    incidx_free(x);
}

static void test_list_is_newest_first_and_pages_without_gaps(void **state)
{
    (void)state;
    incidx *x = build();
    uint8_t cat_ok[128], full[4], read[4];
    incidx_event page[37];
    for (int round = 0; round < 40; round++) {
        incidx_filter f;
        random_filter(&f, cat_ok, full, read);
        uint64_t want = incidx_count(x, &f), got = 0;
        int32_t ct = INT32_MAX;
        uint32_t cr = 0;
        uint64_t prev = UINT64_MAX;
        for (;;) {
            size_t n = incidx_list(x, &f, ct, cr, 37, page);
            for (size_t i = 0; i < n; i++) {
                uint64_t key = ((uint64_t)((uint32_t)page[i].t ^ 0x80000000u) << 32) | page[i].rowid;
                assert_true(key < prev);
                prev = key;
                assert_true(alive[page[i].rowid - 1]);
                assert_true(brute_match(&f, &page[i]) != 0);
            }
            got += n;
            if (n < 37)
                break;
            ct = page[n - 1].t;
            cr = page[n - 1].rowid;
        }
        assert_int_equal(got, want);
    }
    incidx_free(x);
}

static void test_histogram_sums_to_count(void **state)
{
    (void)state;
    incidx *x = build();
    uint8_t cat_ok[128], full[4], read[4];
    for (int round = 0; round < 30; round++) {
        incidx_filter f;
        random_filter(&f, cat_ok, full, read);
        incidx_bucket b = (incidx_bucket)(round % 4);
        if (b == INCIDX_DAY && f.t_from == INT32_MIN)
            b = INCIDX_MONTH; /* 30 years of days is over the bucket cap */
        incidx_bin *bins;
        size_t n;
        pko_err e;
        pko_err_clear(&e);
        assert_int_equal(incidx_histogram(x, &f, b, &bins, &n, &e), PKO_OK);
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            sum += bins[i].count;
            if (i)
                assert_true(bins[i].start_day > bins[i - 1].start_day);
        }
        assert_int_equal(sum, incidx_count(x, &f));
        pko_free(bins);
    }
    incidx_free(x);
}

static void test_histogram_calendar_buckets(void **state)
{
    (void)state;
    incidx *x = incidx_new();
    int32_t t;
    assert_int_equal(incidents_parse_time("2024-01-31T23:59Z", &t), PKO_OK);
    incidx_event e = {.rowid = 1, .t = t, .lon = 1, .lat = 1};
    incidx_put(x, &e);
    assert_int_equal(incidents_parse_time("2024-02-29", &t), PKO_OK);
    e.rowid = 2;
    e.t = t;
    incidx_put(x, &e);
    incidx_filter f;
    incidx_filter_init(&f);
    f.all_missions_full = true;
    incidx_bin *bins;
    size_t n;
    pko_err err;
    pko_err_clear(&err);
    assert_int_equal(incidx_histogram(x, &f, INCIDX_MONTH, &bins, &n, &err), PKO_OK);
    assert_int_equal(n, 2);
    int32_t jan1, feb1;
    assert_int_equal(incidents_parse_time("2024-01-01", &jan1), PKO_OK);
    assert_int_equal(incidents_parse_time("2024-02-01", &feb1), PKO_OK);
    assert_int_equal(bins[0].start_day, jan1 / 1440);
    assert_int_equal(bins[1].start_day, feb1 / 1440);
    pko_free(bins);
    assert_int_equal(incidx_histogram(x, &f, INCIDX_WEEK, &bins, &n, &err), PKO_OK);
    /* 2024-01-29 (Monday) and 2024-02-26 (Monday): 5 weeks */
    assert_int_equal(n, 5);
    int32_t mon;
    assert_int_equal(incidents_parse_time("2024-01-29", &mon), PKO_OK);
    assert_int_equal(bins[0].start_day, mon / 1440);
    pko_free(bins);
    incidx_free(x);
}

static void test_time_parsing(void **state)
{
    (void)state;
    int32_t t;
    assert_int_equal(incidents_parse_time("1970-01-01", &t), PKO_OK);
    assert_int_equal(t, 0);
    assert_int_equal(incidents_parse_time("1970-01-02T01:30:00Z", &t), PKO_OK);
    assert_int_equal(t, 1440 + 90);
    assert_int_equal(incidents_parse_time("1970-01-02T01:30:00.250+01:00", &t), PKO_OK);
    assert_int_equal(t, 1440 + 30);
    assert_int_equal(incidents_parse_time("1950-06-25", &t), PKO_OK);
    assert_true(t < 0);
    assert_int_not_equal(incidents_parse_time("2023-02-29", &t), PKO_OK);
    assert_int_not_equal(incidents_parse_time("2024-13-01", &t), PKO_OK);
    assert_int_not_equal(incidents_parse_time("2024-01-01T25:00", &t), PKO_OK);
    assert_int_not_equal(incidents_parse_time("2024-01-01x", &t), PKO_OK);
    assert_int_not_equal(incidents_parse_time("1899-12-31", &t), PKO_OK);
    assert_int_not_equal(incidents_parse_time(NULL, &t), PKO_OK);
}

static void test_polygons(void **state)
{
    (void)state;
    double pts[2 * 8];
    size_t n;
    assert_int_equal(incidents_parse_polygon("21 4,23 4,23 5,21 5", pts, 8, &n), PKO_OK);
    assert_int_equal(n, 4);
    assert_true(pts[2] == 23 && pts[7] == 5);
    assert_int_not_equal(incidents_parse_polygon("21 4,23 4", pts, 8, &n), PKO_OK);
    assert_int_not_equal(incidents_parse_polygon("21 4,23 4,nan 5", pts, 8, &n), PKO_OK);
    assert_int_not_equal(incidents_parse_polygon("21 4,23 4,23 95", pts, 8, &n), PKO_OK);
    assert_int_not_equal(incidents_parse_polygon("21 4,23 4,23 5,", pts, 8, &n), PKO_OK);
    assert_int_not_equal(incidents_parse_polygon("21,4,23 4,23 5", pts, 8, &n), PKO_OK);
    assert_int_not_equal(incidents_parse_polygon("1 1,2 2,3 3,4 4,5 5,6 6,7 7,8 8,9 9", pts, 8,
                                                 &n),
                         PKO_OK);
    /* A square polygon selects what the same bounding box selects; a
     * triangle (half of it) selects fewer. */
    incidx *x = build();
    incidx_filter f, g;
    incidx_filter_init(&f);
    f.all_missions_full = true;
    f.clearance = 2;
    g = f;
    g.has_bbox = true;
    g.minlon = 21.3;
    g.maxlon = 22.7;
    g.minlat = 3.9;
    g.maxlat = 5.1;
    assert_int_equal(incidents_parse_polygon("21.3 3.9,22.7 3.9,22.7 5.1,21.3 5.1", pts, 8, &n),
                     PKO_OK);
    f.has_bbox = true;
    f.minlon = 21.3;
    f.maxlon = 22.7;
    f.minlat = 3.9;
    f.maxlat = 5.1;
    f.poly = pts;
    f.poly_n = n;
    uint64_t square = incidx_count(x, &f), box = incidx_count(x, &g);
    assert_true(box > 100);
    assert_true(square <= box && square + 5 >= box); /* edges may differ by a few */
    assert_int_equal(incidents_parse_polygon("21.3 3.9,22.7 3.9,22.7 5.1", pts, 8, &n), PKO_OK);
    f.poly_n = n;
    uint64_t tri = incidx_count(x, &f);
    assert_true(tri > box / 4 && tri < box * 3 / 4);
    incidx_free(x);
}

static void test_too_fine_grid_is_refused(void **state)
{
    (void)state;
    incidx *x = incidx_new();
    incidx_filter f;
    incidx_filter_init(&f);
    incidx_cluster *cl;
    size_t n;
    uint64_t total;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(incidx_clusters(x, &f, 0.01, &cl, &n, &total, &e), PKO_EINVAL);
    assert_string_equal(e.field, "cell");
    incidx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_clusters_match_brute_force),
        cmocka_unit_test(test_list_is_newest_first_and_pages_without_gaps),
        cmocka_unit_test(test_histogram_sums_to_count),
        cmocka_unit_test(test_histogram_calendar_buckets),
        cmocka_unit_test(test_time_parsing),
        cmocka_unit_test(test_polygons),
        cmocka_unit_test(test_too_fine_grid_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
