/* text.c - UTF-8 validation (RFC 3629 well-formed sequences), ASCII lower-casing and conversion to
 * UTF-8 with iconv. */
#include "text.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define RECODE_IN 65536
#define RECODE_OUT (4 * RECODE_IN)

/* Length of the well-formed sequence at s (at most n bytes left), or 0 when it is ill-formed. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* Index of the first byte at or after i in u[0..n) that is not ASCII (n when none): 8 bytes at a
 * time while they are all ASCII. */
static size_t ascii_run_end(const unsigned char *u, size_t i, size_t n)
{
    uint64_t w;
    while (i + 8 <= n && (memcpy(&w, u + i, 8), (w & 0x8080808080808080ull) == 0))
        i += 8;
    while (i < n && u[i] < 0x80)
        i++;
    return i;
}

size_t utf8_invalid_at(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        i = ascii_run_end(u, i, n);
        if (i == n)
            break;
        size_t len = utf8_seq(u + i, n - i);
        if (len == 0)
            return i;
        i += len;
    }
    return n;
}

bool text_lower_ascii(const char *s, size_t n, char *out)
{
    unsigned char high = 0;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i before_a = _mm_set1_epi8('A' - 1), after_z = _mm_set1_epi8('Z' + 1);
    const __m128i case_bit = _mm_set1_epi8(0x20);
    __m128i any = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, before_a), _mm_cmplt_epi8(v, after_z));
        _mm_storeu_si128((__m128i *)(void *)(out + i),
                         _mm_or_si128(v, _mm_and_si128(upper, case_bit)));
        any = _mm_or_si128(any, v);
    }
    high = _mm_movemask_epi8(any) ? 0x80 : 0;
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        high |= c;
        out[i] = (char)((unsigned char)(c - 'A') < 26 ? c + ('a' - 'A') : c);
    }
    return !(high & 0x80);
}

bool text_encoding_known(const char *encoding)
{
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return false;
    iconv_close(cd);
    return true;
}

/* One conversion in progress. */
typedef struct recode {
    iconv_t cd;
    const char *encoding;     /* borrowed, for messages */
    FILE *out;                /* borrowed */
    long line;                /* output line being written (1-based) */
    char obuf[RECODE_OUT];
} recode;

/* Writes the converted bytes obuf[0..n) and counts their lines; false on a write error. */
static bool emit(recode *rc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rc->line += rc->obuf[i] == '\n';
    return fwrite(rc->obuf, 1, n, rc->out) == n;
}

/* Converts in[0..*have) as far as it goes; an incomplete sequence at the end stays in in[] unless
 * eof. Returns 0, or -1 with err set. */
static int convert(recode *rc, char *in, size_t *have, bool eof, char *err, size_t errlen)
{
    char *ip = in;
    size_t il = *have;
    while (il > 0) {
        char *op = rc->obuf;
        size_t ol = sizeof(rc->obuf);
        size_t r = iconv(rc->cd, &ip, &il, &op, &ol);
        int e = errno;
        if (!emit(rc, (size_t)(op - rc->obuf))) {
            snprintf(err, errlen, "writing the converted text: %s", strerror(errno));
            return -1;
        }
        if (r != (size_t)-1 || e == E2BIG)
            continue;
        if (e == EINVAL && !eof)
            break;
        if (e == EILSEQ)
            snprintf(err, errlen, "line %ld: byte 0x%02X is not valid %s", rc->line,
                    (unsigned char)*ip, rc->encoding);
        else
            snprintf(err, errlen, "line %ld: the file ends inside a %s character", rc->line,
                    rc->encoding);
        return -1;
    }
    memmove(in, ip, il);
    *have = il;
    return 0;
}

/* Reads f through the converter to its end; 0 or -1 with err set. */
static int recode_all(recode *rc, FILE *f, char *err, size_t errlen)
{
    char in[RECODE_IN];
    size_t have = 0;
    for (;;) {
        size_t got = fread(in + have, 1, sizeof(in) - have, f);
        if (got == 0 && ferror(f)) {
            snprintf(err, errlen, "line %ld: read error: %s", rc->line, strerror(errno));
            return -1;
        }
        have += got;
        if (convert(rc, in, &have, got == 0, err, errlen) != 0)
            return -1;
        if (got == 0)
            break;
    }
    char *op = rc->obuf;
    size_t ol = sizeof(rc->obuf);
    (void)iconv(rc->cd, NULL, NULL, &op, &ol); /* a stateful encoding's final shift */
    if (!emit(rc, (size_t)(op - rc->obuf)) || fflush(rc->out) != 0) {
        snprintf(err, errlen, "writing the converted text: %s", strerror(errno));
        return -1;
    }
    return 0;
}

FILE *text_recode(FILE *f, const char *encoding, char *err, size_t errlen)
{
    recode *rc = xcalloc(1, sizeof(*rc));
    rc->encoding = encoding;
    rc->line = 1;
    rc->cd = iconv_open("UTF-8", encoding);
    if (rc->cd == (iconv_t)-1) {
        snprintf(err, errlen, "unknown encoding '%s' (iconv -l lists the names)", encoding);
        free(rc);
        return NULL;
    }
    rc->out = tmpfile();
    if (!rc->out)
        snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
    else if (recode_all(rc, f, err, errlen) == 0)
        rewind(rc->out);
    else {
        fclose(rc->out);
        rc->out = NULL;
    }
    FILE *out = rc->out;
    iconv_close(rc->cd);
    free(rc);
    return out;
}
