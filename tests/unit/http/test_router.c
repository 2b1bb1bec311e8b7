/* Unit tests for src/http/router.c. */
#include "test_util.h"

#include "http/http.h"

static pko_rc h_none(pko_req *req, pko_err *err)
{
    (void)req;
    (void)err;
    return PKO_OK;
}

static const pko_perm perms[] = {{"things.read", PKO_ROLE_VIEWER, "read"}};
static const pko_route routes[] = {
    {"GET", "/api/v1/things", h_none, "things.read", 0, 0},
    {"POST", "/api/v1/things", h_none, NULL, 0, 0},
    {"GET", "/api/v1/things/{id}", h_none, NULL, 0, 0},
    {"PATCH", "/api/v1/things/{id}", h_none, NULL, 0, 0},
    {"GET", "/api/v1/things/{id}/parts/{part}", h_none, NULL, 0, 0},
    {"GET", "/api/v1/things/count", h_none, NULL, 0, 0},
};
static const pko_module mod = {.name = "things", .perms = perms, .n_perms = 1,
                               .routes = routes, .n_routes = 6};

static pko_rc match(pko_router *r, const char *method, const char *path, const pko_route **rt,
                    const char **names, const char **values, size_t *n, char *allow)
{
    static char copy[256];
    snprintf(copy, sizeof(copy), "%s", path);
    return pko_router_match(r, method, copy, rt, names, values, 4, n, allow, 64);
}

static void test_literal_param_and_method(void **state)
{
    (void)state;
    pko_router *r = pko_router_new();
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_router_add_module(r, &mod, &e), PKO_OK);
    const pko_route *rt;
    const char *names[4], *values[4];
    size_t n;
    char allow[64];
    assert_int_equal(match(r, "GET", "/api/v1/things", &rt, names, values, &n, allow), PKO_OK);
    assert_ptr_equal(rt, &routes[0]);
    assert_int_equal(n, 0);
    assert_int_equal(match(r, "PATCH", "/api/v1/things/abc", &rt, names, values, &n, allow),
                     PKO_OK);
    assert_ptr_equal(rt, &routes[3]);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "{id}");
    assert_string_equal(values[0], "abc");
    assert_int_equal(match(r, "GET", "/api/v1/things/a/parts/b", &rt, names, values, &n, allow),
                     PKO_OK);
    assert_int_equal(n, 2);
    assert_string_equal(values[1], "b");
    /* First declared wins: "count" matches {id} before the literal route. */
    assert_int_equal(match(r, "GET", "/api/v1/things/count", &rt, names, values, &n, allow),
                     PKO_OK);
    assert_ptr_equal(rt, &routes[2]);
    pko_router_free(r);
}

static void test_404_and_405(void **state)
{
    (void)state;
    pko_router *r = pko_router_new();
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_router_add_module(r, &mod, &e), PKO_OK);
    const pko_route *rt;
    const char *names[4], *values[4];
    size_t n;
    char allow[64];
    assert_int_equal(match(r, "DELETE", "/api/v1/things", &rt, names, values, &n, allow),
                     PKO_EMETHOD);
    assert_string_equal(allow, "GET, POST");
    assert_int_equal(match(r, "GET", "/api/v1/thing", &rt, names, values, &n, allow),
                     PKO_ENOTFOUND);
    assert_int_equal(match(r, "GET", "/api/v1/things/", &rt, names, values, &n, allow),
                     PKO_ENOTFOUND); /* empty parameter */
    assert_int_equal(match(r, "GET", "/api//v1/things", &rt, names, values, &n, allow),
                     PKO_ENOTFOUND);
    assert_int_equal(match(r, "GET", "api/v1/things", &rt, names, values, &n, allow),
                     PKO_ENOTFOUND);
    assert_int_equal(match(r, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", &rt, names, values,
                           &n, allow),
                     PKO_ENOTFOUND);
    assert_int_equal(match(r, "GET", "/", &rt, names, values, &n, allow), PKO_ENOTFOUND);
    pko_router_free(r);
}

static void test_duplicates_and_unknown_perms_refused(void **state)
{
    (void)state;
    pko_router *r = pko_router_new();
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_router_add_module(r, &mod, &e), PKO_OK);
    assert_int_equal(pko_router_add_module(r, &mod, &e), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "twice"));
    pko_router_free(r);

    static const pko_route bad[] = {{"GET", "/x", h_none, "nope.read", 0, 0}};
    static const pko_module badmod = {.name = "bad", .routes = bad, .n_routes = 1};
    r = pko_router_new();
    pko_err_clear(&e);
    assert_int_equal(pko_router_add_module(r, &badmod, &e), PKO_EINTERNAL);
    assert_non_null(strstr(e.msg, "unknown permission"));
    assert_null(pko_router_perm(r, "nope.read"));
    pko_router_free(r);
}

static void test_real_modules_build_a_router(void **state)
{
    (void)state;
    pko_router *r = pko_router_new();
    pko_err e;
    pko_err_clear(&e);
    for (size_t i = 0; i < pko_n_modules; i++)
        assert_int_equal(pko_router_add_module(r, pko_modules[i], &e), PKO_OK);
    assert_ptr_equal(pko_modules[0], &pko_module_auth);
    assert_non_null(pko_router_perm(r, "missions.read"));
    assert_non_null(pko_router_perm(r, "users.admin"));
    pko_router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_param_and_method),
        cmocka_unit_test(test_404_and_405),
        cmocka_unit_test(test_duplicates_and_unknown_perms_refused),
        cmocka_unit_test(test_real_modules_build_a_router),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
