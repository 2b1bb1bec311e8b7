/* Unit tests for src/core/err.c. */
#include "test_util.h"

#include <jansson.h>

#include "core/err.h"

static void test_first_error_sticks(void **state)
{
    (void)state;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(e.code, PKO_OK);
    assert_int_equal(e.offset, -1);
    assert_int_equal(pko_err_field(&e, PKO_EINVAL, "name", "name is %s", "required"), PKO_EINVAL);
    assert_int_equal(pko_err_set(&e, PKO_ESTORE, "later"), PKO_ESTORE);
    assert_int_equal(e.code, PKO_EINVAL);
    assert_string_equal(e.msg, "name is required");
    assert_string_equal(e.field, "name");
}

static void test_null_context(void **state)
{
    (void)state;
    assert_int_equal(pko_err_set(NULL, PKO_EBUSY, "x"), PKO_EBUSY);
    pko_err_clear(NULL);
}

static void test_long_message_truncates(void **state)
{
    (void)state;
    char big[2000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    pko_err e;
    pko_err_clear(&e);
    pko_err_field(&e, PKO_EINVAL, big, "%s", big);
    assert_int_equal(strlen(e.msg), PKO_ERR_MSG_MAX - 1);
    assert_int_equal(strlen(e.field), PKO_ERR_FIELD_MAX - 1);
}

/* Regression: truncation split a multi-byte character and bytes from input
 * (a URL path with %FF) went into the message as they were, so the JSON
 * error body lost "message" and "field" (jansson refuses invalid UTF-8). */
static void test_message_is_always_valid_utf8(void **state)
{
    (void)state;
    /* 'é' is 2 bytes and both buffers have room for an odd number of
     * bytes, so the last character straddles the limit. */
    char big[2 * PKO_ERR_MSG_MAX];
    size_t n = 0;
    while (n + 2 < sizeof(big)) {
        big[n++] = (char)0xC3;
        big[n++] = (char)0xA9;
    }
    big[n] = '\0';
    pko_err e;
    pko_err_clear(&e);
    pko_err_field(&e, PKO_EINVAL, big, "%s", big);
    size_t l = strlen(e.msg);
    assert_int_equal(l, PKO_ERR_MSG_MAX - 2); /* 255 whole characters */
    assert_int_equal((unsigned char)e.msg[l - 1], 0xA9);
    json_t *j = json_string(e.msg);
    assert_non_null(j);
    json_decref(j);
    l = strlen(e.field);
    assert_int_equal(l, PKO_ERR_FIELD_MAX - 2);
    j = json_string(e.field);
    assert_non_null(j);
    json_decref(j);

    pko_err_clear(&e);
    pko_err_field(&e, PKO_ENOTFOUND, "x\xff", "no route for GET /a%sb\xc3(\xed\xa0\x80\xf4\x90\x80\x80",
                  "\xff\xfe");
    assert_string_equal(e.msg, "no route for GET /a??b?(???????");
    assert_string_equal(e.field, "x?");
    j = json_string(e.msg);
    assert_non_null(j);
    json_decref(j);

    /* Valid characters of every length survive untouched. */
    pko_err_clear(&e);
    pko_err_set(&e, PKO_EINVAL, "%s", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_string_equal(e.msg, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pko_rc_name(PKO_OK), "ok");
    assert_string_equal(pko_rc_name(PKO_ENOTFOUND), "not_found");
    assert_string_equal(pko_rc_name(PKO_ECSRF), "csrf_token_invalid");
    assert_string_equal(pko_rc_name(PKO_EFULL), "storage_full");
    assert_string_equal(pko_rc_name((pko_rc)999), "internal");
    for (int rc = 0; rc < PKO_RC_COUNT; rc++)
        assert_non_null(pko_rc_name((pko_rc)rc));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_error_sticks),
        cmocka_unit_test(test_null_context),
        cmocka_unit_test(test_long_message_truncates),
        cmocka_unit_test(test_message_is_always_valid_utf8),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
