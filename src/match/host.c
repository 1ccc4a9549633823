/* host.c - host names normalised (lower case, A-labels decoded, one trailing dot dropped) and
 * validated as DNS names, for emails, websites and the free-mail/disposable sets (domain.c). */
#include "host.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ascii.h"
#include "text.h"
#include "util.h"

#define LABEL_MAX 63  /* bytes of one label (UTF-8 bytes for non-ASCII labels: no punycode) */

/* utf8proc callback: lower-cases and maps the ideographic full stops to '.' (as IDNA does). */
static utf8proc_int32_t host_codepoint(utf8proc_int32_t cp, void *data)
{
    (void)data;
    if (cp == 0x3002 || cp == 0xFF61)
        return '.';
    return utf8proc_tolower(cp);
}

/* Lower-cased copy of s[0..n): ASCII by text_lower_ascii, non-ASCII through utf8proc (lower case
 * + NFKC). Returns a malloc'd string (caller frees), or NULL for invalid UTF-8. */
static char *host_lower(const char *s, size_t n)
{
    char *ascii = xmalloc(n + 1);
    if (text_lower_ascii(s, n, ascii)) {
        ascii[n] = '\0';
        return ascii;
    }
    free(ascii);
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r = utf8proc_map_custom((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
                                             UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE,
                                             host_codepoint, NULL);
    if (r < 0)
        return NULL;
    char *h = xstrdup((const char *)dst); /* copy into our allocator; dst is utf8proc's malloc */
    free(dst);
    return h;
}

/* The ASCII bytes a label of a lower-case host holds: '-', 0-9 and a-z (one load a byte). */
static const unsigned char label_bytes[256] = {
    ['-'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
    ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1,
    ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1
};

static inline bool label_ascii(unsigned char c)
{
    return label_bytes[c];
}

/* Byte length of the non-ASCII code point at s[0..n) when a label may hold it (a letter,
 * combining mark or decimal digit), else 0 (also for invalid UTF-8). */
static size_t label_utf8(const char *s, size_t n)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
    if (k <= 0)
        return 0;
    utf8proc_category_t cat = utf8proc_category(cp);
    bool ok = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME) ||
              cat == UTF8PROC_CATEGORY_ND;
    return ok ? (size_t)k : 0;
}

/* The end of the label of h[0..len) starting at i, or 0 when it holds what no label holds
 * (label_ascii, label_utf8). A byte of a label is told first: the usual one is. */
static size_t label_end(const char *h, size_t len, size_t i)
{
    for (; i < len; i++) {
        unsigned char c = (unsigned char)h[i];
        if (label_ascii(c))
            continue;
        if (c == '.')
            return i;
        size_t k = c >= 0x80 ? label_utf8(h + i, len - i) : 0;
        if (k == 0)
            return 0;
        i += k - 1;
    }
    return i;
}

/* Whether lower-case h[0..len) (no trailing dot) is a DNS name of two labels or more, each 1..63
 * bytes of label_ascii or label_utf8 not starting or ending in '-', and its TLD not all digits
 * (no IPv4 address); in one pass (the TLD's digits looked at again). *a_label (when not NULL): a
 * label of a valid h is an IDNA A-label ("xn--..."). */
static bool host_valid(const char *h, size_t len, bool *a_label)
{
    bool xn = false;
    if (len == 0 || len > HOST_MAX)
        return false;
    for (size_t start = 0, labels = 1;; labels++) {
        xn = xn || (len - start >= 4 && memcmp(h + start, "xn--", 4) == 0);
        size_t end = label_end(h, len, start), n = end - start;
        if (end == 0 || n == 0 || n > LABEL_MAX || h[start] == '-' || h[end - 1] == '-')
            return false;
        if (end == len) {           /* the TLD: never all digits */
            if (a_label)
                *a_label = xn;
            return labels >= 2 && !host_all_digits(h + start, n);
        }
        start = end + 1;
    }
}

/* Whether some label of lower-case h is an IDNA A-label ("xn--..."). */
static bool has_a_label(const char *h)
{
    for (const char *p = h; (p = strstr(p, "xn--")); p += 4)
        if (p == h || p[-1] == '.')
            return true;
    return false;
}

/* h with its A-labels as Unicode (U-labels): "xn--bcher-kva.de" and "bücher.de" are one domain,
 * for accounts and leads alike. Takes h; returns it or its replacement (malloc'd). An A-label
 * that does not decode, or decodes to what no host name holds (an emoji: xn--o38h), stays as it
 * is. */
static char *host_unicode(char *h)
{
    char *u = NULL;
    if (!has_a_label(h) || idn2_to_unicode_8z8z(h, &u, 0) != IDN2_OK)
        return h;
    char *lower = host_lower(u, strlen(u));
    idn2_free(u);
    if (!lower || !host_valid(lower, strlen(lower), NULL)) {
        free(lower);
        return h;
    }
    free(h);
    return lower;
}

/* An A-label of h, or a NUL inside it, is found by host_valid's walk when h is valid; else by
 * has_a_label (strstr: up to a NUL, as before host_valid looked). */
bool host_normalize_ascii_into(const char *s, size_t n, char *h, bool *done)
{
    bool a_label = false;
    h[n] = '\0';
    if (!(*done = text_lower_ascii(s, n, h)))
        return false;
    size_t len = n && h[n - 1] == '.' ? n - 1 : n;   /* one trailing dot removed */
    if (!host_valid(h, len, &a_label)) {              /* a NUL inside is no label_ascii */
        *done = !has_a_label(h);
        return false;
    }
    h[len] = '\0';
    *done = !a_label;
    return *done;
}

/* host_normalize_ascii_into, malloc'd (NULL when no valid host). */
static char *host_normalize_ascii(const char *s, size_t n, bool *done)
{
    char *h = xmalloc(n + 1);
    if (host_normalize_ascii_into(s, n, h, done))
        return h;
    free(h);
    return NULL;
}

char *host_normalize(const char *s, size_t n)
{
    bool done;
    char *h = host_normalize_ascii(s, n, &done);
    if (done)
        return h;
    h = host_lower(s, n);
    if (!h)
        return NULL;
    h = host_unicode(h);
    size_t len = strlen(h);
    if (len && h[len - 1] == '.')
        h[--len] = '\0';
    if (!host_valid(h, len, NULL)) {
        free(h);
        return NULL;
    }
    return h;
}

/* One walk: a label starting "xn--" is looked for where a label starts with 'x'. */
bool host_plain_normal(const char *h)
{
    for (const char *p = h; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80 || ascii_is_upper(c))
            return false;
        if (c == 'x' && (p == h || p[-1] == '.') && strncmp(p, "xn--", 4) == 0)
            return false;
    }
    return true;
}

bool host_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}
