/* SPDX-License-Identifier: MIT
 *
 * The CPAS dashboard at the scale: one plan with N indicators
 * (default 1,000) of P approved monthly totals each (default 110, so
 * 110,000 data points), on 100 outcomes under 10 mandate priorities. The
 * data go through the real store into a temporary database (the plan by
 * cpas_plan_skeleton, indicators validated by cpas_validate_indicator,
 * every row by pko_tx_insert with its change record, in bulk mode as an
 * import), then the whole dashboard is recomputed R times:
 *
 *  - PKO: cpas_dashboard(), the code path of GET plans/{id}/dashboard
 *    (one query per table, the computations in C structs, the JSON with
 *    every reason, trend and completeness);
 *  - the peer: the same aggregation written in SQL on SQLite, one
 *    statement (window functions for the latest and previous approved
 *    totals, json_each for the targets, progress and status with the
 *    indicator's thresholds, change since baseline and since the last
 *    period, periods reported and overdue, and the weighted roll-up per
 *    outcome with progress clipped to 0..1), every row stepped.
 *
 * Both run on the same connection with a warm cache, alternately. Then
 * the two are compared: status of every indicator and progress of every
 * outcome must agree. Prints Markdown (median and fastest of R runs, the
 * ratio).
 *
 * Usage: bench_cpas [N_INDICATORS] [POINTS_PER_INDICATOR] [RUNS] [DIR]
 */
#include <math.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/http.h"
#include "modules/cpas/cpas.h"
#include "modules/missions/missions.h"

static unsigned long long seed = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % n);
}

static const char *peer_sql =
    "WITH pts AS ("
    "  SELECT d.indicator_id AS iid, d.period, d.value,"
    "   row_number() OVER (PARTITION BY d.indicator_id ORDER BY d.period DESC) AS rn"
    "  FROM cpas_datapoints d JOIN cpas_indicators i ON i.id = d.indicator_id"
    "  WHERE i.plan_id = ?1 AND i.classification <= ?2 AND d.status = 'approved'"
    "   AND d.disagg_key = '{}' AND d.value IS NOT NULL AND d.classification <= ?2"
    "   AND d.period < ?4),"
    " latest AS (SELECT iid, max(CASE WHEN rn = 1 THEN period END) AS lp,"
    "   max(CASE WHEN rn = 1 THEN value END) AS lv, max(CASE WHEN rn = 2 THEN period END) AS pp,"
    "   max(CASE WHEN rn = 2 THEN value END) AS pv, count(*) AS n FROM pts GROUP BY iid),"
    " tg AS (SELECT i.id AS iid, t.key AS period, t.value AS value"
    "   FROM cpas_indicators i, json_each(i.targets) t WHERE i.plan_id = ?1),"
    " ind AS MATERIALIZED (SELECT i.id, i.node_id, i.direction, i.baseline_value AS bv,"
    "   coalesce(i.baseline_value, 0) AS base, coalesce(i.on_track, 0.9) AS ont,"
    "   coalesce(i.at_risk, 0.6) AS ar, coalesce(i.weight, 1) AS w,"
    "   l.lp, l.lv, l.pp, l.pv, coalesce(l.n, 0) AS n,"
    "   coalesce((SELECT value FROM tg WHERE tg.iid = i.id AND tg.period = l.lp),"
    "    (SELECT value FROM tg WHERE tg.iid = i.id AND tg.period > l.lp ORDER BY tg.period"
    "     LIMIT 1),"
    "    (SELECT value FROM tg WHERE tg.iid = i.id ORDER BY tg.period DESC LIMIT 1)) AS target"
    "  FROM cpas_indicators i LEFT JOIN latest l ON l.iid = i.id"
    "  WHERE i.plan_id = ?1 AND i.classification <= ?2),"
    " prog AS MATERIALIZED (SELECT *, CASE WHEN lv IS NULL OR target IS NULL THEN NULL"
    "   WHEN target = base THEN CASE WHEN (direction = 'increase' AND lv >= target)"
    "    OR (direction = 'decrease' AND lv <= target) THEN 1.0 ELSE 0.0 END"
    "   ELSE (lv - base) / (target - base) END AS progress FROM ind)"
    " SELECT 'indicator', id, CASE WHEN lv IS NULL THEN 'no_data' WHEN target IS NULL"
    "   THEN 'no_target' WHEN progress >= ont THEN 'on_track' WHEN progress >= ar"
    "   THEN 'at_risk' ELSE 'off_track' END, progress, lp, lv, target,"
    "   lv - bv, lv - pv, pp, n, ?3 - n"
    "  FROM prog"
    " UNION ALL"
    " SELECT 'outcome', o.id, NULL,"
    "   sum(CASE WHEN p.progress IS NULL THEN 0 ELSE p.w * min(max(p.progress, 0), 1) END)"
    "    / nullif(sum(CASE WHEN p.progress IS NULL THEN 0 ELSE p.w END), 0),"
    "   NULL, NULL, NULL, NULL, NULL, NULL, count(p.id), NULL"
    "  FROM cpas_nodes o LEFT JOIN cpas_nodes n ON n.id = o.id OR n.parent_id = o.id"
    "   LEFT JOIN prog p ON p.node_id = n.id"
    "  WHERE o.plan_id = ?1 AND o.level = 'outcome' GROUP BY o.id";

/* CPU time of this process in microseconds (less sensitive than the wall
 * clock to other processes on a shared machine). */
static int64_t cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what, pko_err *e)
{
    fprintf(stderr, "bench_cpas: %s: %s\n", what, e->msg);
    exit(1);
}

int main(int argc, char **argv)
{
    int n_ind = argc > 1 ? atoi(argv[1]) : 1000;
    int n_pts = argc > 2 ? atoi(argv[2]) : 110;
    int runs = argc > 3 ? atoi(argv[3]) : 9;
    const char *base = argc > 4 ? argv[4] : "/tmp";
    if (n_ind < 100 || n_pts < 2 || n_pts > 600 || runs < 1 || runs > 101) {
        fprintf(stderr, "usage: bench_cpas [N_INDICATORS>=100] [POINTS 2..600] [RUNS] [DIR]\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    pko_log_set_level(PKO_LOG_WARN);
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/pko-bench-cpas-XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/bench.db", dir);
    pko_err e;
    pko_err_clear(&e);
    pko_store *st;
    pko_store_opts o = {.create = true, .pool_size = 2, .busy_timeout_ms = 2000};
    if (pko_store_open(path, &o, &st, &e) || pko_modules_setup(st, NULL, &e))
        die("store", &e);
    pko_db *db = pko_store_acquire(st);
    pko_actor actor = {"system", "bench"};
    pko_tx *tx;
    char mid[PKO_ID_LEN];
    json_t *m = json_pack("{s:s, s:s, s:s}", "name", "Bench mission", "acronym", "BENCH",
                          "status", "active");
    if (pko_tx_begin(db, &actor, &tx, &e) || pko_tx_insert(tx, &pko_entity_mission, m, mid, &e) ||
        pko_tx_commit(tx, &e))
        die("mission", &e);
    json_decref(m);

    /* The plan: months 2017-01 .. (n_pts months), 10 priorities x 10
     * outcomes. */
    int first = 2017 * 12, last = first + n_pts - 1;
    char ps[16], pe[16];
    cpas_period_of_month(CPAS_MONTHLY, first, ps);
    cpas_period_of_month(CPAS_MONTHLY, last, pe);
    json_t *outs = json_array();
    for (int p = 0; p < 10; p++)
        for (int k = 0; k < 10; k++) {
            char pt[64], ot[64];
            snprintf(pt, sizeof(pt), "Mandate priority %d", p + 1);
            snprintf(ot, sizeof(ot), "Intended outcome %d.%d", p + 1, k + 1);
            json_array_append_new(outs, json_pack("{s:s, s:s}", "priority", pt, "outcome", ot));
        }
    int64_t t0 = pko_mono_ms();
    json_t *plan;
    if (pko_tx_begin(db, &actor, &tx, &e) ||
        cpas_plan_skeleton(tx, NULL, mid, ps, pe, "bench", outs, &plan, &e))
        die("plan", &e);
    if (pko_tx_commit(tx, &e))
        die("plan commit", &e);
    json_decref(outs);
    json_t *outcome_ids = json_array();
    size_t i;
    json_t *pr;
    json_array_foreach(json_object_get(plan, "priorities"), i, pr)
    {
        size_t j;
        json_t *oc;
        json_array_foreach(json_object_get(pr, "children"), j, oc)
            json_array_append(outcome_ids, json_object_get(oc, "id"));
    }
    /* Indicators and their data, in one bulk transaction. */
    if (pko_tx_begin(db, &actor, &tx, &e) || pko_tx_bulk(tx, "bench", "bench data", &e))
        die("bulk", &e);
    const char *pid = json_string_value(json_object_get(plan, "id"));
    long n_rows = 0;
    for (int k = 0; k < n_ind; k++) {
        bool inc = rnd(2);
        double b = 50 + rnd(100);
        json_t *tg = json_object();
        for (int mth = first + 11; mth <= last; mth += 12) {
            char per[16];
            cpas_period_of_month(CPAS_MONTHLY, mth, per);
            double goal = b + (inc ? 1 : -1) * (double)(5 + rnd(40)) * (mth - first) / 12.0 / 2;
            json_object_set_new(tg, per, json_real(goal));
        }
        char name[64];
        snprintf(name, sizeof(name), "Indicator %d", k + 1);
        char bp[16];
        cpas_period_of_month(CPAS_MONTHLY, first - 1, bp);
        json_t *x = json_pack("{s:O, s:s, s:s, s:s, s:s, s:f, s:s, s:o, s:f}", "node_id",
                              json_array_get(outcome_ids, (size_t)k % json_array_size(outcome_ids)),
                              "name", name, "kind", "quantitative", "direction",
                              inc ? "increase" : "decrease", "frequency", "monthly",
                              "baseline_value", b, "baseline_period", bp, "targets", tg, "weight",
                              (double)(1 + rnd(3)));
        if (cpas_validate_indicator(x, first, last, &e))
            die("indicator", &e);
        json_object_set_new(x, "mission_id", json_string(mid));
        json_object_set_new(x, "plan_id", json_string(pid));
        char xid[PKO_ID_LEN];
        if (pko_tx_insert(tx, &cpas_entity_indicator, x, xid, &e))
            die("indicator insert", &e);
        json_decref(x);
        double v = b;
        for (int mth = first; mth < first + n_pts; mth++) {
            v += (inc ? 1 : -1) * ((double)rnd(100) / 25.0 - 1.2);
            char per[16];
            cpas_period_of_month(CPAS_MONTHLY, mth, per);
            json_t *d = json_pack("{s:s, s:s, s:s, s:f, s:s, s:{}, s:s}", "mission_id", mid,
                                  "indicator_id", xid, "period", per, "value", round(v * 10) / 10,
                                  "disagg_key", "{}", "disaggregation", "status", "approved");
            char did[PKO_ID_LEN];
            if (pko_tx_insert(tx, &cpas_entity_datapoint, d, did, &e))
                die("datapoint insert", &e);
            json_decref(d);
            n_rows++;
        }
    }
    if (pko_tx_commit(tx, &e))
        die("data commit", &e);
    int64_t t_load = pko_mono_ms() - t0;

    int as_of = last + 1;
    char asof[16];
    cpas_period_of_month(CPAS_MONTHLY, as_of, asof);
    cpas_dash_opts opts = {PKO_CLASS_STRICTLY_CONFIDENTIAL, as_of, true, &actor};
    double *c_ms = calloc((size_t)runs, sizeof(double)), *s_ms = calloc((size_t)runs, sizeof(double));
    double *c_cpu = calloc((size_t)runs, sizeof(double)), *s_cpu = calloc((size_t)runs, sizeof(double));
    json_t *dash = NULL;
    pko_stmt *s;
    if (pko_db_prepare(db, peer_sql, &s, &e))
        die("peer SQL", &e);
    /* Warm-up of both, then alternate. */
    for (int r = -1; r < runs; r++) {
        int64_t a = pko_mono_us(), ca = cpu_us();
        json_decref(dash);
        dash = NULL;
        if (cpas_dashboard(db, plan, &opts, &dash, &e))
            die("dashboard", &e);
        int64_t b2 = pko_mono_us(), cb = cpu_us();
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, pid, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, PKO_CLASS_STRICTLY_CONFIDENTIAL);
        sqlite3_bind_int(s, 3, n_pts);
        sqlite3_bind_text(s, 4, asof, -1, SQLITE_STATIC);
        int row, nrow = 0;
        while (!pko_db_step(db, s, &row, &e) && row)
            nrow++;
        int64_t c2 = pko_mono_us(), cc = cpu_us();
        if (r >= 0) {
            c_ms[r] = (double)(b2 - a) / 1000.0;
            s_ms[r] = (double)(c2 - b2) / 1000.0;
            c_cpu[r] = (double)(cb - ca) / 1000.0;
            s_cpu[r] = (double)(cc - cb) / 1000.0;
        }
        if (nrow != n_ind + (int)json_array_size(outcome_ids))
            fprintf(stderr, "bench_cpas: the SQL gave %d rows\n", nrow);
    }
    /* Agreement: every indicator's status and every outcome's progress. */
    json_t *st_c = json_object(), *out_c = json_object();
    json_array_foreach(json_object_get(dash, "indicators"), i, pr)
        json_object_set(st_c, json_string_value(json_object_get(pr, "id")),
                        json_object_get(pr, "status"));
    json_array_foreach(json_object_get(dash, "outcomes"), i, pr)
        json_object_set(out_c, json_string_value(json_object_get(pr, "node_id")),
                        json_object_get(pr, "progress"));
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, pid, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, PKO_CLASS_STRICTLY_CONFIDENTIAL);
    sqlite3_bind_int(s, 3, n_pts);
    sqlite3_bind_text(s, 4, asof, -1, SQLITE_STATIC);
    int row, agree_ind = 0, agree_out = 0, n_i = 0, n_o = 0;
    while (!pko_db_step(db, s, &row, &e) && row) {
        const char *kind = (const char *)sqlite3_column_text(s, 0);
        const char *id = (const char *)sqlite3_column_text(s, 1);
        if (!strcmp(kind, "indicator")) {
            n_i++;
            const char *sst = (const char *)sqlite3_column_text(s, 2);
            agree_ind += !strcmp(sst, json_string_value(json_object_get(st_c, id)));
        } else {
            n_o++;
            json_t *cp = json_object_get(out_c, id);
            bool sn = sqlite3_column_type(s, 3) == SQLITE_NULL;
            agree_out += (sn && json_is_null(cp)) ||
                         (!sn && json_is_number(cp) &&
                          fabs(sqlite3_column_double(s, 3) - json_number_value(cp)) < 1e-9);
        }
    }
    sqlite3_reset(s);
    json_t *sum = json_object_get(dash, "summary");
    qsort(c_ms, (size_t)runs, sizeof(double), by_double);
    qsort(s_ms, (size_t)runs, sizeof(double), by_double);
    qsort(c_cpu, (size_t)runs, sizeof(double), by_double);
    qsort(s_cpu, (size_t)runs, sizeof(double), by_double);
    double cm = c_ms[runs / 2], sm = s_ms[runs / 2];
    printf("%d indicators x %d approved monthly totals = %ld data points on %zu outcomes "
           "(written through the store in %.1f s). Whole dashboard recomputed %d times on one "
           "warm connection, alternating with the peer.\n\n",
           n_ind, n_pts, n_rows, json_array_size(outcome_ids), (double)t_load / 1000.0, runs);
    printf("| | median (wall) | fastest (wall) | median (CPU) | fastest (CPU) |\n"
           "|---|---:|---:|---:|---:|\n");
    printf("| PKO `cpas_dashboard()` (queries + C + JSON with reasons) | %.1f ms | %.1f ms | %.1f ms "
           "| %.1f ms |\n", cm, c_ms[0], c_cpu[runs / 2], c_cpu[0]);
    printf("| the same aggregation in one SQL statement on SQLite %s | %.1f ms | %.1f ms | %.1f ms "
           "| %.1f ms |\n", sqlite3_libversion(), sm, s_ms[0], s_cpu[runs / 2], s_cpu[0]);
    printf("\nRatio PKO / SQL: **%.2f** by median wall time, %.2f by median CPU time. Target 50 ms: "
           "median wall %.1f ms (%s), median CPU %.1f ms (%s).\n",
           cm / sm, c_cpu[runs / 2] / s_cpu[runs / 2], cm, cm <= 50 ? "met" : "not met",
           c_cpu[runs / 2], c_cpu[runs / 2] <= 50 ? "met" : "not met");
    printf("Agreement: status of %d of %d indicators and progress of %d of %d outcomes identical "
           "(on track %lld, at risk %lld, off track %lld, no data %lld, no target %lld).\n",
           agree_ind, n_i, agree_out, n_o, (long long)json_integer_value(json_object_get(sum, "on_track")),
           (long long)json_integer_value(json_object_get(sum, "at_risk")),
           (long long)json_integer_value(json_object_get(sum, "off_track")),
           (long long)json_integer_value(json_object_get(sum, "no_data")),
           (long long)json_integer_value(json_object_get(sum, "no_target")));
    json_decref(st_c);
    json_decref(out_c);
    json_decref(dash);
    json_decref(plan);
    json_decref(outcome_ids);
    free(c_ms);
    free(s_ms);
    free(c_cpu);
    free(s_cpu);
    pko_store_release(st, db);
    pko_store_close(st);
    char rm[700];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
    if (system(rm) != 0)
        fprintf(stderr, "bench_cpas: could not remove %s\n", dir);
    return agree_ind == n_i && agree_out == n_o ? 0 : 3;
}
