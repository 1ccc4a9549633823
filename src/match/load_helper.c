/* load_helper.c - the third thread of a two-thread load: files the new vocabulary words in the
 * typo index in the order they came (the same table), and faults in memory the indexing thread
 * is about to write (the slot arrays' next pages, the load arena's next block, the string maps'
 * next tables and key slabs), so that none is on that thread's time. */
#include "load_helper.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "huge.h"
#include "strmap.h"
#include "util.h"

#define TYPO_SEGMENT 1024

/* A word as index_word_sink passes it. */
typedef struct typo_word {
    const char *str;        /* the vocabulary's copy (kept as long as the index) */
    uint32_t len;
    uint32_t id;
} typo_word;

/* The words in the order they came, in segments that never move (the filer reads them while
 * the upserting thread appends) and that the filer frees once it has filed them and the next one
 * has begun (the upserting thread writes only the last). */
typedef struct typo_segment {
    typo_word w[TYPO_SEGMENT];
    struct typo_segment *next;
} typo_segment;

/* Two counts of a map's keys and the shares of the source read when they were taken (0: none
 * yet), the older of which keys_expected measures the growth from. */
typedef struct growth_seen {
    double read, count;
    double next_read, next_count;
} growth_seen;

/* Memory for a string map: the table of its next growth, or its next key slab. */
typedef struct map_mem {
    strmap *map;
    bool slab;
    size_t bytes;
    void *at;
} map_mem;

struct load_helper {
    account_index *ix;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    typo_segment *head;     /* the filer's: the oldest segment not freed */
    typo_segment *tail;     /* the upserting thread's: where the next word goes */
    size_t tail_n;          /* words in tail (the upserting thread's) */
    size_t written;         /* words passed (the upserting thread's) */
    size_t published;       /* words the filer may file (under mu) */
    size_t filed;           /* words the filer had filed when it last looked (under mu) */
    bool done;              /* no more words will come (under mu) */
    mem_range fault[HELPER_RANGES];  /* memory to fault in (under mu) */
    size_t nfault;          /* ranges asked for, 0: none (under mu; cleared once faulted in) */
    bool faulting;          /* the thread is faulting them in now (under mu) */
    pthread_cond_t faulted; /* signalled when they have been */
    const bump *arena;      /* the bump a block is asked for (under mu; NULL: none asked) */
    bump_block *ready;      /* a block made for it and faulted in, not yet given (under mu) */
    map_mem map_asked;      /* memory asked for a string map's growth (under mu; bytes 0: none) */
    map_mem map_ready;      /* made and faulted in, not yet given (under mu; bytes 0: none) */
    growth_seen seen[INDEX_STRMAPS + 1];  /* the maps' counts, then by_id's (the indexing
                                           * thread's, under mu: keys_expected) */
    size_t words_expected;  /* vocabulary words the load is expected to end with (under mu; 0:
                             * not known): the typo index's growths are sized from it */
};

/* index_word_sink: appends the word (the upserting thread). */
static void typo_take(const char *word, uint32_t len, uint32_t id, void *ctx)
{
    load_helper *h = ctx;
    if (h->tail_n == TYPO_SEGMENT) {
        typo_segment *s = xmalloc(sizeof(*s));
        s->next = NULL;
        h->tail->next = s;
        h->tail = s;
        h->tail_n = 0;
    }
    h->tail->w[h->tail_n++] = (typo_word){word, len, id};
    h->written++;
}

/* Faults in a range's pages as writing them would (huge_fault_in: which also decides, in the
 * default auto setting, whether the rest of the range keeps its huge pages). */
static void fault_in(const mem_range *r)
{
    huge_fault_in(r->at, r->bytes);
}

/* Faults in the ranges asked for, if any (mu held, released meanwhile). */
static void fault_asked_locked(load_helper *h)
{
    if (!h->nfault)
        return;
    h->faulting = true;
    pthread_mutex_unlock(&h->mu);
    for (size_t i = 0; i < h->nfault; i++)
        fault_in(&h->fault[i]);
    pthread_mutex_lock(&h->mu);
    h->faulting = false;
    h->nfault = 0;
    pthread_cond_broadcast(&h->faulted);
}

/* Makes the block asked for, if any, and faults it in (mu held, released meanwhile). */
static void block_asked_locked(load_helper *h)
{
    if (!h->arena)
        return;
    const bump *arena = h->arena;
    pthread_mutex_unlock(&h->mu);
    bump_block *k = bump_block_new(arena);
    mem_range r;
    r.at = bump_block_span(k, &r.bytes);
    fault_in(&r);
    pthread_mutex_lock(&h->mu);
    h->ready = k;
    h->arena = NULL;
}

/* Makes the string map's memory asked for, if any, and faults it in (mu held, released
 * meanwhile). */
static void map_asked_locked(load_helper *h)
{
    if (!h->map_asked.bytes)
        return;
    map_mem k = h->map_asked;
    pthread_mutex_unlock(&h->mu);
    k.at = xmalloc_huge(k.bytes);
    fault_in(&(mem_range){k.at, k.bytes});
    pthread_mutex_lock(&h->mu);
    h->map_ready = k;
    h->map_asked.bytes = 0;
}

/* Does what the indexing thread asked for: memory faulted in, a block made. */
static void asked_locked(load_helper *h)
{
    fault_asked_locked(h);
    block_asked_locked(h);
    map_asked_locked(h);
}

/* Waits for words to file, doing what is asked meanwhile; how many words have been published,
 * or SIZE_MAX when there are no more than the filed ones. */
static size_t wait_words(load_helper *h, size_t filed)
{
    pthread_mutex_lock(&h->mu);
    h->filed = filed;
    if (h->words_expected && filed)   /* (the typo index is the filer's alone) */
        hashmulti_expect(&h->ix->typo, (size_t)((double)h->ix->typo.n *
                                                (double)h->words_expected / (double)filed));
    asked_locked(h);
    while (h->published == filed && !h->done) {
        pthread_cond_wait(&h->cv, &h->mu);
        asked_locked(h);
    }
    size_t n = h->published == filed ? SIZE_MAX : h->published;
    pthread_mutex_unlock(&h->mu);
    return n;
}

/* How many words it files between two looks at requests to fault memory in. */
#define WORDS_BETWEEN_LOOKS 256

static void *load_helper_run(void *arg)
{
    load_helper *h = arg;
    size_t at = 0, filed = 0;
    for (size_t upto; (upto = wait_words(h, filed)) != SIZE_MAX;) {
        if (upto - filed > WORDS_BETWEEN_LOOKS)
            upto = filed + WORDS_BETWEEN_LOOKS;
        for (; filed < upto; filed++, at++) {
            if (at == TYPO_SEGMENT) {
                typo_segment *next = h->head->next;
                free(h->head);
                h->head = next;
                at = 0;
            }
            const typo_word *w = &h->head->w[at];
            index_typo_file(h->ix, w->str, w->len, w->id);
        }
    }
    return NULL;
}

load_helper *load_helper_start(account_index *ix)
{
    load_helper *h = xcalloc(1, sizeof(*h));
    h->ix = ix;
    h->head = h->tail = xmalloc(sizeof(*h->head));
    h->head->next = NULL;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    pthread_cond_init(&h->faulted, NULL);
    if (pthread_create(&h->thread, NULL, load_helper_run, h) != 0) {
        pthread_cond_destroy(&h->faulted);
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        free(h->head);
        free(h);
        return NULL;
    }
    index_defer_typo(ix, typo_take, h);
    return h;
}

static void publish(load_helper *h, bool done)
{
    pthread_mutex_lock(&h->mu);
    h->published = h->written;
    h->done = done;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void load_helper_publish(load_helper *h)
{
    if (h)
        publish(h, false);
}

bool load_helper_populate(load_helper *h, const mem_range *r, size_t n)
{
    if (!h || n > HELPER_RANGES)
        return false;
    pthread_mutex_lock(&h->mu);
    bool idle = !h->nfault;
    if (idle) {
        memcpy(h->fault, r, n * sizeof(*r));
        h->nfault = n;
        pthread_cond_signal(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return idle;
}

bool load_helper_settle(load_helper *h)
{
    if (!h)
        return true;
    pthread_mutex_lock(&h->mu);
    while (h->faulting)
        pthread_cond_wait(&h->faulted, &h->mu);
    bool done = !h->nfault;
    h->nfault = 0;              /* not begun (the thread is busy filing): taken back */
    pthread_mutex_unlock(&h->mu);
    return done;
}

/* A string map's key slab is asked for when this many chunks (64 KiB) or fewer are left in its
 * newest one (of 32). Its next table (tens of MB at 1M accounts: a growth's table left unused at
 * the end would raise the peak as much) only when the keys it is expected to get before the load
 * ends (as many a row as so far) bring its growth, and at most a sixteenth of its slots before it:
 * early enough for the thread to make it. */
/* Nothing is asked for the maps while more words than this wait to be filed: the thread is
 * behind (its faults are slow: the host's memory cold), and the load ends only once it has filed
 * them all, so that the indexing thread faults the maps' memory in itself. */
#define MAP_ASK_BACKLOG (2 * WORDS_BETWEEN_LOOKS)
#define SLAB_CHUNKS_LEFT 4
#define TABLE_SLOTS_LEFT_SHIFT 4

/* What a count of keys (a map's) is expected to end as, from the share of the source read: count x
 * (1 / read)^b, b its growth's exponent since an earlier count (seen: the last two taken at least
 * SEEN_APART times less read apart), between 1 (as many keys a row, account ids) and
 * GROWTH_LEAST_EXPONENT (a vocabulary grows slower, Heaps' law, and slower as it goes: still
 * overestimated; a count that has stopped growing: the least). */
#define GROWTH_LEAST_EXPONENT 0.25
#define SEEN_APART 1.25

static size_t keys_expected(growth_seen *seen, size_t count, double read)
{
    double b = 1, c = (double)count;
    if (seen->read > 0 && seen->count > 0 && read > seen->read)
        b = c > seen->count ? log(c / seen->count) / log(read / seen->read) : 0;
    b = b < GROWTH_LEAST_EXPONENT ? GROWTH_LEAST_EXPONENT : b > 1 ? 1 : b;
    if (read >= SEEN_APART * seen->next_read) {
        seen->read = seen->next_read;
        seen->count = seen->next_count;
        seen->next_read = read;
        seen->next_count = c;
    }
    double end = c * pow(1 / read, b);   /* (capped: a table's slots stay below 2^32) */
    return end < (double)UINT32_MAX ? (size_t)end : UINT32_MAX;
}

/* The keys a map holding count keys is expected to get in the rest of a source of which the
 * share read has been read (0: not known, none expected). */
static size_t keys_to_come(size_t count, double read)
{
    if (read <= 0 || read >= 1)
        return 0;
    double more = (double)count * (1 - read) / read;
    return more < (double)SIZE_MAX / 2 ? (size_t)more : SIZE_MAX / 2;
}

/* The index's maps are told how many keys they are expected to hold when the load ends, so that
 * their last growth makes the room they need rather than twice their slots (table_grown_cap);
 * the typo index's from the vocabulary's, by the filer (mu held). */
static void maps_expect_locked(load_helper *h, double read)
{
    if (read <= 0 || read >= 1)
        return;
    strmap *maps[INDEX_STRMAPS];
    for (size_t i = 0, n = index_strmaps(h->ix, maps); i < n; i++)
        if (maps[i])
            strmap_expect(maps[i], keys_expected(&h->seen[i], strmap_count(maps[i]), read));
    hashmulti *by_id = &h->ix->by_id;
    hashmulti_expect(by_id, keys_expected(&h->seen[INDEX_STRMAPS], by_id->n, read));
    h->words_expected = maps[0] ? strmap_expect_of(maps[0]) : 0;   /* (maps[0]: the vocabulary) */
}

/* Gives the map the memory made for it, if any, and asks for what one of the index's maps will
 * want next, if nothing is asked (mu held). */
static void maps_fed_locked(load_helper *h, double read)
{
    if (h->map_ready.bytes) {
        map_mem k = h->map_ready;
        if (k.slab)
            strmap_give_slab(k.map, k.at);
        else
            strmap_give_table(k.map, k.at, k.bytes);
        h->map_ready.bytes = 0;
    }
    if (h->map_asked.bytes || h->published - h->filed > MAP_ASK_BACKLOG)
        return;
    strmap *maps[INDEX_STRMAPS];
    for (size_t i = 0, n = index_strmaps(h->ix, maps); i < n && !h->map_asked.bytes; i++) {
        if (!maps[i])
            continue;               /* (an index not initialised: the unit tests') */
        size_t more = keys_to_come(strmap_count(maps[i]), read);
        size_t bytes = strmap_table_wanted(maps[i], more, TABLE_SLOTS_LEFT_SHIFT);
        if (bytes)
            h->map_asked = (map_mem){maps[i], false, bytes, NULL};
        else if (strmap_slab_wanted(maps[i], SLAB_CHUNKS_LEFT))
            h->map_asked = (map_mem){maps[i], true, HUGE_PAGE_BYTES, NULL};
    }
    if (h->map_asked.bytes)
        pthread_cond_signal(&h->cv);
}

void load_helper_feed(load_helper *h, bump *arena, double read)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    if (h->ready) {
        bump_add_spare(arena, h->ready);
        h->ready = NULL;
    }
    if (!bump_has_spare(arena) && !h->arena) {
        h->arena = arena;
        pthread_cond_signal(&h->cv);
    }
    maps_expect_locked(h, read);
    maps_fed_locked(h, read);
    pthread_mutex_unlock(&h->mu);
}

void load_helper_finish(load_helper *h)
{
    if (!h)
        return;
    publish(h, true);
    pthread_join(h->thread, NULL);
    if (h->ready)
        bump_block_discard(h->ready);
    if (h->map_ready.bytes)
        xfree_huge(h->map_ready.at, h->map_ready.bytes);
    index_defer_typo(h->ix, NULL, NULL);
    for (typo_segment *s = h->head, *next; s; s = next) {
        next = s->next;
        free(s);
    }
    pthread_cond_destroy(&h->faulted);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
