/* Unit tests for src/core/json.c. */
#include "test_util.h"

#include "core/json.h"

static pko_rc parse(const char *s, json_t **out, pko_err *e)
{
    pko_err_clear(e);
    return pko_json_parse_object(s, strlen(s), 4, out, e);
}

static void test_valid_object(void **state)
{
    (void)state;
    json_t *o;
    pko_err e;
    assert_int_equal(parse("{\"a\":[1,{\"b\":\"[{\"}]}", &o, &e), PKO_OK);
    assert_true(json_is_object(o));
    json_decref(o);
}

static void test_offset_of_syntax_error(void **state)
{
    (void)state;
    json_t *o;
    pko_err e;
    assert_int_equal(parse("{\"name\": tru}", &o, &e), PKO_EJSON);
    assert_null(o);
    assert_in_range(e.offset, 9, 12); /* within the bad token "tru}" */
    assert_non_null(strstr(e.msg, "byte"));
    assert_int_equal(parse("{\"a\":1,}", &o, &e), PKO_EJSON);
    assert_int_equal(parse("", &o, &e), PKO_EJSON);
}

static void test_depth_limit(void **state)
{
    (void)state;
    json_t *o;
    pko_err e;
    assert_int_equal(parse("{\"a\":[[[1]]]}", &o, &e), PKO_OK);
    json_decref(o);
    assert_int_equal(parse("{\"a\":[[[[1]]]]}", &o, &e), PKO_EJSON);
    assert_int_equal(e.offset, 8); /* the fifth opening bracket */
    /* Brackets inside strings, even after escaped quotes, do not count. */
    assert_int_equal(parse("{\"a\":\"\\\"[[[[[[[[\"}", &o, &e), PKO_OK);
    json_decref(o);
    assert_int_equal(pko_json_depth_exceeded("[[[", 3, 2), 2);
    assert_int_equal(pko_json_depth_exceeded("]]]][", 5, 1), -1);
}

static void test_rejects_non_objects_and_duplicates(void **state)
{
    (void)state;
    json_t *o;
    pko_err e;
    assert_int_equal(parse("[1,2]", &o, &e), PKO_EJSON);
    assert_non_null(strstr(e.msg, "object"));
    assert_int_equal(parse("{\"a\":1,\"a\":2}", &o, &e), PKO_EJSON);
    assert_int_equal(parse("{\"a\":\"\\u0000\"}", &o, &e), PKO_EJSON); /* NUL in a string */
    assert_int_equal(parse("{\"a\":\"\xff\"}", &o, &e), PKO_EJSON);       /* invalid UTF-8 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_object),
        cmocka_unit_test(test_offset_of_syntax_error),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_rejects_non_objects_and_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
