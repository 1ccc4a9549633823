/* reply_lines.c - the simplest RESP replies taken from hiredis's read buffer (reply_lines.h). */
#include "reply_lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The next reply's first line in the reader's buffer (reading more from the connection until it
 * holds one): 1 with *s and *n (the line without its CRLF), 0 when hiredis is inside a reply (left
 * to it), -1 when the connection failed. */
static int next_line(redisContext *c, const char **s, size_t *n)
{
    redisReader *r = c->reader;
    size_t scanned = 0;
    if (r->ridx != -1)
        return 0;
    for (;;) {
        const char *start = r->buf + r->pos, *nl;
        size_t avail = r->len - r->pos;
        nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
        if (nl) {
            if (nl == start || nl[-1] != '\r')
                return 0; /* not RESP: hiredis says what is wrong */
            *s = start;
            *n = (size_t)(nl - start) - 1;
            return 1;
        }
        scanned = avail;
        if (redisBufferRead(c) != REDIS_OK)
            return -1;
    }
}

int reply_take_line(redisContext *c, const char *line, size_t len)
{
    const char *s;
    size_t n;
    int got = next_line(c, &s, &n);
    if (got != 1)
        return got;
    if (n + 2 != len || memcmp(s, line, len) != 0)
        return 0;
    c->reader->pos += len;
    return 1;
}

int reply_take_number(redisContext *c, char type, long long *out)
{
    const char *s;
    size_t n;
    char digits[24], *end;
    int got = next_line(c, &s, &n);
    if (got != 1)
        return got;
    if (n < 2 || n > sizeof(digits) || s[0] != type)
        return 0;
    memcpy(digits, s + 1, n - 1);
    digits[n - 1] = '\0';
    errno = 0;
    long long v = strtoll(digits, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = v;
    c->reader->pos += n + 2;
    return 1;
}
