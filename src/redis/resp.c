/* resp.c - building Redis commands in the Redis protocol (RESP) by hand. */
#include "resp.h"

#include <string.h>

/* n in decimal, ending at end (exclusive); returns where it starts. */
static char *decimal_before(char *end, size_t n)
{
    do {
        *--end = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    return end;
}

/* "<mark><n>\r\n" written at the end of head; returns where it starts (its length: up to head's
 * end). */
static char *head_before(char head[static 32], char mark, size_t n)
{
    char *p = head + 32;
    *--p = '\n';
    *--p = '\r';
    p = decimal_before(p, n);
    *--p = mark;
    return p;
}

void resp_len(strbuf *sb, char mark, size_t n)
{
    char head[32], *p = head_before(head, mark, n);
    sb_appendn(sb, p, (size_t)(head + sizeof(head) - p));
}

/* The head, the bytes and the closing CRLF written into room made once (the buffer stays
 * NUL-terminated, as sb_appendn leaves it). */
void resp_arg(strbuf *sb, const char *s, size_t n)
{
    char head[32], *p = head_before(head, '$', n);
    size_t h = (size_t)(head + sizeof(head) - p);
    sb_reserve(sb, h + n + 2);
    char *out = sb->buf + sb->len;
    memcpy(out, p, h);
    memcpy(out + h, s, n);
    out[h + n] = '\r';
    out[h + n + 1] = '\n';
    out[h + n + 2] = '\0';
    sb->len += h + n + 2;
}

void resp_str(strbuf *sb, const char *s)
{
    resp_arg(sb, s, strlen(s));
}

void resp_num(strbuf *sb, size_t n)
{
    char digits[24], *end = digits + sizeof(digits);
    char *p = decimal_before(end, n);
    resp_arg(sb, p, (size_t)(end - p));
}

void resp_head(strbuf *sb, size_t argc, const char *cmd)
{
    resp_len(sb, '*', argc);
    resp_str(sb, cmd);
}

bool resp_next_arg(const char **p, const char *end, const char **s, size_t *n)
{
    const char *q = *p;
    size_t len = 0;
    if (q >= end || *q++ != '$')
        return false;
    for (; q < end && *q >= '0' && *q <= '9'; q++)
        len = len * 10 + (size_t)(*q - '0');
    if (end - q < 2 || q[0] != '\r' || q[1] != '\n' || (size_t)(end - q - 2) < len + 2)
        return false;
    *s = q + 2;
    *n = len;
    *p = q + 4 + len;
    return true;
}
