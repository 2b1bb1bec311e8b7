/* Unit tests for src/core/clock.c: RFC 3339 formatting and the hybrid
 * logical clock. */
#include "test_util.h"

#include "core/clock.h"

static int64_t fake_now;
static int64_t fake_clock(void)
{
    return fake_now;
}

static void test_rfc3339(void **state)
{
    (void)state;
    char out[32];
    assert_string_equal(pko_time_rfc3339(0, out, sizeof(out)), "1970-01-01T00:00:00.000Z");
    assert_string_equal(pko_time_rfc3339(1795405200123LL, out, sizeof(out)),
                        "2026-11-23T03:40:00.123Z");
    assert_string_equal(pko_time_rfc3339(-1, out, sizeof(out)), "1969-12-31T23:59:59.999Z");
}

static void test_hlc_monotonic_when_wall_clock_steps_back(void **state)
{
    (void)state;
    pko_hlc c;
    pko_hlc_init(&c, 0);
    c.now = fake_clock;
    fake_now = 1000;
    uint64_t a = pko_hlc_now(&c);
    assert_int_equal(PKO_HLC_MS(a), 1000);
    assert_int_equal(PKO_HLC_COUNTER(a), 0);
    uint64_t b = pko_hlc_now(&c); /* same millisecond: counter */
    assert_true(b > a);
    assert_int_equal(PKO_HLC_MS(b), 1000);
    assert_int_equal(PKO_HLC_COUNTER(b), 1);
    fake_now = 500; /* NTP stepped the clock back */
    uint64_t d = pko_hlc_now(&c);
    assert_true(d > b);
    assert_int_equal(PKO_HLC_MS(d), 1000);
    fake_now = 2000;
    uint64_t e = pko_hlc_now(&c);
    assert_int_equal(PKO_HLC_MS(e), 2000);
    assert_int_equal(PKO_HLC_COUNTER(e), 0);
    pko_hlc_destroy(&c);
}

static void test_hlc_observe_remote(void **state)
{
    (void)state;
    pko_hlc c;
    pko_hlc_init(&c, 0);
    c.now = fake_clock;
    fake_now = 1000;
    uint64_t remote = ((uint64_t)5000 << 16) | 7; /* a site whose clock is ahead */
    uint64_t m = pko_hlc_observe(&c, remote);
    assert_true(m > remote);
    uint64_t next = pko_hlc_now(&c);
    assert_true(next > remote);
    assert_int_equal(PKO_HLC_MS(next), 5000);
    pko_hlc_destroy(&c);
}

static void test_hlc_floor(void **state)
{
    (void)state;
    pko_hlc c;
    uint64_t floor = ((uint64_t)9000000000000LL << 16); /* far future */
    pko_hlc_init(&c, floor);
    assert_true(pko_hlc_now(&c) > floor);
    char s[48];
    pko_hlc_format(((uint64_t)1000 << 16) | 3, s, sizeof(s));
    assert_string_equal(s, "1970-01-01T00:00:01.000Z/0003");
    pko_hlc_destroy(&c);
}

static void test_mono(void **state)
{
    (void)state;
    int64_t a = pko_mono_us();
    int64_t b = pko_mono_us();
    assert_true(b >= a);
    assert_true(pko_now_ms() > 1700000000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_hlc_monotonic_when_wall_clock_steps_back),
        cmocka_unit_test(test_hlc_observe_remote),
        cmocka_unit_test(test_hlc_floor),
        cmocka_unit_test(test_mono),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
