/* normalize_fold.c - folding to the matcher's form (utf8proc) and camelCase splits of raw text. */
#include "normalize_fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ascii.h"
#include "normalize.h"
#include "text.h"

/* Whether s[0..len) is UTF-8 as utf8proc_iterate reads it. */
bool norm_utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        int32_t cp;
        utf8proc_ssize_t k = (unsigned char)s[i] < 0x80 ? 1
                             : utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0)
            return false;
        i += (size_t)k;
    }
    return true;
}

/* Appends s as valid UTF-8: copied, or each byte re-encoded as Latin-1 when latin1. */
void norm_put_text(strbuf *sb, const char *s, size_t len, bool latin1)
{
    if (!latin1) {
        sb_appendn(sb, s, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x80)
            sb_putc(sb, (char)(0xC0 | (b >> 6)));
        sb_putc(sb, (char)(b < 0x80 ? b : (0x80 | (b & 0x3F))));
    }
}

/* ---- folding ---- */

/* Letters that utf8proc keeps (no decomposition); input is already case-folded. */
static const struct { int32_t cp; const char *to; } extra_folds[] = {
    {0x00DF, "ss"}, {0x00F8, "o"}, {0x00E6, "ae"}, {0x0153, "oe"}, {0x0142, "l"}, {0x0111, "d"},
    {0x00F0, "d"}, {0x0131, "i"}, {0x00FE, "th"}, {0x0127, "h"}, {0x0167, "t"},
};

static const char *extra_fold(int32_t c)
{
    for (size_t i = 0; i < ARRAY_LEN(extra_folds); i++)
        if (extra_folds[i].cp == c)
            return extra_folds[i].to;
    return NULL;
}

/* Appends s lower-cased (ASCII letters only) to out. */
void norm_ascii_lower_into(const char *s, size_t len, strbuf *out)
{
    sb_reserve(out, len);
    (void)text_lower_ascii(s, len, out->buf + out->len);
    out->len += len;
    out->buf[out->len] = '\0';
}

bool norm_is_ascii(const char *s, size_t *len)
{
    const char *p = s;
    while (*p && !((unsigned char)*p & 0x80))
        p++;
    *len = (size_t)(p - s);
    return *p == '\0';
}

/* Appends the folded form of valid UTF-8 s (NUL-terminated) to out. ASCII text is only lower-cased
 * (what utf8proc's mapping does to it), without the mapping. */
void norm_fold_into(const char *s, strbuf *out)
{
    size_t ascii_len;
    if (norm_is_ascii(s, &ascii_len)) {
        norm_ascii_lower_into(s, ascii_len, out);
        return;
    }
    utf8proc_uint8_t *m = NULL;     /* malloc'd by utf8proc */
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &m,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                      UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) {                    /* not expected for valid input: ASCII lower-case copy */
        norm_ascii_lower_into(s, strlen(s), out);
        return;
    }
    const char *f = (const char *)m;
    size_t len = (size_t)n, i = 0;
    while (i < len) {
        int32_t cp;
        size_t k = cp_next(f, len, i, false, &cp);
        const char *rep = cp < 0x80 ? NULL : extra_fold(cp);
        if (rep)
            sb_append(out, rep);
        else
            sb_appendn(out, f + i, k);
        i += k;
    }
    free(m);
}

char *norm_fold(const char *utf8)
{
    if (!utf8)
        return xstrdup("");
    size_t len;
    if (norm_is_ascii(utf8, &len)) {     /* valid, and only lower-cased: straight into the copy */
        char *out = xmalloc(len + 1);
        for (size_t i = 0; i <= len; i++)
            out[i] = ascii_to_lower(utf8[i]);
        return out;
    }
    len += strlen(utf8 + len);
    strbuf valid, out;              /* both local; out's buffer goes to the caller */
    sb_init(&valid);
    sb_init(&out);
    norm_put_text(&valid, utf8, len, !norm_utf8_valid(utf8, len));
    norm_fold_into(valid.buf ? valid.buf : "", &out);
    sb_free(&valid);
    return sb_take(&out);
}

/* ---- camelCase split on the raw text ---- */

/* Split before cur? lower->Upper when a letter follows ("OneTrust", not "GmbH"), and the last
 * capital of an UPPER run before two lower-case letters ("XMLHttp" -> "XML Http", not "PCs"). */
static bool camel_boundary(int32_t prev, int32_t cur, int32_t n1, int32_t n2)
{
    if (!cp_is_upper(cur))
        return false;
    if (cp_is_lower(prev))
        return cp_is_letter(n1);
    return cp_is_upper(prev) && cp_is_lower(n1) && cp_is_lower(n2);
}

/* camel_split of ASCII s: camel_boundary on bytes (its code point tests are these for ASCII), the
 * text between boundaries appended a run at a time. */
size_t norm_camel_split_ascii(const char *s, size_t len, strbuf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t splits = 0, run = 0;
    for (size_t i = 1; i < len; i++) {     /* at 0 the previous code point is none: no split */
        if (!ascii_is_upper(u[i]))
            continue;
        unsigned char n1 = i + 1 < len ? u[i + 1] : 0, n2 = i + 2 < len ? u[i + 2] : 0;
        bool split = ascii_is_lower(u[i - 1]) ? ascii_is_upper(n1) || ascii_is_lower(n1)
                                           : ascii_is_upper(u[i - 1]) && ascii_is_lower(n1) &&
                                                 ascii_is_lower(n2);
        if (split) {
            sb_appendn(out, s + run, i - run);
            sb_putc(out, ' ');
            run = i;
            splits++;
        }
    }
    sb_appendn(out, s + run, len - run);
    return splits;
}

/* Appends s (as valid UTF-8) to out with a space at each camelCase boundary; returns how many. */
size_t norm_camel_split(const char *s, size_t len, bool latin1, strbuf *out)
{
    size_t ascii_len;
    if (norm_is_ascii(s, &ascii_len) && ascii_len == len)
        return norm_camel_split_ascii(s, len, out);

    int32_t w[4] = {0, 0, 0, 0};    /* prev, cur, next, next-but-one; 0 past the end */
    size_t l[4] = {0, 0, 0, 0};     /* byte lengths of w[1..3] */
    size_t i = 0, splits = 0, run = 0;  /* s[run, i) is still to be appended */
    if (len > 0)
        l[1] = cp_next(s, len, 0, latin1, &w[1]);
    if (l[1] < len)
        l[2] = cp_next(s, len, l[1], latin1, &w[2]);
    if (l[1] + l[2] < len)
        l[3] = cp_next(s, len, l[1] + l[2], latin1, &w[3]);
    while (i < len) {
        if (camel_boundary(w[0], w[1], w[2], w[3])) {
            norm_put_text(out, s + run, i - run, latin1);
            run = i;
            sb_putc(out, ' ');
            splits++;
        }
        i += l[1];
        w[0] = w[1], w[1] = w[2], w[2] = w[3], w[3] = 0;
        l[1] = l[2], l[2] = l[3], l[3] = 0;
        size_t at = i + l[1] + l[2];
        if (at < len)
            l[3] = cp_next(s, len, at, latin1, &w[3]);
    }
    norm_put_text(out, s + run, len - run, latin1);
    return splits;
}
