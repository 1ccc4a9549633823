/* import_cmd.c - the commands of one batch of `l2a import-accounts` (import_cmd.h): its accounts'
 * rows, columns and digests gathered, then its check FCALL and its write (MULTI, a RESTORE or an
 * HSET per account, SADD, HSET of the digests, XADD of the changes entries, EXEC). */
#include "import_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "account_rows.h"
#include "functions.h"
#include "keys.h"
#include "resp.h"

#define ENTRY_ROWS_BYTES 16384    /* an `op rows` entry takes accounts up to this size */

static const char *const KNOWN[] = {"id", "name", "domains", "type", "parent_id", "country",
                                    "owner_id", "employees", "last_activity"};
#define NKNOWN ARRAY_LEN(KNOWN)

import_batch *batch_new(size_t id_skip)
{
    import_batch *b = xcalloc(1, sizeof(*b));
    b->id_skip = id_skip;
    sb_init(&b->names);
    sv_init(&b->sigs);
    sv_init(&b->last_attrs);
    sb_init(&b->rows);
    sb_init(&b->name_items);
    sb_init(&b->check);
    sb_init(&b->write);
    return b;
}

void batch_free(import_batch *b)
{
    if (!b)
        return;
    sb_free(&b->names);
    sv_free(&b->sigs);
    sv_free(&b->last_attrs);
    sv_free(&b->col_names);
    free(b->cols);
    free(b->sig_first);
    free(b->by_name);
    free(b->name_end);
    sb_free(&b->name_items);
    sb_free(&b->rows);
    free(b->acc);
    sb_free(&b->check);
    sb_free(&b->write);
    free(b->written);
    free(b);
}

/* Empties b for another batch, keeping its buffers' room (no regrowing them batch after batch). */
void batch_reset(import_batch *b)
{
    sb_reset(&b->names);
    sv_free(&b->sigs);
    sv_free(&b->last_attrs);
    sv_free(&b->col_names);
    sb_reset(&b->name_items);
    sb_reset(&b->rows);
    sb_reset(&b->check);
    sb_reset(&b->write);
    free(b->written);
    b->written = NULL;
    b->n = b->nwritten = b->queued = 0;
}

/* The account's known field values, in KNOWN's order (NULL or "" when it has none). */
static void known_values(const account_rec *a, const char *v[NKNOWN])
{
    const char *vals[NKNOWN] = {a->id, a->name, a->domains, a->type, a->parent_id, a->country,
                                a->owner_id, a->employees, a->last_activity};
    memcpy(v, vals, sizeof(vals));
}

/* A new sig's column names (KNOWN's, then a's attribute names) after the others'. */
static void batch_sig_cols(import_batch *b, const account_rec *a)
{
    size_t first = b->col_names.n;
    for (size_t i = 0; i < NKNOWN; i++)
        sv_push(&b->col_names, KNOWN[i]);
    for (size_t i = 0; i < a->attr_keys.n; i++)
        sv_push(&b->col_names, a->attr_keys.v[i]);
    b->cols = xrealloc(b->cols, b->col_names.n * sizeof(*b->cols));
    b->name_end = xrealloc(b->name_end, b->col_names.n * sizeof(*b->name_end));
    for (size_t k = 0; k < b->col_names.n; k++)
        b->cols[k] = (hash_dump_str){b->col_names.v[k], strlen(b->col_names.v[k])};
    for (size_t k = first; k < b->col_names.n; k++) {
        account_rows_put(&b->name_items, b->cols[k].s, b->cols[k].len);
        b->name_end[k] = b->name_items.len;
    }
    b->sig_first = xrealloc(b->sig_first, (b->sigs.n + 1) * sizeof(*b->sig_first));
    b->sig_first[b->sigs.n - 1] = first;
    b->sig_first[b->sigs.n] = b->col_names.n;
    b->by_name = xrealloc(b->by_name, b->col_names.n * sizeof(*b->by_name));
    size_t *order = b->by_name + first; /* an insertion sort: an account has a few dozen at most */
    for (size_t i = 0; i < b->col_names.n - first; i++) {
        size_t j = i;
        for (; j > 0 && strcmp(b->cols[first + order[j - 1]].s, b->cols[first + i].s) > 0; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
}

/* The index of the batch's columns value equal to the account's, added when new. */
static size_t batch_sig_index(import_batch *b, const account_rec *a, strbuf *scratch)
{
    sb_reset(scratch);
    for (size_t i = 0; i < NKNOWN; i++)
        account_rows_put(scratch, KNOWN[i], strlen(KNOWN[i]));
    for (size_t i = 0; i < a->attr_keys.n; i++)
        account_rows_put(scratch, a->attr_keys.v[i], strlen(a->attr_keys.v[i]));
    for (size_t i = b->sigs.n; i > 0; i--)
        if (strcmp(b->sigs.v[i - 1], scratch->buf) == 0)
            return i - 1;
    sv_push(&b->sigs, scratch->buf);
    batch_sig_cols(b, a);
    return b->sigs.n - 1;
}

/* batch_sig_index, asked only when the account's attribute names differ from the account's
 * before (the accounts of one file have the same). */
static size_t batch_sig(import_batch *b, const account_rec *a, strbuf *scratch)
{
    bool same = b->sigs.n > 0 && a->attr_keys.n == b->last_attrs.n;
    for (size_t i = 0; same && i < a->attr_keys.n; i++)
        same = strcmp(a->attr_keys.v[i], b->last_attrs.v[i]) == 0;
    if (same)
        return b->last_sig;
    sv_free(&b->last_attrs);
    for (size_t i = 0; i < a->attr_keys.n; i++)
        sv_push(&b->last_attrs, a->attr_keys.v[i]);
    b->last_sig = batch_sig_index(b, a, scratch);
    return b->last_sig;
}

/* Room in w->strs for n strings. */
static void strs_room(import_writer *w, size_t n)
{
    if (n > w->strs_cap) {
        w->strs_cap = n;
        w->strs = xrealloc(w->strs, w->strs_cap * sizeof(*w->strs));
    }
}

/* Account x's digest (account_digest of its stored fields), from its row: its items taken as
 * they are, in the name order of its columns (b->by_name), each after its name's item. */
static void batch_digest(import_writer *w, const import_batch *b, batch_account *x)
{
    size_t first = b->sig_first[x->sig], ncols = b->sig_first[x->sig + 1] - first;
    const char *p = b->rows.buf + x->row_off, *end = p + x->row_len, *value;
    size_t len;
    strs_room(w, ncols);
    for (size_t c = 0; c < ncols; c++) { /* strs[c]: column c's whole item, or empty */
        const char *item = p;
        (void)account_rows_next(&p, end, &value, &len); /* batch_add's own row: well formed */
        w->strs[c] = (hash_dump_str){item, len > 0 ? (size_t)(p - item) : 0};
    }
    sb_reset(&w->scratch);
    for (size_t k = 0; k < ncols; k++) {
        size_t c = b->by_name[first + k];
        if (w->strs[c].len == 0)
            continue;
        size_t col = first + c, start = col > 0 ? b->name_end[col - 1] : 0;
        sb_appendn(&w->scratch, b->name_items.buf + start, b->name_end[col] - start);
        sb_appendn(&w->scratch, w->strs[c].s, w->strs[c].len);
    }
    account_digest_text(w->scratch.buf, w->scratch.len, x->digest);
}

/* Adds account a to batch b: its row, columns and digest. */
void batch_add(import_batch *b, import_writer *w, const account_rec *a, bool rewrite,
               uint32_t tag)
{
    const char *v[NKNOWN];
    strbuf *scratch = &w->scratch;
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->acc = xrealloc(b->acc, b->cap * sizeof(*b->acc));
    }
    batch_account *ba = &b->acc[b->n++];
    memset(ba, 0, sizeof(*ba));
    ba->rewrite = rewrite;
    ba->tag = tag;
    ba->key_off = b->names.len;
    key_account_append(&b->names, w->prefix, a->id);
    ba->row_off = b->rows.len;
    known_values(a, v);
    for (size_t i = 0; i < NKNOWN; i++)
        account_rows_put(&b->rows, v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);
    for (size_t i = 0; i < a->attr_vals.n; i++)
        account_rows_put(&b->rows, a->attr_vals.v[i], strlen(a->attr_vals.v[i]));
    ba->row_len = b->rows.len - ba->row_off;
    ba->sig = batch_sig(b, a, scratch);
    batch_digest(w, b, ba);
}

/* The batch's check: FCALL import_check 3+n set changes digests hashes... (id digest)... */
void batch_check_cmd(import_batch *b, const import_writer *w)
{
    strbuf *cmd = &b->check;
    sb_reset(cmd);
    resp_head(cmd, 6 + 3 * b->n, "FCALL");
    resp_str(cmd, functions_name(FN_ACCOUNT_IMPORT_CHECK));
    resp_num(cmd, 3 + b->n);
    resp_str(cmd, w->set_key);
    resp_str(cmd, w->changes_key);
    resp_str(cmd, w->digests_key);
    for (size_t i = 0; i < b->n; i++)
        resp_str(cmd, batch_key(b, i));
    for (size_t i = 0; i < b->n; i++) {
        resp_str(cmd, batch_id(b, i));
        resp_arg(cmd, b->acc[i].digest, ACCOUNT_DIGEST_LEN);
    }
}

/* Account x's stored fields, read from its row (the values not empty, each after its column's
 * name) into w->strs: name, value, name, value... Returns how many strings (twice the fields). */
static size_t account_pairs(import_writer *w, const import_batch *b, const batch_account *x)
{
    const hash_dump_str *col = b->cols + b->sig_first[x->sig];
    size_t ncols = b->sig_first[x->sig + 1] - b->sig_first[x->sig], k = 0, len;
    const char *p = b->rows.buf + x->row_off, *end = p + x->row_len, *value;
    strs_room(w, 2 * ncols);
    for (size_t c = 0; c < ncols; c++) { /* batch_add wrote one item per column */
        (void)account_rows_next(&p, end, &value, &len);
        if (len > 0) {
            w->strs[k++] = col[c];
            w->strs[k++] = (hash_dump_str){value, len};
        }
    }
    return k;
}

/* Appends the strs[0..n) as arguments. */
static void pairs_cmd(strbuf *cmd, const hash_dump_str *strs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        resp_arg(cmd, strs[i].s, strs[i].len);
}

/* Appends the XADD of the written accounts [first, last) of b: `op upsert` and the pairs of a
 * lone account (the form every l2ad reads), else `op rows` with their columns and rows. */
static void entry_cmd(strbuf *cmd, const import_batch *b, import_writer *w, size_t first,
                      size_t last, strbuf *scratch)
{
    const batch_account *ba = &b->acc[b->written[first]];
    bool lone = last - first == 1;
    size_t values = lone ? account_pairs(w, b, ba) : 0;
    resp_head(cmd, lone ? 8 + values : 12, "XADD");
    resp_str(cmd, w->changes_key);
    resp_str(cmd, "MAXLEN");
    resp_str(cmd, "~");
    resp_str(cmd, L2A_CHANGES_MAXLEN);
    resp_str(cmd, "*");
    resp_str(cmd, "op");
    if (lone) {
        resp_str(cmd, "upsert");
        pairs_cmd(cmd, w->strs, values);
        return;
    }
    sb_reset(scratch);
    for (size_t i = first; i < last; i++) {
        const batch_account *x = &b->acc[b->written[i]];
        sb_appendn(scratch, b->rows.buf + x->row_off, x->row_len);
    }
    resp_str(cmd, "rows");
    resp_str(cmd, "columns");
    resp_str(cmd, b->sigs.v[ba->sig]);
    resp_str(cmd, "rows");
    resp_arg(cmd, scratch->buf, scratch->len);
}

/* Appends the changes entries of the written accounts: consecutive accounts with the same columns
 * share an entry until its rows pass ENTRY_ROWS_BYTES. Returns the number of entries. */
static size_t entries_cmd(strbuf *cmd, const import_batch *b, import_writer *w,
                          strbuf *scratch)
{
    size_t entries = 0, first = 0, bytes = 0;
    for (size_t i = 0; i < b->nwritten; i++) {
        const batch_account *x = &b->acc[b->written[i]];
        if (i > first && (x->sig != b->acc[b->written[first]].sig ||
                          bytes + x->row_len > ENTRY_ROWS_BYTES)) {
            entry_cmd(cmd, b, w, first, i, scratch);
            entries++;
            first = i;
            bytes = 0;
        }
        bytes += x->row_len;
    }
    entry_cmd(cmd, b, w, first, b->nwritten, scratch);
    return entries + 1;
}

/* Where a batch write's first account command is among its queued commands: after the DEL of
 * their hashes, unless each account is one RESTORE. */
size_t batch_first_account_cmd(const import_writer *w)
{
    return w->restore ? 0 : 1;
}

/* Appends account x's RESTORE to cmd: its whole hash replacing what the key held. */
static void restore_cmd(import_writer *w, const import_batch *b, const batch_account *x,
                        const char *key, strbuf *cmd)
{
    size_t values = account_pairs(w, b, x);
    sb_reset(&w->payload);
    hash_dump(&w->dumper, w->strs, values, &w->payload);
    resp_head(cmd, 5, "RESTORE");
    resp_str(cmd, key);
    resp_str(cmd, "0");
    resp_arg(cmd, w->payload.buf, w->payload.len);
    resp_str(cmd, "REPLACE");
}

void batch_sadd_cmd(const import_batch *b, const import_writer *w, const size_t *which, size_t n,
                    strbuf *cmd)
{
    resp_head(cmd, 2 + n, "SADD");
    resp_str(cmd, w->set_key);
    for (size_t i = 0; i < n; i++)
        resp_str(cmd, batch_id(b, which ? which[i] : i));
}

/* The batch's write, for its accounts in b->written: MULTI, a RESTORE each (else DEL of their
 * hashes and an HSET each), SADD of their ids, HSET of their digests, the changes entries, EXEC. */
void batch_write_cmd(import_batch *b, import_writer *w, strbuf *cmd, strbuf *scratch)
{
    size_t m = b->nwritten;
    resp_head(cmd, 1, "MULTI");
    if (!w->restore) {
        resp_head(cmd, 1 + m, "DEL");
        for (size_t i = 0; i < m; i++)
            resp_str(cmd, batch_key(b, b->written[i]));
    }
    for (size_t i = 0; i < m; i++) {
        const batch_account *x = &b->acc[b->written[i]];
        if (w->restore) {
            restore_cmd(w, b, x, batch_key(b, b->written[i]), cmd);
        } else {
            size_t values = account_pairs(w, b, x);
            resp_head(cmd, 2 + values, "HSET");
            resp_str(cmd, batch_key(b, b->written[i]));
            pairs_cmd(cmd, w->strs, values);
        }
    }
    batch_sadd_cmd(b, w, b->written, m, cmd);
    resp_head(cmd, 2 + 2 * m, "HSET");
    resp_str(cmd, w->digests_key);
    for (size_t i = 0; i < m; i++) {
        resp_str(cmd, batch_id(b, b->written[i]));
        resp_arg(cmd, b->acc[b->written[i]].digest, ACCOUNT_DIGEST_LEN);
    }
    b->queued = batch_first_account_cmd(w) + m + 2 + entries_cmd(cmd, b, w, scratch);
    resp_head(cmd, 1, "EXEC");
}
