/* util.h - allocation wrappers, growable strings and a string-keyed hash map shared by every module. */
#ifndef L2A_UTIL_H
#define L2A_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MUSTCHECK __attribute__((warn_unused_result))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation wrappers: abort with a message when memory runs out (oom_abort). */
void *xmalloc(size_t n);
_Noreturn void oom_abort(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* n zeroed bytes starting at a multiple of align (a power of two, at least sizeof(void *));
 * freed with free. */
void *xcalloc_aligned(size_t align, size_t n);
/* The same for the large tables read at random (the account index's): from HUGE_PAGE_BYTES on,
 * the block is aligned to and rounded up to 2 MiB pages, which the kernel is asked to back with
 * huge pages before anything touches them (MADV_HUGEPAGE, while they come cheap: see
 * huge_pages_mode below): one TLB entry then covers 2 MiB, where
 * with 4 KiB pages nearly every lookup in a table of a million entries missed the TLB too. Such a
 * block is mapped on its own (pages never touched take no memory: a table's unused capacity
 * costs nothing), grows by remapping its pages (xrealloc_huge: no copy, so old and new are never
 * both resident) and is freed with xfree_huge, given the size it was last asked for (old: the
 * size p was asked for). Below HUGE_PAGE_BYTES these are xmalloc, xcalloc, xrealloc and free. */
#define HUGE_PAGE_BYTES ((size_t)2 << 20)
void *xmalloc_huge(size_t n);
void *xcalloc_huge(size_t n);
void *xrealloc_huge(void *p, size_t old, size_t n);
void xfree_huge(void *p, size_t n);
/* Whether those blocks ask for 2 MiB pages: auto (the default) faults each new block's first
 * huge page in at once and times it; when that was slow (a host that took the memory back, see
 * huge.c), the blocks after it get 4 KiB pages until 256 MiB of them have been made, then a new
 * block is tried again. always and never do not measure. Read from L2A_HUGE_PAGES at the first
 * block unless set before. */
typedef enum { HUGE_PAGES_AUTO, HUGE_PAGES_ALWAYS, HUGE_PAGES_NEVER } huge_pages_mode;
#define HUGE_PAGES_ENV "L2A_HUGE_PAGES"
bool huge_pages_mode_parse(const char *text, huge_pages_mode *out);
void huge_pages_set_mode(huge_pages_mode m);
/* The first-touch time of one huge page above which auto stops asking for them (default 4 ms);
 * also forgets the last probe (for tests). */
void huge_pages_set_costly_ns(long ns);
typedef struct huge_pages_report {
    huge_pages_mode mode;
    unsigned probes, costly_probes;
    long slowest_probe_ns;     /* thread CPU of the slowest probe's fault so far */
    bool on_huge_pages;        /* new blocks ask for huge pages now */
} huge_pages_report;
void huge_pages_report_get(huge_pages_report *r);
/* Faults in the pages of [at, at + bytes) of such a block ahead of the writes (MADV_POPULATE_WRITE;
 * nothing on kernels before 5.14); auto times each huge page and refuses the rest of the range
 * huge pages at the first slow one. */
void huge_fault_in(void *at, size_t bytes);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Growable NUL-terminated byte string. buf is owned by the strbuf. */
typedef struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
/* Room for extra more bytes at once (a buffer whose size is known ahead grows once). */
void sb_grow(strbuf *sb, size_t extra);
static inline void sb_reserve(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 > sb->cap)
        sb_grow(sb, extra);
}
/* Inline: a decision is written in some thirty appends. */
static inline void sb_appendn(strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}
static inline void sb_putc(strbuf *sb, char c)
{
    sb_reserve(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}
void sb_append(strbuf *sb, const char *s);
void sb_appendf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included, escapes as needed). */
void sb_append_json_str(strbuf *sb, const char *s);
/* The same for the n bytes at s (which may hold NUL bytes: escaped as \u0000). */
void sb_append_json_strn(strbuf *sb, const char *s, size_t n);
/* Appends a string literal (its length known at compile time). */
#define SB_LITERAL(sb, lit) sb_appendn((sb), "" lit, sizeof(lit) - 1)
/* Gives the buffer to the caller (who frees it) and resets sb. Never NULL. */
char *sb_take(strbuf *sb);
/* The string *s owned, handed to the caller: *s is NULL from then on. */
static inline char *str_take(char **s)
{
    char *taken = *s;
    *s = NULL;
    return taken;
}

/* Vector of owned C strings. */
typedef struct strvec {
    char **v;
    size_t n;
    size_t cap;
} strvec;

void sv_init(strvec *sv);
void sv_free(strvec *sv);
void sv_push(strvec *sv, const char *s);      /* copies s */
void sv_push_owned(strvec *sv, char *s);      /* takes s */
bool sv_contains(const strvec *sv, const char *s);

/* The open-addressing tables (strmap, postings.h's hashmulti) take any number of slots: a 32-bit
 * hash's home slot is its multiply-shift into [0, cap), a probe goes on to the next slot. */
static inline size_t table_home(uint32_t hash, size_t cap)
{
    return (size_t)(((uint64_t)hash * cap) >> 32);
}

static inline size_t table_next(size_t i, size_t cap)
{
    return i + 1 == cap ? 0 : i + 1;
}

/* The slots of a table of cap slots grown: twice as many, or, once it fills a huge page and when
 * want (the slots its expected entries need at its load limit; 0: not known) is less, want and a
 * sixteenth (at least a quarter more than cap); from HUGE_PAGE_BYTES on, as many as fill its huge
 * pages (xcalloc_huge). */
static inline size_t table_grown_cap(size_t cap, size_t want, size_t slot_bytes)
{
    size_t slots = cap * 2, fit = want + want / 16;
    if (want && cap * slot_bytes >= HUGE_PAGE_BYTES && fit < slots)
        slots = fit > cap + cap / 4 ? fit : cap + cap / 4;
    if (slots * slot_bytes >= HUGE_PAGE_BYTES)
        slots = (slots * slot_bytes + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES /
                slot_bytes;
    return slots;
}

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

uint64_t hash_bytes(const void *p, size_t n);

/* hash_bytes in pieces: hash_end(hash_add(...hash_add(HASH_START, a, na)..., z, nz)) is
 * hash_bytes of a..z concatenated (FNV-1a, then a final mix), so that hashes of strings sharing
 * a prefix can share its work. */
#define HASH_START 1469598103934665603ULL

static inline uint64_t hash_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static inline uint64_t hash_end(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Wall-clock time in whole milliseconds since the epoch. */
double epoch_ms_now(void);
/* An instant (ms since the epoch) as ISO-8601 UTC with milliseconds ("2026-11-23T10:00:00.123Z")
 * into buf (32 bytes are enough). */
void iso8601_ms(double epoch_ms, char *buf, size_t len);
/* The current time as iso8601_ms writes it; *epoch_ms (may be NULL) gets the same instant. */
void iso8601_now(char *buf, size_t len, double *epoch_ms);

/* Reads a whole file; NULL with errno set on failure. *len may be NULL. */
char *read_file(const char *path, size_t *len);
/* path made absolute against the working directory (malloc'd); a copy when it already is. */
char *path_absolute(const char *path);
/* Whether path is a regular file (or a pipe, a device) that opens for reading: 0, or -1 with
 * "PATH: is a directory" or "PATH: <strerror>" in err. */
int file_check_readable(const char *path, char *err, size_t errlen);

/* A duration such as "250ms", "30s", "15m", "4h", "7d" or a plain number of milliseconds, as
 * milliseconds in *ms: 0, or -1 for anything else (no sign, no spaces, no mixed units). */
int duration_ms_parse(const char *s, long long *ms);

/* printf into err (truncated to errlen; nothing when err is NULL or errlen is 0). */
void err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
