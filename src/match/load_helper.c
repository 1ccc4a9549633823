/* load_helper.c - the third thread of a two-thread load: files the new vocabulary words in the
 * typo index in the order they came (the same table), and faults in memory the indexing thread
 * is about to write, so that neither is on that thread's time. */
#include "load_helper.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

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
    bool done;              /* no more words will come (under mu) */
    mem_range fault[HELPER_RANGES];  /* memory to fault in (under mu) */
    size_t nfault;          /* ranges asked for, 0: none (under mu) */
    bool faulting;          /* the thread works on them (under mu) */
    pthread_cond_t faulted; /* signalled when it has */
};

/* index_word_sink: appends the word (the upserting thread). */
static void typo_take(const char *word, uint32_t len, uint32_t id, void *ctx)
{
    load_helper *f = ctx;
    if (f->tail_n == TYPO_SEGMENT) {
        typo_segment *s = xmalloc(sizeof(*s));
        s->next = NULL;
        f->tail->next = s;
        f->tail = s;
        f->tail_n = 0;
    }
    f->tail->w[f->tail_n++] = (typo_word){word, len, id};
    f->written++;
}

/* Faults in a range's pages as writing them would (MADV_POPULATE_WRITE, Linux 5.14): on an older
 * kernel nothing, and the writes fault them as before. */
static void fault_in(const mem_range *r)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t page = 4096, lo = (uintptr_t)r->at & ~(page - 1);
    uintptr_t hi = ((uintptr_t)r->at + r->bytes + page - 1) & ~(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
    (void)r;
#endif
}

/* Faults in the ranges asked for, if any (mu held, released meanwhile). */
static void fault_asked_locked(load_helper *f)
{
    if (!f->nfault)
        return;
    f->faulting = true;
    pthread_mutex_unlock(&f->mu);
    for (size_t i = 0; i < f->nfault; i++)
        fault_in(&f->fault[i]);
    pthread_mutex_lock(&f->mu);
    f->nfault = 0;
    f->faulting = false;
    pthread_cond_broadcast(&f->faulted);
}

/* Waits for words to file, faulting in memory when asked meanwhile; how many words have been
 * published, or SIZE_MAX when there are no more than the filed ones. */
static size_t wait_words(load_helper *f, size_t filed)
{
    pthread_mutex_lock(&f->mu);
    fault_asked_locked(f);
    while (f->published == filed && !f->done) {
        pthread_cond_wait(&f->cv, &f->mu);
        fault_asked_locked(f);
    }
    size_t n = f->published == filed ? SIZE_MAX : f->published;
    pthread_mutex_unlock(&f->mu);
    return n;
}

/* How many words it files between two looks at requests to fault memory in. */
#define WORDS_BETWEEN_LOOKS 256

static void *load_helper_run(void *arg)
{
    load_helper *f = arg;
    size_t at = 0, filed = 0;
    for (size_t upto; (upto = wait_words(f, filed)) != SIZE_MAX;) {
        if (upto - filed > WORDS_BETWEEN_LOOKS)
            upto = filed + WORDS_BETWEEN_LOOKS;
        for (; filed < upto; filed++, at++) {
            if (at == TYPO_SEGMENT) {
                typo_segment *next = f->head->next;
                free(f->head);
                f->head = next;
                at = 0;
            }
            const typo_word *w = &f->head->w[at];
            index_typo_file(f->ix, w->str, w->len, w->id);
        }
    }
    return NULL;
}

load_helper *load_helper_start(account_index *ix)
{
    load_helper *f = xcalloc(1, sizeof(*f));
    f->ix = ix;
    f->head = f->tail = xmalloc(sizeof(*f->head));
    f->head->next = NULL;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    pthread_cond_init(&f->faulted, NULL);
    if (pthread_create(&f->thread, NULL, load_helper_run, f) != 0) {
        pthread_cond_destroy(&f->faulted);
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
        free(f->head);
        free(f);
        return NULL;
    }
    index_defer_typo(ix, typo_take, f);
    return f;
}

static void publish(load_helper *f, bool done)
{
    pthread_mutex_lock(&f->mu);
    f->published = f->written;
    f->done = done;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void load_helper_publish(load_helper *f)
{
    if (f)
        publish(f, false);
}

bool load_helper_populate(load_helper *f, const mem_range *r, size_t n)
{
    if (!f || n > HELPER_RANGES)
        return false;
    pthread_mutex_lock(&f->mu);
    bool idle = !f->nfault;
    if (idle) {
        memcpy(f->fault, r, n * sizeof(*r));
        f->nfault = n;
        pthread_cond_signal(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return idle;
}

void load_helper_populated(load_helper *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    while (f->nfault)
        pthread_cond_wait(&f->faulted, &f->mu);
    pthread_mutex_unlock(&f->mu);
}

void load_helper_finish(load_helper *f)
{
    if (!f)
        return;
    publish(f, true);
    pthread_join(f->thread, NULL);
    index_defer_typo(f->ix, NULL, NULL);
    for (typo_segment *s = f->head, *next; s; s = next) {
        next = s->next;
        free(s);
    }
    pthread_cond_destroy(&f->faulted);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}
