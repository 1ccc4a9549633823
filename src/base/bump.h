/* bump.h - a bump allocator: many small blocks carved from a few large ones and dropped together
 * (bump_reset keeps the large ones for the next round), instead of a malloc and a free each. */
#ifndef L2A_BUMP_H
#define L2A_BUMP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct bump_block bump_block;

typedef struct bump {
    bump_block *used;   /* blocks carved from, newest first (owned) */
    bump_block *spare;  /* blocks kept by bump_reset (owned) */
    bool huge;          /* blocks of one 2 MiB huge page each (xmalloc_huge), not 64 KiB */
} bump;

void bump_init(bump *b);
/* bump_init for a large arena read at random (the account index's strings): its blocks are huge
 * pages, so that a read of one costs no TLB miss of its own. Not for small or short-lived arenas:
 * each block takes 2 MiB as soon as it is touched. */
void bump_init_huge(bump *b);
/* Frees every block: what bump_alloc gave out is gone. */
void bump_free(bump *b);
/* Forgets what was given out, keeping the blocks for the next allocations. */
void bump_reset(bump *b);
/* n bytes, aligned for any pointer or 64-bit integer, valid until bump_reset or bump_free. */
void *bump_alloc(bump *b, size_t n);
/* A copy of s (NUL-terminated) in b. */
char *bump_strdup(bump *b, const char *s);

/* A block of b's usual size, for bump_add_spare: made on any thread (b is read for the kind of
 * its blocks alone, which must not change meanwhile), so that another thread can fault its memory
 * in before b's own thread carves from it. */
bump_block *bump_block_new(const bump *b);
/* Where a block from bump_block_new starts and how many bytes it spans (to fault them in). */
void *bump_block_span(bump_block *k, size_t *bytes);
/* Gives b a block from bump_block_new: the next one it needs is carved from it. */
void bump_add_spare(bump *b, bump_block *k);
bool bump_has_spare(const bump *b);
/* Frees b's spare blocks (those bump_reset kept or bump_add_spare gave). */
void bump_drop_spare(bump *b);
/* Frees a block from bump_block_new that no bump was given. */
void bump_block_discard(bump_block *k);

#endif
