/* SPDX-License-Identifier: MIT
 * Error context: see err.h. */
#include "core/err.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void pko_err_clear(pko_err *err)
{
    if (!err)
        return;
    err->code = PKO_OK;
    err->sqlite_rc = 0;
    err->offset = -1;
    err->field[0] = '\0';
    err->msg[0] = '\0';
}

/* Make 'buf' valid UTF-8 in place: a sequence cut short by truncation (when
 * 'truncated') is dropped, every other invalid byte becomes '?'. */
static void utf8_clean(char *buf, bool truncated)
{
    unsigned char *s = (unsigned char *)buf;
    size_t i = 0, len = strlen(buf);
    while (s[i]) {
        size_t n = pko_utf8_seq(s + i, len - i);
        if (n) {
            i += n;
            continue;
        }
        if (truncated) {
            /* A lead byte whose sequence only lacks bytes past the end was
             * split by the truncation: cut before it. */
            size_t need = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : s[i] >= 0xC0 ? 2 : 0;
            size_t have = 1;
            while (have < need && (s[i + have] & 0xC0) == 0x80)
                have++;
            if (need && s[i + have] == '\0') {
                s[i] = '\0';
                return;
            }
        }
        s[i++] = '?';
    }
}

static pko_rc err_vset(pko_err *err, pko_rc rc, const char *field, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static pko_rc err_vset(pko_err *err, pko_rc rc, const char *field, const char *fmt, va_list ap)
{
    if (!err || err->code != PKO_OK)
        return rc;
    err->code = rc;
    if (field) {
        int n = snprintf(err->field, sizeof(err->field), "%s", field);
        utf8_clean(err->field, n >= (int)sizeof(err->field));
    }
    int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    if (n < 0)
        err->msg[0] = '\0';
    utf8_clean(err->msg, n >= (int)sizeof(err->msg));
    return rc;
}

pko_rc pko_err_set(pko_err *err, pko_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, rc, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

pko_rc pko_err_field(pko_err *err, pko_rc rc, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, rc, field, fmt, ap);
    va_end(ap);
    return rc;
}

const char *pko_rc_name(pko_rc rc)
{
    static const char *const names[PKO_RC_COUNT] = {
        [PKO_OK] = "ok",
        [PKO_EINVAL] = "invalid",
        [PKO_EJSON] = "malformed_json",
        [PKO_ENOTFOUND] = "not_found",
        [PKO_EMETHOD] = "method_not_allowed",
        [PKO_EAUTH] = "unauthenticated",
        [PKO_EFORBIDDEN] = "forbidden",
        [PKO_ECSRF] = "csrf_token_invalid",
        [PKO_ECONFLICT] = "conflict",
        [PKO_ETOOBIG] = "too_large",
        [PKO_EMEDIA] = "unsupported_media_type",
        [PKO_ETHROTTLE] = "too_many_attempts",
        [PKO_EBUSY] = "unavailable",
        [PKO_EFULL] = "storage_full",
        [PKO_ESTORE] = "storage_error",
        [PKO_EIO] = "io_error",
        [PKO_ENOMEM] = "out_of_memory",
        [PKO_EINTERNAL] = "internal",
    };
    if ((unsigned)rc >= PKO_RC_COUNT || !names[rc])
        return "internal";
    return names[rc];
}
