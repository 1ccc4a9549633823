/* hash_dump.c - an account hash in Redis's DUMP format (hash_dump.h): the RDB type, the hash as a
 * listpack (one RDB string) or as plain pairs, the RDB version and Redis's CRC-64. */
#include "hash_dump.h"

#include <stdbool.h>
#include <string.h>

#define RDB_TYPE_HASH 4           /* a count, then each field and value as an RDB string */
#define RDB_TYPE_HASH_LISTPACK 16 /* one RDB string: the hash's listpack (Redis 7.0 on) */
#define DUMP_RDB_VERSION 10       /* Redis 7.0's; RESTORE takes any version up to its own */
#define LISTPACK_MAX_PAIRS 128    /* hash-max-listpack-entries: 128 in redis.conf, 512 built in */
#define LISTPACK_MAX_BYTES 64     /* hash-max-listpack-value (both): the longest field or value */
#define LISTPACK_HEADER 6         /* total bytes (32 bits) and element count (16 bits) */
#define LISTPACK_END 0xFF
#define CRC64_POLY 0x95ac9329ac4bc9b5ULL /* Jones polynomial 0xad93d23594c935a9, bits reversed */

void hash_dumper_init(hash_dumper *d)
{
    for (unsigned b = 0; b < 256; b++) {
        uint64_t c = b;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC64_POLY : c >> 1;
        d->crc[0][b] = c;
    }
    for (size_t k = 1; k < 8; k++)
        for (unsigned b = 0; b < 256; b++)
            d->crc[k][b] = (d->crc[k - 1][b] >> 8) ^ d->crc[0][d->crc[k - 1][b] & 0xFF];
}

uint64_t hash_dump_crc64(const hash_dumper *d, uint64_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (; n >= 8; n -= 8, s += 8) {
        uint64_t x = crc;
        for (size_t i = 0; i < 8; i++)
            x ^= (uint64_t)s[i] << (8 * i);
        crc = d->crc[7][x & 0xFF] ^ d->crc[6][(x >> 8) & 0xFF] ^ d->crc[5][(x >> 16) & 0xFF] ^
              d->crc[4][(x >> 24) & 0xFF] ^ d->crc[3][(x >> 32) & 0xFF] ^
              d->crc[2][(x >> 40) & 0xFF] ^ d->crc[1][(x >> 48) & 0xFF] ^ d->crc[0][x >> 56];
    }
    for (; n > 0; n--, s++)
        crc = d->crc[0][(crc ^ *s) & 0xFF] ^ (crc >> 8);
    return crc;
}

static void put_byte(strbuf *sb, unsigned v)
{
    sb_putc(sb, (char)(unsigned char)v);
}

/* v in n bytes, least significant first. */
static void put_le(strbuf *sb, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_byte(sb, (unsigned)(v >> (8 * i)) & 0xFF);
}

/* v in n bytes, most significant first. */
static void put_be(strbuf *sb, uint64_t v, size_t n)
{
    for (size_t i = n; i > 0; i--)
        put_byte(sb, (unsigned)(v >> (8 * (i - 1))) & 0xFF);
}

/* ---- the listpack ---------------------------------------------------------------------------- */

/* s[0..len) as the integer a listpack stores it as (Redis's lpStringToInt64: decimal digits with
 * an optional '-', no leading zero unless it is "0", within int64), or false. */
static bool lp_integer(const char *s, size_t len, int64_t *out)
{
    size_t i;
    uint64_t v = 0;
    if (len == 0 || len > 20)
        return false;
    i = s[0] == '-';
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    if (i == len || s[i] < '1' || s[i] > '9')
        return false;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (s[0] != '-') {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    }
    return true;
}

/* An integer entry's encoding and data: 7 bits unsigned in one byte, 13 bits signed in two (the
 * top three bits 110), else a marker byte and 16, 24, 32 or 64 bits, least significant first. */
static void lp_put_integer(strbuf *lp, int64_t v)
{
    uint64_t u = (uint64_t)v; /* two's complement: the low bits are what Redis stores */
    size_t bytes;
    unsigned mark;
    if (v >= 0 && v <= 127) {
        put_byte(lp, (unsigned)v);
        return;
    }
    if (v >= -4096 && v <= 4095) {
        put_byte(lp, 0xC0 | (unsigned)((u >> 8) & 0x1F));
        put_byte(lp, (unsigned)(u & 0xFF));
        return;
    }
    if (v >= -32768 && v <= 32767)
        bytes = 2, mark = 0xF1;
    else if (v >= -8388608 && v <= 8388607)
        bytes = 3, mark = 0xF2;
    else if (v >= INT32_MIN && v <= INT32_MAX)
        bytes = 4, mark = 0xF3;
    else
        bytes = 8, mark = 0xF4;
    put_byte(lp, mark);
    put_le(lp, u, bytes);
}

/* One listpack entry: its encoding and data (an integer when the text is one, else the string
 * with its length in 6 or 12 bits), then that size again, backwards (7 bits a byte). */
static void lp_entry(strbuf *lp, const char *s, size_t len)
{
    size_t start = lp->len, size;
    int64_t v;
    if (lp_integer(s, len, &v)) {
        lp_put_integer(lp, v);
    } else if (len < 64) {
        put_byte(lp, 0x80 | (unsigned)len);
        sb_appendn(lp, s, len);
    } else { /* < 4096: fields and values of a listpack account are at most 64 bytes */
        put_byte(lp, 0xE0 | (unsigned)(len >> 8));
        put_byte(lp, (unsigned)(len & 0xFF));
        sb_appendn(lp, s, len);
    }
    size = lp->len - start;
    if (size > 127)
        put_byte(lp, (unsigned)(size >> 7));
    put_byte(lp, (unsigned)(size & 127) | (size > 127 ? 128 : 0));
}

static bool listpack_fits(const hash_dump_str *v, size_t nv)
{
    if (nv > 2 * LISTPACK_MAX_PAIRS)
        return false;
    for (size_t i = 0; i < nv; i++)
        if (v[i].len > LISTPACK_MAX_BYTES)
            return false;
    return true;
}

/* The listpack of v[0..nv) into lp (emptied first): header, entries, end byte. */
static void listpack(strbuf *lp, const hash_dump_str *v, size_t nv)
{
    sb_reset(lp);
    for (size_t i = 0; i < LISTPACK_HEADER; i++)
        put_byte(lp, 0);
    for (size_t i = 0; i < nv; i++)
        lp_entry(lp, v[i].s, v[i].len);
    put_byte(lp, LISTPACK_END);
    for (size_t i = 0; i < 4; i++)
        lp->buf[i] = (char)(unsigned char)(lp->len >> (8 * i));
    lp->buf[4] = (char)(unsigned char)(nv & 0xFF);
    lp->buf[5] = (char)(unsigned char)(nv >> 8);
}

/* ---- RDB ------------------------------------------------------------------------------------- */

/* An RDB length: 6 bits (00), 14 bits (01, big-endian), else 0x80 and 32 bits or 0x81 and 64. */
static void rdb_len(strbuf *out, size_t n)
{
    if (n < 64) {
        put_byte(out, (unsigned)n);
    } else if (n < 16384) {
        put_byte(out, 0x40 | (unsigned)(n >> 8));
        put_byte(out, (unsigned)(n & 0xFF));
    } else if (n <= UINT32_MAX) {
        put_byte(out, 0x80);
        put_be(out, n, 4);
    } else {
        put_byte(out, 0x81);
        put_be(out, n, 8);
    }
}

static void rdb_string(strbuf *out, const char *s, size_t len)
{
    rdb_len(out, len);
    sb_appendn(out, s, len);
}

void hash_dump(const hash_dumper *d, const hash_dump_str *v, size_t nv, strbuf *scratch,
               strbuf *out)
{
    size_t start = out->len;
    if (listpack_fits(v, nv)) {
        listpack(scratch, v, nv);
        put_byte(out, RDB_TYPE_HASH_LISTPACK);
        rdb_string(out, scratch->buf, scratch->len);
    } else {
        put_byte(out, RDB_TYPE_HASH);
        rdb_len(out, nv / 2);
        for (size_t i = 0; i < nv; i++)
            rdb_string(out, v[i].s, v[i].len);
    }
    put_le(out, DUMP_RDB_VERSION, 2);
    put_le(out, hash_dump_crc64(d, 0, out->buf + start, out->len - start), 8);
}
