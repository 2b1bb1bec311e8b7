/* SPDX-License-Identifier: MIT
 *
 * A bump allocator released in one call (after h2o's per-request pool). The
 * HTTP layer gives each request one arena; nothing allocated from it may be
 * kept after the response is sent.
 */
#ifndef PKO_CORE_ARENA_H
#define PKO_CORE_ARENA_H

#include <stddef.h>

typedef struct pko_arena_block pko_arena_block;

typedef struct pko_arena {
    pko_arena_block *head; /* owned list of blocks, newest first */
    size_t used;           /* bytes handed out, for tests and metrics */
} pko_arena;

void pko_arena_init(pko_arena *a);
/* Return 'n' bytes aligned for any type; never NULL (aborts on OOM). */
void *pko_arena_alloc(pko_arena *a, size_t n);
/* Copy 'n' bytes of 's' into the arena and NUL-terminate them. */
char *pko_arena_strndup(pko_arena *a, const char *s, size_t n);
/* Copy the NUL-terminated 's'; NULL gives NULL. */
char *pko_arena_strdup(pko_arena *a, const char *s);
/* Free every block; 'a' can be reused after pko_arena_init(). */
void pko_arena_release(pko_arena *a);

#endif
