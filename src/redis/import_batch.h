/* import_batch.h - the writing side of `l2a import-accounts`: accounts gathered into batches of up
 * to 1,000; per batch one import-check Function call (types, digests; after an all-new batch an
 * EXISTS pre-check instead, after an all-unchanged one HMGET of the digests), then the accounts it says to write in one MULTI/EXEC of plain
 * commands, each account one RESTORE of its hash (or, where RESTORE is refused, a DEL and an
 * HSET; docs/redis-schema.md, "How l2a import-accounts writes them"). Pipelined: a few batches in
 * flight on one connection. */
#ifndef L2A_IMPORT_BATCH_H
#define L2A_IMPORT_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "hash_dump.h"
#include "inputs.h"
#include "util.h"

/* Called once per account whose fate is known, in file order within a batch, with the tag
 * import_writer_add was given for it: code 0 unchanged (nothing written), 1 replaced, 2 new (both
 * written and announced). */
typedef void (*import_code_fn)(uint32_t tag, unsigned code, void *ctx);

typedef struct import_batch import_batch;

/* A batch's accounts all new, all unchanged, or neither (it is checked by the Function). */
enum import_guess { GUESS_NONE, GUESS_NEW, GUESS_SAME };
typedef struct import_expect import_expect;

typedef struct import_writer {
    redisContext *c;         /* borrowed */
    const char *prefix;      /* borrowed */
    char *set_key, *changes_key, *digests_key;
    size_t id_at;            /* where an account key's id starts (key_account_id_at) */
    import_code_fn on_code;
    void *ctx;
    import_batch *filling;   /* the batch being filled, or NULL */
    import_batch *spare;     /* batches done, kept for their buffers */
    import_expect *queue;    /* the replies awaited, in order: queue[qhead..qtail) */
    size_t qhead, qtail, qcap;
    size_t open;             /* batches sent whose write (or check, when nothing is written)
                              * has not answered yet */
    int reloads;             /* library loads after "Function not found" */
    bool probed;             /* whether RESTORE is usable was asked (before the first account) */
    bool restore;            /* accounts written with RESTORE (else DEL and HSET) */
    int guess;               /* what the last batch checked was all of (import_guess): the
                              * next is pre-checked for the same with plain commands */
    hash_dumper dumper;
    hash_dump_str *strs;     /* an account's fields and values, read back for its RESTORE */
    size_t strs_cap;
    strbuf scratch, cmd, payload;
    long long entries;       /* change stream entries the writes added (EXECs carried out) */
    bool failed;
    char err[512];
} import_writer;

void import_writer_init(import_writer *w, redisContext *c, const char *prefix,
                        import_code_fn on_code, void *ctx);
/* Adds account a (its fields copied), sending the batch when it is full. rewrite: write it even
 * when the store already holds it so (a row repeating an earlier row's id: the later row wins);
 * tag: handed back with its code. 0, or -1 with w->err set. */
int import_writer_add(import_writer *w, const account_rec *a, bool rewrite,
                      uint32_t tag) MUSTCHECK;
/* Sends what is left and waits for every reply. 0, or -1 with w->err set. */
int import_writer_finish(import_writer *w) MUSTCHECK;
void import_writer_free(import_writer *w);

#endif
