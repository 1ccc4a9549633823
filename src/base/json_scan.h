/* json_scan.h - the bytes a JSON string holds as they are, found 16 at a time (SSE2): the one
 * scanner of the JSON writer (util.c's sb_append_json_strn, copying them as it goes) and of the
 * lead reader (inputs.c's plain lines, which also stop at bytes of 128 and over). Inline: both
 * call it for a few short strings a lead. */
#ifndef L2A_JSON_SCAN_H
#define L2A_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#ifdef __SSE2__
/* A bit for each of the 16 bytes of v that ends a plain run: '"', '\\', a control byte (below
 * 0x20), and with high a byte of 128 and over. */
static inline unsigned json_scan_stops(__m128i v, bool high)
{
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i control_max = _mm_set1_epi8(0x1f), space = _mm_set1_epi8(0x20);
    __m128i control = high ? _mm_cmplt_epi8(v, space)   /* signed: 128 and over too */
                           : _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control));
}

/* The 16 bytes at s (stored to dst as they are, when dst is not NULL). */
static inline __m128i json_scan_load(const char *s, char *dst)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    if (dst)
        _mm_storeu_si128((__m128i *)(void *)dst, v);
    return v;
}
#endif

/* How many of the n bytes at s a JSON string holds as they are: up to the first '"', '\\' or
 * control byte (below 0x20), and with high also the first byte of 128 and over. 16 bytes at a
 * time while 16 are left, then the last 16 (overlapping those before); 8 to 15 bytes as their
 * first 8 and last 8. With dst (room for n bytes), the bytes looked at are copied there as they
 * are (the run, and maybe bytes after it). */
static inline __attribute__((always_inline)) size_t json_plain_scan(const char *s, size_t n,
                                                                    bool high, char *dst)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        unsigned at = json_scan_stops(json_scan_load(s + i, dst ? dst + i : NULL), high);
        if (at)
            return i + (size_t)__builtin_ctz(at);
    }
    if (i > 0 && i < n) {   /* the last 16 bytes, the first of them already looked at */
        __m128i v = json_scan_load(s + n - 16, dst ? dst + n - 16 : NULL);
        unsigned at = json_scan_stops(v, high) >> (16 - (n - i));
        return at ? i + (size_t)__builtin_ctz(at) : n;
    }
    if (n >= 8 && n < 16) {
        __m128i lo = _mm_loadl_epi64((const __m128i *)(const void *)s);
        __m128i hi = _mm_loadl_epi64((const __m128i *)(const void *)(s + n - 8));
        if (!json_scan_stops(_mm_unpacklo_epi64(lo, hi), high)) {
            if (dst) {
                _mm_storel_epi64((__m128i *)(void *)dst, lo);
                _mm_storel_epi64((__m128i *)(void *)(dst + n - 8), hi);
            }
            return n;
        }   /* else the bytes one by one find where */
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\' || (high && c >= 0x80))
            break;
        if (dst)
            dst[i] = (char)c;
    }
    return i;
}

#endif
