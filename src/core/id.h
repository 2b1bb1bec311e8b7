/* SPDX-License-Identifier: MIT
 *
 * Record identifiers: UUID version 7 (RFC 9562), 36 characters. They sort by
 * creation time, so cursor paging by id follows insertion order, and they are
 * unique across sites without coordination (74 random bits per millisecond).
 */
#ifndef PKO_CORE_ID_H
#define PKO_CORE_ID_H

#include <stdbool.h>
#include <stddef.h>

#define PKO_ID_LEN 37 /* 36 characters and the terminator */

/* Write a new UUIDv7 into 'out'. Uses libsodium's CSPRNG. */
void pko_id_new(char out[PKO_ID_LEN]);
/* True when 's' is a canonical lower-case UUID (any version). */
bool pko_id_valid(const char *s);
/* Fill 'out' with 'n' random bytes rendered as 2n lower-case hex digits
 * (the caller gives 2n+1 bytes). For tokens and node ids. */
void pko_random_hex(char *out, size_t n);

#endif
