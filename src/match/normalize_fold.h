/* normalize_fold.h - code points, folding and camelCase splits: what normalize.c takes from
 * normalize_fold.c (and the code point tests both use, inline). Not for other modules. */
#ifndef L2A_NORMALIZE_FOLD_H
#define L2A_NORMALIZE_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <utf8proc.h>

#include "ascii.h"
#include "util.h"

/* ---- code points ---- */

static inline bool cp_is_letter(int32_t c)
{
    if (c < 0x80)
        return ascii_is_alpha((unsigned char)c);
    utf8proc_category_t cat = utf8proc_category(c);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

static inline bool cp_is_alnum(int32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || cp_is_letter(c);
    if (cp_is_letter(c))
        return true;
    utf8proc_category_t cat = utf8proc_category(c);
    return cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
}

static inline bool cp_is_upper(int32_t c)
{
    return c < 0x80 ? ascii_is_upper((unsigned char)c) : utf8proc_isupper(c) != 0;
}

static inline bool cp_is_lower(int32_t c)
{
    return c < 0x80 ? ascii_is_lower((unsigned char)c) : utf8proc_islower(c) != 0;
}

static inline bool cp_is_space(int32_t c)
{
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return true;
    return c >= 0x80 && utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
}

static inline bool cp_is_dash(int32_t c)
{
    return c == '-' || (c >= 0x80 && utf8proc_category(c) == UTF8PROC_CATEGORY_PD);
}

/* Deleted without splitting the token: dots and apostrophes. */
static inline bool cp_is_deleted(int32_t c)
{
    return c == '.' || c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC;
}

/* Decodes the code point at s[i] into *cp and returns its length (>= 1). In latin1 mode every
 * byte is a code point; an invalid sequence (not expected after validation) reads as one byte. */
static inline size_t cp_next(const char *s, size_t len, size_t i, bool latin1, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s + i;
    utf8proc_ssize_t k = 0;
    if (latin1 || u[0] < 0x80 || (k = utf8proc_iterate(u, (utf8proc_ssize_t)(len - i), cp)) <= 0) {
        *cp = u[0];
        return 1;
    }
    return (size_t)k;
}

/* ---- folding and camelCase ---- */

/* Whether s[0..len) is UTF-8 as utf8proc_iterate reads it. */
bool norm_utf8_valid(const char *s, size_t len);
/* Appends s as valid UTF-8: copied, or each byte re-encoded as Latin-1 when latin1. */
void norm_put_text(strbuf *sb, const char *s, size_t len, bool latin1);
/* Appends s lower-cased (ASCII letters only) to out. */
void norm_ascii_lower_into(const char *s, size_t len, strbuf *out);
/* Whether NUL-terminated s is all ASCII; *len: the bytes of its ASCII prefix. */
bool norm_is_ascii(const char *s, size_t *len);
/* Appends the folded form of valid UTF-8 s (NUL-terminated) to out. */
void norm_fold_into(const char *s, strbuf *out);
/* Appends s (as valid UTF-8) to out with a space at each camelCase boundary; returns how many. */
size_t norm_camel_split(const char *s, size_t len, bool latin1, strbuf *out);
/* norm_camel_split of ASCII s (its code point tests on bytes). */
size_t norm_camel_split_ascii(const char *s, size_t len, strbuf *out);

#endif
