/* Unit tests for src/http/query.c. */
#include "test_util.h"

#include "http/http.h"

static pko_rc parse(pko_arena *a, const char *qs, pko_query *q, pko_err *e)
{
    pko_err_clear(e);
    return pko_query_parse(a, qs, strlen(qs), q, e);
}

static void test_decoding(void **state)
{
    (void)state;
    pko_arena a;
    pko_arena_init(&a);
    pko_query q;
    pko_err e;
    assert_int_equal(parse(&a, "q=a+b%20c&limit=10&empty=&flag&&x=%C3%A9t%C3%A9", &q, &e), PKO_OK);
    assert_int_equal(q.n, 5);
    assert_string_equal(pko_query_get(&q, "q"), "a b c");
    assert_string_equal(pko_query_get(&q, "limit"), "10");
    assert_string_equal(pko_query_get(&q, "empty"), "");
    assert_string_equal(pko_query_get(&q, "flag"), "");
    assert_string_equal(pko_query_get(&q, "x"), "\xc3\xa9t\xc3\xa9");
    assert_null(pko_query_get(&q, "missing"));
    assert_int_equal(parse(&a, "a=1&a=2", &q, &e), PKO_OK);
    assert_string_equal(pko_query_get(&q, "a"), "1"); /* first wins */
    assert_int_equal(parse(&a, "", &q, &e), PKO_OK);
    assert_int_equal(q.n, 0);
    assert_int_equal(parse(&a, "k%3D=v%26w", &q, &e), PKO_OK);
    assert_string_equal(pko_query_get(&q, "k="), "v&w");
    pko_arena_release(&a);
}

static void test_rejections(void **state)
{
    (void)state;
    pko_arena a;
    pko_arena_init(&a);
    pko_query q;
    pko_err e;
    assert_int_equal(parse(&a, "a=%zz", &q, &e), PKO_EINVAL);
    assert_int_equal(parse(&a, "a=%4", &q, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "truncated"));
    assert_int_equal(parse(&a, "a=%", &q, &e), PKO_EINVAL);
    assert_int_equal(parse(&a, "a=%00", &q, &e), PKO_EINVAL);
    assert_int_equal(parse(&a, "a=%ff", &q, &e), PKO_EINVAL);           /* lone byte */
    assert_int_equal(parse(&a, "a=%C0%AF", &q, &e), PKO_EINVAL);        /* overlong '/' */
    assert_int_equal(parse(&a, "a=%ED%A0%80", &q, &e), PKO_EINVAL);     /* surrogate */
    assert_int_equal(parse(&a, "a=%F4%90%80%80", &q, &e), PKO_EINVAL);  /* > U+10FFFF */
    assert_int_equal(parse(&a, "a=%E2%82", &q, &e), PKO_EINVAL);        /* truncated sequence */
    assert_int_equal(parse(&a, "a=%F0%9F%98%80", &q, &e), PKO_OK);      /* emoji is fine */
    char many[PKO_QUERY_MAX_PAIRS * 4 + 8] = "";
    for (int i = 0; i <= PKO_QUERY_MAX_PAIRS; i++)
        strcat(many, "a=1&"); /* checksrc: test-only, sized above */
    assert_int_equal(parse(&a, many, &q, &e), PKO_EINVAL);
    char *huge = malloc(10000);
    memset(huge, 'a', 9999);
    huge[9999] = '\0';
    assert_int_equal(parse(&a, huge, &q, &e), PKO_ETOOBIG);
    free(huge);
    pko_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoding),
        cmocka_unit_test(test_rejections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
