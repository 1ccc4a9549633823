/* account_feed.c - every account from Redis read on a thread of its own (account_load_all: the
 * Redis round trips, the reply parsing, the records) and handed to the caller's thread in chunks,
 * so that the caller's thread does nothing but add them to its index. */
#include "account_load.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 512  /* accounts handed over at once */
#define QUEUE 16   /* chunks read ahead at most (then the reader waits for the index) */

typedef struct chunk {
    account_rec recs[CHUNK];
    size_t n;
} chunk;

/* State shared by the reader thread and the caller. The queue is a ring of owned chunks. */
typedef struct feed {
    pthread_mutex_t mu;
    pthread_cond_t filled;     /* a chunk was queued, or the reader finished */
    pthread_cond_t drained;    /* a chunk was taken */
    chunk *ring[QUEUE];
    size_t head, count;
    bool done;                 /* the reader finished: total and err are final */
    chunk *cur;                /* reader only: the chunk being filled */
    /* the reader's arguments and result */
    redisContext *c;
    const char *prefix;
    const atomic_bool *stop;
    char *pos;
    size_t poslen;
    long total;
    char err[1024];
} feed;

/* Reader: queues the chunk being filled, waiting while the queue is full. */
static void push_chunk(feed *f)
{
    pthread_mutex_lock(&f->mu);
    while (f->count == QUEUE)
        pthread_cond_wait(&f->drained, &f->mu);
    f->ring[(f->head + f->count) % QUEUE] = f->cur;
    f->count++;
    pthread_cond_signal(&f->filled);
    pthread_mutex_unlock(&f->mu);
    f->cur = NULL;
}

static void on_account(account_rec *a, void *ctx)
{
    feed *f = ctx;
    if (!f->cur) {
        f->cur = xmalloc(sizeof(*f->cur));
        f->cur->n = 0;
    }
    f->cur->recs[f->cur->n++] = *a;   /* the record's contents move into the chunk */
    if (f->cur->n == CHUNK)
        push_chunk(f);
}

static void *reader(void *arg)
{
    feed *f = arg;
    f->total = account_load_all(f->c, f->prefix, on_account, f, f->stop, f->pos, f->poslen,
                                f->err, sizeof(f->err));
    if (f->cur)
        push_chunk(f);
    pthread_mutex_lock(&f->mu);
    f->done = true;
    pthread_cond_signal(&f->filled);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* Caller: the next chunk, or NULL once the reader is done and the queue empty. */
static chunk *pop_chunk(feed *f)
{
    chunk *ch = NULL;
    pthread_mutex_lock(&f->mu);
    while (f->count == 0 && !f->done)
        pthread_cond_wait(&f->filled, &f->mu);
    if (f->count > 0) {
        ch = f->ring[f->head];
        f->head = (f->head + 1) % QUEUE;
        f->count--;
        pthread_cond_signal(&f->drained);
    }
    pthread_mutex_unlock(&f->mu);
    return ch;
}

long account_feed_all(redisContext *c, const char *prefix, account_cb cb, void *ctx,
                      const atomic_bool *stop, char *pos, size_t poslen, char *err, size_t errlen)
{
    feed f;
    pthread_t th;
    memset(&f, 0, sizeof(f));
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.filled, NULL);
    pthread_cond_init(&f.drained, NULL);
    f.c = c;
    f.prefix = prefix;
    f.stop = stop;
    f.pos = pos;
    f.poslen = poslen;
    long total;
    if (pthread_create(&th, NULL, reader, &f) != 0) {
        total = account_load_all(c, prefix, cb, ctx, stop, pos, poslen, err, errlen);
        goto out;
    }
    chunk *ch;
    while ((ch = pop_chunk(&f)) != NULL) {
        for (size_t i = 0; i < ch->n; i++)
            cb(&ch->recs[i], ctx);
        free(ch);
    }
    pthread_join(th, NULL);
    total = f.total;
    if (total < 0)
        snprintf(err, errlen, "%s", f.err);
out:
    pthread_cond_destroy(&f.drained);
    pthread_cond_destroy(&f.filled);
    pthread_mutex_destroy(&f.mu);
    return total;
}
