/* SPDX-License-Identifier: MIT
 *
 * The Hungarian algorithm (Kuhn-Munkres) with row and column potentials and
 * shortest augmenting paths, O(k^3) for a k x k matrix. A rectangular
 * matrix is padded to square with zero-cost dummy rows or columns; a row
 * matched to a dummy column is unassigned. Tested against brute force over
 * all permutations in tests/unit/modules/pcrs/test_pcrs.c.
 */
#include <float.h>

#include "core/alloc.h"
#include "modules/pcrs/pcrs.h"

double pcrs_hungarian(const double *cost, size_t n, size_t m, int *row_to_col)
{
    size_t k = n > m ? n : m;
    if (k == 0)
        return 0;
    /* 1-based arrays as in the classic formulation; index 0 is the virtual
     * row that starts each augmenting path. */
    double *u = pko_calloc(k + 1, sizeof(double));
    double *v = pko_calloc(k + 1, sizeof(double));
    double *minv = pko_calloc(k + 1, sizeof(double));
    size_t *p = pko_calloc(k + 1, sizeof(size_t)); /* p[j]: row matched to column j */
    size_t *way = pko_calloc(k + 1, sizeof(size_t));
    char *used = pko_calloc(k + 1, 1);
#define COST(i, j) ((i) <= n && (j) <= m ? cost[((i)-1) * m + ((j)-1)] : 0.0)
    for (size_t i = 1; i <= k; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= k; j++) {
            minv[j] = DBL_MAX;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            double delta = DBL_MAX;
            for (size_t j = 1; j <= k; j++) {
                if (used[j])
                    continue;
                double cur = COST(i0, j) - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (size_t j = 0; j <= k; j++) {
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
    double total = 0;
    for (size_t i = 0; i < n; i++)
        row_to_col[i] = -1;
    for (size_t j = 1; j <= k; j++) {
        size_t i = p[j];
        if (i >= 1 && i <= n && j <= m) {
            row_to_col[i - 1] = (int)(j - 1);
            total += cost[(i - 1) * m + (j - 1)];
        }
    }
#undef COST
    pko_free(u);
    pko_free(v);
    pko_free(minv);
    pko_free(p);
    pko_free(way);
    pko_free(used);
    return total;
}
