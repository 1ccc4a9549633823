/* postings.h - growable uint32 lists and string-keyed posting lists (key -> list of account slots). */
#ifndef L2A_POSTINGS_H
#define L2A_POSTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strmap.h"
#include "util.h"

typedef struct u32vec {
    uint32_t *v;   /* owned */
    uint32_t n;
    uint32_t cap;
} u32vec;

void u32_push(u32vec *a, uint32_t x);
void u32_free(u32vec *a);
bool u32_contains(const u32vec *a, uint32_t x);
/* In an ascending list: the index of the first value >= x (a->n when none). */
uint32_t u32_lower_bound(const u32vec *a, uint32_t x);
/* The first index of v[from..n) holding a value >= x (n when none): doubling steps from `from`,
 * then halving, so a walk through ascending x costs about log(gap) per value. */
static inline uint32_t u32_gallop(const uint32_t *v, uint32_t n, uint32_t from, uint32_t x)
{
    uint32_t lo = from, hi = from, step = 1;
    while (hi < n && v[hi] < x) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
    }
    if (hi > n)
        hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
/* Removes every occurrence of x (order not kept). */
void u32_remove(u32vec *a, uint32_t x);
/* Sorts v[0..n) ascending, tmp (n entries) its working space: a radix sort, 11 bits a pass, as
 * many passes as the largest value needs (two below 2^22). */
void u32_sort(uint32_t *v, uint32_t *tmp, size_t n);

/* Where the arrays of many small u32vecs come from: capacities up to U32POOL_MAX_CAP (powers of
 * two) are carved from large chunks, with a free list per capacity, so a list of one or two
 * values costs 8 bytes instead of a malloc'd block; larger arrays are malloc'd. A u32vec grown by
 * a pool must be grown and released by that pool only (u32_remove still works in place). */
#define U32POOL_CLASSES 4
#define U32POOL_MAX_CAP (2u << (U32POOL_CLASSES - 1))

typedef struct u32pool {
    void *chunk;                        /* newest chunk (owned, linked to the older ones) */
    size_t used;                        /* bytes used in the newest chunk */
    void *free[U32POOL_CLASSES];        /* released arrays of each capacity, linked */
} u32pool;

void u32pool_init(u32pool *p);
void u32pool_free(u32pool *p);       /* frees every array it gave out */
void u32pool_push(u32pool *p, u32vec *a, uint32_t x);
void u32pool_release(u32pool *p, u32vec *a);
/* Before u32pool_free: frees a's array only when it is not in the pool's chunks (those go with
 * them), without touching a pooled one as u32pool_release would (a cache miss each). */
void u32pool_forget(u32pool *p, u32vec *a);

/* The list of one value x for every x below n, shared by posting lists whose values are the
 * same kind (account slots): singles[x] holds x in its own cap field (v points there). */
typedef struct u32singles {
    u32vec *v;         /* owned (xmalloc_huge) */
    size_t n;
    size_t cap;
} u32singles;

/* key -> u32vec. Adding the same value twice in a row keeps one. A key's map value is its one
 * value (tagged), or the number of its list of two values or more, so that the most common list,
 * of one value, takes no list of its own: it is read from the singles (read lists through v and
 * n only). Values must be below 2^31 - 1. */
typedef struct postings {
    strmap *keys;      /* key -> its one value | POSTINGS_SINGLE, POSTINGS_EMPTY or list number */
    u32pool pool;      /* the lists' arrays */
    u32vec *lists;     /* owned: the lists of two values or more (ever) */
    size_t nlists;
    size_t cap;
    u32singles *singles;   /* own_singles, or another's (postings_share_singles) */
    u32singles own_singles;
} postings;

void postings_init(postings *p);
/* p reads its lists of one value from s (borrowed, freed after p) instead of its own: for
 * several postings over the same values, one table. Before anything is added to p. */
void postings_share_singles(postings *p, u32singles *s);
void u32singles_free(u32singles *s);
void postings_free(postings *p);
void postings_add(postings *p, const char *key, uint32_t val);
/* postings_add for a key of keylen bytes whose hash_bytes() is hash (not computed again).
 * Returns the key as the map stores it (kept until the postings are freed, even once its list
 * is empty). */
const char *postings_add_h(postings *p, const char *key, size_t keylen, uint64_t hash,
                           uint32_t val);
void postings_remove(postings *p, const char *key, uint32_t val);
/* Asks the CPU for where a lookup of key starts: before a batch of adds or removes. */
void postings_prefetch(const postings *p, const char *key);
void postings_prefetch_h(const postings *p, uint64_t hash);
/* List for key, or NULL. Valid until the next add. */
const u32vec *postings_get(const postings *p, const char *key);
/* postings_get for a key of keylen bytes whose hash_bytes() is hash. */
const u32vec *postings_get_h(const postings *p, const char *key, size_t keylen, uint64_t hash);
/* Number of distinct keys. */
size_t postings_keys(const postings *p);

/* Multimap from 64-bit hashes to uint32 values, for the typo index (deletion variants). No keys
 * are stored: callers verify candidates. */
typedef struct hashmulti_slot {
    uint32_t hash;     /* low 32 bits of the hash, which also place it; 0 = empty slot (0 is
                        * remapped to 1) */
    uint32_t val;
} hashmulti_slot;

typedef struct hashmulti {
    hashmulti_slot *slot;  /* hash and value side by side: a probe touches one cache line */
    size_t cap;            /* any size (table_home) */
    size_t n;
    size_t expect;         /* values it is expected to hold (hashmulti_expect; 0: not known) */
} hashmulti;

void hashmulti_init(hashmulti *h);
void hashmulti_free(hashmulti *h);
void hashmulti_add(hashmulti *h, uint64_t hash, uint32_t val);
/* h is expected to hold about n values (0: not known): its growths are sized for them (between a
 * quarter more and twice its slots, table_grown_cap) instead of doubling. */
void hashmulti_expect(hashmulti *h, size_t n);
/* Asks the CPU for the slot where hash is (or would be) stored: before a batch of adds, or of
 * hashmulti_each calls. Changes nothing. */
void hashmulti_prefetch(const hashmulti *h, uint64_t hash);
/* The first value stored under hash for which match(val, ctx) holds, or UINT32_MAX: a map whose
 * keys live elsewhere (the caller's match compares them). */
uint32_t hashmulti_find(const hashmulti *h, uint64_t hash,
                        bool (*match)(uint32_t val, const void *ctx), const void *ctx);
/* Calls fn(val, ctx) for every value stored under hash (and possibly a few extra: verify). */
void hashmulti_each(const hashmulti *h, uint64_t hash, void (*fn)(uint32_t val, void *ctx),
                    void *ctx);

#endif
