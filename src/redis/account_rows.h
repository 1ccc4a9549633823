/* account_rows.h - accounts as `l2a import-accounts` writes them without Lua: the digest of an
 * account's fields (kept in l2a:accounts:digests) and the `op rows` entry of l2a:accounts:changes,
 * which carries many accounts in two values (docs/redis-schema.md). Written by the import, read by
 * l2ad. */
#ifndef L2A_ACCOUNT_ROWS_H
#define L2A_ACCOUNT_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define ACCOUNT_DIGEST_LEN 16 /* hex digits */

/* One stored field of an account. */
typedef struct account_field {
    const char *name;
    const char *value;
} account_field;

/* The digest of an account whose hash holds exactly fields[0..n) (names distinct, in any order:
 * they are sorted in place): the first ACCOUNT_DIGEST_LEN hex digits of the SHA-1 of the pairs
 * in strcmp order of their names, each "<length>:<name><length>:<value>" (what the import-check
 * Function computes from a stored hash, accounts.lua). scratch: a buffer to reuse. out gets
 * ACCOUNT_DIGEST_LEN digits and a NUL. */
void account_digest(account_field *fields, size_t n, strbuf *scratch, char *out);
/* The digest of text, account_digest's pairs already written out (text may be NULL when len is
 * 0). */
void account_digest_text(const char *text, size_t len, char *out);

/* Appends one item of an `op rows` value to sb: "<n>:" then the n bytes of s. */
void account_rows_put(strbuf *sb, const char *s, size_t n);
/* Reads the item at *p (before end), as account_rows_put wrote it: *s and *n get its bytes and
 * length, *p moves past it. False, with nothing moved, when malformed. */
bool account_rows_next(const char **p, const char *end, const char **s, size_t *n);

/* Called for each account of an `op rows` entry with its fields (empty values left out), each
 * NUL-terminated and valid during the call only. */
typedef void (*account_rows_fn)(const account_field *fields, size_t n, void *ctx);

/* Reads an `op rows` entry's `columns` value (the column names, at least one, "id" among them)
 * and its `rows` value (per account, one item per column, empty when the account has no such
 * field) and calls fn for each account, in order. Returns the number of accounts, or -1 with err
 * set when either value is malformed (fn is then called for none). */
long account_rows_read(const char *columns, size_t columns_len, const char *rows, size_t rows_len,
                       account_rows_fn fn, void *ctx, char *err, size_t errlen);

#endif
