/* csv.c - streaming RFC 4180 CSV reader over a FILE, one record at a time through a fixed buffer. */
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define CSV_BUFSIZE 65536
#define CSV_EOF (-1)
#define CSV_MAX_FIELD (16u << 20) /* longer fields are errors: bounds memory on a runaway quote */

/* How a field ended (END_NONE: it has not). */
enum field_end { END_NONE, END_COMMA, END_EOL, END_EOF, END_ERROR };

struct csv_reader {
    FILE *f;                    /* borrowed; never closed here */
    unsigned char buf[CSV_BUFSIZE];
    size_t pos, len;            /* unread bytes are buf[pos..len) */
    int io_errno;               /* errno of a failed read, 0 if none */
    bool started;               /* BOM check done */
    long line;                  /* current line (1-based) */
    long record_line;           /* line where the last record started */
    long field_line;            /* line where the field being read started */
    strbuf field;               /* owned; the record's fields so far, each NUL-terminated, then
                                 * the field being read from fstart on */
    size_t fstart;              /* offset in field of the field being read */
    size_t *off;                /* owned; offset in field of each field of the record */
    csv_fields view;            /* the last record (csv_next_view); v and len owned */
    size_t cap;                 /* entries allocated in off, view.v and view.len */
    bool in_place;              /* the last record's fields are in buf (read_line_in_place) */
};

csv_reader *csv_reader_new(FILE *f)
{
    csv_reader *r = xcalloc(1, sizeof(*r));
    r->f = f;
    r->line = 1;
    sb_init(&r->field);
    return r;
}

void csv_reader_free(csv_reader *r)
{
    if (!r)
        return;
    sb_free(&r->field);
    free(r->off);
    free(r->view.v);
    free(r->view.len);
    free(r);
}

long csv_line(const csv_reader *r)
{
    return r->record_line;
}

/* Refills the buffer; returns false at end of file or on a read error (io_errno set). */
static bool refill(csv_reader *r)
{
    if (r->io_errno)
        return false;
    r->pos = 0;
    r->len = fread(r->buf, 1, sizeof(r->buf), r->f);
    if (r->len == 0 && ferror(r->f))
        r->io_errno = errno ? errno : EIO;
    return r->len > 0;
}

static int next_byte(csv_reader *r)
{
    if (r->pos == r->len && !refill(r))
        return CSV_EOF;
    return r->buf[r->pos++];
}

static int peek_byte(csv_reader *r)
{
    if (r->pos == r->len && !refill(r))
        return CSV_EOF;
    return r->buf[r->pos];
}

/* Skips a UTF-8 byte order mark at the very start of the input. */
static void skip_bom(csv_reader *r)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    r->started = true;
    /* Fill up to 3 bytes: a pipe may deliver them in separate reads. */
    r->pos = r->len = 0;
    while (r->len < 3 && !r->io_errno) {
        size_t n = fread(r->buf + r->len, 1, sizeof(r->buf) - r->len, r->f);
        if (n == 0) {
            if (ferror(r->f))
                r->io_errno = errno ? errno : EIO;
            break;
        }
        r->len += n;
    }
    if (r->len >= 3 && memcmp(r->buf, bom, 3) == 0)
        r->pos = 3;
}

static void set_err(char *err, size_t errlen, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_err(char *err, size_t errlen, long line, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    int n = snprintf(err, errlen, "line %ld: ", line);
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Consumes the rest of the current physical line (resynchronises after an error). */
static void skip_line(csv_reader *r)
{
    int c;
    while ((c = next_byte(r)) != CSV_EOF && c != '\n')
        ;
    if (c == '\n')
        r->line++;
}

/* After a CR: true (and the LF consumed) if it ends a line. */
static bool crlf(csv_reader *r)
{
    if (peek_byte(r) != '\n')
        return false;
    r->pos++;
    return true;
}

/* Appends c to the field; false (err set) when the field grows past CSV_MAX_FIELD. */
static bool put(csv_reader *r, int c, char *err, size_t errlen)
{
    if (r->field.len - r->fstart >= CSV_MAX_FIELD) {
        set_err(err, errlen, r->line, "field longer than %u bytes", CSV_MAX_FIELD);
        return false;
    }
    sb_putc(&r->field, (char)c);
    return true;
}

/* Whether the consumed byte c ends a field (a CRLF's LF is consumed too), and how. */
static enum field_end separator(csv_reader *r, int c)
{
    if (c == CSV_EOF)
        return END_EOF;
    if (c == ',')
        return END_COMMA;
    if (c == '\n' || (c == '\r' && crlf(r))) {
        r->line++;
        return END_EOL;
    }
    return END_NONE;
}

/* Length of the run at buf[pos..len) free of the bytes that end an unquoted field. */
static size_t plain_run(const csv_reader *r)
{
    size_t i = r->pos;
    while (i < r->len && r->buf[i] != ',' && r->buf[i] != '\n' && r->buf[i] != '\r')
        i++;
    return i - r->pos;
}

/* Reads an unquoted field whose first byte c was already consumed. Quotes inside are data. Runs of
 * ordinary bytes are appended a buffer's span at a time. */
static enum field_end read_plain(csv_reader *r, int c, char *err, size_t errlen)
{
    for (;; c = next_byte(r)) {
        enum field_end end = separator(r, c);
        if (end != END_NONE)
            return end;
        if (!put(r, c, err, errlen)) {
            skip_line(r);
            return END_ERROR;
        }
        size_t run = plain_run(r);
        if (run && r->field.len - r->fstart + run > CSV_MAX_FIELD) {
            set_err(err, errlen, r->line, "field longer than %u bytes", CSV_MAX_FIELD);
            skip_line(r);
            return END_ERROR;
        }
        sb_appendn(&r->field, (const char *)r->buf + r->pos, run);
        r->pos += run;
    }
}

/* Reads a quoted field after its opening quote, then the separator that follows it. */
static enum field_end read_quoted(csv_reader *r, char *err, size_t errlen)
{
    long start = r->line;
    int c;
    for (;;) {
        c = next_byte(r);
        if (c == CSV_EOF) {
            set_err(err, errlen, start, "unterminated quoted field");
            return END_ERROR;
        }
        if (c == '"') {
            if (peek_byte(r) != '"')
                break;
            r->pos++;
        } else if (c == '\n') {
            r->line++;
        }
        if (!put(r, c, err, errlen))
            return END_ERROR;
    }
    enum field_end end = separator(r, next_byte(r));
    if (end != END_NONE)
        return end;
    set_err(err, errlen, r->line, "unexpected character after closing quote (stray quote?)");
    skip_line(r);
    return END_ERROR;
}

/* Reads one field into r->field; *quoted tells whether it was quoted. */
static enum field_end read_field(csv_reader *r, bool *quoted, char *err, size_t errlen)
{
    r->fstart = r->field.len;
    r->field_line = r->line;
    int c = next_byte(r);
    *quoted = (c == '"');
    if (*quoted)
        return read_quoted(r, err, errlen);
    return read_plain(r, c, err, errlen);
}

static void clear_fields(strvec *fields)
{
    for (size_t i = 0; i < fields->n; i++)
        free(fields->v[i]);
    fields->n = 0;
}

/* Room for one more field in off, view.v and view.len. */
static void field_room(csv_reader *r)
{
    if (r->view.n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->off = xrealloc(r->off, r->cap * sizeof(*r->off));
        r->view.len = xrealloc(r->view.len, r->cap * sizeof(*r->view.len));
        r->view.v = xrealloc(r->view.v, r->cap * sizeof(*r->view.v));
    }
}

/* Ends the field being read (NUL-terminated where it is) and notes it as the record's next. */
static void push_field(csv_reader *r)
{
    field_room(r);
    r->off[r->view.n] = r->fstart;
    r->view.len[r->view.n++] = r->field.len - r->fstart;
    sb_putc(&r->field, '\0');
}

/* Refuses a field (number col, 1-based) holding a NUL byte or bytes that are not UTF-8; the error
 * names the line of the offending byte. */
static bool field_text_ok(const csv_reader *r, size_t col, char *err, size_t errlen)
{
    const char *s = r->field.buf ? r->field.buf + r->fstart : "";
    size_t n = r->field.len - r->fstart;
    const char *nul = memchr(s, '\0', n);
    size_t valid_len = nul ? (size_t)(nul - s) : n;
    size_t at = utf8_invalid_at(s, valid_len); /* == valid_len: only the NUL (if any) is wrong */
    if (at == n)
        return true;
    long line = r->field_line;
    for (size_t i = 0; i < at; i++)
        line += s[i] == '\n';
    if (at == valid_len)
        set_err(err, errlen, line, "NUL byte in field %zu", col);
    else
        set_err(err, errlen, line, "not valid UTF-8 (byte 0x%02X in field %zu)",
                (unsigned char)s[at], col);
    return false;
}

/* The common record read without a copy: a whole line already in buf, not blank, with no quote,
 * no CR but its line end's, no NUL and nothing that is not UTF-8. Its fields are split where
 * they are (each comma and the line end become NULs) into r->view. false, nothing consumed, for
 * any other line: read_record reads it (and says what is wrong with it). */
static bool read_line_in_place(csv_reader *r)
{
    char *start = (char *)r->buf + r->pos;
    size_t avail = r->len - r->pos;
    char *nl = memchr(start, '\n', avail);
    if (!nl)
        return false;
    size_t n = (size_t)(nl - start) - (nl > start && nl[-1] == '\r');
    if (n == 0 || memchr(start, '"', n) || memchr(start, '\r', n) || memchr(start, '\0', n) ||
        utf8_invalid_at(start, n) != n)
        return false;
    r->record_line = r->line++;
    r->pos += (size_t)(nl - start) + 1;
    start[n] = '\0';
    r->view.n = 0;
    for (char *field = start;;) {
        char *comma = memchr(field, ',', (size_t)(start + n - field));
        field_room(r);
        r->view.v[r->view.n] = field;
        r->view.len[r->view.n++] = (size_t)((comma ? comma : start + n) - field);
        if (!comma)
            break;
        *comma = '\0';
        field = comma + 1;
    }
    r->in_place = true;
    return true;
}

/* Reads one physical record into r->field and r->view; returns 1 (record), 0 (end of file), 2
 * (blank line) or -1. */
static int read_record(csv_reader *r, char *err, size_t errlen)
{
    if (read_line_in_place(r))
        return 1;
    r->in_place = false;
    r->record_line = r->line;
    sb_reset(&r->field);
    r->view.n = 0;
    for (;;) {
        bool quoted;
        enum field_end end = read_field(r, &quoted, err, errlen);
        if (end == END_ERROR)
            return -1;
        bool empty = r->view.n == 0 && !quoted && r->field.len == 0;
        if (empty && end == END_EOF)
            return 0;
        if (empty && end == END_EOL)
            return 2;
        if (!field_text_ok(r, r->view.n + 1, err, errlen)) {
            if (end == END_COMMA)
                skip_line(r);
            return -1;
        }
        push_field(r);
        if (end != END_COMMA)
            return 1;
    }
}

int csv_next_view(csv_reader *r, const csv_fields **fields, char *err, size_t errlen)
{
    int rc;
    if (!r->started)
        skip_bom(r);
    do {
        rc = read_record(r, err, errlen);
    } while (rc == 2);
    if (r->io_errno) {
        set_err(err, errlen, r->line, "read error: %s", strerror(r->io_errno));
        rc = -1;
    }
    if (rc != 1)
        r->view.n = 0;
    for (size_t i = 0; !r->in_place && i < r->view.n; i++)
        r->view.v[i] = r->field.buf + r->off[i];
    *fields = &r->view;
    return rc;
}

int csv_next(csv_reader *r, strvec *fields, char *err, size_t errlen)
{
    const csv_fields *view;
    clear_fields(fields);
    int rc = csv_next_view(r, &view, err, errlen);
    for (size_t i = 0; i < view->n; i++)
        sv_push_owned(fields, xstrndup(view->v[i], view->len[i]));
    return rc;
}

void csv_append_field(strbuf *sb, const char *s)
{
    if (!s)
        return;
    if (s[0] != '"' && !s[strcspn(s, ",\"\r\n")]) {
        sb_append(sb, s);
        return;
    }
    sb_putc(sb, '"');
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        sb_appendn(sb, s, (size_t)(q - s) + 1);
        sb_putc(sb, '"');
    }
    sb_append(sb, s);
    sb_putc(sb, '"');
}
