/* domain.c - email and website parsing, registrable domains via libpsl, free-mail/disposable domain
 * sets (host names normalised and validated by host.c). */
#include "domain.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ascii.h"
#include "host.h"
#include "strmap.h"
#include "suffix_list.h"

#define LOCAL_MAX 64  /* bytes of an email local part */

struct domain_set {
    strmap *map; /* owned; keys: normalised domains, values unused */
};

/* ---- Public Suffix List handle ---- */

/* The list, NULL until first use. Read without the lock once set (the bulk load looks domains up
 * on two threads at once); set and cleared under it. */
static _Atomic(suffix_list *) psl_list;
static pthread_mutex_t psl_lock = PTHREAD_MUTEX_INITIALIZER; /* l2ad indexes on a thread too */

static const suffix_list *psl_get(void)
{
    suffix_list *l = atomic_load_explicit(&psl_list, memory_order_acquire);
    if (l)
        return l;
    pthread_mutex_lock(&psl_lock);
    l = atomic_load_explicit(&psl_list, memory_order_relaxed);
    if (!l) {
        l = suffix_list_latest();
        atomic_store_explicit(&psl_list, l, memory_order_release);
    }
    pthread_mutex_unlock(&psl_lock);
    return l;
}

/* Bumped whenever the list may change (domain_shutdown): what was remembered from it is void. */
static atomic_uint psl_generation = 1;

void domain_shutdown(void)
{
    pthread_mutex_lock(&psl_lock);
    atomic_fetch_add_explicit(&psl_generation, 1, memory_order_relaxed);
    suffix_list_free(atomic_exchange_explicit(&psl_list, NULL, memory_order_acq_rel));
    pthread_mutex_unlock(&psl_lock);
}

/* ---- character helpers (ASCII only: no locale) ---- */

/* Byte length of the whitespace character at s (ASCII space/control blanks or U+00A0), else 0. */
static size_t space_len(const char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
        return 1;
    if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
        return 2;
    return 0;
}

static bool has_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c <= ' ' || c == 0xC2) && space_len(s + i, n - i))   /* the rest start no space */
            return true;
    }
    return false;
}

#ifdef __SSE2__
/* Whether the 16 bytes at s are all printable ASCII but the space ('!' to '~'). */
static bool plain16(const char *s)
{
    const __m128i space = _mm_set1_epi8(' '), del = _mm_set1_epi8(0x7f);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, space), _mm_cmplt_epi8(v, del)); /* signed */
    return _mm_movemask_epi8(ok) == 0xFFFF;
}
#endif

/* Whether s[0..n) is printable ASCII without a space: nothing to trim, no space inside. 16 bytes
 * at a time while 16 are left, then the last 16 (overlapping those before). */
static bool plain_ascii(const char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16)
        if (!plain16(s + i))
            return false;
    if (i > 0)
        return i == n || plain16(s + n - 16);
#endif
    for (; i < n; i++)
        if ((unsigned char)(s[i] - '!') > '~' - '!')
            return false;
    return true;
}

/* Trims whitespace from both ends of s[0..*n): returns the new start, updates *n. */
static const char *trim(const char *s, size_t *n)
{
    size_t k;
    while (*n && (k = space_len(s, *n)) != 0) {
        s += k;
        *n -= k;
    }
    for (;;) {
        if (*n >= 1 && space_len(s + *n - 1, 1))
            *n -= 1;
        else if (*n >= 2 && space_len(s + *n - 2, 2) == 2)
            *n -= 2;
        else
            return s;
    }
}

/* ---- registrable domains: from the list's table, else from libpsl with its answers remembered
 * (a lead's hosts are asked about several times: its email's host when parsed and when checked
 * against the free-mail list, its registrable domain when checked and when its label is taken),
 * as libpsl takes thousands of instructions an answer ---- */

#define REG_MEMO 1024       /* entries per thread, by hash (64 KiB) */
#define REG_MEMO_HOST 49    /* longest host remembered (an entry in 64 bytes) */

typedef struct reg_memo {
    uint64_t hash;
    unsigned gen;           /* psl_generation when filled; 0: empty */
    int16_t tail;           /* where the registrable domain starts in host; -1: none */
    uint8_t len;
    char host[REG_MEMO_HOST];
} reg_memo;

static _Thread_local reg_memo reg_memos[REG_MEMO];

/* psl_registrable_domain of h (len bytes) through the memo. */
static const char *registrable_libpsl(const suffix_list *l, const char *h, size_t len)
{
    if (len > REG_MEMO_HOST)
        return psl_registrable_domain(suffix_list_psl(l), h);
    uint64_t hash = hash_bytes(h, len);
    unsigned gen = atomic_load_explicit(&psl_generation, memory_order_relaxed);
    reg_memo *e = &reg_memos[hash & (REG_MEMO - 1)];
    if (e->gen != gen || e->hash != hash || e->len != len || memcmp(e->host, h, len) != 0) {
        const char *r = psl_registrable_domain(suffix_list_psl(l), h);
        e->hash = hash;
        e->gen = gen;
        e->len = (uint8_t)len;
        e->tail = r ? (int16_t)(r - h) : -1;
        memcpy(e->host, h, len);
    }
    return e->tail < 0 ? NULL : h + e->tail;
}

/* psl_registrable_domain of a normalised host h[0..len) (a NUL at h[len]): the tail of h that is
 * its registrable domain, or NULL for a public suffix. */
static const char *registrable_tail_n(const char *h, size_t len)
{
    const suffix_list *l = psl_get();
    const char *r;
    return suffix_list_registrable_host(l, h, len, &r) ? r : registrable_libpsl(l, h, len);
}

/* registrable_tail_n of the NUL-terminated h. */
static const char *registrable_tail(const char *h)
{
    return registrable_tail_n(h, strlen(h));
}

/* Registrable domain of a normalised host h (malloc'd), in h's own allocation: libpsl's answer is
 * a tail of h, moved to its front (no copy when it is h itself, the usual case). Takes h; NULL
 * (h freed) for a public suffix. */
static char *registrable_in_place(char *h)
{
    const char *r = registrable_tail(h);
    if (!r) {
        free(h);
        return NULL;
    }
    if (r != h)
        memmove(h, r, strlen(r) + 1);
    return h;
}

char *domain_registrable(const char *host)
{
    if (!host)
        return NULL;
    char *h = host_normalize(host, strlen(host));
    return h ? registrable_in_place(h) : NULL;
}

char *domain_label(const char *registrable)
{
    char *r = domain_registrable(registrable);
    if (!r)
        return NULL;
    /* A registrable domain is one label followed by its public suffix. */
    char *label = xstrndup(r, strcspn(r, "."));
    free(r);
    return label;
}

/* ---- email addresses ---- */

/* RFC 5322 atext plus '.', and any non-ASCII byte (RFC 6531; the caller checks the UTF-8). */
static bool local_char_ok(char c)
{
    unsigned char u = (unsigned char)c;
    return ascii_is_alnum(u) || u >= 0x80 || (c && strchr("!#$%&'*+-/=?^_`{|}~.", c));
}

static bool local_valid(const char *s, size_t n)
{
    if (n > LOCAL_MAX)
        return false;
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = (unsigned char)s[i] < 0x80
                                 ? 1
                                 : utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                    (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0 || !local_char_ok(s[i]))
            return false;
        i += (size_t)k;
    }
    return true;
}

/* Checks the shape local@host of s[0..n) (already trimmed; plain: plain_ascii, so without
 * spaces); returns an error text or NULL. */
static const char *email_shape_error(const char *s, size_t n, bool plain, const char **at)
{
    *at = memchr(s, '@', n);
    if (!*at)
        return "missing @";
    if (memchr(*at + 1, '@', n - (size_t)(*at - s) - 1))
        return "more than one @";
    if (!plain && has_space(s, n))
        return "contains spaces";
    if (*at == s)
        return "empty local part";
    if (*at == s + n - 1)
        return "empty domain";
    if (!local_valid(s, (size_t)(*at - s)))
        return "invalid local part";
    return NULL;
}

/* A copy of s[0..n) in b, or malloc'd without b. */
static char *copy_n(bump *b, const char *s, size_t n)
{
    if (!b)
        return xstrndup(s, n);
    char *c = bump_alloc(b, n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

/* host_normalize of s[0..n), in b (malloc'd without b); *plain: it was plain ASCII (lower case
 * [a-z0-9.-] once lower-cased, no A-label), so that host_plain_normal holds for it. */
static char *email_host_normal(const char *s, size_t n, bump *b, bool *plain)
{
    bool done;
    *plain = false;
    if (!b)
        return host_normalize(s, n);
    char *h = bump_alloc(b, n + 1);
    if (host_normalize_ascii_into(s, n, h, &done))
        return *plain = true, h;
    if (done)                                   /* plain ASCII, not a valid host */
        return NULL;
    char *full = host_normalize(s, n);          /* non-ASCII, or an A-label */
    h = full ? copy_n(b, full, strlen(full)) : NULL;
    free(full);
    return h;
}

/* email_parse, and with b email_parse_bump (*plain then set). */
static email_status email_parse_in(const char *raw, email_addr *out, const char **err_text,
                                   bump *b, bool *plain_host)
{
    const char *err = NULL, *at = NULL;
    email_status st = EMAIL_OK;
    size_t n = raw ? strlen(raw) : 0;
    bool plain = plain_ascii(raw, n);   /* the usual address: nothing to trim, no spaces */
    const char *s = raw && !plain ? trim(raw, &n) : raw;
    char *host = NULL;

    memset(out, 0, sizeof(*out));
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s++;
        n -= 2;
        s = plain ? s : trim(s, &n);
    }
    if (n == 0) {
        st = EMAIL_EMPTY;
        err = "empty";
        goto out;
    }
    if ((err = email_shape_error(s, n, plain, &at)) != NULL) {
        st = EMAIL_MALFORMED;
        goto out;
    }
    host = email_host_normal(at + 1, n - (size_t)(at - s) - 1, b, plain_host);
    if (!host) {
        st = EMAIL_BAD_DOMAIN;
        err = "invalid domain";
        goto out;
    }
    const char *reg = registrable_tail(host);
    out->registrable = !reg ? NULL : b ? (char *)reg : xstrdup(reg);
    if (!out->registrable) {
        st = EMAIL_BAD_DOMAIN;
        err = "domain is a public suffix";
        goto out;
    }
    out->local = copy_n(b, s, (size_t)(at - s));
    for (char *p = out->local; *p; p++)
        *p = ascii_to_lower(*p);
    out->host = host;
    host = NULL; /* now owned by out */
out:
    if (!b) {
        free(host);
        if (st != EMAIL_OK)
            email_free(out);
    } else if (st != EMAIL_OK) {
        memset(out, 0, sizeof(*out));
    }
    if (err_text)
        *err_text = err;
    return st;
}

email_status email_parse(const char *raw, email_addr *out, const char **err_text)
{
    bool plain;
    return email_parse_in(raw, out, err_text, NULL, &plain);
}

email_status email_parse_bump(const char *raw, email_addr *out, const char **err_text, bump *b,
                              bool *plain)
{
    return email_parse_in(raw, out, err_text, b, plain);
}

void email_free(email_addr *e)
{
    if (!e)
        return;
    free(e->local);
    free(e->host);
    free(e->registrable);
    memset(e, 0, sizeof(*e));
}

/* ---- websites ---- */

/* Length of a "scheme://" prefix of s[0..n) (scheme = ALPHA *(ALNUM / "+" / "-" / ".")), or 0.
 * The scheme ends at colon, the first ':' in s (NULL: none; found by memchr: a website without a
 * scheme, the usual one, is not walked byte by byte). */
static size_t scheme_len(const char *s, size_t n, const char *colon)
{
    if (n == 0 || !ascii_is_alpha((unsigned char)s[0]))
        return 0;
    size_t end = colon ? (size_t)(colon - s) : 0;
    if (!colon || n - end < 3 || memcmp(colon, "://", 3) != 0)
        return 0;
    for (size_t i = 1; i < end; i++)
        if (!(ascii_is_alnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
            return 0;
    return end + 3;
}

/* The bytes website_host looks for in a URL's authority. */
enum url_byte { URL_OTHER, URL_AUTHORITY_END, URL_AT };
static const unsigned char url_bytes[256] = {
    ['/'] = URL_AUTHORITY_END, ['?'] = URL_AUTHORITY_END, ['#'] = URL_AUTHORITY_END,
    ['\\'] = URL_AUTHORITY_END, ['@'] = URL_AT,
};

/* Where the host of the website raw[0..n) is, as given (not yet normalised): *host and its
 * length, 0 when there is none. */
static size_t website_host_span(const char *raw, size_t n, const char **host)
{
    const char *s = raw;
    if (!plain_ascii(raw, n)) {
        s = trim(raw, &n);
        if (has_space(s, n))
            return 0;
    }
    if (n == 0)
        return 0;
    const char *colon = memchr(s, ':', n);  /* none: no port either */
    size_t skip = scheme_len(s, n, colon);
    if (!skip && n >= 2 && s[0] == '/' && s[1] == '/')
        skip = 2;
    s += skip;
    n -= skip;
    size_t end = 0, user = 0;   /* the authority ends at the path, query or fragment; its host
                                 * follows the last '@' in it (user:password@ dropped) */
    for (;; end++) {
        while (end < n && url_bytes[(unsigned char)s[end]] == URL_OTHER)
            end++;
        if (end == n || url_bytes[(unsigned char)s[end]] == URL_AUTHORITY_END)
            break;
        user = end + 1;
    }
    s += user;
    n = end - user;
    colon = colon ? memchr(s, ':', n) : NULL;
    if (colon) { /* drop :port, which must be digits */
        size_t host_n = (size_t)(colon - s);
        if (!host_all_digits(colon + 1, n - host_n - 1))
            return 0;
        n = host_n;
    }
    *host = s;
    return n;
}

char *website_host(const char *raw)
{
    const char *s;
    size_t n = website_host_span(raw, raw ? strlen(raw) : 0, &s);
    return n ? host_normalize(s, n) : NULL;
}

char *website_registrable(const char *raw)
{
    char *h = website_host(raw);
    return h ? registrable_in_place(h) : NULL;
}

char *website_registrable_bump(const char *raw, size_t n, bump *b, bool *plain)
{
    const char *s;
    char buf[HOST_MAX + 3];
    bool done = false;
    *plain = false;
    n = website_host_span(raw, n, &s);
    if (!n)
        return NULL;
    if (n < sizeof(buf) && !host_normalize_ascii_into(s, n, buf, &done) && done)
        return NULL;
    if (done) {                         /* lower-case ASCII, valid, no A-label */
        size_t len = n - (buf[n - 1] == '\0');   /* its trailing dot, if any, now a NUL */
        const char *r = registrable_tail_n(buf, len);
        *plain = r != NULL;
        size_t rn = r ? len - (size_t)(r - buf) + 1 : 0;
        return r ? memcpy(bump_alloc(b, rn), r, rn) : NULL;
    }
    char *reg = host_normalize(s, n);             /* not plain ASCII, or too long for buf */
    reg = reg ? registrable_in_place(reg) : NULL;
    char *copy = reg ? bump_strdup(b, reg) : NULL;
    free(reg);
    return copy;
}

/* ---- domain sets ---- */

domain_set *domain_set_new(void)
{
    domain_set *s = xmalloc(sizeof(*s));
    s->map = strmap_new();
    return s;
}

void domain_set_free(domain_set *s)
{
    if (!s)
        return;
    strmap_free(s->map);
    free(s);
}

void domain_set_add(domain_set *s, const char *domain)
{
    char *d = domain ? host_normalize(domain, strlen(domain)) : NULL;
    if (d)
        strmap_put(s->map, d, 0);
    free(d);
}

void domain_set_remove(domain_set *s, const char *domain)
{
    char *d = domain ? host_normalize(domain, strlen(domain)) : NULL;
    if (d)
        strmap_del(s->map, d);
    free(d);
}

/* Is the normalised host h, or a parent of it down to its registrable domain reg (its parents are
 * suffixes), in a; and in b (NULL: none, *in_b false)? One walk, each suffix hashed once for
 * both. */
static void sets_have_host(const domain_set *a, const domain_set *b, const char *h,
                           const char *reg, bool *in_a, bool *in_b)
{
    size_t len = strlen(h);
    *in_a = *in_b = false;
    for (const char *p = h; p; p = strchr(p, '.')) {
        if (*p == '.')
            p++;
        size_t n = len - (size_t)(p - h);
        uint64_t hash = hash_bytes(p, n);
        *in_a = *in_a || strmap_getn_h(a->map, p, n, hash, NULL);
        *in_b = *in_b || (b && strmap_getn_h(b->map, p, n, hash, NULL));
        if ((*in_a && (*in_b || !b)) || strcmp(p, reg) == 0)
            break;
    }
}

/* host normalised (owned, NULL when invalid), its registrable domain in *reg (inside it; NULL for
 * an invalid host or a bare public suffix). */
static char *host_and_reg(const char *host, const char **reg)
{
    char *h = host ? host_normalize(host, strlen(host)) : NULL;
    *reg = h ? registrable_tail(h) : NULL;
    return h;
}

/* domain_sets_contain's walks; whether they ended at the registrable domain stop (NULL: none). */
static bool sets_walk(const domain_set *a, const domain_set *b, const char *host, const char *stop,
                      bool *in_a, bool *in_b)
{
    const char *reg;
    char *h = host_and_reg(host, &reg);
    *in_a = *in_b = false;
    if (reg)
        sets_have_host(a, b, h, reg, in_a, in_b);
    bool ended_at_stop = reg && stop && strcmp(reg, stop) == 0;
    free(h);
    return ended_at_stop;
}

void domain_sets_contain(const domain_set *a, const domain_set *b, const char *host, bool *in_a,
                         bool *in_b)
{
    (void)sets_walk(a, b, host, NULL, in_a, in_b);
}

/* sets_walk of a host host_plain_normal says host_normalize gives back as it is, whose
 * registrable domain is host_reg. */
static bool sets_walk_normal(const domain_set *a, const domain_set *b, const char *host,
                             const char *host_reg, const char *stop, bool *in_a, bool *in_b)
{
    sets_have_host(a, b, host, host_reg, in_a, in_b);
    return strcmp(host_reg, stop) == 0;
}

void domain_sets_contain_either(const domain_set *a, const domain_set *b, const char *host,
                                const char *host_reg, const char *reg, bool *in_a, bool *in_b)
{
    /* when the walks ended at reg, its own check is theirs */
    bool ended = host_reg ? sets_walk_normal(a, b, host, host_reg, reg, in_a, in_b)
                          : sets_walk(a, b, host, reg, in_a, in_b);
    if (ended || (*in_a && *in_b))
        return;
    bool reg_a, reg_b;
    domain_sets_contain(a, b, reg, &reg_a, &reg_b);
    *in_a = *in_a || reg_a;
    *in_b = *in_b || reg_b;
}

bool domain_set_contains(const domain_set *s, const char *host)
{
    const char *reg;
    char *h = host_and_reg(host, &reg);
    bool found = false, unused;
    if (reg)
        sets_have_host(s, NULL, h, reg, &found, &unused);
    free(h);
    return found;
}

size_t domain_set_count(const domain_set *s)
{
    return strmap_count(s->map);
}

/* Parses the lines of text into normalised domains appended to out; returns the 1-based number of
 * the first invalid line, or 0. */
static size_t parse_domain_lines(char *text, strvec *out)
{
    size_t lineno = 0;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        size_t n = strcspn(line, "#"); /* comment to end of line */
        const char *d = trim(line, &n);
        if (n == 0)
            continue;
        char *h = host_normalize(d, n);
        if (!h)
            return lineno;
        sv_push_owned(out, h);
    }
    return 0;
}

int domain_set_load(domain_set *s, const char *path, char *err, size_t errlen)
{
    int rc = -1;
    strvec domains;
    sv_init(&domains);
    char *text = read_file(path, NULL);
    if (!text) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    size_t bad = parse_domain_lines(text, &domains);
    if (bad) {
        if (err && errlen)
            snprintf(err, errlen, "%s:%zu: invalid domain name", path, bad);
        goto out;
    }
    for (size_t i = 0; i < domains.n; i++)
        strmap_put(s->map, domains.v[i], 0);
    rc = 0;
out:
    sv_free(&domains);
    free(text);
    return rc;
}
