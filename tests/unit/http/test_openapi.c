/* The router and docs/openapi.yaml must list the same routes: this test
 * fails when a route exists in one and not the other. */
#include "test_util.h"

#include "http/http.h"

typedef struct seen {
    json_t *paths;
    int missing;
    int total;
} seen;

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static void check_route(const pko_route *r, void *arg)
{
    seen *s = arg;
    char m[16];
    snprintf(m, sizeof(m), "%s", r->method);
    lower(m);
    s->total++;
    json_t *p = json_object_get(s->paths, r->pattern);
    if (!p || !json_object_get(p, m)) {
        fprintf(stderr, "route %s %s is not in docs/openapi.yaml\n", r->method, r->pattern);
        s->missing++;
    }
}

static void test_every_route_is_documented(void **state)
{
    (void)state;
    json_error_t je;
    json_t *doc = json_loads(pko_openapi_json, 0, &je);
    assert_non_null(doc);
    assert_memory_equal(json_string_value(json_object_get(doc, "openapi")), "3.", 2);
    pko_router *r = pko_router_new();
    pko_err e;
    pko_err_clear(&e);
    for (size_t i = 0; i < pko_n_modules; i++)
        assert_int_equal(pko_router_add_module(r, pko_modules[i], &e), PKO_OK);
    seen s = {json_object_get(doc, "paths"), 0, 0};
    pko_router_each(r, check_route, &s);
    assert_true(s.total > 10);
    assert_int_equal(s.missing, 0);

    /* And the reverse: every documented operation has a route. */
    const char *path;
    json_t *item;
    int documented = 0, unrouted = 0;
    static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
    json_object_foreach(s.paths, path, item)
    {
        for (size_t k = 0; k < 5; k++) {
            if (!json_object_get(item, methods[k]))
                continue;
            documented++;
            char copy[256], upper[16];
            snprintf(copy, sizeof(copy), "%s", path);
            /* Fill {params} with a value so the router can match them. */
            char concrete[256] = "";
            for (char *p = copy; *p; p++) {
                size_t l = strlen(concrete);
                if (*p == '{') {
                    char *end = strchr(p, '}');
                    assert_non_null(end);
                    snprintf(concrete + l, sizeof(concrete) - l, "x");
                    p = end;
                } else {
                    concrete[l] = *p;
                    concrete[l + 1] = '\0';
                }
            }
            snprintf(upper, sizeof(upper), "%s", methods[k]);
            for (char *u = upper; *u; u++)
                *u = (char)(*u - 'a' + 'A');
            const pko_route *rt;
            const char *names[8], *values[8];
            size_t n;
            char allow[64];
            if (pko_router_match(r, upper, concrete, &rt, names, values, 8, &n, allow,
                                 sizeof(allow)) != PKO_OK ||
                strcmp(rt->pattern, path) != 0) {
                fprintf(stderr, "documented %s %s has no route\n", upper, path);
                unrouted++;
            }
        }
    }
    assert_int_equal(documented, s.total);
    assert_int_equal(unrouted, 0);
    pko_router_free(r);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_is_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
