/* load_typo.c - a thread that files a load's new vocabulary words in the typo index while the
 * other threads read and index the accounts, in the order the words came (the same table). */
#include "load_typo.h"

#include <pthread.h>
#include <stdlib.h>

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

struct typo_filer {
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
};

/* index_word_sink: appends the word (the upserting thread). */
static void typo_take(const char *word, uint32_t len, uint32_t id, void *ctx)
{
    typo_filer *f = ctx;
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

/* Waits for words to file; how many have been published, or SIZE_MAX when there are no more
 * than the filed ones. */
static size_t wait_words(typo_filer *f, size_t filed)
{
    pthread_mutex_lock(&f->mu);
    while (f->published == filed && !f->done)
        pthread_cond_wait(&f->cv, &f->mu);
    size_t n = f->published == filed ? SIZE_MAX : f->published;
    pthread_mutex_unlock(&f->mu);
    return n;
}

static void *typo_filer_run(void *arg)
{
    typo_filer *f = arg;
    size_t at = 0, filed = 0;
    for (size_t upto; (upto = wait_words(f, filed)) != SIZE_MAX;) {
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

typo_filer *typo_filer_start(account_index *ix)
{
    typo_filer *f = xcalloc(1, sizeof(*f));
    f->ix = ix;
    f->head = f->tail = xmalloc(sizeof(*f->head));
    f->head->next = NULL;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    if (pthread_create(&f->thread, NULL, typo_filer_run, f) != 0) {
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
        free(f->head);
        free(f);
        return NULL;
    }
    index_defer_typo(ix, typo_take, f);
    return f;
}

static void publish(typo_filer *f, bool done)
{
    pthread_mutex_lock(&f->mu);
    f->published = f->written;
    f->done = done;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void typo_filer_publish(typo_filer *f)
{
    if (f)
        publish(f, false);
}

void typo_filer_finish(typo_filer *f)
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
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}
