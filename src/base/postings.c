/* postings.c - growable uint32 lists, posting lists by string key and a hash multimap. */
#include "postings.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "huge.h"
#include "strmap.h"
#include "table.h"

void u32_push(u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 2;
        a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = x;
}

void u32_free(u32vec *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

bool u32_contains(const u32vec *a, uint32_t x)
{
    for (uint32_t i = 0; i < a->n; i++)
        if (a->v[i] == x)
            return true;
    return false;
}

uint32_t u32_lower_bound(const u32vec *a, uint32_t x)
{
    uint32_t lo = 0, hi = a->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void u32_remove(u32vec *a, uint32_t x)
{
    uint32_t i = 0;
    while (i < a->n) {
        if (a->v[i] == x)
            a->v[i] = a->v[--a->n];
        else
            i++;
    }
}

#define SORT_BITS 11

void u32_sort(uint32_t *v, uint32_t *tmp, size_t n)
{
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        max |= v[i];
    uint32_t *from = v, *to = tmp;
    for (unsigned shift = 0; shift < 32 && (max >> shift); shift += SORT_BITS) {
        size_t count[(1u << SORT_BITS) + 1] = {0};
        uint32_t mask = (1u << SORT_BITS) - 1;
        for (size_t i = 0; i < n; i++)
            count[((from[i] >> shift) & mask) + 1]++;
        for (size_t d = 1; d <= mask; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i] >> shift) & mask]++] = from[i];
        uint32_t *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof(*v));
}

/* ---- u32pool ---- */

#define POOL_CHUNK HUGE_PAGE_BYTES   /* one huge page each (xmalloc_huge) */

typedef struct pool_chunk {
    struct pool_chunk *prev;
    uint64_t bytes[];
} pool_chunk;

void u32pool_init(u32pool *p)
{
    memset(p, 0, sizeof(*p));
}

void u32pool_free(u32pool *p)
{
    for (pool_chunk *c = p->chunk, *prev; c; c = prev) {
        prev = c->prev;
        xfree_huge(c, POOL_CHUNK);
    }
    memset(p, 0, sizeof(*p));
}

/* Size class of a pooled capacity (2 -> 0, 4 -> 1, ...), or -1 for a malloc'd one. */
static int pool_class(uint32_t cap)
{
    int k = 0;
    for (uint32_t c = 2; c <= U32POOL_MAX_CAP; c <<= 1, k++)
        if (c == cap)
            return k;
    return -1;
}

static uint32_t *pool_take(u32pool *p, int k)
{
    void *blk = p->free[k];
    if (blk) {
        memcpy(&p->free[k], blk, sizeof(void *));
        return blk;
    }
    size_t bytes = (2u << k) * sizeof(uint32_t);
    if (!p->chunk || p->used + bytes > POOL_CHUNK - sizeof(pool_chunk)) {
        pool_chunk *c = xmalloc_huge(POOL_CHUNK);
        c->prev = p->chunk;
        p->chunk = c;
        p->used = 0;
    }
    blk = (char *)((pool_chunk *)p->chunk)->bytes + p->used;
    p->used += bytes;
    return blk;
}

static void pool_give(u32pool *p, uint32_t *v, uint32_t cap)
{
    int k = pool_class(cap);
    if (k < 0) {
        free(v);
        return;
    }
    memcpy(v, &p->free[k], sizeof(void *));
    p->free[k] = v;
}

void u32pool_push(u32pool *p, u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 2;
        if (a->cap && pool_class(a->cap) < 0) {
            a->v = xrealloc(a->v, cap * sizeof(*a->v));
        } else {
            int k = pool_class(cap);
            uint32_t *v = k >= 0 ? pool_take(p, k) : xmalloc(cap * sizeof(*v));
            if (a->n)
                memcpy(v, a->v, a->n * sizeof(*v));
            if (a->cap)
                pool_give(p, a->v, a->cap);
            a->v = v;
        }
        a->cap = cap;
    }
    a->v[a->n++] = x;
}

void u32pool_release(u32pool *p, u32vec *a)
{
    if (a->cap)
        pool_give(p, a->v, a->cap);
    *a = (u32vec){0};
}

void u32pool_forget(u32pool *p, u32vec *a)
{
    (void)p;
    if (a->cap && pool_class(a->cap) < 0)
        free(a->v);
    *a = (u32vec){0};
}

/* ---- postings ---- */

#define POSTINGS_SINGLE 0x80000000u   /* map value: the key's one value, tagged */
#define POSTINGS_EMPTY 0xffffffffu    /* map value: the key's one value was removed */

static const u32vec empty_list = {0};

void postings_init(postings *p)
{
    p->keys = strmap_new();
    u32pool_init(&p->pool);
    p->lists = NULL;
    p->nlists = 0;
    p->cap = 0;
    p->own_singles = (u32singles){0};
    p->singles = &p->own_singles;
}

void postings_share_singles(postings *p, u32singles *s)
{
    p->singles = s;
}

void u32singles_free(u32singles *s)
{
    xfree_huge(s->v, s->cap * sizeof(*s->v));
    *s = (u32singles){0};
}

/* Makes s hold the list of one value x (and of every value below it). */
static void singles_reach(u32singles *s, uint32_t x)
{
    if (x < s->n)
        return;
    if (x >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        while (cap <= x)
            cap *= 2;
        s->v = xrealloc_huge(s->v, s->cap * sizeof(*s->v), cap * sizeof(*s->v));
        s->cap = cap;
        for (size_t i = 0; i < s->n; i++)     /* moved: each points at its own cap again */
            s->v[i].v = &s->v[i].cap;
    }
    for (size_t i = s->n; i <= x; i++)
        s->v[i] = (u32vec){&s->v[i].cap, 1, (uint32_t)i};
    s->n = (size_t)x + 1;
}

void postings_free(postings *p)
{
    for (size_t i = 0; i < p->nlists; i++)
        u32pool_forget(&p->pool, &p->lists[i]);
    u32pool_free(&p->pool);
    free(p->lists);
    strmap_free(p->keys);
    u32singles_free(&p->own_singles);
    p->keys = NULL;
    p->lists = NULL;
    p->nlists = p->cap = 0;
}

void postings_add(postings *p, const char *key, uint32_t val)
{
    size_t len = strlen(key);
    postings_add_h(p, key, len, hash_bytes(key, len), val);
}

/* A new list of the values first and then (the key's second value): its number. */
static uint32_t list_of_two(postings *p, uint32_t first, uint32_t then)
{
    if (p->nlists == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->lists = xrealloc(p->lists, p->cap * sizeof(*p->lists));
    }
    u32vec *l = &p->lists[p->nlists];
    *l = (u32vec){0};
    u32pool_push(&p->pool, l, first);
    u32pool_push(&p->pool, l, then);
    return (uint32_t)p->nlists++;
}

const char *postings_add_h(postings *p, const char *key, size_t keylen, uint64_t hash,
                           uint32_t val)
{
    uint32_t *ref;
    bool added;
    const char *stored = strmap_get_or_put_ref_h(p->keys, key, keylen, hash,
                                                 val | POSTINGS_SINGLE, &ref, &added);
    singles_reach(p->singles, val);
    if (added)
        return stored;
    uint32_t now = *ref;
    if (now == POSTINGS_EMPTY) {
        *ref = val | POSTINGS_SINGLE;
    } else if (now & POSTINGS_SINGLE) {
        if ((now & ~POSTINGS_SINGLE) != val)
            *ref = list_of_two(p, now & ~POSTINGS_SINGLE, val);
    } else {
        u32vec *l = &p->lists[now];
        if (!l->n || l->v[l->n - 1] != val)
            u32pool_push(&p->pool, l, val);
    }
    return stored;
}

void postings_remove(postings *p, const char *key, uint32_t val)
{
    uint32_t *ref = strmap_ref(p->keys, key);
    if (!ref || *ref == POSTINGS_EMPTY)
        return;
    if (*ref & POSTINGS_SINGLE) {
        if ((*ref & ~POSTINGS_SINGLE) == val)
            *ref = POSTINGS_EMPTY;
    } else {
        u32_remove(&p->lists[*ref], val);
    }
}

void postings_prefetch(const postings *p, const char *key)
{
    strmap_prefetch(p->keys, key);
}

void postings_prefetch_h(const postings *p, uint64_t hash)
{
    strmap_prefetch_h(p->keys, hash);
}

const u32vec *postings_get_h(const postings *p, const char *key, size_t keylen, uint64_t hash)
{
    uint32_t li;
    if (!strmap_getn_h(p->keys, key, keylen, hash, &li))
        return NULL;
    if (li == POSTINGS_EMPTY)
        return &empty_list;
    if (li & POSTINGS_SINGLE)
        return &p->singles->v[li & ~POSTINGS_SINGLE];
    return &p->lists[li];
}

const u32vec *postings_get(const postings *p, const char *key)
{
    size_t len = strlen(key);
    return postings_get_h(p, key, len, hash_bytes(key, len));
}

size_t postings_keys(const postings *p)
{
    return strmap_count(p->keys);
}

void hashmulti_init(hashmulti *h)
{
    h->cap = 1024;
    h->n = 0;
    h->expect = 0;
    h->slot = xcalloc(h->cap, sizeof(*h->slot));
}

void hashmulti_free(hashmulti *h)
{
    xfree_huge(h->slot, h->cap * sizeof(*h->slot));
    h->slot = NULL;
    h->cap = h->n = 0;
}

static void hashmulti_insert(hashmulti *h, uint32_t hash, uint32_t val)
{
    size_t i = table_home(hash, h->cap);
    while (h->slot[i].hash)
        i = table_next(i, h->cap);
    h->slot[i] = (hashmulti_slot){hash, val};
    h->n++;
}

static void hashmulti_grow(hashmulti *h)
{
    hashmulti_slot *old = h->slot;
    size_t ocap = h->cap;
    h->cap = table_grown_cap(ocap, h->expect * 10 / 7, sizeof(*h->slot));
    h->n = 0;
    h->slot = xcalloc_huge(h->cap * sizeof(*h->slot));
    for (size_t i = 0; i < ocap; i++)
        if (old[i].hash)
            hashmulti_insert(h, old[i].hash, old[i].val);
    xfree_huge(old, ocap * sizeof(*old));
}

void hashmulti_expect(hashmulti *h, size_t n)
{
    h->expect = n;
}

/* The 32 bits stored for a hash: its low half, never 0. */
static uint32_t hash_tag(uint64_t hash)
{
    uint32_t tag = (uint32_t)hash;
    return tag ? tag : 1;
}

void hashmulti_add(hashmulti *h, uint64_t hash, uint32_t val)
{
    if ((h->n + 1) * 10 >= h->cap * 7)
        hashmulti_grow(h);
    hashmulti_insert(h, hash_tag(hash), val);
}

void hashmulti_prefetch(const hashmulti *h, uint64_t hash)
{
    __builtin_prefetch(&h->slot[table_home(hash_tag(hash), h->cap)], 1);
}

uint32_t hashmulti_find(const hashmulti *h, uint64_t hash,
                        bool (*match)(uint32_t val, const void *ctx), const void *ctx)
{
    uint32_t tag = hash_tag(hash);
    for (size_t i = table_home(tag, h->cap); h->slot[i].hash; i = table_next(i, h->cap))
        if (h->slot[i].hash == tag && match(h->slot[i].val, ctx))
            return h->slot[i].val;
    return UINT32_MAX;
}

void hashmulti_each(const hashmulti *h, uint64_t hash, void (*fn)(uint32_t val, void *ctx),
                    void *ctx)
{
    uint32_t tag = hash_tag(hash);
    for (size_t i = table_home(tag, h->cap); h->slot[i].hash; i = table_next(i, h->cap))
        if (h->slot[i].hash == tag)
            fn(h->slot[i].val, ctx);
}
