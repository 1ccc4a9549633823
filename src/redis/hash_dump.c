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
        uint64_t x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&x, s, 8); /* one load: the bytes least significant first, as below */
        x ^= crc;
#else
        x = crc;
        for (size_t i = 0; i < 8; i++)
            x ^= (uint64_t)s[i] << (8 * i);
#endif
        crc = d->crc[7][x & 0xFF] ^ d->crc[6][(x >> 8) & 0xFF] ^ d->crc[5][(x >> 16) & 0xFF] ^
              d->crc[4][(x >> 24) & 0xFF] ^ d->crc[3][(x >> 32) & 0xFF] ^
              d->crc[2][(x >> 40) & 0xFF] ^ d->crc[1][(x >> 48) & 0xFF] ^ d->crc[0][x >> 56];
    }
    for (; n > 0; n--, s++)
        crc = d->crc[0][(crc ^ *s) & 0xFF] ^ (crc >> 8);
    return crc;
}

/* The payload is written through a cursor into room made for it once (hash_dump_bound): no
 * bounds check a byte. */
static unsigned char *put_bytes(unsigned char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* v in n bytes, least significant first. */
static unsigned char *put_le(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

/* v in n bytes, most significant first. */
static unsigned char *put_be(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = n; i > 0; i--)
        *p++ = (unsigned char)(v >> (8 * (i - 1)));
    return p;
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
static unsigned char *lp_put_integer(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v; /* two's complement: the low bits are what Redis stores */
    size_t bytes;
    unsigned mark;
    if (v >= 0 && v <= 127) {
        *p++ = (unsigned char)v;
        return p;
    }
    if (v >= -4096 && v <= 4095) {
        *p++ = (unsigned char)(0xC0 | ((u >> 8) & 0x1F));
        *p++ = (unsigned char)(u & 0xFF);
        return p;
    }
    if (v >= -32768 && v <= 32767)
        bytes = 2, mark = 0xF1;
    else if (v >= -8388608 && v <= 8388607)
        bytes = 3, mark = 0xF2;
    else if (v >= INT32_MIN && v <= INT32_MAX)
        bytes = 4, mark = 0xF3;
    else
        bytes = 8, mark = 0xF4;
    *p++ = (unsigned char)mark;
    return put_le(p, u, bytes);
}

/* One listpack entry: its encoding and data (an integer when the text is one, else the string
 * with its length in 6 or 12 bits), then that size again, backwards (7 bits a byte). */
static unsigned char *lp_entry(unsigned char *p, const char *s, size_t len)
{
    unsigned char *start = p;
    size_t size;
    int64_t v;
    if (lp_integer(s, len, &v)) {
        p = lp_put_integer(p, v);
    } else if (len < 64) {
        *p++ = (unsigned char)(0x80 | len);
        p = put_bytes(p, s, len);
    } else { /* < 4096: fields and values of a listpack account are at most 64 bytes */
        *p++ = (unsigned char)(0xE0 | (len >> 8));
        *p++ = (unsigned char)(len & 0xFF);
        p = put_bytes(p, s, len);
    }
    size = (size_t)(p - start);
    if (size > 127)
        *p++ = (unsigned char)(size >> 7);
    *p++ = (unsigned char)((size & 127) | (size > 127 ? 128 : 0));
    return p;
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

/* The listpack of v[0..nv) at p: header, entries, end byte. Returns its end. */
static unsigned char *listpack(unsigned char *p, const hash_dump_str *v, size_t nv)
{
    unsigned char *start = p;
    p += LISTPACK_HEADER;
    for (size_t i = 0; i < nv; i++)
        p = lp_entry(p, v[i].s, v[i].len);
    *p++ = LISTPACK_END;
    put_le(start, (uint64_t)(p - start), 4);
    put_le(start + 4, nv, 2);
    return p;
}

/* ---- RDB ------------------------------------------------------------------------------------- */

#define RDB_LEN_MAX 9 /* the longest RDB length */

/* An RDB length: 6 bits (00), 14 bits (01, big-endian), else 0x80 and 32 bits or 0x81 and 64. */
static unsigned char *rdb_len(unsigned char *p, size_t n)
{
    if (n < 64) {
        *p++ = (unsigned char)n;
    } else if (n < 16384) {
        *p++ = (unsigned char)(0x40 | (n >> 8));
        *p++ = (unsigned char)(n & 0xFF);
    } else if (n <= UINT32_MAX) {
        *p++ = 0x80;
        p = put_be(p, n, 4);
    } else {
        *p++ = 0x81;
        p = put_be(p, n, 8);
    }
    return p;
}

/* The listpack of v as one RDB string at p: written after room for the longest length, then
 * moved to just after its length. */
static unsigned char *rdb_listpack(unsigned char *p, const hash_dump_str *v, size_t nv)
{
    unsigned char *lp = p + RDB_LEN_MAX, *end = listpack(lp, v, nv);
    size_t len = (size_t)(end - lp);
    p = rdb_len(p, len);
    memmove(p, lp, len);
    return p + len;
}

/* Bytes the payload of v takes at most: per string its bytes and, at most, a length or an entry's
 * encoding and size (9 + 2 + 2), plus the type, the listpack's header, end and RDB length, the
 * pair count, the version and the CRC. */
static size_t payload_bound(const hash_dump_str *v, size_t nv)
{
    size_t n = 1 + RDB_LEN_MAX + LISTPACK_HEADER + 1 + RDB_LEN_MAX + 2 + 8;
    for (size_t i = 0; i < nv; i++)
        n += v[i].len + RDB_LEN_MAX + 4;
    return n;
}

void hash_dump(const hash_dumper *d, const hash_dump_str *v, size_t nv, strbuf *out)
{
    sb_reserve(out, payload_bound(v, nv));
    unsigned char *start = (unsigned char *)out->buf + out->len, *p = start;
    if (listpack_fits(v, nv)) {
        *p++ = RDB_TYPE_HASH_LISTPACK;
        p = rdb_listpack(p, v, nv);
    } else {
        *p++ = RDB_TYPE_HASH;
        p = rdb_len(p, nv / 2);
        for (size_t i = 0; i < nv; i++)
            p = put_bytes(rdb_len(p, v[i].len), v[i].s, v[i].len);
    }
    p = put_le(p, DUMP_RDB_VERSION, 2);
    p = put_le(p, hash_dump_crc64(d, 0, start, (size_t)(p - start)), 8);
    out->len += (size_t)(p - start);
    out->buf[out->len] = '\0';
}
