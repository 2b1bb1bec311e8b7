/* SPDX-License-Identifier: MIT
 * logfmt logger: see log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"

/* A log line over the cap is cut short rather than failing. */
#define LOG_TRY(x)                                                                               \
    do {                                                                                         \
        if (x) {                                                                                 \
        }                                                                                        \
    } while (0)

static pko_log_level log_min = PKO_LOG_INFO;

void pko_log_set_level(pko_log_level min)
{
    log_min = min;
}

/* Append 'v' as a logfmt value, quoting and escaping when needed. */
static void log_value(pko_buf *b, const char *v)
{
    if (!v)
        v = "";
    int quote = (*v == '\0') || strpbrk(v, " =\"\t\n\r\\") != NULL;
    if (!quote) {
        LOG_TRY(pko_buf_puts(b, v));
        return;
    }
    LOG_TRY(pko_buf_puts(b, "\""));
    for (; *v; v++) {
        switch (*v) {
        case '"': LOG_TRY(pko_buf_puts(b, "\\\"")); break;
        case '\\': LOG_TRY(pko_buf_puts(b, "\\\\")); break;
        case '\n': LOG_TRY(pko_buf_puts(b, "\\n")); break;
        case '\r': LOG_TRY(pko_buf_puts(b, "\\r")); break;
        case '\t': LOG_TRY(pko_buf_puts(b, "\\t")); break;
        default: LOG_TRY(pko_buf_append(b, v, 1));
        }
    }
    LOG_TRY(pko_buf_puts(b, "\""));
}

void pko_log(pko_log_level level, const char *event, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < log_min)
        return;
    char ts[32];
    pko_buf b;
    pko_buf_init(&b, 16 * 1024);
    LOG_TRY(pko_buf_printf(&b, "ts=%s level=%s event=", pko_time_rfc3339(pko_now_ms(), ts, sizeof(ts)),
                         names[level]));
    log_value(&b, event);
    va_list ap;
    va_start(ap, event);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        LOG_TRY(pko_buf_printf(&b, " %s=", k));
        log_value(&b, v);
    }
    va_end(ap);
    LOG_TRY(pko_buf_puts(&b, "\n"));
    ssize_t w = write(STDERR_FILENO, b.data, b.len);
    (void)w;
    pko_buf_free(&b);
}
