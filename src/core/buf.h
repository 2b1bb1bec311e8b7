/* SPDX-License-Identifier: MIT
 *
 * A growable byte buffer with a hard size cap (after curl's dynbuf). Appends
 * past the cap fail with PKO_ETOOBIG and leave the buffer as it was. The
 * content is always NUL-terminated so it can be handed to C string APIs.
 */
#ifndef PKO_CORE_BUF_H
#define PKO_CORE_BUF_H

#include <stddef.h>

#include "core/err.h"

typedef struct pko_buf {
    char *data; /* owned; NUL-terminated; NULL until the first append */
    size_t len; /* bytes used, excluding the terminator */
    size_t cap; /* bytes allocated */
    size_t max; /* hard limit on len */
} pko_buf;

/* Prepare 'b' with a hard limit of 'max' bytes. Allocates nothing. */
void pko_buf_init(pko_buf *b, size_t max);
/* Append 'n' bytes. Returns PKO_OK or PKO_ETOOBIG. */
PKO_MUST_USE pko_rc pko_buf_append(pko_buf *b, const void *p, size_t n);
/* Append a NUL-terminated string. */
PKO_MUST_USE pko_rc pko_buf_puts(pko_buf *b, const char *s);
/* Append printf-formatted text. */
PKO_MUST_USE pko_rc pko_buf_printf(pko_buf *b, const char *fmt, ...) PKO_PRINTF(2, 3);
/* Empty the buffer, keeping its memory. */
void pko_buf_reset(pko_buf *b);
/* Hand the content to the caller (free with pko_free) and reset 'b'.
 * Returns an empty string, never NULL, when nothing was appended. */
char *pko_buf_take(pko_buf *b, size_t *len_out);
/* Release the memory. */
void pko_buf_free(pko_buf *b);

#endif
