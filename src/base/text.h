/* text.h - UTF-8 validity of bytes, ASCII lower-casing, and files in another encoding converted to
 * UTF-8 (iconv). */
#ifndef L2A_TEXT_H
#define L2A_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* Offset of the first byte of s[0..n) that does not start a well-formed UTF-8 sequence (overlong
 * forms, surrogates and code points over U+10FFFF are ill-formed), or n when all of it is UTF-8.
 * A NUL byte is valid UTF-8 here; callers that refuse NULs check them apart. */
size_t utf8_invalid_at(const char *s, size_t n);
static inline bool utf8_valid(const char *s, size_t n)
{
    return utf8_invalid_at(s, n) == n;
}

/* Copies the n bytes of s to out with the ASCII letters A-Z lower-cased (other bytes as they are;
 * out may be s; no NUL added); returns whether all of them are ASCII (below 0x80). 16 bytes at a
 * time (SSE2). */
bool text_lower_ascii(const char *s, size_t n, char *out);

/* Whether iconv knows the encoding name (converting from it to UTF-8). */
bool text_encoding_known(const char *encoding);

/* Converts everything f holds from encoding to UTF-8 into a temporary file, rewound, that the
 * caller closes. NULL with "line N: message" (the input line of a byte that is not valid in that
 * encoding, or a truncated sequence at the end) or "unknown encoding 'X'" in err (errlen > 0).
 * Reads f to its end; does not close it. */
FILE *text_recode(FILE *f, const char *encoding, char *err, size_t errlen) MUSTCHECK;

#endif
