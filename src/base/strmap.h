/* strmap.h - open-addressing hash map from C string to uint32_t, its tables on huge pages. */
#ifndef L2A_STRMAP_H
#define L2A_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Open-addressing hash map from C string to uint32_t. Keys are copied into chunks the map owns;
 * a deleted key's bytes are kept until the map is freed (for maps that rarely delete). */
typedef struct strmap strmap;

strmap *strmap_new(void);
void strmap_free(strmap *m);
size_t strmap_count(const strmap *m);
/* Its table's slots (12 bytes each). */
size_t strmap_slots(const strmap *m);
bool strmap_get(const strmap *m, const char *key, uint32_t *val);
bool strmap_getn(const strmap *m, const char *key, size_t keylen, uint32_t *val);
/* strmap_getn for a key whose hash_bytes() is hash (not computed again). */
bool strmap_getn_h(const strmap *m, const char *key, size_t keylen, uint64_t hash, uint32_t *val);
bool strmap_has(const strmap *m, const char *key);
/* Where key's value is kept (to read and change it with one lookup; valid until the next insert),
 * or NULL when key is missing. */
uint32_t *strmap_ref(strmap *m, const char *key);
/* Inserts or overwrites. */
void strmap_put(strmap *m, const char *key, uint32_t val);
/* One lookup that inserts when missing: *val is stored for a new key, and otherwise replaced by
 * the key's value; *inserted (may be NULL) says which. Returns the stored key. */
const char *strmap_get_or_put(strmap *m, const char *key, uint32_t *val, bool *inserted);
/* strmap_get_or_put for a key of keylen bytes whose hash_bytes() the caller computed already
 * (e.g. on another thread): the key is not hashed again. */
const char *strmap_get_or_put_h(strmap *m, const char *key, size_t keylen, uint64_t hash,
                                uint32_t *val, bool *inserted);
/* strmap_get_or_put_h giving where the key's value is kept (*ref: valid until the next insert)
 * instead of the value itself; val is stored for a new key. */
const char *strmap_get_or_put_ref_h(strmap *m, const char *key, size_t keylen, uint64_t hash,
                                    uint32_t val, uint32_t **ref, bool *inserted);
/* Asks the CPU for the slot where a lookup of key starts: before a batch of lookups. */
void strmap_prefetch(const strmap *m, const char *key);
/* The same for a key whose hash_bytes() is hash. */
void strmap_prefetch_h(const strmap *m, uint64_t hash);
/* strmap_prefetch_h for a lookup only (to read, not to write). */
void strmap_prefetch_read_h(const strmap *m, uint64_t hash);
/* Once that slot has come: asks for the key a lookup of hash compares first (its run's first slot
 * with hash's bits) and returns that slot's value, a guess at what the lookup finds to ask for
 * what the value leads to (UINT32_MAX: no slot to guess from). */
uint32_t strmap_prefetch_key_h(const strmap *m, uint64_t hash);
/* Removes key; returns whether it was present. */
bool strmap_del(strmap *m, const char *key);
/* Returns the id of key, assigning the next free id (= count before insert) if missing. */
uint32_t strmap_intern(strmap *m, const char *key);
/* Key stored for key (stable until the entry is deleted or the map freed), or NULL. */
const char *strmap_key(const strmap *m, const char *key);
/* m is expected to hold about keys keys (0: not known): its growths are sized for them (between a
 * quarter more and twice its slots, table_grown_cap) instead of doubling. */
void strmap_expect(strmap *m, size_t keys);
/* What strmap_expect last said (0: nothing). */
size_t strmap_expect_of(const strmap *m);
/* Memory a map's growth takes made ahead (by another thread, zero-filled and faulted in): bytes of
 * the table the next growth would allocate, if inserts more keys, but no more than its slots >>
 * ahead_shift, would bring it and no table was given for it yet (0: none, or a table too small
 * to matter). */
size_t strmap_table_wanted(const strmap *m, size_t inserts, unsigned ahead_shift);
/* Gives m that table (xcalloc_huge of those bytes): its next growth fills it; freed at once when
 * m has grown since it was wanted (fewer than a quarter more slots than m has now). */
void strmap_give_table(strmap *m, void *table, size_t bytes);
/* Does m cut its keys' chunks from slabs, with chunks_left or fewer left in its newest one and
 * no slab given for the next? */
bool strmap_slab_wanted(const strmap *m, size_t chunks_left);
/* Gives m its next slab (xmalloc_huge(HUGE_PAGE_BYTES)). */
void strmap_give_slab(strmap *m, void *slab);
/* Frees a table or slab given and not yet used. */
void strmap_drop_spares(strmap *m);
/* Iteration: *pos starts at 0; returns false at the end. */
bool strmap_next(const strmap *m, size_t *pos, const char **key, uint32_t *val);

#endif
