/* csv.h - streaming RFC 4180 CSV reader: quotes, embedded commas and newlines, UTF-8 (BOM skipped). */
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
 * are skipped. */
int csv_next(csv_reader *r, strvec *fields, char *err, size_t errlen);
/* Line number (1-based) where the last record returned started. */
long csv_line(const csv_reader *r);

#endif
