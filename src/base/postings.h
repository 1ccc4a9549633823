/* postings.h - growable uint32 lists and string-keyed posting lists (key -> list of account slots). */
#ifndef L2A_POSTINGS_H
#define L2A_POSTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct u32vec {
    uint32_t *v;   /* owned */
    uint32_t n;
    uint32_t cap;
} u32vec;

void u32_push(u32vec *a, uint32_t x);
void u32_free(u32vec *a);
bool u32_contains(const u32vec *a, uint32_t x);
/* Removes every occurrence of x (order not kept). */
void u32_remove(u32vec *a, uint32_t x);

/* key -> u32vec. Adding the same value twice in a row keeps one. */
typedef struct postings {
    strmap *keys;      /* key -> list number */
    u32vec *lists;     /* owned */
    size_t nlists;
    size_t cap;
} postings;

void postings_init(postings *p);
void postings_free(postings *p);
void postings_add(postings *p, const char *key, uint32_t val);
void postings_remove(postings *p, const char *key, uint32_t val);
/* List for key, or NULL. Valid until the next add. */
const u32vec *postings_get(const postings *p, const char *key);
/* Number of distinct keys. */
size_t postings_keys(const postings *p);

/* Multimap from 64-bit hashes to uint32 values, for the typo index (deletion variants). No keys
 * are stored: callers verify candidates. */
typedef struct hashmulti {
    uint64_t *hash;    /* 0 = empty slot (hash 0 is remapped to 1) */
    uint32_t *val;
    size_t cap;
    size_t n;
} hashmulti;

void hashmulti_init(hashmulti *h);
void hashmulti_free(hashmulti *h);
void hashmulti_add(hashmulti *h, uint64_t hash, uint32_t val);
/* Calls fn(val, ctx) for every value stored under hash (and possibly a few extra: verify). */
void hashmulti_each(const hashmulti *h, uint64_t hash, void (*fn)(uint32_t val, void *ctx),
                    void *ctx);

#endif
