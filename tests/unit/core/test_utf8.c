/* Unit tests for src/core/utf8.c. */
#include "test_util.h"

#include "core/utf8.h"

static void test_sequences(void **state)
{
    (void)state;
    assert_int_equal(pko_utf8_seq((const unsigned char *)"a", 1), 1);
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xc3\xa9", 2), 2);
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3), 3);
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xc3\xa9", 1), 0);     /* cut short */
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xc0\xaf", 2), 0);     /* overlong */
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3), 0); /* overlong */
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4), 0); /* >10FFFF */
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\xff", 1), 0);
    assert_int_equal(pko_utf8_seq((const unsigned char *)"\x80", 1), 0);
    assert_int_equal(pko_utf8_seq((const unsigned char *)"", 0), 0);
}

static void test_strings(void **state)
{
    (void)state;
    assert_true(pko_utf8_valid("Prosp\xc3\xa9rit\xc3\xa9", 13));
    assert_true(pko_utf8_valid("", 0));
    assert_false(pko_utf8_valid("Prosp\xe9rit\xe9", 11)); /* Windows-1252 */
    assert_false(pko_utf8_valid("ab\xc3", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
