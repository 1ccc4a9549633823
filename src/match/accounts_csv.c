/* accounts_csv.c - account records from CSV rows (csv.c): the header's columns, the known fields
 * and the attributes, duplicate ids and bad rows warned about with their line. */
#include "inputs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "inputs_impl.h"
#include "strmap.h"
#include "text.h"

/* Replaces *slot (owned) with a copy of value, or NULL. */
static void field_replace(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? xstrdup(value) : NULL;
}

#define ACCOUNT_FIELD(f) {#f, sizeof(#f) - 1, offsetof(account_rec, f)}
static const struct field_def account_fields[] = {
    ACCOUNT_FIELD(id),       ACCOUNT_FIELD(name),     ACCOUNT_FIELD(domains),
    ACCOUNT_FIELD(type),     ACCOUNT_FIELD(parent_id), ACCOUNT_FIELD(country),
    ACCOUNT_FIELD(owner_id), ACCOUNT_FIELD(employees), ACCOUNT_FIELD(last_activity),
};


/* Index of a known account column (case-insensitive), or -1. */
static int account_field_index(const char *key)
{
    for (size_t i = 0; i < ARRAY_LEN(account_fields); i++)
        if (strcasecmp(key, account_fields[i].name) == 0)
            return (int)i;
    return -1;
}

void account_rec_init(account_rec *a)
{
    for (size_t i = 0; i < ARRAY_LEN(account_fields); i++)
        *field_member(a, &account_fields[i]) = NULL;
    sv_init(&a->attr_keys);
    sv_init(&a->attr_vals);
}

void account_rec_free(account_rec *a)
{
    for (size_t i = 0; i < ARRAY_LEN(account_fields); i++)
        free(*field_member(a, &account_fields[i]));
    sv_free(&a->attr_keys);
    sv_free(&a->attr_vals);
    account_rec_init(a);
}

void account_rec_set(account_rec *a, const char *key, const char *value)
{
    int idx = account_field_index(key);
    if (idx >= 0) {
        field_replace(field_member(a, &account_fields[idx]), value);
        return;
    }
    if (!value)
        return;
    for (size_t i = 0; i < a->attr_keys.n; i++) {
        if (strcasecmp(a->attr_keys.v[i], key) == 0) {
            field_replace(&a->attr_vals.v[i], value);
            return;
        }
    }
    sv_push(&a->attr_keys, key);
    sv_push(&a->attr_vals, value);
}

/* Column kinds beyond the account_fields indexes. */
enum { COL_ATTR = -1, COL_SKIP = -2 };

/* The header row: one entry per column. */
typedef struct header {
    strvec names;    /* trimmed column names (owned) */
    int *kind;       /* owned; index into account_fields, COL_ATTR or COL_SKIP */
    size_t n;
    /* The attributes, each named once (the first column's spelling; a later column of the same
     * name, case aside, replaces the value): attr_slot[column] is its index in attr_names. */
    size_t *attr_slot;
    char **attr_names; /* borrowed from names */
    size_t nattrs;
} header;

static void header_free(header *h)
{
    sv_free(&h->names);
    free(h->kind);
    free(h->attr_slot);
    free(h->attr_names);
    memset(h, 0, sizeof(*h));
}

/* Column i, an attribute: its index among the header's distinct attribute names. */
static void header_attr(header *h, size_t i)
{
    size_t k = 0;
    while (k < h->nattrs && strcasecmp(h->attr_names[k], h->names.v[i]) != 0)
        k++;
    if (k == h->nattrs)
        h->attr_names[h->nattrs++] = h->names.v[i];
    h->attr_slot[i] = k;
}

/* Copy of s without surrounding ASCII whitespace. Caller frees. */
static char *trimmed(const char *s)
{
    size_t len = strlen(s);
    while (len && strchr(" \t\r\n", s[len - 1]))
        len--;
    while (len && strchr(" \t\r\n", *s)) {
        s++;
        len--;
    }
    return xstrndup(s, len);
}

/* Converts the csv module's "line N: msg" into "path:N: msg". */
static void csv_err(const char *path, const char *msg, char *err, size_t errlen)
{
    long line = 0;
    int off = 0;
    if (sscanf(msg, "line %ld: %n", &line, &off) == 1 && off > 0)
        err_set(err, errlen, "%s:%ld: %s", path, line, msg + off);
    else
        err_set(err, errlen, "%s: %s", path, msg);
}

/* Classifies every column of the header row; 0, or -1 with err set. */
static int header_parse(header *h, const strvec *row, const char *path, long line, char *err,
                        size_t errlen)
{
    bool seen[ARRAY_LEN(account_fields)] = {false};
    h->n = row->n;
    h->kind = xcalloc(row->n, sizeof(*h->kind));
    h->attr_slot = xcalloc(row->n, sizeof(*h->attr_slot));
    h->attr_names = xcalloc(row->n + 1, sizeof(*h->attr_names));
    for (size_t i = 0; i < row->n; i++) {
        char *name = trimmed(row->v[i]);
        sv_push_owned(&h->names, name);
        int idx = account_field_index(name);
        if (idx >= 0 && seen[idx]) {
            err_set(err, errlen, "%s:%ld: duplicate column '%s'", path, line, name);
            return -1;
        }
        if (idx >= 0)
            seen[idx] = true;
        h->kind[i] = idx >= 0 ? idx : (name[0] ? COL_ATTR : COL_SKIP);
        if (h->kind[i] == COL_ATTR)
            header_attr(h, i);
    }
    for (size_t k = 0; k < 2; k++) { /* id and name are the first two known fields */
        if (!seen[k]) {
            err_set(err, errlen, "%s:%ld: missing '%s' column", path, line, account_fields[k].name);
            return -1;
        }
    }
    return 0;
}

/* Reads the header row; 0, or -1 with err set. */
static int header_read(header *h, csv_reader *r, const char *path, char *err, size_t errlen)
{
    strvec row;
    char cerr[256];
    int rc = -1;
    sv_init(&row);
    int got = csv_next(r, &row, cerr, sizeof(cerr));
    if (got < 0)
        csv_err(path, cerr, err, errlen);
    else if (got == 0)
        err_set(err, errlen, "%s:1: empty file, no header row", path);
    else
        rc = header_parse(h, &row, path, csv_line(r), err, errlen);
    sv_free(&row);
    return rc;
}

/* What trim_in_place drops at either end: a space, tab, CR or LF (and a NUL at the end, as
 * strchr(" \t\r\n", c) finds the set's own terminator). */
static bool trim_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

/* Trims surrounding ASCII whitespace from a field in place; returns where it now starts. */
static char *trim_in_place(char *s, size_t len)
{
    while (len && trim_byte(s[len - 1]))
        len--;
    s[len] = '\0';
    while (*s && trim_byte(*s))
        s++;
    return s;
}

/* Reader state shared by the row loop. */
typedef struct rows_ctx {
    const accounts_csv *o;
    const header *h;
    strmap *lines;       /* owned: account id -> line it was first read on */
    char **attr_vals;    /* owned: room for a lent record's attribute values (h->nattrs) */
} rows_ctx;

/* The row's attributes into a (copied; with borrow and lend_attrs, lent: a's attribute vectors
 * then point at the header's names and rc's values, and are not a's to free). */
static void attrs_from_row(account_rec *a, const rows_ctx *rc, const csv_fields *row)
{
    const header *h = rc->h;
    bool lend = rc->o->borrow && rc->o->lend_attrs;
    if (rc->o->borrow && !lend)
        return;
    for (size_t i = 0; i < h->n; i++) {
        if (h->kind[i] != COL_ATTR)
            continue;
        char *value = trim_in_place(row->v[i], row->len[i]);
        if (lend)
            rc->attr_vals[h->attr_slot[i]] = value;
        else
            account_rec_set(a, h->names.v[i], value);
    }
    if (lend) {
        a->attr_keys = (strvec){h->attr_names, h->nattrs, 0};
        a->attr_vals = (strvec){rc->attr_vals, h->nattrs, 0};
    }
}

/* Fills a from a row whose length matches the header (trimming its fields in place). Empty known
 * fields stay NULL. With borrow, known fields point into the row; attributes: attrs_from_row. */
static void account_from_row(account_rec *a, const rows_ctx *rc, const csv_fields *row)
{
    const header *h = rc->h;
    bool borrow = rc->o->borrow;
    for (size_t i = 0; i < h->n; i++) {
        if (h->kind[i] < 0)
            continue;
        char *value = trim_in_place(row->v[i], row->len[i]);
        if (value[0]) {
            char **slot = field_member(a, &account_fields[h->kind[i]]);
            if (!borrow)
                free(*slot);
            *slot = borrow ? value : xstrdup(value);
        }
    }
    attrs_from_row(a, rc, row);
}

static void warn_row(const accounts_csv *o, warn_cb to, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn_row(const accounts_csv *o, warn_cb to, long line, const char *fmt, ...)
{
    if (!to)
        return;
    strbuf sb;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sb_init(&sb);
    sb_appendf(&sb, "%s:%ld: %s", o->path, line, msg);
    to(sb.buf, o->ctx);
    sb_free(&sb);
}

/* Notes the id's line; warns when an earlier row had the same id. */
static void check_duplicate(const rows_ctx *rc, const char *id, long line)
{
    uint32_t first;
    if (rc->o->seen_on) {
        long at = rc->o->seen_on(id, line, rc->o->ctx);
        if (!at)
            return;
        first = (uint32_t)at;
    } else if (!strmap_get(rc->lines, id, &first)) {
        strmap_put(rc->lines, id, (uint32_t)line);
        return;
    }
    accounts_csv_warn_duplicate(rc->o, id, line, first);
}

void accounts_csv_warn_duplicate(const accounts_csv *o, const char *id, long line, long first)
{
    warn_row(o, o->dup ? o->dup : o->warn, line,
             "account id '%.200s' already on line %ld (the later row wins)", id, first);
}

/* Handles one data row: hands a valid account to the callback (true) or warns (false). */
static bool row_accept(const rows_ctx *rc, const csv_fields *row, long line)
{
    account_rec a;
    if (row->n != rc->h->n) {
        warn_row(rc->o, rc->o->warn, line, "row has %zu fields, header has %zu; skipped", row->n,
                 rc->h->n);
        return false;
    }
    account_rec_init(&a);
    account_from_row(&a, rc, row);
    if (!a.id || !a.name) {
        warn_row(rc->o, rc->o->warn, line, "empty %s; skipped", a.id ? "name" : "id");
        if (!rc->o->borrow)
            account_rec_free(&a);
        return false;
    }
    check_duplicate(rc, a.id, line);
    rc->o->cb(&a, rc->o->ctx); /* the callback now owns a's contents (unless borrowed) */
    return true;
}

/* Reads every data row; the number of accounts, or -1 with err set. */
static long rows_read(const rows_ctx *rc, csv_reader *r, char *err, size_t errlen)
{
    const csv_fields *row;
    char cerr[256];
    long count = 0;
    int got;
    while ((got = csv_next_view(r, &row, cerr, sizeof(cerr))) > 0)
        if (row_accept(rc, row, csv_line(r)))
            count++;
    if (got < 0) {
        csv_err(rc->o->path, cerr, err, errlen);
        count = -1;
    }
    return count;
}

/* Opens the file as UTF-8: itself, or its conversion from o->encoding. NULL with err set. */
static FILE *open_utf8(const accounts_csv *o, char *err, size_t errlen)
{
    char cerr[256];
    FILE *f = o->file ? o->file : fopen(o->path, "rb");
    if (!f) {
        err_set(err, errlen, "%s: cannot open: %s", o->path, strerror(errno));
        return NULL;
    }
    if (!o->encoding)
        return f;
    FILE *u = text_recode(f, o->encoding, cerr, sizeof(cerr));
    if (f != o->file)
        fclose(f);
    if (!u)
        csv_err(o->path, cerr, err, errlen);
    return u;
}

long accounts_read_csv_opts(const accounts_csv *o, char *err, size_t errlen)
{
    long count = -1;
    csv_reader *r = NULL;
    header h;
    rows_ctx rc = {.o = o, .h = &h, .lines = o->seen_on ? NULL : strmap_new()};
    memset(&h, 0, sizeof(h));
    FILE *f = open_utf8(o, err, errlen);
    if (!f)
        goto out;
    r = csv_reader_new(f);
    if (header_read(&h, r, o->path, err, errlen) < 0)
        goto out;
    rc.attr_vals = xcalloc(h.nattrs + 1, sizeof(*rc.attr_vals));
    count = rows_read(&rc, r, err, errlen);
out:
    free(rc.attr_vals);
    strmap_free(rc.lines);
    header_free(&h);
    csv_reader_free(r);
    if (f && f != o->file)
        fclose(f);
    return count;
}

long accounts_read_csv(const char *path, account_cb cb, warn_cb warn, void *ctx, char *err,
                       size_t errlen)
{
    accounts_csv o = {.path = path, .cb = cb, .warn = warn, .ctx = ctx};
    return accounts_read_csv_opts(&o, err, errlen);
}
