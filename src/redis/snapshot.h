/* snapshot.h - the account snapshot in Redis: the accounts of an index as CSV text in a few large
 * chunk strings under a generation, and a pointer hash naming the live generation and the id of
 * the change stream it is current to (docs/redis-schema.md "Account snapshot"). Written by one
 * worker at a time (a lock key), read at start to build the index from a few large replies
 * instead of an HGETALL per account. */
#ifndef L2A_SNAPSHOT_H
#define L2A_SNAPSHOT_H

#include <hiredis/hiredis.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine.h"
#include "util.h"

#define SNAPSHOT_FORMAT "1"          /* the pointer's format field this build writes and reads */
#define SNAPSHOT_COLUMNS 9           /* id name domains type parent_id country owner_id
                                      * employees last_activity: what the index keeps */
#define SNAPSHOT_CHUNK_BYTES ((4u << 20) - 8192) /* a chunk's text at most (a row longer than
                                      * that is a chunk of its own); just under an allocator
                                      * size class of Redis's */
#define SNAPSHOT_LOCK_MS 600000      /* the writers' lock, and how long the chunks of a
                                      * generation not yet published live */

/* What the pointer says about the live snapshot. */
typedef struct snapshot_info {
    char gen[24];                /* the generation: its chunks are <prefix>accounts:snapshot:<gen>:<n> */
    char changes_id[64];         /* the change stream's id the snapshot is current to */
    long long changes_added;     /* the stream's entries-added count as of that id (-1: not
                                  * known, a Redis before 7) */
    long chunks;
    long accounts;
    long long bytes;             /* the chunks' text */
    long long written_ms;        /* when it was published (Unix ms) */
    char written_by[160];        /* the worker that wrote it */
    double wait_ms;              /* snapshot_load: time spent waiting for chunk replies */
} snapshot_info;

/* ---- reading (snapshot_read.c) ---- */

/* The pointer of the live snapshot into *out: 1; 0 with why set when there is none or it is not
 * one this build reads (format, missing fields); -1 with why set on a Redis error. */
int snapshot_info_read(redisContext *c, const char *prefix, snapshot_info *out, char *why,
                       size_t whylen) MUSTCHECK;
/* Whether the change stream still holds every entry after id, added being its entries-added
 * count as of id (-1 unknown), so that following it from id misses nothing: 0, or -1 with why
 * set (changes deleted or trimmed, the stream made again, a Redis error). Details in
 * snapshot_read.c (changes_lost). */
int snapshot_stream_check(redisContext *c, const char *prefix, const char *id, long long added,
                          char *why, size_t whylen) MUSTCHECK;
/* The change stream's position now: its last-generated-id and entries-added (-1 before Redis 7);
 * "0-0" and 0 when there is no stream. What a snapshot written from accounts read after it is
 * tagged with. 0, or -1 with why set. */
int snapshot_stream_position(redisContext *c, const char *prefix, char *id, size_t idlen,
                             long long *added, char *why, size_t whylen) MUSTCHECK;
/* Builds m's accounts from the live snapshot: the pointer (into *info), the stream check, the
 * chunks (pipelined GETs, each checked against its header: generation, number, length,
 * checksum) read as one CSV through the engine's bulk load, and the account count. Returns the
 * number of accounts, or -1 with why set (no snapshot, its format, a chunk missing or damaged,
 * changes trimmed, a Redis error, "stopped" once stop (may be NULL) is set): m may then hold
 * part of it and must not be used. c is left with no reply outstanding. */
long snapshot_load(redisContext *c, const char *prefix, matcher *m, const atomic_bool *stop,
                   snapshot_info *info, char *why, size_t whylen) MUSTCHECK;

/* ---- an index from it (snapshot_build.c) ---- */

/* *m (new and empty, made from eng) built from the live snapshot (snapshot_load), read once more
 * when the pointer moved meanwhile (a worker published a new one and deleted the chunks being
 * read). Returns the number of accounts with info describing the snapshot, or -1 with why set
 * and *m a new, empty matcher again (NULL when none could be made: err says why). */
long snapshot_build(redisContext *c, const char *prefix, const engine_opts *eng, matcher **m,
                    const atomic_bool *stop, snapshot_info *info, char *why, size_t whylen,
                    char *err, size_t errlen) MUSTCHECK;
/* The account changes after pos (a snapshot's changes_id) applied to m, upserts and deletions,
 * so that an index built from the snapshot is current; learned facts are left to whoever reads
 * the learned hash. pos moves to the last change read. Returns the accounts they changed, or -1
 * with err set (pos unchanged, m holding part of them). */
long snapshot_catch_up(redisContext *c, const char *prefix, matcher *m, char *pos, size_t poslen,
                       char *err, size_t errlen) MUSTCHECK;

/* The chunks of the snapshot info names, as one stream of CSV text (its header row first),
 * read from Redis as the stream is read; a chunk missing or damaged ends it with a read error
 * and the reason in snapshot_src_error. For whoever reads a snapshot (the load, a rewrite). */
typedef struct snapshot_src snapshot_src;
snapshot_src *snapshot_src_open(redisContext *c, const char *prefix, const snapshot_info *info,
                                char *why, size_t whylen);
FILE *snapshot_src_file(snapshot_src *s);
const char *snapshot_src_error(const snapshot_src *s);   /* "" when none */
/* Closes the stream and reads what is still outstanding on c. NULL-safe. */
void snapshot_src_close(snapshot_src *s);

/* ---- writing (snapshot_write.c) ---- */

typedef struct snapshot_writer snapshot_writer;

/* Takes the writers' lock (SET NX PX, value owner, which must be unique to this process) and a
 * new generation (INCR). NULL with why set when another worker holds the lock ("held by ...")
 * or on a Redis error. c is the writer's until finish or abort. */
snapshot_writer *snapshot_writer_begin(redisContext *c, const char *prefix, const char *owner,
                                       char *why, size_t whylen);
/* Adds one account (one without id or name is left out: no index holds it). Each full chunk
 * is written (SET ... PX SNAPSHOT_LOCK_MS) as it fills; errors are kept for finish. */
void snapshot_writer_add(snapshot_writer *w, const account_rec *a);
/* An account's SNAPSHOT_COLUMNS values, in the snapshot's column order (borrowed from a). */
void snapshot_columns(const account_rec *a, const char **cols);
/* The same from the columns (SNAPSHOT_COLUMNS strings, NULL for empty), in their order. */
void snapshot_writer_add_row(snapshot_writer *w, const char *const *cols);
/* Writes the last chunk and publishes the generation as current to changes_id (with the
 * stream's entries-added count then, -1 unknown: snapshot_stream_position) (the pointer
 * replaced, the previous generation deleted, the lock released: the publish Function). 0 with
 * *out filled (may be NULL), or -1 with why set (the lock lost, a Redis error, an account that
 * cannot be stored): nothing published, the lock released. Frees w. */
int snapshot_writer_finish(snapshot_writer *w, const char *changes_id, long long changes_added,
                           snapshot_info *out, char *why, size_t whylen) MUSTCHECK;
/* Gives up: the lock released (its chunks expire). NULL-safe. */
void snapshot_writer_abort(snapshot_writer *w);

/* ---- chunks (snapshot_chunk.c) ---- */

/* The chunk text of body for chunk n of generation gen: a header line, then body. */
void snapshot_chunk_make(strbuf *out, const char *gen, long n, const char *body, size_t len);
/* The body of a chunk read back, checked against its header: 0 with *body and *len set, or -1
 * with why set (not a chunk, another generation or number, a length or checksum mismatch). */
int snapshot_chunk_body(const char *chunk, size_t chunk_len, const char *gen, long n,
                        const char **body, size_t *len, char *why, size_t whylen) MUSTCHECK;
/* The CSV header row of a snapshot, with its line end. */
extern const char snapshot_header_row[];
/* A chunk key's "<gen>:<n>" part (key_snapshot_chunk takes it). */
void snapshot_chunk_id(char *buf, size_t len, const char *gen, long n);

#endif
