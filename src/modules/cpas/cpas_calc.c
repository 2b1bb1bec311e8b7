/* SPDX-License-Identifier: MIT
 *
 * CPAS computations as pure functions: periods, an indicator's status
 * against its target with the reason in words, its trend, and which
 * reporting periods are overdue. No store, no HTTP: unit-tested directly.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cpas/cpas.h"

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool cpas_period_parse(const char *p, int *first, int *last, cpas_freq *freq)
{
    if (!p)
        return false;
    size_t n = strlen(p);
    int y = n >= 4 ? digits(p, 4) : -1;
    if (y < 1945)
        return false;
    int f, l;
    cpas_freq k;
    if (n == 4) {
        f = y * 12;
        l = f + 11;
        k = CPAS_ANNUAL;
    } else if (n == 7 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' && p[6] <= '4') {
        f = y * 12 + (p[6] - '1') * 3;
        l = f + 2;
        k = CPAS_QUARTERLY;
    } else if (n == 7 && p[4] == '-') {
        int m = digits(p + 5, 2);
        if (m < 1 || m > 12)
            return false;
        f = l = y * 12 + m - 1;
        k = CPAS_MONTHLY;
    } else {
        return false;
    }
    if (first)
        *first = f;
    if (last)
        *last = l;
    if (freq)
        *freq = k;
    return true;
}

int cpas_freq_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "monthly"))
        return CPAS_MONTHLY;
    if (!strcmp(s, "quarterly"))
        return CPAS_QUARTERLY;
    if (!strcmp(s, "annual"))
        return CPAS_ANNUAL;
    return -1;
}

const char *cpas_freq_name(cpas_freq f)
{
    return f == CPAS_MONTHLY ? "monthly" : f == CPAS_QUARTERLY ? "quarterly" : "annual";
}

void cpas_period_of_month(cpas_freq f, int m, char out[16])
{
    int y = m / 12, mo = m % 12;
    if (f == CPAS_MONTHLY)
        snprintf(out, 16, "%04d-%02d", y % 10000, mo + 1);
    else if (f == CPAS_QUARTERLY)
        snprintf(out, 16, "%04d-Q%d", y % 10000, mo / 3 + 1);
    else
        snprintf(out, 16, "%04d", y % 10000);
}

/* Order of periods: by last month, then first month. */
static int period_key(const char *p, int *first, int *last)
{
    if (!cpas_period_parse(p, first, last, NULL)) {
        *first = *last = -1;
        return 0;
    }
    return 1;
}

void cpas_indicator_status(const cpas_ind_in *in, cpas_ind_out *out)
{
    memset(out, 0, sizeof(*out));
    double on = in->on_track > 0 ? in->on_track : 0.9;
    double risk = in->at_risk > 0 ? in->at_risk : 0.6;
    /* Latest and previous actuals by period end. */
    int li = -1, pi = -1, lf = 0, ll = -1, pf = 0, pl = -1;
    for (size_t i = 0; i < in->n_actuals; i++) {
        int f, l;
        if (!period_key(in->actuals[i].period, &f, &l))
            continue;
        if (li < 0 || l > ll || (l == ll && f > lf)) {
            pi = li, pf = lf, pl = ll;
            li = (int)i, lf = f, ll = l;
        } else if (pi < 0 || l > pl || (l == pl && f > pf)) {
            pi = (int)i, pf = f, pl = l;
        }
    }
    if (li < 0) {
        out->status = "no_data";
        snprintf(out->reason, sizeof(out->reason), "no approved data point yet");
        return;
    }
    out->has_latest = true;
    out->latest = in->actuals[li].value;
    snprintf(out->latest_period, 16, "%s", in->actuals[li].period);
    if (in->has_baseline) {
        out->has_change_baseline = true;
        out->change_baseline = out->latest - in->baseline;
    }
    if (pi >= 0) {
        out->has_change_last = true;
        out->change_last = out->latest - in->actuals[pi].value;
        snprintf(out->previous_period, 16, "%s", in->actuals[pi].period);
    }
    /* The target: the one for the latest period, else the first one due
     * after it (what the mission works towards), else the last one. */
    int ti = -1, tf = 0, tl = 0;
    for (size_t i = 0; i < in->n_targets; i++) {
        int f, l;
        if (!period_key(in->targets[i].period, &f, &l))
            continue;
        if (f == lf && l == ll) {
            ti = (int)i;
            break;
        }
    }
    if (ti < 0) {
        for (size_t i = 0; i < in->n_targets; i++) {
            int f, l;
            if (!period_key(in->targets[i].period, &f, &l) || l < ll)
                continue;
            if (ti < 0 || l < tl || (l == tl && f < tf))
                ti = (int)i, tf = f, tl = l;
        }
    }
    if (ti < 0) {
        for (size_t i = 0; i < in->n_targets; i++) {
            int f, l;
            if (!period_key(in->targets[i].period, &f, &l))
                continue;
            if (ti < 0 || l > tl)
                ti = (int)i, tf = f, tl = l;
        }
    }
    if (ti < 0) {
        out->status = "no_target";
        snprintf(out->reason, sizeof(out->reason), "latest value %g (%s); the indicator has no target",
                 out->latest, out->latest_period);
        return;
    }
    out->has_target = true;
    out->target = in->targets[ti].value;
    snprintf(out->target_period, 16, "%s", in->targets[ti].period);
    double base = in->has_baseline ? in->baseline : 0;
    const char *good = in->direction < 0 ? "lower" : "higher";
    double progress;
    if (fabs(out->target - base) < 1e-12) {
        bool meets = (in->direction < 0 ? -1 : 1) * (out->latest - out->target) >= 0;
        progress = meets ? 1 : 0;
    } else {
        progress = (out->latest - base) / (out->target - base);
    }
    out->has_progress = true;
    out->progress = progress;
    const char *word;
    if (progress >= on) {
        out->status = "on_track";
        word = "at or above";
    } else if (progress >= risk) {
        out->status = "at_risk";
        word = "below";
    } else {
        out->status = "off_track";
        word = "below";
    }
    char thr[96];
    if (!strcmp(out->status, "on_track"))
        snprintf(thr, sizeof(thr), "the on-track threshold %.0f%%", on * 100);
    else if (!strcmp(out->status, "at_risk"))
        snprintf(thr, sizeof(thr), "the on-track threshold %.0f%% but at or above the at-risk "
                                   "threshold %.0f%%", on * 100, risk * 100);
    else
        snprintf(thr, sizeof(thr), "the at-risk threshold %.0f%%", risk * 100);
    snprintf(out->reason, sizeof(out->reason),
             "latest value %g (%s) against target %g (%s) from %s %g (%s is better): "
             "%.0f%% of the way, %s %s",
             out->latest, out->latest_period, out->target, out->target_period,
             in->has_baseline ? "baseline" : "zero (no baseline)", base, good, progress * 100,
             word, thr);
}

size_t cpas_overdue(cpas_freq f, int plan_first, int plan_last, int as_of,
                    const char *const *reported, size_t n, char (*overdue)[16], size_t cap,
                    size_t *expected)
{
    size_t due = 0, late = 0;
    if (plan_last < plan_first) {
        *expected = 0;
        return 0;
    }
    /* Which periods of kind 'f' were reported, by their first month
     * (a bitmap over the plan's months: no string comparisons). */
    size_t span = (size_t)(plan_last - plan_first + 1);
    unsigned char stack_seen[512];
    unsigned char *seen = span <= sizeof(stack_seen) ? stack_seen : calloc(span, 1);
    if (seen == stack_seen)
        memset(seen, 0, span);
    for (size_t i = 0; seen && i < n; i++) {
        int rf, rl;
        cpas_freq rk;
        if (reported[i] && cpas_period_parse(reported[i], &rf, &rl, &rk) && rk == f &&
            rf >= plan_first && rf <= plan_last)
            seen[rf - plan_first] = 1;
    }
    int step = f == CPAS_MONTHLY ? 1 : f == CPAS_QUARTERLY ? 3 : 12;
    int m0 = plan_first - (f == CPAS_MONTHLY ? 0 : ((plan_first % step) + step) % step);
    for (int pf = m0; pf <= plan_last; pf += step) {
        int pl = pf + step - 1;
        if (pf < plan_first || pl > plan_last || pl >= as_of)
            continue;
        due++;
        if (seen && seen[pf - plan_first])
            continue;
        if (late < cap)
            cpas_period_of_month(f, pf, overdue[late]);
        late++;
    }
    if (seen != stack_seen)
        free(seen);
    *expected = due;
    return late;
}

bool cpas_rollup(const cpas_rollup_in *in, size_t n, double *progress, size_t *used,
                 size_t *missing)
{
    double sum = 0, wsum = 0;
    size_t u = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in[i].has_progress || !isfinite(in[i].progress)) {
            m++;
            continue;
        }
        double w = in[i].weight > 0 ? in[i].weight : 1;
        double p = in[i].progress < 0 ? 0 : in[i].progress > 1 ? 1 : in[i].progress;
        sum += w * p;
        wsum += w;
        u++;
    }
    if (used)
        *used = u;
    if (missing)
        *missing = m;
    if (!u)
        return false;
    *progress = sum / wsum;
    return true;
}

const char *cpas_status_of(double progress, double on, double risk)
{
    return progress >= on ? "on_track" : progress >= risk ? "at_risk" : "off_track";
}

size_t cpas_sum_periods(cpas_freq f, int plan_first, int plan_last, int as_of, const int *months,
                        const double *vals, size_t n, cpas_point *out, size_t cap)
{
    size_t k = 0;
    char prev[16] = "";
    for (int m = plan_first; m <= plan_last; m++) {
        char p[16];
        cpas_period_of_month(f, m, p);
        if (!strcmp(p, prev))
            continue;
        snprintf(prev, sizeof(prev), "%s", p);
        int pf, pl;
        if (!cpas_period_parse(p, &pf, &pl, NULL) || pf < plan_first || pl > plan_last ||
            pl >= as_of)
            continue;
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            if (months[i] >= pf && months[i] <= pl)
                sum += vals[i];
        if (k < cap) {
            memcpy(out[k].period, p, 16);
            out[k].value = sum;
        }
        k++;
    }
    return k;
}
