/* SPDX-License-Identifier: MIT
 *
 * UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), shared by every place that checks text from outside.
 */
#ifndef PKO_CORE_UTF8_H
#define PKO_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the valid sequence at 's', which has 'avail' bytes left;
 * 0 when the sequence is invalid or cut short. */
size_t pko_utf8_seq(const unsigned char *s, size_t avail);
/* True when the 'n' bytes at 's' are well-formed UTF-8. */
bool pko_utf8_valid(const char *s, size_t n);

#endif
