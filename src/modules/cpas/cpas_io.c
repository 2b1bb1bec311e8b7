/* SPDX-License-Identifier: MIT
 *
 * CPAS import and export formats, the pure part (no store): CSV <-> the
 * JSON document "pko-cpas-1", and the structural check of a document
 * before anything is written. Fuzzed by fuzz/fuzz_cpas_import.c.
 *
 * The document:
 *   {"format": "pko-cpas-1", "plan": {...informational...},
 *    "nodes": [{"key", "level", "parent"?, "title", "mandated_task"?, "a4p"?}],
 *    "indicators": [{"key", "node", <indicator fields: code, name, kind, unit,
 *                    direction, baseline_value, baseline_period, targets,
 *                    data_source, frequency, component, disaggregations,
 *                    on_track, at_risk, weight, computed>}],
 *    "datapoints": [{"indicator", "period", "value"?, "text_value"?,
 *                    "disaggregation"?, "note"?, "status"?}],
 *    "drivers": [{"title", "description"?, "trend"?, "nodes"?: [key]}],
 *    "stakeholders": [{"name", "type", "influence", "attitude", "interests"?,
 *                      "nodes"?: [key]}]}
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "modules/cpas/cpas.h"

const char *const cpas_csv_framework_cols[] = {
    "type",          "key",             "parent",    "title",       "mandated_task",
    "a4p",           "code",            "kind",      "unit",        "direction",
    "baseline_value", "baseline_period", "targets",   "data_source", "frequency",
    "component",     "disaggregations", "on_track",  "at_risk",     "weight",
    "computed",      NULL};
const char *const cpas_csv_data_cols[] = {"indicator_id", "indicator_code", "indicator_name",
                                          "period",       "value",          "text_value",
                                          "disaggregation", "note",         "status", NULL};

/* ---- Writing CSV --------------------------------------------------------- */

void cpas_csv_field(FILE *f, const char *s, bool last)
{
    if (!s)
        s = "";
    bool q = strpbrk(s, ",\"\r\n") != NULL || (*s == ' ' || (*s && s[strlen(s) - 1] == ' '));
    if (q) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

void cpas_fmt_num(double v, char out[40])
{
    snprintf(out, 40, "%.15g", v);
    if (strtod(out, NULL) != v)
        snprintf(out, 40, "%.17g", v);
}

/* "a;b;c" from an array of strings. */
static char *join_list(json_t *a, char sep)
{
    size_t n = 1, i;
    json_t *x;
    json_array_foreach(a, i, x) n += strlen(json_string_value(x) ? json_string_value(x) : "") + 1;
    char *s = calloc(n, 1);
    if (!s)
        return NULL;
    size_t off = 0;
    json_array_foreach(a, i, x)
    {
        const char *t = json_string_value(x) ? json_string_value(x) : "";
        if (i)
            s[off++] = sep;
        memcpy(s + off, t, strlen(t));
        off += strlen(t);
    }
    return s;
}

/* "k=v;k=v" from an object of numbers or strings, in key order. */
static char *join_pairs(json_t *o)
{
    size_t cap = 64, off = 0;
    char *s = calloc(cap, 1);
    const char **keys = calloc(json_object_size(o) + 1, sizeof(char *));
    if (!s || !keys) {
        free(s);
        free(keys);
        return NULL;
    }
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) keys[n++] = k;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        v = json_object_get(o, keys[i]);
        char num[40];
        const char *val = json_is_number(v) ? (cpas_fmt_num(json_number_value(v), num), num)
                          : json_string_value(v) ? json_string_value(v)
                                                 : "";
        size_t need = off + strlen(keys[i]) + strlen(val) + 3;
        if (need > cap) {
            cap = need * 2;
            char *g = realloc(s, cap);
            if (!g) {
                free(s);
                free(keys);
                return NULL;
            }
            s = g;
        }
        off += (size_t)snprintf(s + off, cap - off, "%s%s=%s", i ? ";" : "", keys[i], val);
    }
    free(keys);
    return s;
}

static void put_num(FILE *f, json_t *v, bool last)
{
    char num[40] = "";
    if (json_is_number(v))
        cpas_fmt_num(json_number_value(v), num);
    cpas_csv_field(f, num, last);
}

void cpas_csv_write_framework(FILE *f, json_t *doc)
{
    for (size_t c = 0; cpas_csv_framework_cols[c]; c++)
        cpas_csv_field(f, cpas_csv_framework_cols[c], !cpas_csv_framework_cols[c + 1]);
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(doc, "nodes"), i, n)
    {
        char *a4p = join_list(json_object_get(n, "a4p"), ';');
        cpas_csv_field(f, json_string_value(json_object_get(n, "level")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "key")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "parent")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "title")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "mandated_task")), false);
        cpas_csv_field(f, a4p, false);
        for (int k = 0; k < 14; k++)
            cpas_csv_field(f, "", false);
        cpas_csv_field(f, "", true);
        free(a4p);
    }
    json_array_foreach(json_object_get(doc, "indicators"), i, n)
    {
        char *tg = join_pairs(json_object_get(n, "targets"));
        char *dis = join_list(json_object_get(n, "disaggregations"), ';');
        json_t *comp = json_object_get(n, "computed");
        char *cj = json_is_object(comp) ? json_dumps(comp, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        cpas_csv_field(f, "indicator", false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "key")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "node")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "name")), false);
        cpas_csv_field(f, "", false);
        cpas_csv_field(f, "", false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "code")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "kind")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "unit")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "direction")), false);
        put_num(f, json_object_get(n, "baseline_value"), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "baseline_period")), false);
        cpas_csv_field(f, tg, false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "data_source")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "frequency")), false);
        cpas_csv_field(f, json_string_value(json_object_get(n, "component")), false);
        cpas_csv_field(f, dis, false);
        put_num(f, json_object_get(n, "on_track"), false);
        put_num(f, json_object_get(n, "at_risk"), false);
        put_num(f, json_object_get(n, "weight"), false);
        cpas_csv_field(f, cj, true);
        free(tg);
        free(dis);
        free(cj);
    }
}

void cpas_csv_write_data(FILE *f, json_t *doc)
{
    for (size_t c = 0; cpas_csv_data_cols[c]; c++)
        cpas_csv_field(f, cpas_csv_data_cols[c], !cpas_csv_data_cols[c + 1]);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(doc, "datapoints"), i, d)
    {
        char *dis = join_pairs(json_object_get(d, "disaggregation"));
        cpas_csv_field(f, json_string_value(json_object_get(d, "indicator_id")), false);
        cpas_csv_field(f, json_string_value(json_object_get(d, "indicator_code")), false);
        cpas_csv_field(f, json_string_value(json_object_get(d, "indicator_name")), false);
        cpas_csv_field(f, json_string_value(json_object_get(d, "period")), false);
        put_num(f, json_object_get(d, "value"), false);
        cpas_csv_field(f, json_string_value(json_object_get(d, "text_value")), false);
        cpas_csv_field(f, dis, false);
        cpas_csv_field(f, json_string_value(json_object_get(d, "note")), false);
        cpas_csv_field(f, json_string_value(json_object_get(d, "status")), true);
        free(dis);
    }
}

/* ---- Reading CSV --------------------------------------------------------- */

static pko_rc row_err(pko_err *err, long line, const char *col, const char *fmt, const char *v)
{
    return pko_err_field(err, PKO_EINVAL, col, "line %ld: %s %.80s", line, fmt, v);
}

/* Empty -> absent; otherwise a finite number. */
static pko_rc csv_num(json_t *o, const char *k, const char *v, long line, pko_err *err)
{
    if (!*v)
        return PKO_OK;
    char *end;
    double d = strtod(v, &end);
    if (*end || !isfinite(d))
        return row_err(err, line, k, "is not a number:", v);
    json_object_set_new(o, k, json_real(d));
    return PKO_OK;
}

static void csv_text(json_t *o, const char *k, const char *v)
{
    if (*v)
        json_object_set_new(o, k, json_string(v));
}

static json_t *split_list(const char *v)
{
    json_t *a = json_array();
    const char *p = v;
    while (*v) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        if (!e)
            break;
        p = e + 1;
    }
    return a;
}

/* "k=v;k=v" into an object; numbers when 'numbers'. */
static pko_rc split_pairs(const char *v, bool numbers, const char *col, long line, json_t **out,
                          pko_err *err)
{
    json_t *o = json_object();
    const char *p = v;
    while (*v && *p) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p) {
            json_decref(o);
            return row_err(err, line, col, "must be name=value pairs separated by ;, not", v);
        }
        char key[64];
        size_t kn = (size_t)(eq - p);
        if (kn >= sizeof(key)) {
            json_decref(o);
            return row_err(err, line, col, "has a name longer than 63 characters:", v);
        }
        memcpy(key, p, kn);
        key[kn] = 0;
        char val[256];
        size_t vn = n - kn - 1;
        if (vn >= sizeof(val)) {
            json_decref(o);
            return row_err(err, line, col, "has a value longer than 255 characters:", v);
        }
        memcpy(val, eq + 1, vn);
        val[vn] = 0;
        if (numbers) {
            char *end;
            double d = strtod(val, &end);
            if (!*val || *end || !isfinite(d)) {
                json_decref(o);
                return row_err(err, line, col, "has a value that is not a number:", val);
            }
            json_object_set_new(o, key, json_real(d));
        } else {
            json_object_set_new(o, key, json_string(val));
        }
        if (!e)
            break;
        p = e + 1;
    }
    *out = o;
    return PKO_OK;
}

/* The header: every expected column, in any order; unknown columns are
 * refused by name. idx[c] = position of expected column c. */
static pko_rc csv_header(pko_csv *c, const char *const *cols, int *idx, pko_err *err)
{
    size_t nc = 0;
    while (cols[nc])
        nc++;
    for (size_t k = 0; k < nc; k++)
        idx[k] = -1;
    size_t nf = pko_csv_nfields(c);
    for (size_t i = 0; i < nf; i++) {
        const char *h = pko_csv_field(c, i);
        size_t k = 0;
        while (k < nc && strcmp(cols[k], h))
            k++;
        if (k == nc)
            return pko_err_field(err, PKO_EINVAL, h[0] ? h : "header",
                                 "line 1: unknown column %.40s", h);
        if (idx[k] >= 0)
            return pko_err_field(err, PKO_EINVAL, h, "line 1: column %.40s appears twice", h);
        idx[k] = (int)i;
    }
    return PKO_OK;
}

static const char *col(pko_csv *c, const int *idx, int k)
{
    return idx[k] < 0 ? "" : pko_csv_field(c, (size_t)idx[k]);
}

static pko_rc framework_row(pko_csv *c, const int *idx, json_t *doc, pko_err *err)
{
    long line = pko_csv_line(c);
    const char *type = col(c, idx, 0);
    pko_rc rc = PKO_OK;
    if (!strcmp(type, "priority") || !strcmp(type, "outcome") || !strcmp(type, "output")) {
        json_t *n = json_pack("{s:s, s:I}", "level", type, "_line", (json_int_t)line);
        csv_text(n, "key", col(c, idx, 1));
        csv_text(n, "parent", col(c, idx, 2));
        csv_text(n, "title", col(c, idx, 3));
        csv_text(n, "mandated_task", col(c, idx, 4));
        if (*col(c, idx, 5))
            json_object_set_new(n, "a4p", split_list(col(c, idx, 5)));
        json_array_append_new(json_object_get(doc, "nodes"), n);
        return PKO_OK;
    }
    if (strcmp(type, "indicator"))
        return row_err(err, line, "type", "type must be priority, outcome, output or indicator, not",
                       type);
    json_t *x = json_pack("{s:I}", "_line", (json_int_t)line);
    csv_text(x, "key", col(c, idx, 1));
    csv_text(x, "node", col(c, idx, 2));
    csv_text(x, "name", col(c, idx, 3));
    csv_text(x, "code", col(c, idx, 6));
    csv_text(x, "kind", col(c, idx, 7));
    csv_text(x, "unit", col(c, idx, 8));
    csv_text(x, "direction", col(c, idx, 9));
    rc = csv_num(x, "baseline_value", col(c, idx, 10), line, err);
    csv_text(x, "baseline_period", col(c, idx, 11));
    if (!rc && *col(c, idx, 12)) {
        json_t *t;
        rc = split_pairs(col(c, idx, 12), true, "targets", line, &t, err);
        if (!rc)
            json_object_set_new(x, "targets", t);
    }
    csv_text(x, "data_source", col(c, idx, 13));
    csv_text(x, "frequency", col(c, idx, 14));
    csv_text(x, "component", col(c, idx, 15));
    if (*col(c, idx, 16))
        json_object_set_new(x, "disaggregations", split_list(col(c, idx, 16)));
    if (!rc)
        rc = csv_num(x, "on_track", col(c, idx, 17), line, err);
    if (!rc)
        rc = csv_num(x, "at_risk", col(c, idx, 18), line, err);
    if (!rc)
        rc = csv_num(x, "weight", col(c, idx, 19), line, err);
    if (!rc && *col(c, idx, 20)) {
        json_error_t je;
        json_t *cj = json_loads(col(c, idx, 20), 0, &je);
        if (!cj)
            rc = row_err(err, line, "computed", "computed must be JSON:", je.text);
        else
            json_object_set_new(x, "computed", cj);
    }
    if (rc) {
        json_decref(x);
        return rc;
    }
    json_array_append_new(json_object_get(doc, "indicators"), x);
    return PKO_OK;
}

static pko_rc data_row(pko_csv *c, const int *idx, json_t *doc, pko_err *err)
{
    long line = pko_csv_line(c);
    json_t *d = json_pack("{s:I}", "_line", (json_int_t)line);
    csv_text(d, "indicator_id", col(c, idx, 0));
    csv_text(d, "indicator_code", col(c, idx, 1));
    csv_text(d, "indicator_name", col(c, idx, 2));
    csv_text(d, "period", col(c, idx, 3));
    pko_rc rc = csv_num(d, "value", col(c, idx, 4), line, err);
    csv_text(d, "text_value", col(c, idx, 5));
    if (!rc && *col(c, idx, 6)) {
        json_t *o;
        rc = split_pairs(col(c, idx, 6), false, "disaggregation", line, &o, err);
        if (!rc)
            json_object_set_new(d, "disaggregation", o);
    }
    csv_text(d, "note", col(c, idx, 7));
    csv_text(d, "status", col(c, idx, 8));
    if (rc) {
        json_decref(d);
        return rc;
    }
    json_array_append_new(json_object_get(doc, "datapoints"), d);
    return PKO_OK;
}

pko_rc cpas_import_parse(const char *data, size_t len, const char *format, const char *what,
                         json_t **out, pko_err *err)
{
    *out = NULL;
    if (!format || !strcmp(format, "json")) {
        json_error_t je;
        json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!doc)
            return pko_err_set(err, PKO_EJSON, "the document is not JSON: %s (line %d)", je.text,
                               je.line);
        if (!json_is_object(doc)) {
            json_decref(doc);
            return pko_err_field(err, PKO_EINVAL, "format",
                                 "the document must be an object {format: pko-cpas-1, ...}");
        }
        *out = doc;
        return PKO_OK;
    }
    if (strcmp(format, "csv"))
        return pko_err_field(err, PKO_EINVAL, "format", "format must be json or csv");
    bool fw = !what || !strcmp(what, "framework");
    if (!fw && strcmp(what, "data"))
        return pko_err_field(err, PKO_EINVAL, "what", "what must be framework or data for CSV");
    pko_csv *c = pko_csv_open_mem(data, len, PKO_CSV_UTF8);
    if (!c)
        return pko_err_set(err, PKO_ENOMEM, "out of memory");
    json_t *doc = json_pack("{s:s, s:[], s:[], s:[]}", "format", "pko-cpas-1", "nodes",
                            "indicators", "datapoints");
    const char *const *cols = fw ? cpas_csv_framework_cols : cpas_csv_data_cols;
    int idx[32];
    bool eof = false, header = true;
    pko_rc rc = PKO_OK;
    size_t rows = 0;
    while (!rc) {
        rc = pko_csv_next(c, &eof, err);
        if (rc || eof)
            break;
        if (header) {
            rc = csv_header(c, cols, idx, err);
            header = false;
            continue;
        }
        if (pko_csv_nfields(c) == 1 && !*pko_csv_field(c, 0))
            continue; /* a blank line */
        if (++rows > 200000) {
            rc = pko_err_set(err, PKO_ETOOBIG, "the file has more than 200000 rows");
            break;
        }
        rc = fw ? framework_row(c, idx, doc, err) : data_row(c, idx, doc, err);
    }
    pko_csv_close(c);
    if (!rc && header)
        rc = pko_err_field(err, PKO_EINVAL, "header", "the file is empty: a header line is needed");
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return PKO_OK;
}

/* ---- Structural check ---------------------------------------------------- */

static pko_rc at(pko_err *err, const char *sec, size_t i, json_t *o, const char *field,
                 const char *msg)
{
    char f[PKO_ERR_FIELD_MAX];
    snprintf(f, sizeof(f), "%s[%zu].%s", sec, i, field);
    json_t *line = json_object_get(o, "_line");
    if (json_is_integer(line))
        return pko_err_field(err, PKO_EINVAL, f, "line %lld: %s", (long long)json_integer_value(line),
                             msg);
    return pko_err_field(err, PKO_EINVAL, f, "%s[%zu]: %s", sec, i, msg);
}

pko_rc cpas_import_check(json_t *doc, pko_err *err)
{
    static const char *const top[] = {"format", "plan", "nodes", "indicators", "datapoints",
                                      "drivers", "stakeholders", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(doc, k, v)
    {
        bool ok = false;
        for (size_t i = 0; top[i]; i++)
            ok = ok || !strcmp(top[i], k);
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, *k ? k : "document",
                                 "\"%.40s\" is not a part of a CPAS document", k);
    }
    const char *fmt = json_string_value(json_object_get(doc, "format"));
    if (!fmt || strcmp(fmt, "pko-cpas-1"))
        return pko_err_field(err, PKO_EINVAL, "format", "format must be pko-cpas-1");
    static const char *const secs[] = {"nodes", "indicators", "datapoints", "drivers",
                                       "stakeholders"};
    for (size_t s = 0; s < 5; s++) {
        json_t *a = json_object_get(doc, secs[s]);
        if (a && !json_is_array(a))
            return pko_err_field(err, PKO_EINVAL, secs[s], "%s must be an array", secs[s]);
        size_t i;
        json_t *o;
        json_array_foreach(a, i, o)
        {
            if (!json_is_object(o)) {
                char f[64];
                snprintf(f, sizeof(f), "%s[%zu]", secs[s], i);
                return pko_err_field(err, PKO_EINVAL, f, "%s must be an object", f);
            }
        }
    }
    /* Node keys unique, parents earlier. */
    json_t *nodes = json_object_get(doc, "nodes"), *seen = json_object();
    size_t i;
    json_t *n;
    pko_rc rc = PKO_OK;
    json_array_foreach(nodes, i, n)
    {
        const char *key = json_string_value(json_object_get(n, "key"));
        if (!key || !*key || strlen(key) > 64) {
            rc = at(err, "nodes", i, n, "key", "key is required (1 to 64 characters)");
            break;
        }
        if (json_object_get(seen, key)) {
            rc = at(err, "nodes", i, n, "key", "the key appears twice");
            break;
        }
        json_t *par = json_object_get(n, "parent");
        if (par && !json_is_null(par) &&
            (!json_is_string(par) || !json_object_get(seen, json_string_value(par)))) {
            rc = at(err, "nodes", i, n, "parent",
                    "parent must be the key of a node listed before it");
            break;
        }
        json_object_set_new(seen, key, json_true());
    }
    json_t *ikeys = json_object();
    json_array_foreach(json_object_get(doc, "indicators"), i, n)
    {
        if (rc)
            break;
        const char *key = json_string_value(json_object_get(n, "key"));
        if (!key || !*key || strlen(key) > 64) {
            rc = at(err, "indicators", i, n, "key", "key is required (1 to 64 characters)");
            break;
        }
        if (json_object_get(ikeys, key)) {
            rc = at(err, "indicators", i, n, "key", "the key appears twice");
            break;
        }
        json_object_set_new(ikeys, key, json_true());
        json_t *node = json_object_get(n, "node");
        if (!json_is_string(node)) {
            rc = at(err, "indicators", i, n, "node",
                    "node must be the key of a node of the document or the id of a node of the "
                    "plan");
            break;
        }
    }
    static const char *const ctx[] = {"drivers", "stakeholders"};
    for (size_t s = 0; !rc && s < 2; s++) {
        json_array_foreach(json_object_get(doc, ctx[s]), i, n)
        {
            json_t *ns = json_object_get(n, "nodes");
            size_t j;
            json_t *x;
            if (ns && !json_is_array(ns)) {
                rc = at(err, ctx[s], i, n, "nodes", "nodes must be an array of node keys");
                break;
            }
            json_array_foreach(ns, j, x)
            {
                if (!json_is_string(x) || !json_object_get(seen, json_string_value(x))) {
                    rc = at(err, ctx[s], i, n, "nodes", "nodes must be keys of nodes of the "
                                                        "document");
                    break;
                }
            }
            if (rc)
                break;
        }
    }
    json_array_foreach(json_object_get(doc, "datapoints"), i, n)
    {
        if (rc)
            break;
        json_t *ind = json_object_get(n, "indicator");
        if (!json_is_string(ind) && !json_is_string(json_object_get(n, "indicator_id")) &&
            !json_is_string(json_object_get(n, "indicator_code")) &&
            !json_is_string(json_object_get(n, "indicator_name")))
            rc = at(err, "datapoints", i, n, "indicator",
                    "a data point names its indicator (indicator key, indicator_id, "
                    "indicator_code or indicator_name)");
    }
    json_decref(seen);
    json_decref(ikeys);
    return rc;
}
