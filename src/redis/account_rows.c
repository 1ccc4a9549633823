/* account_rows.c - the digest of an account's fields and the `op rows` changes entry's values:
 * items "<length>:<bytes>" one after another (account_rows.h). */
#include "account_rows.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Sorts fields by name (strcmp): an insertion sort, an account having a few dozen at most. */
static void sort_fields(account_field *f, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        account_field x = f[i];
        size_t j = i;
        for (; j > 0 && strcmp(f[j - 1].name, x.name) > 0; j--)
            f[j] = f[j - 1];
        f[j] = x;
    }
}

/* SHA-1 of data into md: the algorithm fetched and the context made once (OpenSSL's one-shot
 * SHA1() fetches the algorithm on every call, a third of the digest's time; the import runs this
 * for every account, on one thread). */
static void sha1(const char *data, size_t len, unsigned char *md)
{
    static EVP_MD *alg;
    static EVP_MD_CTX *ctx;
    if (!alg) {
        alg = EVP_MD_fetch(NULL, "SHA1", NULL);
        ctx = EVP_MD_CTX_new();
        if (!alg || !ctx) {
            fprintf(stderr, "<2>l2a: OpenSSL offers no SHA-1\n");
            abort();
        }
    }
    if (EVP_DigestInit_ex2(ctx, alg, NULL) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
        EVP_DigestFinal_ex(ctx, md, NULL) != 1) {
        fprintf(stderr, "<2>l2a: OpenSSL's SHA-1 failed\n");
        abort();
    }
}

void account_digest(account_field *fields, size_t n, strbuf *scratch, char *out)
{
    sort_fields(fields, n);
    sb_reset(scratch);
    for (size_t i = 0; i < n; i++) {
        account_rows_put(scratch, fields[i].name, strlen(fields[i].name));
        account_rows_put(scratch, fields[i].value, strlen(fields[i].value));
    }
    account_digest_text(scratch->buf, scratch->len, out);
}

void account_digest_text(const char *text, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    sha1(text ? text : "", len, md);
    for (size_t i = 0; i < ACCOUNT_DIGEST_LEN / 2; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[ACCOUNT_DIGEST_LEN] = '\0';
}

void account_rows_put(strbuf *sb, const char *s, size_t n)
{
    char head[24], *p = head + sizeof(head);
    size_t left = n;
    *--p = ':';
    do {
        *--p = (char)('0' + left % 10);
        left /= 10;
    } while (left);
    size_t h = (size_t)(head + sizeof(head) - p);
    if (sb->len + h + n + 1 > sb->cap) /* room made once, both parts copied in */
        sb_reserve(sb, h + n);
    memcpy(sb->buf + sb->len, p, h);
    memcpy(sb->buf + sb->len + h, s, n);
    sb->len += h + n;
    sb->buf[sb->len] = '\0';
}

bool account_rows_next(const char **p, const char *end, const char **s, size_t *n)
{
    const char *q = *p;
    size_t len = 0;
    if (q >= end || *q < '0' || *q > '9')
        return false;
    while (q < end && *q >= '0' && *q <= '9') {
        if (len > (size_t)(end - q))
            return false;
        len = len * 10 + (size_t)(*q++ - '0');
    }
    if (q >= end || *q != ':' || len > (size_t)(end - q - 1))
        return false;
    *s = q + 1;
    *n = len;
    *p = q + 1 + len;
    return true;
}

/* The column names as NUL-terminated copies (caller frees with sv_free); false when malformed,
 * empty, or without "id". */
static bool read_columns(const char *columns, size_t len, strvec *out)
{
    const char *p = columns, *end = columns + len, *s;
    size_t n;
    while (p < end) {
        if (!account_rows_next(&p, end, &s, &n) || n == 0 || memchr(s, '\0', n))
            return false;
        sv_push_owned(out, xstrndup(s, n));
    }
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->v[i], "id") == 0)
            return true;
    return false;
}

/* Walks the rows: counts the accounts (a whole number of rows, each with a non-empty id) and,
 * when fn is set, hands each one on. False when malformed. */
static bool walk_rows(const strvec *cols, const char *rows, size_t len, account_rows_fn fn,
                      void *ctx, long *accounts)
{
    const char *p = rows, *end = rows + len, *s;
    size_t n, ncols = cols->n;
    account_field *fields = xcalloc(ncols, sizeof(*fields));
    strbuf vals;
    size_t *offs = xcalloc(ncols, sizeof(*offs));
    bool ok = true;
    sb_init(&vals);
    *accounts = 0;
    while (ok && p < end) {
        size_t nf = 0;
        bool has_id = false;
        sb_reset(&vals);
        for (size_t c = 0; c < ncols && ok; c++) {
            ok = account_rows_next(&p, end, &s, &n);
            if (!ok || n == 0)
                continue;
            has_id |= strcmp(cols->v[c], "id") == 0;
            fields[nf].name = cols->v[c];
            offs[nf++] = vals.len;
            sb_appendn(&vals, s, n);
            sb_putc(&vals, '\0');
        }
        ok = ok && has_id;
        if (ok && fn) {
            for (size_t i = 0; i < nf; i++)
                fields[i].value = vals.buf + offs[i];
            fn(fields, nf, ctx);
        }
        *accounts += ok;
    }
    sb_free(&vals);
    free(offs);
    free(fields);
    return ok;
}

long account_rows_read(const char *columns, size_t columns_len, const char *rows, size_t rows_len,
                       account_rows_fn fn, void *ctx, char *err, size_t errlen)
{
    strvec cols;
    long accounts = -1;
    sv_init(&cols);
    if (!read_columns(columns, columns_len, &cols)) {
        err_set(err, errlen, "op rows: bad columns (items <length>:<name>, one of them id)");
    } else if (!walk_rows(&cols, rows, rows_len, NULL, NULL, &accounts)) {
        err_set(err, errlen, "op rows: bad rows (an item <length>:<value> per column, id set)");
        accounts = -1;
    } else {
        (void)walk_rows(&cols, rows, rows_len, fn, ctx, &accounts);
    }
    sv_free(&cols);
    return accounts;
}
