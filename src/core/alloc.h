/* SPDX-License-Identifier: MIT
 *
 * The one allocation wrapper. Small-object and arena allocation abort with a
 * log line on out-of-memory (policy from Redis/h2o); code that must survive
 * OOM (parsers fed by untrusted sizes) checks sizes against core/limits.h
 * before allocating. Raw malloc/free are not used elsewhere in src/.
 */
#ifndef PKO_CORE_ALLOC_H
#define PKO_CORE_ALLOC_H

#include <stddef.h>

/* Allocate 'n' bytes; never returns NULL. Free with pko_free(). */
void *pko_malloc(size_t n);
/* Allocate 'n' zeroed elements of 'size' bytes; never returns NULL. */
void *pko_calloc(size_t n, size_t size);
/* Resize 'p' to 'n' bytes; never returns NULL. */
void *pko_realloc(void *p, size_t n);
/* Copy the NUL-terminated 's'; NULL gives NULL. */
char *pko_strdup(const char *s);
/* Copy 'n' bytes of 's' and terminate them. */
char *pko_strndup(const char *s, size_t n);
/* Free 'p'; NULL is a no-op. */
void pko_free(void *p);

#endif
