/* Unit tests for src/core/field.c: the body field checks the modules share. */
#include "test_util.h"

#include "core/field.h"

static const char *const colours[] = {"red", "green", NULL};

static json_t *body(const char *js)
{
    json_t *b = json_loads(js, 0, NULL);
    assert_non_null(b);
    return b;
}

static void test_dates(void **state)
{
    (void)state;
    assert_true(pko_date_valid("2024-02-29", PKO_MIN_YEAR)); /* leap year */
    assert_false(pko_date_valid("2023-02-29", PKO_MIN_YEAR));
    assert_true(pko_date_valid("2000-02-29", PKO_MIN_YEAR)); /* divisible by 400 */
    assert_false(pko_date_valid("1900-02-29", 1800));        /* by 100, not 400 */
    assert_false(pko_date_valid("2024-04-31", PKO_MIN_YEAR));
    assert_false(pko_date_valid("2024-13-01", PKO_MIN_YEAR));
    assert_false(pko_date_valid("2024-00-10", PKO_MIN_YEAR));
    assert_false(pko_date_valid("2024-1-10", PKO_MIN_YEAR));
    assert_false(pko_date_valid("2024-01-1x", PKO_MIN_YEAR));
    assert_false(pko_date_valid("1944-12-31", PKO_MIN_YEAR));
    assert_true(pko_date_valid("1945-01-01", PKO_MIN_YEAR));
    assert_false(pko_date_valid(NULL, PKO_MIN_YEAR));
}

static void test_enum(void **state)
{
    (void)state;
    pko_err e;
    json_t *b = body("{\"c\": \"green\", \"n\": null, \"x\": \"blue\", \"i\": 3}");
    pko_err_clear(&e);
    assert_int_equal(pko_field_enum(b, "c", colours, true, &e), PKO_OK);
    assert_int_equal(pko_field_enum(b, "absent", colours, true, &e), PKO_OK); /* caller's rule */
    assert_int_equal(pko_field_enum(b, "n", colours, false, &e), PKO_OK);
    assert_int_equal(pko_field_enum(b, "n", colours, true, &e), PKO_EINVAL);
    assert_string_equal(e.field, "n");
    assert_string_equal(e.msg, "n is required");
    pko_err_clear(&e);
    assert_int_equal(pko_field_enum(b, "x", colours, false, &e), PKO_EINVAL);
    assert_string_equal(e.msg, "x must be one of: red, green");
    pko_err_clear(&e);
    assert_int_equal(pko_field_enum(b, "i", colours, false, &e), PKO_EINVAL);
    assert_string_equal(e.field, "i");
    json_decref(b);
}

static void test_text_and_date(void **state)
{
    (void)state;
    pko_err e;
    json_t *b = body("{\"t\": \"ok\", \"empty\": \"\", \"long\": \"abcdef\", \"num\": 1,"
                     " \"d\": \"2020-05-01\", \"bad\": \"2020-5-1\", \"future\": \"2030-01-01\"}");
    pko_err_clear(&e);
    assert_int_equal(pko_field_text(b, "t", 5, &e), PKO_OK);
    assert_int_equal(pko_field_text(b, "absent", 5, &e), PKO_OK);
    assert_int_equal(pko_field_text(b, "empty", 5, &e), PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_field_text(b, "long", 5, &e), PKO_EINVAL);
    assert_string_equal(e.msg, "long must be a non-empty text of at most 5 bytes");
    pko_err_clear(&e);
    assert_int_equal(pko_field_text(b, "num", 5, &e), PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_field_date(b, "d", "2026-01-01", &e), PKO_OK);
    assert_int_equal(pko_field_date(b, "bad", NULL, &e), PKO_EINVAL);
    assert_string_equal(e.field, "bad");
    pko_err_clear(&e);
    assert_int_equal(pko_field_date(b, "future", NULL, &e), PKO_OK);
    assert_int_equal(pko_field_date(b, "future", "2026-11-23", &e), PKO_EINVAL);
    assert_string_equal(e.msg, "future 2030-01-01 is in the future (today is 2026-11-23)");
    json_decref(b);
}

static void test_merged_and_lists(void **state)
{
    (void)state;
    json_t *cur = body("{\"a\": 1, \"b\": 2, \"c\": null}");
    json_t *upd = body("{\"a\": 5, \"b\": null}");
    assert_int_equal(json_integer_value(pko_field_merged(upd, cur, "a")), 5); /* new value */
    assert_null(pko_field_merged(upd, cur, "b"));                             /* removed */
    assert_null(pko_field_merged(upd, cur, "c"));
    assert_null(pko_field_merged(upd, NULL, "x"));
    json_t *tmp = body("{}");
    assert_int_equal(json_integer_value(pko_field_merged(tmp, cur, "b")), 2); /* kept */
    assert_true(pko_field_in(colours, "red"));
    assert_false(pko_field_in(colours, "Red"));
    assert_false(pko_field_in(colours, NULL));
    assert_true(pko_field_null(NULL));
    assert_true(pko_field_null(json_object_get(cur, "c")));
    assert_false(pko_field_null(json_object_get(cur, "a")));
    json_decref(tmp);
    json_decref(upd);
    json_decref(cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_text_and_date),
        cmocka_unit_test(test_merged_and_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
