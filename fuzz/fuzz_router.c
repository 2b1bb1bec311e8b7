/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the router (src/http/router.c) with the real route
 * table of every compiled-in module (pko_modules), built once.
 *
 * Input: "METHOD PATH" (split at the first space); without a space, the
 * first byte picks one of the HTTP methods and the rest is the path. Both
 * stop at the first NUL, as C strings from libmicrohttpd do.
 *
 * Invariants (abort() on violation):
 *  - the result is PKO_OK, PKO_ENOTFOUND or PKO_EMETHOD;
 *  - on PKO_OK: the route's method equals the input method; every parameter
 *    name is a "{name}" segment of the route's pattern; every value is a
 *    non-empty, slash-free string lying inside the path copy; putting the
 *    values back into the pattern gives the input path exactly; no other
 *    route pattern matching the path has the input method earlier in the
 *    table ('allow' may hold methods seen before the match: unspecified);
 *  - on PKO_EMETHOD: 'allow' lists one or more methods, none of them the
 *    input method, each of a route whose pattern matches the path;
 *  - on PKO_ENOTFOUND: no route, no parameters, 'allow' empty;
 *  - the outcome does not depend on max_params or the size of 'allow'.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "http/http.h"

/* The code under test is compiled into this target, not only linked from
 * the libraries: the build instruments the fuzz_*.c files alone for coverage
 * (-fsanitize=fuzzer), so without this include libFuzzer would get no
 * coverage feedback from the router. The archive member holding the same
 * symbols is then never pulled in. Names in this file carry an fz_ prefix
 * to stay clear of the included file's statics. */
#include "http/router.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_router: invariant failed at %s:%d: %s\n", __FILE__, __LINE__,    \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define FZ_MAX_PARAMS 8 /* as in server.c */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pko_router *fz_router;

static const char *const fz_methods[] = {"GET",  "POST",    "PATCH", "DELETE",
                                         "HEAD", "OPTIONS", "PUT",   ""};
#define FZ_N_METHODS (sizeof(fz_methods) / sizeof(fz_methods[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    fz_router = pko_router_new();
    pko_err err;
    pko_err_clear(&err);
    for (size_t i = 0; i < pko_n_modules; i++) {
        if (pko_router_add_module(fz_router, pko_modules[i], &err) != PKO_OK) {
            fprintf(stderr, "fuzz_router: cannot build the router: %s\n", err.msg);
            abort();
        }
    }
    return 0;
}

/* Does 'pattern' match 'path' segment by segment ({x} = any non-empty)? */
static bool fz_pattern_matches(const char *pattern, const char *path)
{
    if (pattern[0] != '/' || path[0] != '/')
        return false;
    const char *p = pattern + 1, *q = path + 1;
    if (!*p || !*q)
        return !*p && !*q;
    for (;;) {
        size_t pl = strcspn(p, "/"), ql = strcspn(q, "/");
        bool param = pl > 2 && p[0] == '{' && p[pl - 1] == '}';
        if (param ? ql == 0 : (pl != ql || memcmp(p, q, pl) != 0))
            return false;
        p += pl;
        q += ql;
        if (!*p || !*q)
            return !*p && !*q;
        p++;
        q++;
    }
}

typedef struct fz_visit {
    const char *method, *path;
    bool any_allowed;       /* some route matching 'path' has 'method' */
    const pko_route *first; /* the first such route in table order */
} fz_visit;

static void fz_on_route(const pko_route *r, void *arg)
{
    fz_visit *v = arg;
    if (!fz_pattern_matches(r->pattern, v->path))
        return;
    if (strcmp(r->method, v->method) == 0) {
        if (!v->any_allowed)
            v->first = r;
        v->any_allowed = true;
    }
}

/* Check an Allow list: "GET, POST". */
static void fz_check_allow(const char *allow, const char *method, const char *path)
{
    CHECK(allow[0] != '\0');
    char copy[64];
    CHECK(strlen(allow) < sizeof(copy));
    memcpy(copy, allow, strlen(allow) + 1);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        CHECK(strcmp(tok, method) != 0);
        fz_visit v = {tok, path, false, NULL};
        pko_router_each(fz_router, fz_on_route, &v);
        CHECK(v.any_allowed);
    }
}

/* Rebuild the path from the route pattern and the parameter values. */
static void fz_check_params(const pko_route *rt, const char *path, const char *copy,
                            size_t copy_len, const char **names, const char **values, size_t np)
{
    CHECK(np <= FZ_MAX_PARAMS);
    char *rebuilt = malloc(strlen(rt->pattern) + strlen(path) + 2);
    size_t w = 0, k = 0;
    const char *p = rt->pattern;
    CHECK(*p == '/');
    while (*p) {
        /* p points at '/' */
        rebuilt[w++] = *p++;
        size_t sl = strcspn(p, "/");
        if (sl > 2 && p[0] == '{' && p[sl - 1] == '}') {
            CHECK(k < np);
            CHECK(strlen(names[k]) == sl && memcmp(names[k], p, sl) == 0);
            CHECK(values[k] >= copy && values[k] < copy + copy_len);
            size_t vl = strlen(values[k]);
            CHECK(vl > 0);
            CHECK(values[k] + vl <= copy + copy_len);
            CHECK(memchr(values[k], '/', vl) == NULL);
            memcpy(rebuilt + w, values[k], vl);
            w += vl;
            k++;
        } else {
            memcpy(rebuilt + w, p, sl);
            w += sl;
        }
        p += sl;
    }
    rebuilt[w] = '\0';
    CHECK(k == np);
    CHECK(strcmp(rebuilt, path) == 0);
    free(rebuilt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t n = strnlen(in, size); /* C strings stop at NUL */
    const char *sp = memchr(in, ' ', n);
    char *method, *path;
    if (sp) {
        method = strndup(in, (size_t)(sp - in));
        path = strndup(sp + 1, n - (size_t)(sp - in) - 1);
    } else {
        method = strdup(n ? fz_methods[(unsigned char)in[0] % FZ_N_METHODS] : "GET");
        path = strndup(n ? in + 1 : in, n ? n - 1 : 0);
    }
    size_t plen = strlen(path);

    /* Exact-size copies so ASan sees any overrun. */
    char *copy = malloc(plen + 1);
    memcpy(copy, path, plen + 1);
    const pko_route *route = (const pko_route *)0x1;
    const char *names[FZ_MAX_PARAMS], *values[FZ_MAX_PARAMS];
    size_t np = 99;
    char allow[64];
    memset(allow, 'x', sizeof(allow));
    pko_rc rc = pko_router_match(fz_router, method, copy, &route, names, values, FZ_MAX_PARAMS, &np,
                                 allow, sizeof(allow));
    CHECK(rc == PKO_OK || rc == PKO_ENOTFOUND || rc == PKO_EMETHOD);
    CHECK(memchr(allow, '\0', sizeof(allow)) != NULL);
    if (rc == PKO_OK) {
        CHECK(route != NULL);
        CHECK(strcmp(route->method, method) == 0);
        CHECK(fz_pattern_matches(route->pattern, path));
        fz_visit v = {method, path, false, NULL};
        pko_router_each(fz_router, fz_on_route, &v);
        CHECK(v.first == route);
        fz_check_params(route, path, copy, plen + 1, names, values, np);
    } else {
        CHECK(route == NULL);
        CHECK(np == 0);
        fz_visit v = {method, path, false, NULL};
        pko_router_each(fz_router, fz_on_route, &v);
        CHECK(!v.any_allowed);
        if (rc == PKO_EMETHOD)
            fz_check_allow(allow, method, path);
        else
            CHECK(allow[0] == '\0');
    }

    /* Same question with no room for parameters and a tiny Allow buffer:
     * same answer, same route, no overflow. */
    char *copy2 = malloc(plen + 1);
    memcpy(copy2, path, plen + 1);
    const pko_route *route2 = NULL;
    size_t np2 = 99;
    char small[6];
    pko_rc rc2 = pko_router_match(fz_router, method, copy2, &route2, names, values, 0, &np2, small,
                                  sizeof(small));
    CHECK(rc2 == rc);
    CHECK(route2 == (rc == PKO_OK ? route : NULL));
    CHECK(np2 == 0);
    CHECK(memchr(small, '\0', sizeof(small)) != NULL);

    free(copy2);
    free(copy);
    free(method);
    free(path);
    return 0;
}
