/* csv.h - streaming RFC 4180 CSV reader (quotes, embedded commas and newlines, UTF-8, BOM
 * skipped), and the field writer that matches it. */
#ifndef L2A_CSV_H
#define L2A_CSV_H

#include <stdio.h>

#include "util.h"

typedef struct csv_reader csv_reader;

/* Reads from f (not closed by the reader). */
csv_reader *csv_reader_new(FILE *f);
void csv_reader_free(csv_reader *r);
/* Reads the next record into fields (cleared first). Returns 1 for a record, 0 at end of file, -1
 * on a malformed record (unterminated quote, stray quote) with "line N: message" in err. Blank lines
 * are skipped. Details: a field is quoted only if '"' is its first byte (a quote later in an unquoted
 * field is data, spaces around unquoted fields are kept); a quoted field keeps its embedded line
 * breaks as they are (CRLF or LF); after the closing quote only ',', a line end or end of file may
 * follow. Fields over 16 MiB, fields with a NUL byte or bytes that are not UTF-8 ("line N: not valid
 * UTF-8 (byte 0xE9 in field 2)", N the line of that byte), read errors and stray quotes are errors
 * too. After -1 the fields are empty and the reader continues at the next line (an unterminated
 * quote has consumed the file). */
int csv_next(csv_reader *r, strvec *fields, char *err, size_t errlen);
/* A record's fields, read in place: v[i] is NUL-terminated (len[i] bytes before the NUL, which is
 * also the first NUL: fields holding one are errors). */
typedef struct csv_fields {
    char **v;
    size_t *len;
    size_t n;
} csv_fields;

/* csv_next without copies: *fields (owned by the reader) holds the record's fields, valid until the
 * next call; a caller may change their bytes in place (within each field and its NUL). No fields
 * (n = 0) when the return is not 1. */
int csv_next_view(csv_reader *r, const csv_fields **fields, char *err, size_t errlen);
/* Line number (1-based) where the last record returned started. */
long csv_line(const csv_reader *r);

/* Writing: s (NULL: empty) as one field appended to sb, quoted when it holds a comma, a quote, a
 * line break or starts with a quote, so that csv_next reads it back unchanged. */
void csv_append_field(strbuf *sb, const char *s);

#endif
