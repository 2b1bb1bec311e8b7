/* SPDX-License-Identifier: MIT
 *
 * Routing: patterns of literal and {param} segments, matched segment by
 * segment. A path that matches a pattern under another method gives 405
 * with an Allow list; no pattern at all gives 404.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "http/http.h"

#define MAX_SEGS 16

typedef struct route_entry {
    const pko_route *route;
    char *segs[MAX_SEGS]; /* owned; "{id}" kept as written */
    size_t n_segs;
} route_entry;

struct pko_router {
    route_entry *routes;
    size_t n, cap;
    const pko_perm **perms;
    size_t n_perms, cap_perms;
};

pko_router *pko_router_new(void)
{
    return pko_calloc(1, sizeof(pko_router));
}

void pko_router_free(pko_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < r->routes[i].n_segs; j++)
            pko_free(r->routes[i].segs[j]);
    pko_free(r->routes);
    pko_free(r->perms);
    pko_free(r);
}

/* Split '/a/b/c' in place into segments; returns -1 when there are too many
 * or the path does not start with '/'. Empty segments are kept so that
 * "/api//v1" does not match "/api/v1". */
static int split(char *path, char **segs, size_t max)
{
    if (path[0] != '/')
        return -1;
    size_t n = 0;
    char *p = path + 1;
    if (*p == '\0')
        return 0;
    for (;;) {
        if (n == max)
            return -1;
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return (int)n;
}

static bool is_param(const char *seg)
{
    size_t n = strlen(seg);
    return n > 2 && seg[0] == '{' && seg[n - 1] == '}';
}

pko_rc pko_router_add_module(pko_router *r, const pko_module *m, pko_err *err)
{
    for (size_t i = 0; i < m->n_perms; i++) {
        if (pko_router_perm(r, m->perms[i].name))
            return pko_err_set(err, PKO_EINTERNAL, "permission %s declared twice",
                               m->perms[i].name);
        if (r->n_perms == r->cap_perms) {
            r->cap_perms = r->cap_perms ? 2 * r->cap_perms : 16;
            r->perms = pko_realloc(r->perms, r->cap_perms * sizeof(*r->perms));
        }
        r->perms[r->n_perms++] = &m->perms[i];
    }
    for (size_t i = 0; i < m->n_routes; i++) {
        const pko_route *rt = &m->routes[i];
        char *copy = pko_strdup(rt->pattern);
        char *segs[MAX_SEGS];
        int n = split(copy, segs, MAX_SEGS);
        if (n < 0) {
            pko_free(copy);
            return pko_err_set(err, PKO_EINTERNAL, "module %s: bad route pattern %s", m->name,
                               rt->pattern);
        }
        for (size_t j = 0; j < r->n; j++) {
            if (strcmp(r->routes[j].route->pattern, rt->pattern) == 0 &&
                strcmp(r->routes[j].route->method, rt->method) == 0) {
                pko_free(copy);
                return pko_err_set(err, PKO_EINTERNAL, "route %s %s declared twice", rt->method,
                                   rt->pattern);
            }
        }
        if (rt->perm && !pko_router_perm(r, rt->perm)) {
            pko_free(copy);
            return pko_err_set(err, PKO_EINTERNAL, "route %s %s needs unknown permission %s",
                               rt->method, rt->pattern, rt->perm);
        }
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 32;
            r->routes = pko_realloc(r->routes, r->cap * sizeof(*r->routes));
        }
        route_entry *e = &r->routes[r->n++];
        e->route = rt;
        e->n_segs = (size_t)n;
        for (int j = 0; j < n; j++)
            e->segs[j] = pko_strdup(segs[j]);
        pko_free(copy);
    }
    return PKO_OK;
}

pko_rc pko_router_match(const pko_router *r, const char *method, char *path_copy,
                        const pko_route **route, const char **names, const char **values,
                        size_t max_params, size_t *n_params, char *allow, size_t allow_len)
{
    char *segs[MAX_SEGS];
    *route = NULL;
    *n_params = 0;
    if (allow_len)
        allow[0] = '\0';
    int n = split(path_copy, segs, MAX_SEGS);
    if (n < 0)
        return PKO_ENOTFOUND;
    bool path_known = false;
    for (size_t i = 0; i < r->n; i++) {
        const route_entry *e = &r->routes[i];
        if (e->n_segs != (size_t)n)
            continue;
        size_t np = 0;
        bool ok = true;
        for (size_t j = 0; ok && j < e->n_segs; j++) {
            if (is_param(e->segs[j])) {
                if (segs[j][0] == '\0')
                    ok = false;
                else if (np < max_params) {
                    names[np] = e->segs[j];
                    values[np] = segs[j];
                    np++;
                }
            } else if (strcmp(e->segs[j], segs[j]) != 0) {
                ok = false;
            }
        }
        if (!ok)
            continue;
        path_known = true;
        if (strcmp(e->route->method, method) == 0) {
            *route = e->route;
            *n_params = np;
            return PKO_OK;
        }
        if (allow_len && !strstr(allow, e->route->method)) {
            size_t used = strlen(allow);
            snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", e->route->method);
        }
    }
    return path_known ? PKO_EMETHOD : PKO_ENOTFOUND;
}

void pko_router_each(const pko_router *r, void (*fn)(const pko_route *, void *), void *arg)
{
    for (size_t i = 0; i < r->n; i++)
        fn(r->routes[i].route, arg);
}

const pko_perm *pko_router_perm(const pko_router *r, const char *name)
{
    for (size_t i = 0; i < r->n_perms; i++)
        if (strcmp(r->perms[i]->name, name) == 0)
            return r->perms[i];
    return NULL;
}
