/* match_pool.c - `l2a match` on several threads: this thread reads the leads in chunks and writes
 * the decisions; worker threads decide whole chunks, each into the chunk's own buffer; chunks are
 * written strictly in input order, and a fixed ring of them bounds what is in flight. */
#include "match_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpus.h"

/* Lines a chunk holds (a worker takes a chunk at a time: a few milliseconds of work) and chunks
 * in flight per worker (read, being decided, or decided and waiting for their turn to be written). */
#define CHUNK_LINES 256
#define CHUNKS_PER_THREAD 4

/* A chunk's lines (filled by this thread, read by a worker) and its decisions (written by the
 * worker, a few dozen times a lead) start on cache lines of their own: a worker appending to one
 * chunk's decisions does not take the line another thread reads or fills the next chunk's text
 * from (the ring is allocated aligned). */
#define CACHE_LINE 64

typedef struct chunk {
    _Alignas(CACHE_LINE) strbuf text; /* the lines, each with its line end and a NUL after it */
    size_t at[CHUNK_LINES];     /* where line i starts in text */
    size_t len[CHUNK_LINES];    /* its length, line end included (as getline gives it) */
    long lineno[CHUNK_LINES];   /* its line number in the file (blank lines counted) */
    size_t n;
    _Alignas(CACHE_LINE) strbuf out; /* the decisions of its lines, one a line */
    bool decided;               /* set under pool.mu by the worker that decided it */
} chunk;

/* Chunks are numbered in input order; chunk number s lives in ring[s % nring]. The reader owns
 * the ring entries from next_write + nring on, the workers those in [next_decide, next_read) once
 * taken, the writer next_write's once decided. */
typedef struct pool {
    const matcher *m;
    pthread_mutex_t mu;
    pthread_cond_t work;        /* a chunk was read, or stop */
    pthread_cond_t done;        /* a chunk was decided */
    chunk *ring;                /* owned */
    size_t nring;
    size_t next_read;           /* the number the next chunk read gets (set under mu) */
    size_t next_decide;         /* the next chunk a worker takes (under mu) */
    size_t next_write;          /* the next chunk to write (this thread's alone) */
    bool stop;                  /* every chunk is written: the workers leave (under mu) */
} pool;

/* The leads file as this thread reads it. */
typedef struct reader {
    FILE *in;
    char *line;                 /* getline's buffer (owned) */
    size_t cap;
    long lineno;
    bool eof;
} reader;

int match_threads_default(void)
{
    int n = cpus_allowed();
    return n > MATCH_THREADS_DEFAULT_MAX ? MATCH_THREADS_DEFAULT_MAX : n;
}

bool match_line_blank(const char *line)
{
    for (; *line; line++)
        if (*line != ' ' && *line != '\t' && *line != '\r' && *line != '\n')
            return false;
    return true;
}

void match_decide_into(const matcher *m, const char *line, size_t len, long lineno, strbuf *out)
{
    decision d;
    matcher_decide_line(m, line, len, lineno, &d);
    decision_to_json(&d, out);
    sb_putc(out, '\n');
    decision_free(&d);
}

/* Fills c with the next CHUNK_LINES non-blank lines (fewer at the end). Returns how many. */
static size_t read_chunk(reader *r, chunk *c)
{
    ssize_t len;
    sb_reset(&c->text);
    c->n = 0;
    c->decided = false;
    while (c->n < CHUNK_LINES) {
        if ((len = getline(&r->line, &r->cap, r->in)) == -1) {
            r->eof = true;
            break;
        }
        r->lineno++;
        if (match_line_blank(r->line))
            continue;
        c->at[c->n] = c->text.len;
        c->len[c->n] = (size_t)len;
        c->lineno[c->n++] = r->lineno;
        sb_appendn(&c->text, r->line, (size_t)len + 1);
    }
    return c->n;
}

static void decide_chunk(const matcher *m, chunk *c)
{
    sb_reset(&c->out);
    for (size_t i = 0; i < c->n; i++)
        match_decide_into(m, c->text.buf + c->at[i], c->len[i], c->lineno[i], &c->out);
}

static void *worker(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next_decide == p->next_read)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->next_decide == p->next_read)
            break;
        chunk *c = &p->ring[p->next_decide++ % p->nring];
        pthread_mutex_unlock(&p->mu);
        decide_chunk(p->m, c);
        pthread_mutex_lock(&p->mu);
        c->decided = true;
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    matcher_thread_end();
    return NULL;
}

/* Reads chunks into every free ring entry, handing each to the workers. */
static void read_ahead(pool *p, reader *r)
{
    while (!r->eof && p->next_read < p->next_write + p->nring) {
        if (read_chunk(r, &p->ring[p->next_read % p->nring]) == 0)
            return;
        pthread_mutex_lock(&p->mu);
        p->next_read++;
        pthread_cond_signal(&p->work);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Writes the next chunk in input order once decided. */
static void write_next(pool *p, FILE *out, bool progress, long *done)
{
    chunk *c = &p->ring[p->next_write % p->nring];
    pthread_mutex_lock(&p->mu);
    while (!c->decided)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    fwrite(c->out.buf, 1, c->out.len, out);
    long before = *done;
    *done += (long)c->n;
    if (progress && *done / 1000 != before / 1000)
        fprintf(stderr, "\rl2a: %ld leads decided", *done / 1000 * 1000);
    p->next_write++;
}

/* Reads, hands out and writes every chunk; returns the number of leads decided. */
static long drive(pool *p, reader *r, FILE *out, bool progress)
{
    long done = 0;
    for (;;) {
        read_ahead(p, r);
        if (p->next_write == p->next_read)
            return done;
        write_next(p, out, progress, &done);
    }
}

static void pool_stop(pool *p, pthread_t *threads, int started)
{
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
}

/* Starts up to n workers; returns how many started (the reason printed when none did). */
static int pool_start(pool *p, pthread_t *threads, int n)
{
    int started = 0, rc = 0;
    while (started < n && (rc = pthread_create(&threads[started], NULL, worker, p)) == 0)
        started++;
    if (!started)
        fprintf(stderr, "l2a: cannot start a matching thread: %s\n", strerror(rc));
    return started;
}

int match_pool_run(const matcher *m, FILE *in, FILE *out, int threads, bool progress)
{
    pool p = {.m = m, .nring = (size_t)threads * CHUNKS_PER_THREAD};
    reader r = {.in = in};
    pthread_t *workers = xcalloc((size_t)threads, sizeof(*workers));
    p.ring = xcalloc_aligned(CACHE_LINE, p.nring * sizeof(*p.ring));
    for (size_t i = 0; i < p.nring; i++) {
        sb_init(&p.ring[i].text);
        sb_init(&p.ring[i].out);
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    int started = pool_start(&p, workers, threads), rc = -1;
    if (started) {
        long done = drive(&p, &r, out, progress);
        pool_stop(&p, workers, started);
        if (progress)
            fprintf(stderr, "\rl2a: %ld leads decided\n", done);
        rc = 0;
    }
    pthread_cond_destroy(&p.done);
    pthread_cond_destroy(&p.work);
    pthread_mutex_destroy(&p.mu);
    for (size_t i = 0; i < p.nring; i++) {
        sb_free(&p.ring[i].text);
        sb_free(&p.ring[i].out);
    }
    free(p.ring);
    free(workers);
    free(r.line);
    return rc;
}
