/* Unit tests for src/core/id.c. */
#include "test_util.h"

#include <sodium.h>

#include "core/id.h"

static void test_uuidv7_format_and_order(void **state)
{
    (void)state;
    char prev[PKO_ID_LEN] = "";
    for (int i = 0; i < 200; i++) {
        char id[PKO_ID_LEN];
        pko_id_new(id);
        assert_int_equal(strlen(id), 36);
        assert_true(pko_id_valid(id));
        assert_int_equal(id[14], '7');                 /* version */
        assert_non_null(strchr("89ab", id[19]));       /* variant */
        if (prev[0])
            assert_true(strncmp(prev, id, 13) <= 0); /* time prefix never decreases */
        assert_string_not_equal(prev, id);
        memcpy(prev, id, sizeof(id));
    }
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(pko_id_valid("01a2067f-eab7-76d0-bb28-1c5d0a36a9cb"));
    assert_false(pko_id_valid("01A2067F-eab7-76d0-bb28-1c5d0a36a9cb"));
    assert_false(pko_id_valid("01a2067f-eab7-76d0-bb28-1c5d0a36a9c"));
    assert_false(pko_id_valid("01a2067f_eab7-76d0-bb28-1c5d0a36a9cb"));
    assert_false(pko_id_valid(NULL));
}

static void test_random_hex(void **state)
{
    (void)state;
    char a[201], b[201];
    pko_random_hex(a, 100);
    pko_random_hex(b, 100);
    assert_int_equal(strlen(a), 200);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 200; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuidv7_format_and_order),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_random_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
