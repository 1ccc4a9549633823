/* import_cmd.h - one batch of `l2a import-accounts` and the commands it sends: its accounts' rows
 * (every field written is read from there), columns and digests; its check FCALL; its write. The
 * pipelining of batches is import_batch.c's. */
#ifndef L2A_IMPORT_CMD_H
#define L2A_IMPORT_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "account_rows.h"
#include "hash_dump.h"
#include "import_batch.h"
#include "inputs.h"
#include "util.h"

/* One account of a batch: its row of the `op rows` value (every field it writes is read from
 * there: its RESTORE, its HSET, its lone changes entry), its columns (an index into the batch's
 * sigs), its digest. */
typedef struct batch_account {
    size_t key_off;       /* its key in the batch's names; its id at the key's id_skip-th byte */
    size_t row_off, row_len;
    size_t sig;
    char digest[ACCOUNT_DIGEST_LEN + 1];
    bool rewrite;
    unsigned code;
    uint32_t tag;         /* import_writer_add's, handed back with the code */
} batch_account;

struct import_batch {
    strbuf names;         /* each account's key (l2a:account:<id>) and a NUL, one after another */
    size_t id_skip;       /* where a key's id starts (the same for every key) */
    batch_account *acc;
    size_t n, cap;
    strbuf rows;
    strvec sigs;          /* distinct `columns` values of the batch's accounts */
    strvec col_names;     /* the column names of every sig, one after another */
    hash_dump_str *cols;  /* the same, with their lengths; sig i's start at cols[sig_first[i]] */
    size_t *sig_first;    /* sigs.n + 1 of them */
    size_t *by_name;      /* per sig, its columns' indexes in strcmp order of their names */
    strbuf name_items;    /* every column name as a digest item ("<len>:<name>"), in cols' order; */
    size_t *name_end;     /* column k's ends at name_end[k], starts at name_end[k - 1] or 0 */
    strvec last_attrs;    /* the attribute names of the last account batch_sig_index saw */
    size_t last_sig;      /* and its columns' index */
    strbuf check;         /* the check FCALL, kept until its reply is taken (for a resend) */
    strbuf write;         /* its write, built while its pre-check is out when it is guessed all
                           * new (else empty: built when its codes come) */
    size_t *written;      /* indexes of the accounts its write carries */
    size_t nwritten, queued;
    import_batch *next;   /* in the writer's list of spare batches */
};

/* Account i's key (l2a:account:<id>) and its id (the key's tail). */
static inline const char *batch_key(const import_batch *b, size_t i)
{
    return b->names.buf + b->acc[i].key_off;
}
static inline const char *batch_id(const import_batch *b, size_t i)
{
    return batch_key(b, i) + b->id_skip;
}

/* A batch whose keys have their ids at id_skip (key_account_id_at). */
import_batch *batch_new(size_t id_skip);
void batch_free(import_batch *b);
/* Empties b for another batch, keeping its buffers' room. */
void batch_reset(import_batch *b);
/* Adds account a to batch b: its row, columns and digest (w's prefix, scratch); tag kept for
 * its code. */
void batch_add(import_batch *b, import_writer *w, const account_rec *a, bool rewrite,
               uint32_t tag);
/* b->check: FCALL import_check 3+n set changes digests hashes... (id digest)... */
void batch_check_cmd(import_batch *b, const import_writer *w);
/* Where a batch write's first account command is among its queued commands. */
size_t batch_first_account_cmd(const import_writer *w);
/* Appends to cmd SADD <set> of the ids of b's accounts which[0..n), or of its first n when
 * which is NULL (an unchanged batch's only write). */
void batch_sadd_cmd(const import_batch *b, const import_writer *w, const size_t *which, size_t n,
                    strbuf *cmd);
/* Appends to cmd the write of b's accounts in b->written (MULTI ... EXEC); sets b->queued. */
void batch_write_cmd(import_batch *b, import_writer *w, strbuf *cmd, strbuf *scratch);

#endif
