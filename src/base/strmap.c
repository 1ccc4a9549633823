/* strmap.c - the string map: linear probing, tombstones on delete, keys kept in chunks. */
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "huge.h"
#include "table.h"
#include "util.h"

#define REF_EMPTY 0u
#define REF_DELETED 1u
#define KEY_CHUNK 65536         /* bytes; an offset in a chunk fits 16 bits */
#define MAX_CHUNKS 65535u       /* chunk numbers 1..65535 in a reference's high 16 bits */
#define KEY_SLAB_AFTER 8        /* chunks malloc'd one by one before a map's keys go to slabs */
#define KEY_SLAB_CHUNKS (HUGE_PAGE_BYTES / KEY_CHUNK)   /* chunks a slab is cut into */

/* Keys live in chunks that are freed with the map (a key deleted keeps its bytes until then): one
 * allocation per 64 KiB of keys instead of one per key (a longer key gets a chunk of its own). A
 * slot names its key by a 32-bit reference: (chunk number + 1) << 16 | offset in the chunk. Past
 * KEY_SLAB_AFTER chunks (a large map: the index's vocabulary and lists) the chunks are cut from
 * slabs of one huge page (xmalloc_huge): a lookup compares a key read at random, and with 4 KiB
 * pages each such read missed the TLB as well. */

/* One slot, 12 bytes: the key's reference (REF_EMPTY, REF_DELETED or a key), the low 32 bits of its
 * hash (all a slot's place needs while the map has fewer than 2^32 slots, compared before the key
 * itself) and its value, together so that a probe touches one cache line. */
typedef struct map_slot {
    uint32_t ref;
    uint32_t hash;
    uint32_t val;
} map_slot;

struct strmap {
    map_slot *slots;
    char **chunks;    /* owned, each owned unless cut from a slab */
    size_t nchunks;
    char **slabs;     /* HUGE_PAGE_BYTES each (xmalloc_huge), owned */
    size_t nslabs;
    size_t slab_left; /* chunks of the newest slab not handed out yet */
    size_t chunk_used; /* bytes used in the newest chunk */
    size_t chunk_size; /* bytes in the newest chunk */
    size_t cap;       /* any size from 16 (table_home) */
    size_t expect;    /* keys it is expected to hold (strmap_expect; 0: not known) */
    size_t count;
    size_t used;      /* count + tombstones */
    map_slot *spare;  /* zero-filled table given for the next growth (strmap_give_table) */
    size_t spare_cap;
    char *spare_slab; /* a slab given for the next one needed (strmap_give_slab) */
};

static bool ref_is_key(uint32_t ref)
{
    return ref > REF_DELETED;
}

static char *key_at(const strmap *m, uint32_t ref)
{
    return m->chunks[(ref >> 16) - 1] + (ref & 0xFFFFu);
}

/* Was chunk cut from one of m's slabs? */
static bool in_slab(const strmap *m, const char *chunk)
{
    for (size_t i = 0; i < m->nslabs; i++)
        if (chunk >= m->slabs[i] && chunk < m->slabs[i] + HUGE_PAGE_BYTES)
            return true;
    return false;
}

strmap *strmap_new(void)
{
    strmap *m = xcalloc(1, sizeof(*m));
    m->cap = 16;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    return m;
}

void strmap_free(strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nchunks; i++)
        if (!in_slab(m, m->chunks[i]))
            free(m->chunks[i]);
    free(m->chunks);
    for (size_t i = 0; i < m->nslabs; i++)
        xfree_huge(m->slabs[i], HUGE_PAGE_BYTES);
    free(m->slabs);
    xfree_huge(m->slots, m->cap * sizeof(*m->slots));
    strmap_drop_spares(m);
    free(m);
}

size_t strmap_count(const strmap *m)
{
    return m->count;
}

size_t strmap_slots(const strmap *m)
{
    return m->cap;
}

static bool key_eq(const char *stored, const char *key, size_t keylen)
{
    return strncmp(stored, key, keylen) == 0 && stored[keylen] == '\0';
}

/* A new chunk of size bytes: malloc'd while the map is small or for a long key, else cut from a
 * slab. */
static char *chunk_new(strmap *m, size_t size)
{
    if (size > KEY_CHUNK || m->nchunks < KEY_SLAB_AFTER)
        return xmalloc(size);
    if (!m->slab_left) {
        m->slabs = xrealloc(m->slabs, (m->nslabs + 1) * sizeof(*m->slabs));
        m->slabs[m->nslabs++] = m->spare_slab ? m->spare_slab : xmalloc_huge(HUGE_PAGE_BYTES);
        m->spare_slab = NULL;
        m->slab_left = KEY_SLAB_CHUNKS;
    }
    return m->slabs[m->nslabs - 1] + (KEY_SLAB_CHUNKS - m->slab_left--) * KEY_CHUNK;
}

/* A copy of key in the map's chunks; returns its reference. */
static uint32_t key_copy(strmap *m, const char *key, size_t keylen)
{
    if (!m->nchunks || m->chunk_size - m->chunk_used < keylen + 1) {
        if (m->nchunks == MAX_CHUNKS) {
            fprintf(stderr, "<2>l2a: a string map holds more than %u chunks of keys\n", MAX_CHUNKS);
            abort();
        }
        size_t size = keylen + 1 > KEY_CHUNK ? keylen + 1 : KEY_CHUNK;
        char *chunk = chunk_new(m, size);
        m->chunks = xrealloc(m->chunks, (m->nchunks + 1) * sizeof(*m->chunks));
        m->chunks[m->nchunks++] = chunk;
        m->chunk_size = size;
        m->chunk_used = 0;
    }
    char *p = m->chunks[m->nchunks - 1] + m->chunk_used;
    memcpy(p, key, keylen);
    p[keylen] = '\0';
    uint32_t ref = (uint32_t)m->nchunks << 16 | (uint32_t)m->chunk_used;
    m->chunk_used += keylen + 1;
    return ref;
}

/* Slot holding key (whose hash is h), or SIZE_MAX. */
static size_t find_slot_h(const strmap *m, const char *key, size_t keylen, uint64_t h)
{
    size_t i = table_home((uint32_t)h, m->cap);
    while (m->slots[i].ref != REF_EMPTY) {
        const map_slot *sl = &m->slots[i];
        if (sl->hash == (uint32_t)h && ref_is_key(sl->ref) && key_eq(key_at(m, sl->ref), key, keylen))
            return i;
        i = table_next(i, m->cap);
    }
    return SIZE_MAX;
}

static size_t find_slot(const strmap *m, const char *key, size_t keylen)
{
    return find_slot_h(m, key, keylen, hash_bytes(key, keylen));
}

static void spare_table_drop(strmap *m)
{
    if (m->spare)
        xfree_huge(m->spare, m->spare_cap * sizeof(*m->spare));
    m->spare = NULL;
}

static void rehash(strmap *m, size_t newcap)
{
    map_slot *old = m->slots;
    size_t oldcap = m->cap;
    if (m->spare && m->spare_cap != newcap)
        spare_table_drop(m);
    m->slots = m->spare ? m->spare : xcalloc_huge(newcap * sizeof(*m->slots));
    m->spare = NULL;
    m->cap = newcap;
    m->used = m->count;
    for (size_t i = 0; i < oldcap; i++) {
        if (!ref_is_key(old[i].ref))
            continue;
        size_t j = table_home(old[i].hash, newcap);
        while (m->slots[j].ref != REF_EMPTY)
            j = table_next(j, newcap);
        m->slots[j] = old[i];
    }
    xfree_huge(old, oldcap * sizeof(*old));
}

/* The slots of m's next growth: a spare table's when given, else table_grown_cap's. */
static size_t grown_cap(const strmap *m)
{
    if (m->spare)
        return m->spare_cap;
    return table_grown_cap(m->cap, m->expect * 4 / 3, sizeof(*m->slots));
}

void strmap_expect(strmap *m, size_t keys)
{
    m->expect = keys;
}

size_t strmap_expect_of(const strmap *m)
{
    return m->expect;
}

size_t strmap_table_wanted(const strmap *m, size_t inserts, unsigned ahead_shift)
{
    if (inserts > m->cap >> ahead_shift)
        inserts = m->cap >> ahead_shift;
    if (m->spare || (m->used + inserts + 1) * 4 < m->cap * 3)
        return 0;
    size_t bytes = grown_cap(m) * sizeof(*m->slots);
    return bytes >= HUGE_PAGE_BYTES ? bytes : 0;
}

void strmap_give_table(strmap *m, void *table, size_t bytes)
{
    spare_table_drop(m);
    if (bytes / sizeof(*m->slots) < m->cap + m->cap / 4) {
        xfree_huge(table, bytes);   /* made for a growth that has happened since */
        return;
    }
    m->spare = table;
    m->spare_cap = bytes / sizeof(*m->slots);
}

bool strmap_slab_wanted(const strmap *m, size_t chunks_left)
{
    return m->nchunks >= KEY_SLAB_AFTER && !m->spare_slab && m->slab_left <= chunks_left;
}

static void spare_slab_drop(strmap *m)
{
    if (m->spare_slab)
        xfree_huge(m->spare_slab, HUGE_PAGE_BYTES);
    m->spare_slab = NULL;
}

void strmap_give_slab(strmap *m, void *slab)
{
    spare_slab_drop(m);
    m->spare_slab = slab;
}

void strmap_drop_spares(strmap *m)
{
    spare_table_drop(m);
    spare_slab_drop(m);
}

uint32_t *strmap_ref(strmap *m, const char *key)
{
    size_t i = find_slot(m, key, strlen(key));
    return i == SIZE_MAX ? NULL : &m->slots[i].val;
}

bool strmap_getn(const strmap *m, const char *key, size_t keylen, uint32_t *val)
{
    return strmap_getn_h(m, key, keylen, hash_bytes(key, keylen), val);
}

bool strmap_getn_h(const strmap *m, const char *key, size_t keylen, uint64_t hash, uint32_t *val)
{
    size_t i = find_slot_h(m, key, keylen, hash);
    if (i == SIZE_MAX)
        return false;
    if (val)
        *val = m->slots[i].val;
    return true;
}

bool strmap_get(const strmap *m, const char *key, uint32_t *val)
{
    return strmap_getn(m, key, strlen(key), val);
}

bool strmap_has(const strmap *m, const char *key)
{
    return strmap_get(m, key, NULL);
}

const char *strmap_key(const strmap *m, const char *key)
{
    size_t i = find_slot(m, key, strlen(key));
    return i == SIZE_MAX ? NULL : key_at(m, m->slots[i].ref);
}

/* Stores key (absent, hash h) with val; returns its slot. */
static size_t insert_new(strmap *m, const char *key, size_t keylen, uint64_t h, uint32_t val)
{
    if ((m->used + 1) * 4 >= m->cap * 3)
        rehash(m, m->count * 2 >= m->cap / 2 ? grown_cap(m) : m->cap);
    size_t i = table_home((uint32_t)h, m->cap);
    while (ref_is_key(m->slots[i].ref))
        i = table_next(i, m->cap);
    if (m->slots[i].ref == REF_EMPTY)
        m->used++;
    m->slots[i] = (map_slot){key_copy(m, key, keylen), (uint32_t)h, val};
    m->count++;
    return i;
}

void strmap_put(strmap *m, const char *key, uint32_t val)
{
    size_t keylen = strlen(key);
    uint64_t h = hash_bytes(key, keylen);
    size_t i = find_slot_h(m, key, keylen, h);
    if (i != SIZE_MAX)
        m->slots[i].val = val;
    else
        (void)insert_new(m, key, keylen, h, val);
}

const char *strmap_get_or_put(strmap *m, const char *key, uint32_t *val, bool *inserted)
{
    size_t keylen = strlen(key);
    return strmap_get_or_put_h(m, key, keylen, hash_bytes(key, keylen), val, inserted);
}

const char *strmap_get_or_put_h(strmap *m, const char *key, size_t keylen, uint64_t h,
                                uint32_t *val, bool *inserted)
{
    uint32_t *ref;
    const char *stored = strmap_get_or_put_ref_h(m, key, keylen, h, *val, &ref, inserted);
    *val = *ref;
    return stored;
}

const char *strmap_get_or_put_ref_h(strmap *m, const char *key, size_t keylen, uint64_t h,
                                    uint32_t val, uint32_t **ref, bool *inserted)
{
    size_t i = find_slot_h(m, key, keylen, h);
    bool added = i == SIZE_MAX;
    if (added)
        i = insert_new(m, key, keylen, h, val);
    if (inserted)
        *inserted = added;
    *ref = &m->slots[i].val;
    return key_at(m, m->slots[i].ref);
}

void strmap_prefetch(const strmap *m, const char *key)
{
    strmap_prefetch_h(m, hash_bytes(key, strlen(key)));
}

void strmap_prefetch_h(const strmap *m, uint64_t hash)
{
    __builtin_prefetch(&m->slots[table_home((uint32_t)hash, m->cap)], 1);
}

void strmap_prefetch_read_h(const strmap *m, uint64_t hash)
{
    __builtin_prefetch(&m->slots[table_home((uint32_t)hash, m->cap)], 0);
}

uint32_t strmap_prefetch_key_h(const strmap *m, uint64_t hash)
{
    for (size_t i = table_home((uint32_t)hash, m->cap); m->slots[i].ref != REF_EMPTY;
         i = table_next(i, m->cap)) {
        const map_slot *sl = &m->slots[i];
        if (sl->hash == (uint32_t)hash && ref_is_key(sl->ref)) {
            __builtin_prefetch(key_at(m, sl->ref));
            return sl->val;
        }
    }
    return UINT32_MAX;
}

bool strmap_del(strmap *m, const char *key)
{
    size_t i = find_slot(m, key, strlen(key));
    if (i == SIZE_MAX)
        return false;
    m->slots[i].ref = REF_DELETED;
    m->count--;
    return true;
}

uint32_t strmap_intern(strmap *m, const char *key)
{
    uint32_t v;
    if (strmap_get(m, key, &v))
        return v;
    v = (uint32_t)m->count;
    strmap_put(m, key, v);
    return v;
}

bool strmap_next(const strmap *m, size_t *pos, const char **key, uint32_t *val)
{
    for (size_t i = *pos; i < m->cap; i++) {
        if (ref_is_key(m->slots[i].ref)) {
            *key = key_at(m, m->slots[i].ref);
            if (val)
                *val = m->slots[i].val;
            *pos = i + 1;
            return true;
        }
    }
    *pos = m->cap;
    return false;
}
