/* util.h - allocation wrappers, strings, hashing, time and file helpers shared by every module. */
#ifndef L2A_UTIL_H
#define L2A_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MUSTCHECK __attribute__((warn_unused_result))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation wrappers: abort with a message when memory runs out (oom_abort). */
void *xmalloc(size_t n);
_Noreturn void oom_abort(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* n zeroed bytes starting at a multiple of align (a power of two, at least sizeof(void *));
 * freed with free. */
void *xcalloc_aligned(size_t align, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Growable NUL-terminated byte string. buf is owned by the strbuf. */
typedef struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
/* Room for extra more bytes at once (a buffer whose size is known ahead grows once). */
void sb_grow(strbuf *sb, size_t extra);
static inline void sb_reserve(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 > sb->cap)
        sb_grow(sb, extra);
}
/* Inline: a decision is written in some thirty appends. */
static inline void sb_appendn(strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}
static inline void sb_putc(strbuf *sb, char c)
{
    sb_reserve(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}
void sb_append(strbuf *sb, const char *s);
void sb_appendf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included, escapes as needed). */
void sb_append_json_str(strbuf *sb, const char *s);
/* The same for the n bytes at s (which may hold NUL bytes: escaped as \u0000). */
void sb_append_json_strn(strbuf *sb, const char *s, size_t n);
/* Appends a string literal (its length known at compile time). */
#define SB_LITERAL(sb, lit) sb_appendn((sb), "" lit, sizeof(lit) - 1)
/* Gives the buffer to the caller (who frees it) and resets sb. Never NULL. */
char *sb_take(strbuf *sb);
/* The string *s owned, handed to the caller: *s is NULL from then on. */
static inline char *str_take(char **s)
{
    char *taken = *s;
    *s = NULL;
    return taken;
}

/* Vector of owned C strings. */
typedef struct strvec {
    char **v;
    size_t n;
    size_t cap;
} strvec;

void sv_init(strvec *sv);
void sv_free(strvec *sv);
void sv_push(strvec *sv, const char *s);      /* copies s */
void sv_push_owned(strvec *sv, char *s);      /* takes s */
bool sv_contains(const strvec *sv, const char *s);

uint64_t hash_bytes(const void *p, size_t n);

/* hash_bytes in pieces: hash_end(hash_add(...hash_add(HASH_START, a, na)..., z, nz)) is
 * hash_bytes of a..z concatenated (FNV-1a, then a final mix), so that hashes of strings sharing
 * a prefix can share its work. */
#define HASH_START 1469598103934665603ULL

static inline uint64_t hash_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static inline uint64_t hash_end(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Wall-clock time in whole milliseconds since the epoch. */
double epoch_ms_now(void);
/* An instant (ms since the epoch) as ISO-8601 UTC with milliseconds ("2026-11-23T10:00:00.123Z")
 * into buf (32 bytes are enough). */
void iso8601_ms(double epoch_ms, char *buf, size_t len);
/* The current time as iso8601_ms writes it; *epoch_ms (may be NULL) gets the same instant. */
void iso8601_now(char *buf, size_t len, double *epoch_ms);

/* Reads a whole file; NULL with errno set on failure. *len may be NULL. */
char *read_file(const char *path, size_t *len);
/* path made absolute against the working directory (malloc'd); a copy when it already is. */
char *path_absolute(const char *path);
/* Whether path is a regular file (or a pipe, a device) that opens for reading: 0, or -1 with
 * "PATH: is a directory" or "PATH: <strerror>" in err. */
int file_check_readable(const char *path, char *err, size_t errlen);

/* A duration such as "250ms", "30s", "15m", "4h", "7d" or a plain number of milliseconds, as
 * milliseconds in *ms: 0, or -1 for anything else (no sign, no spaces, no mixed units). */
int duration_ms_parse(const char *s, long long *ms);

/* printf into err (truncated to errlen; nothing when err is NULL or errlen is 0). */
void err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
