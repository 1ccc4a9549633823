/* numfmt.h - the printf formats the decisions print numbers in ("%.4g", "%.2f", "%d"), written
 * without printf: the same bytes, a tenth of the work. */
#ifndef L2A_NUMFMT_H
#define L2A_NUMFMT_H

#include <stddef.h>

/* Room for any of the formats below, NUL included. */
#define NUMFMT_ROOM 32

/* snprintf(buf, NUMFMT_ROOM, "%.4g", x) and its length. */
size_t numfmt_g4(double x, char *buf);
/* snprintf(buf, NUMFMT_ROOM, "%.2f", x) and its length. */
size_t numfmt_f2(double x, char *buf);
/* snprintf(buf, NUMFMT_ROOM, "%ld", v) and its length. */
size_t numfmt_long(long v, char *buf);

/* strtod(s, NULL), read without strtod when s starts with 1 to 15 digits that end the number (a
 * stream id's milliseconds, "1700000000000-0"): exact below 2^53, so the same double. */
double numfmt_leading_number(const char *s);

#endif
