/* slottable.c - a hash set of slot numbers keyed by hashes of keys held by the caller. */
#include "slottable.h"

#include <stdlib.h>

#include "util.h"

void slottable_init(slottable *t)
{
    t->cap = 1024;
    t->n = 0;
    t->e = xcalloc(t->cap, sizeof(*t->e));
}

void slottable_free(slottable *t)
{
    free(t->e);
    t->e = NULL;
    t->cap = t->n = 0;
}

static void put(slottable *t, uint32_t tag, uint32_t slot1)
{
    size_t mask = t->cap - 1;
    size_t i = tag & mask;
    while (t->e[i].slot1)
        i = (i + 1) & mask;
    t->e[i] = (slottable_entry){tag, slot1};
    t->n++;
}

static void grow(slottable *t)
{
    slottable_entry *old = t->e;
    size_t ocap = t->cap;
    t->cap *= 2;
    t->n = 0;
    t->e = xcalloc(t->cap, sizeof(*t->e));
    for (size_t i = 0; i < ocap; i++)
        if (old[i].slot1)
            put(t, old[i].tag, old[i].slot1);
    free(old);
}

void slottable_add(slottable *t, uint64_t hash, uint32_t slot)
{
    if ((t->n + 1) * 4 >= t->cap * 3)
        grow(t);
    put(t, (uint32_t)hash, slot + 1);
}

uint32_t slottable_find(const slottable *t, uint64_t hash,
                        bool (*same)(uint32_t slot, const void *ctx), const void *ctx)
{
    uint32_t tag = (uint32_t)hash;
    size_t mask = t->cap - 1;
    for (size_t i = tag & mask; t->e[i].slot1; i = (i + 1) & mask)
        if (t->e[i].tag == tag && same(t->e[i].slot1 - 1, ctx))
            return t->e[i].slot1 - 1;
    return UINT32_MAX;
}

void slottable_prefetch(const slottable *t, uint64_t hash)
{
    __builtin_prefetch(&t->e[(uint32_t)hash & (t->cap - 1)], 0);
}
