/* hash_dump.h - an account hash in Redis's DUMP format, for `RESTORE key 0 <payload> REPLACE`:
 * Redis takes a listpack as one string instead of parsing an HSET's arguments field by field
 * (the import's writes, docs/redis-schema.md "How l2a import-accounts writes them"). */
#ifndef L2A_HASH_DUMP_H
#define L2A_HASH_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The CRC-64 tables of the payloads' checksum (Redis's crc64: Jones polynomial, reflected),
 * eight bytes a step: crc[k][b] is the CRC of byte b followed by k zero bytes. */
typedef struct hash_dumper {
    uint64_t crc[8][256];
} hash_dumper;

void hash_dumper_init(hash_dumper *d);

/* Redis's crc64 of p[0..n), continuing from crc (0 to start). */
uint64_t hash_dump_crc64(const hash_dumper *d, uint64_t crc, const void *p, size_t n);

/* One field name or value: len bytes at s. */
typedef struct hash_dump_str {
    const char *s;
    size_t len;
} hash_dump_str;

/* Appends to out the DUMP payload (RDB version 10, Redis 7.0's, which every later Redis reads)
 * of a hash holding exactly the pairs v[0..nv) (field, value, field, value...; names distinct,
 * nv even and >= 2), in that order. Accounts within Redis's default hash-max-listpack-entries
 * (128 pairs in redis.conf, 512 without a config file) and -value (64 bytes) go as a listpack,
 * byte for byte what HSET of the same pairs makes on a key that did not exist (what DUMP of it
 * gives with rdbcompression off); the others as plain pairs, which Redis loads into the encoding
 * its own limits choose, as HSET would. */
void hash_dump(const hash_dumper *d, const hash_dump_str *v, size_t nv, strbuf *out);

#endif
