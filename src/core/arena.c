/* SPDX-License-Identifier: MIT
 * Bump allocator: see arena.h. */
#include "core/arena.h"

#include <stdalign.h>
#include <string.h>

#include "core/alloc.h"

#define ARENA_BLOCK 8192

struct pko_arena_block {
    pko_arena_block *next;
    size_t size; /* usable bytes in data */
    size_t off;  /* next free byte */
    alignas(max_align_t) unsigned char data[];
};

void pko_arena_init(pko_arena *a)
{
    a->head = NULL;
    a->used = 0;
}

void *pko_arena_alloc(pko_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (!n)
        n = align;
    pko_arena_block *b = a->head;
    if (!b || b->size - b->off < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = pko_malloc(sizeof(*b) + size);
        b->size = size;
        b->off = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->off;
    b->off += n;
    a->used += n;
    return p;
}

char *pko_arena_strndup(pko_arena *a, const char *s, size_t n)
{
    char *p = pko_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *pko_arena_strdup(pko_arena *a, const char *s)
{
    return s ? pko_arena_strndup(a, s, strlen(s)) : NULL;
}

void pko_arena_release(pko_arena *a)
{
    pko_arena_block *b = a->head;
    while (b) {
        pko_arena_block *next = b->next;
        pko_free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}
