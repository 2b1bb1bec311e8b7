/* SPDX-License-Identifier: MIT
 *
 * Error codes and the error context every fallible PKO function fills.
 *
 * A function returns a pko_rc; when the caller needs to know why, it passes a
 * pko_err that receives a human message, the offending field (if any) and the
 * SQLite result code (if any). Only the first error is recorded (sticky), so a
 * long path can report its root cause. The HTTP layer alone maps pko_rc to a
 * status code; nothing below it knows about HTTP.
 */
#ifndef PKO_CORE_ERR_H
#define PKO_CORE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define PKO_MUST_USE __attribute__((warn_unused_result))
#define PKO_PRINTF(a, b) __attribute__((format(printf, a, b)))

typedef enum pko_rc {
    PKO_OK = 0,
    PKO_EINVAL,     /* bad input: a field failed validation */
    PKO_EJSON,      /* malformed JSON body */
    PKO_ENOTFOUND,  /* no such record or route */
    PKO_EMETHOD,    /* route exists, method does not */
    PKO_EAUTH,      /* not authenticated */
    PKO_EFORBIDDEN, /* authenticated but not allowed */
    PKO_ECSRF,      /* state-changing request without a valid CSRF token */
    PKO_ECONFLICT,  /* duplicate or stale version */
    PKO_ETOOBIG,    /* body or value over a limit */
    PKO_EMEDIA,     /* body in a content type the route does not take */
    PKO_ETHROTTLE,  /* too many attempts */
    PKO_EBUSY,      /* database busy after retries, or request timed out */
    PKO_EFULL,      /* disk or database full */
    PKO_ESTORE,     /* other database error */
    PKO_EIO,        /* file or socket error */
    PKO_ENOMEM,     /* allocation failed */
    PKO_EINTERNAL,  /* a bug: an invariant did not hold */
    PKO_RC_COUNT
} pko_rc;

#define PKO_ERR_MSG_MAX 512
#define PKO_ERR_FIELD_MAX 96

typedef struct pko_err {
    pko_rc code;                   /* PKO_OK until the first error */
    int sqlite_rc;                 /* extended SQLite code, 0 if none */
    long offset;                   /* byte offset in input, -1 if none */
    char field[PKO_ERR_FIELD_MAX]; /* offending field ("acronym"), "" if none */
    char msg[PKO_ERR_MSG_MAX];     /* human message, one sentence */
} pko_err;

/* Reset 'err' to "no error". 'err' may be NULL. */
void pko_err_clear(pko_err *err);

/* Record an error in 'err' unless one is already recorded, and return 'rc'
 * so a call site can write `return pko_err_set(err, PKO_EINVAL, "...")`.
 * 'err' may be NULL, in which case only 'rc' is returned. The message (and
 * the field) are always valid UTF-8, so they can go into JSON as they are:
 * a message too long for 'msg' is cut on a character boundary, and bytes
 * that are not UTF-8 (from a URL path, a file) are replaced with '?'. */
pko_rc pko_err_set(pko_err *err, pko_rc rc, const char *fmt, ...) PKO_PRINTF(3, 4);

/* Like pko_err_set(), also naming the input field at fault. */
pko_rc pko_err_field(pko_err *err, pko_rc rc, const char *field, const char *fmt, ...)
    PKO_PRINTF(4, 5);

/* Stable machine name of 'rc' ("invalid", "not_found", ...), used as the
 * "code" of API errors and in logs. Never NULL. */
const char *pko_rc_name(pko_rc rc);

#endif
