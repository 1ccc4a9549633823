/* slottable.h - a hash set of slot numbers whose keys live elsewhere: the caller gives each key's
 * hash and, on lookup, tells whether a slot holds the key sought (no key is copied). */
#ifndef L2A_SLOTTABLE_H
#define L2A_SLOTTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct slottable_entry {
    uint32_t tag;       /* low 32 bits of the key's hash, which also place it */
    uint32_t slot1;     /* slot + 1; 0 = empty */
} slottable_entry;

typedef struct slottable {
    slottable_entry *e; /* owned */
    size_t cap;         /* power of two */
    size_t n;
} slottable;

void slottable_init(slottable *t);
void slottable_free(slottable *t);
/* Adds slot (below UINT32_MAX) under hash; nothing is ever removed. */
void slottable_add(slottable *t, uint64_t hash, uint32_t slot);
/* The first slot added under hash for which same(slot, ctx) holds, or UINT32_MAX. */
uint32_t slottable_find(const slottable *t, uint64_t hash,
                        bool (*same)(uint32_t slot, const void *ctx), const void *ctx);
/* Asks the CPU for where a lookup of hash starts. */
void slottable_prefetch(const slottable *t, uint64_t hash);

#endif
