/* Unit tests for src/core/log.c: logfmt output captured from stderr. */
#include "test_util.h"

#include <fcntl.h>

#include "core/log.h"

/* Run pko_log with stderr redirected to a pipe; return what it wrote. */
static void capture(char *out, size_t n, pko_log_level lvl, const char *event, const char *k,
                    const char *v)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int saved = dup(STDERR_FILENO);
    dup2(fds[1], STDERR_FILENO);
    pko_log(lvl, event, k, v, NULL);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    ssize_t r = read(fds[0], out, n - 1);
    out[r > 0 ? r : 0] = '\0';
    close(fds[0]);
}

static void test_plain_and_quoted_values(void **state)
{
    (void)state;
    char out[1024];
    capture(out, sizeof(out), PKO_LOG_INFO, "request", "path", "/api/v1/missions");
    assert_non_null(strstr(out, " level=info event=request path=/api/v1/missions\n"));
    assert_memory_equal(out, "ts=", 3);
    capture(out, sizeof(out), PKO_LOG_WARN, "x", "message", "a \"b\"=c\nd");
    assert_non_null(strstr(out, "message=\"a \\\"b\\\"=c\\nd\"\n"));
    capture(out, sizeof(out), PKO_LOG_INFO, "x", "empty", "");
    assert_non_null(strstr(out, "empty=\"\"\n"));
}

static void test_level_filter(void **state)
{
    (void)state;
    char out[256];
    pko_log_set_level(PKO_LOG_WARN);
    capture(out, sizeof(out), PKO_LOG_INFO, "hidden", "k", "v");
    assert_string_equal(out, "");
    pko_log_set_level(PKO_LOG_INFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted_values),
        cmocka_unit_test(test_level_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
