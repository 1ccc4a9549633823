/* snapshot_chunk.c - one chunk of an account snapshot: a header line naming its generation,
 * number, length and checksum, then its CSV text; made, and checked when read back. */
#include "snapshot.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "l2a-snapshot"

const char snapshot_header_row[] =
    "id,name,domains,type,parent_id,country,owner_id,employees,last_activity\n";

/* A checksum of the text, eight bytes a step (a damaged chunk must not build an index). */
static uint64_t text_sum(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

void snapshot_chunk_id(char *buf, size_t len, const char *gen, long n)
{
    snprintf(buf, len, "%s:%ld", gen, n);
}

void snapshot_chunk_make(strbuf *out, const char *gen, long n, const char *body, size_t len)
{
    sb_appendf(out, MAGIC " " SNAPSHOT_FORMAT " %s %ld %zu %016" PRIx64 "\n", gen, n, len,
               text_sum(body, len));
    sb_appendn(out, body, len);
}

int snapshot_chunk_body(const char *chunk, size_t chunk_len, const char *gen, long n,
                        const char **body, size_t *len, char *why, size_t whylen)
{
    const char *eol = memchr(chunk, '\n', chunk_len < 256 ? chunk_len : 256);
    char line[256], g[32], fmt[16];
    long num;
    size_t blen;
    uint64_t sum;
    if (!eol) {
        err_set(why, whylen, "chunk %s:%ld has no header", gen, n);
        return -1;
    }
    memcpy(line, chunk, (size_t)(eol - chunk));
    line[eol - chunk] = '\0';
    if (sscanf(line, MAGIC " %15s %31s %ld %zu %" SCNx64, fmt, g, &num, &blen, &sum) != 5 ||
        strcmp(fmt, SNAPSHOT_FORMAT) != 0 || strcmp(g, gen) != 0 || num != n) {
        err_set(why, whylen, "chunk %s:%ld has a wrong header: \"%.80s\"", gen, n, line);
        return -1;
    }
    *body = eol + 1;
    *len = chunk_len - (size_t)(eol + 1 - chunk);
    if (*len != blen || text_sum(*body, *len) != sum) {
        err_set(why, whylen, "chunk %s:%ld is damaged (%s mismatch)", gen, n,
                *len != blen ? "length" : "checksum");
        return -1;
    }
    return 0;
}
