/* SPDX-License-Identifier: MIT
 *
 * The Hungarian algorithm (Kuhn-Munkres) with row and column potentials and
 * shortest augmenting paths, for an n x m matrix of any shape: the smaller
 * side (R) is matched into the larger (C) in O(R^2 C), without padding to
 * a square. Matching every row of the smaller side is the same problem as
 * the square one padded with zero-cost dummies, since a dummy pair costs
 * 0 either way. Tested against brute force over all assignments in
 * tests/unit/modules/pcrs/test_pcrs.c.
 */
#include <float.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"
#include "modules/pcrs/pcrs.h"

/* 'u_out' (n entries, may be NULL; only when n <= m) receives the row
 * potentials: with them and column potentials that are 0 on every
 * unmatched column, u_i + v_j <= cost_ij for every pair and equality on
 * the matched ones. */
static double solve(const double *cost, size_t n, size_t m, int *row_to_col, double *u_out)
{
    for (size_t i = 0; i < n; i++)
        row_to_col[i] = -1;
    if (n == 0 || m == 0)
        return 0;
    /* Rows are the smaller side: transpose when n > m. */
    bool tr = n > m;
    size_t R = tr ? m : n, C = tr ? n : m;
    const double *a = cost;
    double *t = NULL;
    if (tr) {
        t = pko_malloc(R * C * sizeof(double));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < m; j++)
                t[j * C + i] = cost[i * m + j];
        a = t;
    }
    /* 1-based as in the classic formulation; column 0 is the virtual one
     * that starts each augmenting path. */
    double *u = pko_calloc(R + 1, sizeof(double));
    double *v = pko_calloc(C + 1, sizeof(double));
    double *minv = pko_malloc((C + 1) * sizeof(double));
    size_t *p = pko_calloc(C + 1, sizeof(size_t)); /* p[j]: row matched to column j */
    size_t *way = pko_calloc(C + 1, sizeof(size_t));
    char *used = pko_malloc(C + 1);
    for (size_t i = 1; i <= R; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= C; j++)
            minv[j] = DBL_MAX;
        memset(used, 0, C + 1);
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            double delta = DBL_MAX, ui = u[i0];
            const double *row = a + (i0 - 1) * C - 1; /* row[j], j = 1..C */
            for (size_t j = 1; j <= C; j++) {
                if (used[j])
                    continue;
                double cur = row[j] - ui - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (size_t j = 0; j <= C; j++) {
                if (used[j]) {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    if (u_out && !tr)
        for (size_t i = 0; i < n; i++)
            u_out[i] = u[i + 1];
    double total = 0;
    for (size_t j = 1; j <= C; j++) {
        size_t i = p[j];
        if (i == 0)
            continue;
        size_t row = tr ? j - 1 : i - 1, col = tr ? i - 1 : j - 1;
        row_to_col[row] = (int)col;
        total += cost[row * m + col];
    }
    pko_free(t);
    pko_free(u);
    pko_free(v);
    pko_free(minv);
    pko_free(p);
    pko_free(way);
    pko_free(used);
    return total;
}

double pcrs_hungarian(const double *cost, size_t n, size_t m, int *row_to_col)
{
    return solve(cost, n, m, row_to_col, NULL);
}

double pcrs_hungarian_duals(const double *cost, size_t n, size_t m, int *row_to_col, double *u)
{
    return solve(cost, n, m, row_to_col, n <= m ? u : NULL);
}
