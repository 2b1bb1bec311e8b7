/* SPDX-License-Identifier: MIT
 *
 * The CPAS dashboard engine: one query per table (indicators, approved
 * totals, framework nodes), the figures computed in C structs, then the
 * JSON. Computed indicators: incident measures (one grouped query each)
 * and formulas over other indicators of the plan (numerator / denominator
 * x factor in the style of DHIS2), evaluated in dependency order.
 *
 * Reads are limited to the plan's records at or below the caller's
 * clearance (the plan itself was read through the scoped pko_db_get);
 * reads of confidential records are audited as pko_db_get would.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cpas/cpas.h"

typedef struct dpt {
    char period[16];
    double value;
    bool has;
} dpt;

typedef struct dind {
    char id[PKO_ID_LEN];
    char node_id[PKO_ID_LEN];
    char *name;
    char code[CPAS_CODE_MAX + 1];
    int dir;
    bool has_base;
    double base, on, risk, weight;
    cpas_freq freq;
    cpas_point *tg;
    size_t nt;
    dpt *pts; /* approved totals as stored (entered indicators) */
    size_t np, capp;
    json_t *computed; /* NULL when entered */
    int kind;         /* 0 entered, 1 incidents, 2 formula */
    cpas_point *vals; /* computed values per period (kinds 1 and 2) */
    size_t nv;
    int state; /* formula evaluation: 0 not yet, 1 in progress, 2 done */
    int outcome;
} dind;

typedef struct dnode {
    char id[PKO_ID_LEN];
    char parent[PKO_ID_LEN];
    char level[12];
    char *title;
} dnode;

typedef struct dash {
    pko_db *db;
    const cpas_dash_opts *o;
    const char *mission_id;
    int pf, pl;
    dind *ind;
    size_t n;
    dnode *nodes;
    size_t nn;
    json_t *audit; /* [[entity, id, classification]] of confidential reads */
    json_t *conf_rows; /* [[rowid, classification]] of confidential data points */
} dash;

static void note_read(dash *d, const char *entity, const char *id, int cls)
{
    if (cls >= PKO_CLASS_CONFIDENTIAL)
        json_array_append_new(d->audit, json_pack("[s, s, s]", entity, id, pko_class_name(cls)));
}

static char *dup_col(pko_stmt *s, int c)
{
    const char *t = (const char *)sqlite3_column_text(s, c);
    return strdup(t ? t : "");
}

static void copy_col(pko_stmt *s, int c, char *out, size_t n)
{
    const char *t = (const char *)sqlite3_column_text(s, c);
    size_t len = t ? (size_t)sqlite3_column_bytes(s, c) : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(out, t, len);
    out[len] = 0;
}

static pko_rc load_indicators(dash *d, const char *pid, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        d->db,
        "SELECT id, node_id, name, direction, baseline_value, targets, frequency, on_track,"
        " at_risk, weight, computed, code, classification FROM cpas_indicators"
        " WHERE plan_id = ?1 AND classification <= ?2 ORDER BY rowid",
        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, d->o->clearance);
    size_t cap = 0;
    int row;
    while (!(rc = pko_db_step(d->db, s, &row, err)) && row) {
        if (d->n == cap) {
            cap = cap ? cap * 2 : 64;
            dind *g = realloc(d->ind, cap * sizeof(*g));
            if (!g) {
                rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
                break;
            }
            d->ind = g;
        }
        dind *x = &d->ind[d->n];
        memset(x, 0, sizeof(*x));
        d->n++;
        x->outcome = -1;
        copy_col(s, 0, x->id, sizeof(x->id));
        copy_col(s, 1, x->node_id, sizeof(x->node_id));
        x->name = dup_col(s, 2);
        const char *dir = (const char *)sqlite3_column_text(s, 3);
        x->dir = dir && !strcmp(dir, "decrease") ? -1 : 1;
        x->has_base = sqlite3_column_type(s, 4) != SQLITE_NULL;
        x->base = x->has_base ? sqlite3_column_double(s, 4) : 0;
        const char *tj = (const char *)sqlite3_column_text(s, 5);
        if (tj) {
            json_t *t = json_loads(tj, 0, NULL);
            x->tg = calloc(json_object_size(t) + 1, sizeof(*x->tg));
            const char *k;
            json_t *v;
            json_object_foreach(t, k, v)
            {
                if (!x->tg)
                    break;
                snprintf(x->tg[x->nt].period, 16, "%s", k);
                x->tg[x->nt++].value = json_number_value(v);
            }
            json_decref(t);
        }
        int fq = cpas_freq_parse((const char *)sqlite3_column_text(s, 6));
        x->freq = fq < 0 ? CPAS_ANNUAL : (cpas_freq)fq;
        x->on = sqlite3_column_type(s, 7) != SQLITE_NULL ? sqlite3_column_double(s, 7) : 0.9;
        x->risk = sqlite3_column_type(s, 8) != SQLITE_NULL ? sqlite3_column_double(s, 8) : 0.6;
        x->weight = sqlite3_column_type(s, 9) != SQLITE_NULL ? sqlite3_column_double(s, 9) : 1;
        const char *cj = (const char *)sqlite3_column_text(s, 10);
        if (cj)
            x->computed = json_loads(cj, 0, NULL);
        if (json_is_object(x->computed)) {
            const char *src = json_string_value(json_object_get(x->computed, "source"));
            x->kind = src && !strcmp(src, "formula") ? 2 : 1;
        } else {
            json_decref(x->computed);
            x->computed = NULL;
        }
        copy_col(s, 11, x->code, sizeof(x->code));
        note_read(d, "cpas_indicator", x->id, sqlite3_column_int(s, 12));
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    return PKO_OK;
}

static pko_rc load_points(dash *d, const char *pid, pko_err *err)
{
    (void)pid;
    /* Per indicator, from the covering index alone, in period order (no
     * sort, no per-row comparison of indicator ids). */
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        d->db,
        "SELECT period, value, classification, rowid"
        " FROM cpas_datapoints INDEXED BY cpas_datapoints_dash"
        " WHERE indicator_id = ?1 AND status = 'approved' AND disagg_key = '{}'"
        " AND classification <= ?2 ORDER BY period",
        &s, err);
    if (rc)
        return rc;
    for (size_t k = 0; !rc && k < d->n; k++) {
        dind *cur = &d->ind[k];
        if (cur->kind)
            continue; /* computed: entered data do not count */
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, cur->id, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, d->o->clearance);
        int row;
        while (!(rc = pko_db_step(d->db, s, &row, err)) && row) {
            if (cur->np == cur->capp) {
                size_t c = cur->capp ? cur->capp * 2 : 128;
                dpt *g = realloc(cur->pts, c * sizeof(*g));
                if (!g) {
                    rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
                    break;
                }
                cur->pts = g;
                cur->capp = c;
            }
            dpt *p = &cur->pts[cur->np++];
            copy_col(s, 0, p->period, sizeof(p->period));
            p->has = sqlite3_column_type(s, 1) != SQLITE_NULL;
            p->value = p->has ? sqlite3_column_double(s, 1) : 0;
            int cls = sqlite3_column_int(s, 2);
            if (cls >= PKO_CLASS_CONFIDENTIAL) /* rare: its id by rowid, for the audit */
                json_array_append_new(d->conf_rows,
                                      json_pack("[I, i]", (json_int_t)sqlite3_column_int64(s, 3),
                                                cls));
        }
    }
    sqlite3_reset(s);
    /* The ids of the confidential points read, for the audit. */
    size_t i;
    json_t *r;
    json_array_foreach(d->conf_rows, i, r)
    {
        if (rc)
            break;
        pko_stmt *q;
        rc = pko_db_prepare(d->db, "SELECT id FROM cpas_datapoints WHERE rowid = ?1", &q, err);
        if (rc)
            break;
        sqlite3_bind_int64(q, 1, json_integer_value(json_array_get(r, 0)));
        int row2;
        rc = pko_db_step(d->db, q, &row2, err);
        if (!rc && row2)
            note_read(d, "cpas_datapoint", (const char *)sqlite3_column_text(q, 0),
                      (int)json_integer_value(json_array_get(r, 1)));
        sqlite3_reset(q);
    }
    return rc;
}

static pko_rc load_nodes(dash *d, const char *pid, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(d->db,
                               "SELECT id, parent_id, level, title, classification FROM cpas_nodes"
                               " WHERE plan_id = ?1 AND classification <= ?2 ORDER BY rowid",
                               &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, d->o->clearance);
    size_t cap = 0;
    int row;
    while (!(rc = pko_db_step(d->db, s, &row, err)) && row) {
        if (d->nn == cap) {
            cap = cap ? cap * 2 : 32;
            dnode *g = realloc(d->nodes, cap * sizeof(*g));
            if (!g) {
                rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
                break;
            }
            d->nodes = g;
        }
        dnode *x = &d->nodes[d->nn++];
        copy_col(s, 0, x->id, sizeof(x->id));
        copy_col(s, 1, x->parent, sizeof(x->parent));
        copy_col(s, 2, x->level, sizeof(x->level));
        x->title = dup_col(s, 3);
        note_read(d, "cpas_node", x->id, sqlite3_column_int(s, 4));
    }
    sqlite3_reset(s);
    return rc;
}

/* Per-period values of an incidents measure ('c': {source: incidents,
 * measure, where}) for the plan's mission, verified and published only, at
 * or below the caller's clearance, for the periods of kind 'f' ended before
 * as_of. '*out' is malloc'd. */
static pko_rc incident_points(dash *d, json_t *c, cpas_freq f, cpas_point **out, size_t *n_out,
                              pko_err *err)
{
    if (!d->o->incidents_ok)
        return pko_err_set(err, PKO_EFORBIDDEN,
                           "the plan has indicators computed from incidents: reading them needs "
                           "incidents.read for the mission");
    const char *measure = json_string_value(json_object_get(c, "measure"));
    int col = 1;
    for (int i = 0; measure && cpas_incident_measures[i]; i++)
        if (!strcmp(cpas_incident_measures[i], measure))
            col = 1 + i;
    json_t *w = json_object_get(c, "where");
    int pf = d->pf, pl = d->pl, as_of = d->o->as_of;
    int end = pl + 1 < as_of ? pl + 1 : as_of;
    char from[40], to[40];
    snprintf(from, sizeof(from), "%04d-%02d-01", pf / 12, pf % 12 + 1);
    snprintf(to, sizeof(to), "%04d-%02d-01", end / 12, end % 12 + 1);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        d->db,
        "SELECT CAST(substr(occurred_start, 1, 4) AS INTEGER) * 12"
        " + CAST(substr(occurred_start, 6, 2) AS INTEGER) - 1 AS m, count(*),"
        " total(killed_total), total(casualties_total), total(killed_civilians),"
        " total(injured_civilians), total(abducted_civilians), total(women_killed),"
        " total(children_killed)"
        " FROM incidents WHERE mission_id = ?1 AND status IN ('verified', 'published')"
        " AND (?2 IS NULL OR status = ?2)"
        " AND (?3 IS NULL OR category = ?3 OR substr(category, 1, length(?3) + 1) = ?3 || '.')"
        " AND (?4 IS NULL OR admin1 = ?4) AND (?5 IS NULL OR admin2 = ?5)"
        " AND (?6 IS NULL OR country = ?6) AND classification <= ?7"
        " AND occurred_start >= ?8 AND occurred_start < ?9 GROUP BY m",
        &s, err);
    if (rc)
        return rc;
    static const char *const wk[] = {"status", "category", "admin1", "admin2", "country"};
    sqlite3_bind_text(s, 1, d->mission_id, -1, SQLITE_TRANSIENT);
    for (int i = 0; i < 5; i++) {
        const char *v = json_string_value(json_object_get(w, wk[i]));
        if (v)
            sqlite3_bind_text(s, 2 + i, v, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 2 + i);
    }
    sqlite3_bind_int(s, 7, d->o->clearance);
    sqlite3_bind_text(s, 8, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 9, to, -1, SQLITE_TRANSIENT);
    size_t cap = (size_t)(pl - pf + 2), n = 0;
    int *months = calloc(cap, sizeof(int));
    double *vals = calloc(cap, sizeof(double));
    cpas_point *pts = calloc(cap, sizeof(cpas_point));
    if (!months || !vals || !pts) {
        sqlite3_reset(s);
        free(months);
        free(vals);
        free(pts);
        return pko_err_set(err, PKO_ENOMEM, "out of memory");
    }
    int row;
    while (!(rc = pko_db_step(d->db, s, &row, err)) && row) {
        if (n < cap) {
            months[n] = sqlite3_column_int(s, 0);
            vals[n++] = sqlite3_column_double(s, col);
        }
    }
    sqlite3_reset(s);
    if (!rc) {
        *n_out = cpas_sum_periods(f, pf, pl, as_of, months, vals, n, pts, cap);
        if (*n_out > cap)
            *n_out = cap;
        *out = pts;
    } else {
        free(pts);
    }
    free(months);
    free(vals);
    return rc;
}

static dind *find_code(dash *d, const char *code)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->ind[i].code[0] && !strcmp(d->ind[i].code, code))
            return &d->ind[i];
    return NULL;
}

/* The value of indicator 'x' for 'period' (entered: the approved total;
 * computed: its computed value). */
static bool value_at(const dind *x, const char *period, double *v)
{
    if (x->kind) {
        for (size_t i = 0; i < x->nv; i++)
            if (!strcmp(x->vals[i].period, period)) {
                *v = x->vals[i].value;
                return true;
            }
        return false;
    }
    for (size_t i = 0; i < x->np; i++)
        if (x->pts[i].has && !strcmp(x->pts[i].period, period)) {
            *v = x->pts[i].value;
            return true;
        }
    return false;
}

static pko_rc eval_indicator(dash *d, dind *x, pko_err *err);

/* One side of a formula: per-period values into 'vals'/'has' (n periods). */
typedef struct side {
    bool present;
    bool is_expr;
    cpas_expr e;
    dind *refs[CPAS_EXPR_REFS];
    cpas_point *inc;
    size_t ninc;
} side;

static pko_rc side_prepare(dash *d, dind *x, json_t *v, side *sd, pko_err *err)
{
    memset(sd, 0, sizeof(*sd));
    if (!v || json_is_null(v))
        return PKO_OK;
    sd->present = true;
    if (json_is_string(v)) {
        sd->is_expr = true;
        pko_rc rc = cpas_expr_parse(json_string_value(v), &sd->e, err);
        if (rc)
            return rc;
        for (int r = 0; r < sd->e.n_refs; r++) {
            dind *y = find_code(d, sd->e.refs[r]);
            if (!y)
                return pko_err_set(err, PKO_EINVAL,
                                   "indicator %.64s refers to I{%s}, which is not an indicator of "
                                   "the plan you can see", x->name, sd->e.refs[r]);
            pko_rc rc2 = eval_indicator(d, y, err);
            if (rc2)
                return rc2;
            sd->refs[r] = y;
        }
        return PKO_OK;
    }
    return incident_points(d, v, x->freq, &sd->inc, &sd->ninc, err);
}

static bool side_value(const side *sd, const char *period, double *out)
{
    if (!sd->is_expr) {
        for (size_t i = 0; i < sd->ninc; i++)
            if (!strcmp(sd->inc[i].period, period)) {
                *out = sd->inc[i].value;
                return true;
            }
        return false;
    }
    double vals[CPAS_EXPR_REFS];
    bool has[CPAS_EXPR_REFS];
    for (int r = 0; r < sd->e.n_refs; r++)
        has[r] = value_at(sd->refs[r], period, &vals[r]);
    return cpas_expr_eval(&sd->e, vals, has, out);
}

/* Compute the values of a computed indicator (its references first). */
static pko_rc eval_indicator(dash *d, dind *x, pko_err *err)
{
    if (x->state == 2 || !x->kind)
        return PKO_OK;
    if (x->state == 1)
        return pko_err_set(err, PKO_EINVAL, "indicator %.64s depends on itself through its formula",
                           x->name);
    x->state = 1;
    pko_rc rc;
    if (x->kind == 1) {
        rc = incident_points(d, x->computed, x->freq, &x->vals, &x->nv, err);
        x->state = 2;
        return rc;
    }
    side num, den;
    memset(&den, 0, sizeof(den));
    rc = side_prepare(d, x, json_object_get(x->computed, "numerator"), &num, err);
    if (!rc)
        rc = side_prepare(d, x, json_object_get(x->computed, "denominator"), &den, err);
    json_t *fj = json_object_get(x->computed, "factor");
    double factor = json_is_number(fj) ? json_number_value(fj) : 1;
    if (!rc) {
        /* The formula's periods: those of its frequency within the plan,
         * ended before as_of. */
        size_t cap = (size_t)(d->pl - d->pf + 2);
        cpas_point *per = calloc(cap, sizeof(*per));
        x->vals = calloc(cap, sizeof(*x->vals));
        if (!per || !x->vals) {
            free(per);
            rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
        } else {
            size_t np = cpas_sum_periods(x->freq, d->pf, d->pl, d->o->as_of, NULL, NULL, 0, per,
                                         cap);
            if (np > cap)
                np = cap;
            for (size_t i = 0; i < np; i++) {
                double a, b = 1;
                if (!side_value(&num, per[i].period, &a))
                    continue;
                if (den.present && (!side_value(&den, per[i].period, &b) || b == 0))
                    continue;
                double v = a / b * factor;
                if (!isfinite(v))
                    continue;
                snprintf(x->vals[x->nv].period, 16, "%s", per[i].period);
                x->vals[x->nv++].value = v;
            }
            free(per);
        }
    }
    free(num.inc);
    free(den.inc);
    x->state = 2;
    return rc;
}

static json_t *num_or_null(bool has, double v)
{
    return has ? json_real(v) : json_null();
}

static json_t *entry_json(dash *d, dind *x, cpas_ind_out *o_out)
{
    size_t na = 0, nrep = 0;
    size_t n_src = x->kind ? x->nv : x->np;
    cpas_point *acts = calloc(n_src + 1, sizeof(*acts));
    const char **rep = calloc(n_src + 1, sizeof(*rep));
    if (!acts || !rep) {
        free(acts);
        free(rep);
        return NULL;
    }
    if (x->kind) {
        for (size_t j = 0; j < x->nv; j++) {
            acts[na++] = x->vals[j];
            rep[nrep++] = x->vals[j].period;
        }
    } else {
        for (size_t j = 0; j < x->np; j++) {
            rep[nrep++] = x->pts[j].period;
            if (!x->pts[j].has)
                continue; /* qualitative without a score */
            snprintf(acts[na].period, 16, "%s", x->pts[j].period);
            acts[na++].value = x->pts[j].value;
        }
    }
    cpas_ind_in in = {x->dir, x->has_base, x->base, x->on, x->risk, x->tg, x->nt, acts, na};
    cpas_ind_out o;
    cpas_indicator_status(&in, &o);
    char late[64][16];
    size_t expected = 0;
    size_t n_late =
        cpas_overdue(x->freq, d->pf, d->pl, d->o->as_of, rep, nrep, late, 64, &expected);
    json_t *overdue = json_array();
    for (size_t j = 0; j < n_late && j < 64; j++)
        json_array_append_new(overdue, json_string(late[j]));
    char creason[200];
    snprintf(creason, sizeof(creason),
             x->kind == 1 ? "%zu of %zu %s periods ended by the as-of month are computed from "
                            "verified incidents; %zu overdue"
             : x->kind == 2 ? "%zu of %zu %s periods ended by the as-of month have a value "
                              "computed from the formula; %zu overdue"
                            : "%zu of %zu %s periods ended by the as-of month have an approved "
                              "total; %zu overdue",
             expected - n_late, expected, cpas_freq_name(x->freq), n_late);
    json_t *e = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:o, s:o, s:o, s:o, s:o},"
        " s:{s:o, s:o, s:o, s:o},"
        " s:{s:I, s:I, s:o, s:s}}",
        "id", x->id, "name", x->name, "node_id", x->node_id, "status", o.status, "reason",
        o.reason, "values", "latest", num_or_null(o.has_latest, o.latest), "latest_period",
        o.has_latest ? json_string(o.latest_period) : json_null(), "target",
        num_or_null(o.has_target, o.target), "target_period",
        o.has_target ? json_string(o.target_period) : json_null(), "progress",
        num_or_null(o.has_progress, o.progress), "trend", "change_since_baseline",
        num_or_null(o.has_change_baseline, o.change_baseline), "change_since_last",
        num_or_null(o.has_change_last, o.change_last), "previous_period",
        o.has_change_last ? json_string(o.previous_period) : json_null(), "baseline",
        x->has_base ? json_real(x->base) : json_null(), "completeness", "expected",
        (json_int_t)expected, "reported", (json_int_t)(expected - n_late), "overdue", overdue,
        "reason", creason);
    free(acts);
    free(rep);
    *o_out = o;
    return e;
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const dnode *)a)->id, ((const dnode *)b)->id);
}

static json_t *outcomes_json(dash *d, json_t *entries)
{
    /* A sorted copy of the nodes to find an indicator's node and parent. */
    dnode *sorted = malloc((d->nn + 1) * sizeof(*sorted));
    size_t *first = calloc(d->nn + 1, sizeof(size_t)), *count = calloc(d->nn + 1, sizeof(size_t));
    size_t *order = calloc(d->n + 1, sizeof(size_t));
    cpas_rollup_in *ri = calloc(d->n + 1, sizeof(*ri));
    json_t *res = json_array();
    if (!sorted || !first || !count || !order || !ri)
        goto done;
    if (d->nn) { /* d->nodes is NULL for a plan without framework nodes */
        memcpy(sorted, d->nodes, d->nn * sizeof(*sorted));
        qsort(sorted, d->nn, sizeof(*sorted), cmp_node);
    }
    /* Each indicator's outcome: its node if an outcome, else its node's
     * parent if that is an outcome. */
    for (size_t i = 0; i < d->n; i++) {
        dnode key;
        snprintf(key.id, sizeof(key.id), "%s", d->ind[i].node_id);
        dnode *nd = bsearch(&key, sorted, d->nn, sizeof(*sorted), cmp_node);
        d->ind[i].outcome = -1;
        if (!nd)
            continue;
        const char *oid = NULL;
        if (!strcmp(nd->level, "outcome"))
            oid = nd->id;
        else if (nd->parent[0])
            oid = nd->parent;
        if (!oid)
            continue;
        for (size_t k = 0; k < d->nn; k++)
            if (!strcmp(d->nodes[k].id, oid) && !strcmp(d->nodes[k].level, "outcome")) {
                d->ind[i].outcome = (int)k;
                break;
            }
        if (d->ind[i].outcome >= 0)
            count[d->ind[i].outcome]++;
    }
    /* Group indicator indices by outcome, in indicator order. */
    size_t acc = 0;
    for (size_t k = 0; k < d->nn; k++) {
        first[k] = acc;
        acc += count[k];
        count[k] = 0;
    }
    for (size_t i = 0; i < d->n; i++) {
        int k = d->ind[i].outcome;
        if (k >= 0)
            order[first[k] + count[k]++] = i;
    }
    for (size_t k = 0; k < d->nn; k++) {
        if (strcmp(d->nodes[k].level, "outcome"))
            continue;
        json_t *contrib = json_array();
        size_t n = count[k];
        for (size_t j = 0; j < n; j++) {
            size_t i = order[first[k] + j];
            json_t *pr = json_object_get(json_object_get(json_array_get(entries, i), "values"),
                                         "progress");
            ri[j].has_progress = json_is_number(pr);
            ri[j].progress = json_is_number(pr) ? json_number_value(pr) : 0;
            ri[j].weight = d->ind[i].weight;
            json_array_append_new(contrib, json_pack("{s:s, s:f, s:O}", "id", d->ind[i].id,
                                                     "weight", ri[j].weight, "progress",
                                                     pr ? pr : json_null()));
        }
        double prog = 0;
        size_t used = 0, missing = 0;
        bool has = cpas_rollup(ri, n, &prog, &used, &missing);
        char reason[256];
        if (has)
            snprintf(reason, sizeof(reason),
                     "weighted mean of the progress of %zu indicator(s), each counted between 0%% "
                     "and 100%%: %.0f%%; %zu without progress left out",
                     used, prog * 100, missing);
        else
            snprintf(reason, sizeof(reason), "none of its %zu indicator(s) has progress yet", n);
        json_array_append_new(
            res, json_pack("{s:s, s:s, s:o, s:s, s:s, s:o}", "node_id", d->nodes[k].id, "title",
                           d->nodes[k].title, "progress", has ? json_real(prog) : json_null(),
                           "status", has ? cpas_status_of(prog, 0.9, 0.6) : "no_data", "reason",
                           reason, "indicators", contrib));
    }
done:
    free(sorted);
    free(first);
    free(count);
    free(order);
    free(ri);
    return res;
}

static pko_rc audit_all(dash *d, pko_err *err)
{
    if (!json_array_size(d->audit))
        return PKO_OK;
    pko_tx *tx;
    pko_rc rc = pko_tx_begin(d->db, d->o->actor, &tx, err);
    if (rc)
        return rc;
    size_t i;
    json_t *a;
    json_array_foreach(d->audit, i, a)
    {
        rc = pko_tx_audit(tx, "read", json_string_value(json_array_get(a, 0)),
                          json_string_value(json_array_get(a, 1)),
                          json_string_value(json_array_get(a, 2)), err);
        if (rc) {
            pko_tx_rollback(tx);
            return rc;
        }
    }
    return pko_tx_commit(tx, err);
}

pko_rc cpas_dashboard(pko_db *db, json_t *plan, const cpas_dash_opts *o, json_t **out,
                      pko_err *err)
{
    *out = NULL;
    dash d;
    memset(&d, 0, sizeof(d));
    d.db = db;
    d.o = o;
    d.mission_id = json_string_value(json_object_get(plan, "mission_id"));
    d.audit = json_array();
    d.conf_rows = json_array();
    int x;
    if (!cpas_period_parse(json_string_value(json_object_get(plan, "period_start")), &d.pf, &x,
                           NULL))
        d.pf = 0;
    if (!cpas_period_parse(json_string_value(json_object_get(plan, "period_end")), &x, &d.pl,
                           NULL))
        d.pl = -1;
    const char *pid = json_string_value(json_object_get(plan, "id"));
    pko_rc rc = load_indicators(&d, pid, err);
    if (!rc)
        rc = load_points(&d, pid, err);
    if (!rc)
        rc = load_nodes(&d, pid, err);
    for (size_t i = 0; !rc && i < d.n; i++)
        rc = eval_indicator(&d, &d.ind[i], err);
    json_t *items = json_array();
    json_t *summary = json_pack("{s:i, s:i, s:i, s:i, s:i}", "on_track", 0, "at_risk", 0,
                                "off_track", 0, "no_data", 0, "no_target", 0);
    for (size_t i = 0; !rc && i < d.n; i++) {
        cpas_ind_out io;
        json_t *e = entry_json(&d, &d.ind[i], &io);
        if (!e) {
            rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
            break;
        }
        json_t *c = json_object_get(summary, io.status);
        json_integer_set(c, json_integer_value(c) + 1);
        json_array_append_new(items, e);
    }
    json_t *outcomes = rc ? NULL : outcomes_json(&d, items);
    if (!rc)
        rc = audit_all(&d, err);
    if (!rc) {
        char asof[16];
        cpas_period_of_month(CPAS_MONTHLY, o->as_of, asof);
        *out = json_pack("{s:O, s:O, s:s, s:o, s:o, s:o}", "plan_id", json_object_get(plan, "id"),
                         "plan_version", json_object_get(plan, "version_no"), "as_of", asof,
                         "summary", summary, "outcomes", outcomes, "indicators", items);
        if (!*out)
            rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
    } else {
        json_decref(items);
        json_decref(summary);
        json_decref(outcomes);
    }
    for (size_t i = 0; i < d.n; i++) {
        free(d.ind[i].name);
        free(d.ind[i].tg);
        free(d.ind[i].pts);
        free(d.ind[i].vals);
        json_decref(d.ind[i].computed);
    }
    for (size_t i = 0; i < d.nn; i++)
        free(d.nodes[i].title);
    free(d.ind);
    free(d.nodes);
    json_decref(d.audit);
    json_decref(d.conf_rows);
    return rc;
}
