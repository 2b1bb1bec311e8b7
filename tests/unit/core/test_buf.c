/* Unit tests for src/core/buf.c and src/core/arena.c. */
#include "test_util.h"

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"

static void test_append_and_take(void **state)
{
    (void)state;
    pko_buf b;
    pko_buf_init(&b, 1024);
    assert_int_equal(pko_buf_puts(&b, "hello"), PKO_OK);
    assert_int_equal(pko_buf_printf(&b, " %d %s", 42, "world"), PKO_OK);
    assert_string_equal(b.data, "hello 42 world");
    size_t n;
    char *s = pko_buf_take(&b, &n);
    assert_int_equal(n, 14);
    assert_string_equal(s, "hello 42 world");
    assert_null(b.data);
    pko_free(s);
}

static void test_cap_refuses_and_keeps_content(void **state)
{
    (void)state;
    pko_buf b;
    pko_buf_init(&b, 8);
    assert_int_equal(pko_buf_puts(&b, "12345678"), PKO_OK);
    assert_int_equal(pko_buf_puts(&b, "9"), PKO_ETOOBIG);
    assert_string_equal(b.data, "12345678");
    pko_buf_reset(&b);
    assert_int_equal(b.len, 0);
    char big[600];
    memset(big, 'x', sizeof(big) - 1);
    big[599] = '\0';
    pko_buf_free(&b);
    pko_buf_init(&b, 10000);
    assert_int_equal(pko_buf_printf(&b, "%s", big), PKO_OK); /* longer than the stack buffer */
    assert_int_equal(b.len, 599);
    pko_buf_free(&b);
    pko_buf_free(&b); /* second free is harmless */
}

static void test_take_empty(void **state)
{
    (void)state;
    pko_buf b;
    pko_buf_init(&b, 10);
    char *s = pko_buf_take(&b, NULL);
    assert_string_equal(s, "");
    pko_free(s);
}

static void test_arena(void **state)
{
    (void)state;
    pko_arena a;
    pko_arena_init(&a);
    char *s = pko_arena_strdup(&a, "abc");
    assert_string_equal(s, "abc");
    assert_null(pko_arena_strdup(&a, NULL));
    for (int i = 0; i < 1000; i++) {
        unsigned char *p = pko_arena_alloc(&a, (size_t)i + 1);
        assert_int_equal(((uintptr_t)p) % _Alignof(max_align_t), 0);
        memset(p, 0xab, (size_t)i + 1);
    }
    void *big = pko_arena_alloc(&a, 100000); /* larger than a block */
    memset(big, 0, 100000);
    assert_true(a.used >= 100000);
    assert_string_equal(s, "abc");
    pko_arena_release(&a);
    assert_int_equal(a.used, 0);
    assert_null(a.head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_take),
        cmocka_unit_test(test_cap_refuses_and_keeps_content),
        cmocka_unit_test(test_take_empty),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
