/* suffix_list.c - the Public Suffix List in libpsl and in a hash table of its rules (libpsl's answers). */
#include "suffix_list.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strmap.h"
#include "util.h"

/* libpsl's flag bits in the return value of a DAFSA string (its PRIV_PSL_FLAG_*). */
#define RULE_EXCEPTION 1u
#define RULE_WILDCARD 2u
#define RULE_INNER 0x100u        /* in the table as what a rule ends with, not as a rule */

#define DAFSA_HEADER 16          /* ".DAFSA@PSL_0   \n": the line psl_load_fp recognises */
#define RULE_MAX 256             /* bytes of a rule (longer: no table) */
#define RULES_MAX 1000000        /* strings read from a DAFSA (more: a damaged file, no table) */
#define LABELS_SEEN 9            /* psl_registrable_domain looks at a host's last 9 labels */

/* A one-label string of the table (a top-level domain, mostly) of up to TLD_BYTES bytes: the
 * label's bytes in a word, zero-padded (labels hold no NUL; 0: an empty slot), and its flags as
 * suffix_flags gives them. Every host's last label is looked up: a probe of a small table
 * instead of a hash of its bytes and a probe of the big one. */
#define TLD_BYTES 8

/* A host's last two labels are looked up only when the bit of their pair_bit is set (most
 * hosts' are in no rule: "acme.com"), so their hash is not taken nor the table probed. */
#define PAIR_BITS (1u << 17)
typedef struct tld_entry {
    uint64_t word;
    int flags;
} tld_entry;

struct suffix_list {
    psl_ctx_t *owned;            /* loaded from a file (psl_free), or NULL */
    const psl_ctx_t *psl;        /* owned, or psl_builtin() */
    strmap *rules;               /* every string of the DAFSA -> its flags, and what they end
                                  * with after a dot -> RULE_INNER; NULL: none */
    size_t nrules;               /* the DAFSA's strings */
    bool utf8;                   /* the DAFSA's rules are UTF-8 (libpsl: no punycode lookups) */
    tld_entry *tld;              /* the table's one-label strings of up to 8 bytes, by word;
                                  * owned, NULL with rules */
    size_t tld_mask;             /* tld's slots - 1 */
    uint64_t *pairs;             /* PAIR_BITS bits: pair_bit of the last two labels of every
                                  * string of two labels or more; owned, NULL with tld */
};

/* ---- which file: psl_latest's choice ---- */

/* Adds fname to the files newer than the built-in list, newest first (psl_latest's
 * insert_file: a file only goes before those strictly older). */
static size_t newer_file_add(const char *fname, const char **names, time_t *mtimes, size_t n)
{
    struct stat st;
    if (!fname || !*fname || stat(fname, &st) != 0 || st.st_mtime <= psl_builtin_file_time())
        return n;
    size_t i = n;
    while (i > 0 && st.st_mtime > mtimes[i - 1]) {
        names[i] = names[i - 1];
        mtimes[i] = mtimes[i - 1];
        i--;
    }
    names[i] = fname;
    mtimes[i] = st.st_mtime;
    return n + 1;
}

/* libpsl's context from bytes (psl_load_fp reads them as it reads the file), or NULL. */
static psl_ctx_t *psl_from_bytes(char *bytes, size_t len)
{
    FILE *f = fmemopen(bytes, len, "r");
    if (!f)
        return NULL;
    psl_ctx_t *psl = psl_load_fp(f);
    fclose(f);
    return psl;
}

/* Whether bytes open with the line by which psl_load_fp takes a file for a DAFSA of version 0. */
static bool dafsa_header(const char *bytes, size_t len)
{
    return len >= DAFSA_HEADER && memcmp(bytes, ".DAFSA@PSL_", 11) == 0 &&
           bytes[DAFSA_HEADER - 1] == '\n' && memchr(bytes, '\0', DAFSA_HEADER) == NULL &&
           atoi(bytes + 11) == 0;
}

/* ---- the DAFSA's strings (the format libpsl's LookupStringInFixedSet reads) ---- */

typedef struct dafsa_reader {
    const unsigned char *graph, *end;
    strmap *rules;               /* filled */
    size_t count;
    bool failed;                 /* a string too long, too many, or one string twice */
    char key[RULE_MAX];
} dafsa_reader;

/* UTF-8 sequence length a leading byte announces, as the DAFSA's reader counts it (0: none). */
static size_t multibyte_len(unsigned char c)
{
    return c < 0xC0 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Where a multibyte sequence stands while a string is read: outside one (start < 0), or its
 * leading byte at key[start] announcing len bytes. */
typedef struct mb_state {
    int start;
    size_t len;
} mb_state;

/* The table's hash of a string, from its last byte to its first (FNV-1a backwards, then
 * hash_end): a host's suffixes are hashed in one pass from its end, each longer one continuing
 * from the shorter one's state. suffix_hash_byte adds the byte before what is hashed so far. */
static inline uint64_t suffix_hash_byte(uint64_t state, unsigned char c)
{
    return (state ^ c) * 1099511628211ULL;
}

/* Adds key[0..n) with value unless there: a rule's string twice is a damaged list. */
static void rule_add(dafsa_reader *r, size_t n, uint64_t hash, unsigned value)
{
    uint32_t *ref;
    bool inserted;
    strmap_get_or_put_ref_h(r->rules, r->key, n, hash, value, &ref, &inserted);
    if (!inserted && *ref == RULE_INNER)
        *ref = value;
    else if (!inserted)
        r->failed = true;
}

/* Adds the string key[0..n) with its flags, and each of its suffixes after a dot as RULE_INNER
 * (unless it is a rule itself): a suffix of a host missing from the table ends no rule. */
static void dafsa_emit(dafsa_reader *r, size_t n, unsigned value)
{
    if (r->failed)
        return;
    r->key[n] = '\0';
    uint64_t state = HASH_START;
    for (size_t i = n; i-- > 0;) {
        if (r->key[i] == '.') {
            uint32_t *ref;
            strmap_get_or_put_ref_h(r->rules, r->key + i + 1, n - i - 1, hash_end(state),
                                    RULE_INNER, &ref, NULL);
        }
        state = suffix_hash_byte(state, (unsigned char)r->key[i]);
    }
    rule_add(r, n, hash_end(state), value);
    if (++r->count > RULES_MAX)
        r->failed = true;
}

/* Appends the key byte a matcher byte m stands for at key[*n] (m 0x1F outside a sequence opens
 * one and stands for no byte). false when no key can take this path or the key is too long. */
static bool dafsa_char(dafsa_reader *r, unsigned char m, size_t *n, mb_state *mb)
{
    if (mb->start < 0 && m == 0x1F) {   /* the next matcher is a leading byte */
        mb->start = (int)*n;
        mb->len = 0;
        return true;
    }
    if (*n + 1 >= RULE_MAX) {
        r->failed = true;
        return false;
    }
    unsigned char c = m;
    if (mb->start >= 0 && (size_t)mb->start == *n) {
        c = m ^ 0x80;
        mb->len = multibyte_len(c);
        if (mb->len == 0)       /* a key byte that opens no sequence never matched 0x1F */
            return false;
    } else if (mb->start >= 0) {
        c = m ^ 0xC0;
    }
    r->key[(*n)++] = (char)c;
    if (mb->start >= 0 && *n - (size_t)mb->start == mb->len)
        mb->start = -1;
    return true;
}

static void dafsa_list(dafsa_reader *r, const unsigned char *pos, size_t n, mb_state mb);

/* The strings through the node at p, whose key so far is key[0..n). */
static void dafsa_node(dafsa_reader *r, const unsigned char *p, size_t n, mb_state mb)
{
    while (p < r->end && !(*p & 0x80)) {         /* the node's characters before its last */
        if (!dafsa_char(r, *p, &n, &mb))
            return;
        p++;
    }
    if (p >= r->end)
        return;
    if (mb.start < 0 && (*p & 0xE0) == 0x80)     /* a return value: the string ends here */
        dafsa_emit(r, n, *p & 0x0Fu);
    if (mb.start < 0 && (*p & 0xE0) == 0x80 && *p != 0x9F)
        return;                                   /* (0x9F also reads as the end char 0x1F) */
    if (dafsa_char(r, *p ^ 0x80, &n, &mb))
        dafsa_list(r, p + 1, n, mb);
}

/* The strings through each node of the offset list at pos (offsets add up from pos). */
static void dafsa_list(dafsa_reader *r, const unsigned char *pos, size_t n, mb_state mb)
{
    const unsigned char *node = pos;
    while (!r->failed && pos + 2 < r->end) {     /* libpsl wants 3 bytes left to read one */
        size_t used;
        switch (pos[0] & 0x60) {
        case 0x60:
            node += ((size_t)(pos[0] & 0x1F) << 16) | ((size_t)pos[1] << 8) | pos[2];
            used = 3;
            break;
        case 0x40:
            node += ((size_t)(pos[0] & 0x1F) << 8) | pos[1];
            used = 2;
            break;
        default:
            node += pos[0] & 0x3F;
            used = 1;
        }
        dafsa_node(r, node, n, mb);
        if (pos[0] & 0x80)
            break;
        pos += used;
    }
}

/* Every string of the DAFSA graph[0..len) with its flags (and their suffixes), how many in
 * *count, or NULL when it cannot be read whole. */
static strmap *dafsa_rules(const unsigned char *graph, size_t len, size_t *count)
{
    dafsa_reader *r = xcalloc(1, sizeof(*r));
    r->graph = graph;
    r->end = graph + len;
    r->rules = strmap_new();
    dafsa_list(r, graph, 0, (mb_state){-1, 0});
    strmap *rules = r->rules;
    *count = r->count;
    if (r->failed || r->count == 0) {
        strmap_free(rules);
        rules = NULL;
        *count = 0;
    }
    free(r);
    return rules;
}

/* ---- the one-label strings ---- */

static uint64_t tld_word(const char *s, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, s, n);
    return w;
}

static size_t tld_slot(const suffix_list *l, uint64_t word)
{
    size_t i = (size_t)((word * 0x9e3779b97f4a7c15ULL) >> 32) & l->tld_mask;
    while (l->tld[i].word && l->tld[i].word != word)
        i = (i + 1) & l->tld_mask;
    return i;
}

/* The table's one-label strings of up to TLD_BYTES into l->tld (at most half full). */
static void tld_build(suffix_list *l)
{
    size_t n = 0, pos = 0;
    const char *key;
    uint32_t v;
    while (strmap_next(l->rules, &pos, &key, &v))
        n += !strchr(key, '.') && strlen(key) <= TLD_BYTES;
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    l->tld = xcalloc(cap, sizeof(*l->tld));
    l->tld_mask = cap - 1;
    for (pos = 0; strmap_next(l->rules, &pos, &key, &v);) {
        size_t len = strlen(key);
        if (strchr(key, '.') || len > TLD_BYTES || len == 0)
            continue;
        tld_entry *e = &l->tld[tld_slot(l, tld_word(key, len))];
        *e = (tld_entry){tld_word(key, len), v == RULE_INNER ? -1 : (int)v};
    }
}

/* A filter bit of the string s[0..n) from its length and its first and last 8 bytes (fewer when
 * shorter): no walk of its bytes. */
static size_t pair_bit(const char *s, size_t n)
{
    uint64_t head, tail;
    if (n >= 8) {               /* fixed-size copies: two loads, no call */
        memcpy(&head, s, 8);
        memcpy(&tail, s + n - 8, 8);
    } else {
        head = tail = tld_word(s, n);
    }
    uint64_t mix = (head * 0x9e3779b97f4a7c15ULL) ^ (tail * 0xc2b2ae3d27d4eb4fULL) ^ n;
    return (size_t)((mix * 0xff51afd7ed558ccdULL) >> 40) & (PAIR_BITS - 1);
}

/* Where the last two labels of s[0..n) start, or NULL when it holds no dot. */
static const char *last_two_labels(const char *s, size_t n)
{
    size_t dots = 0, i = n;
    while (i > 0 && (s[i - 1] != '.' || ++dots < 2))
        i--;
    return dots ? s + i : NULL;
}

/* l->pairs from the table's strings of two labels or more. */
static void pairs_build(suffix_list *l)
{
    l->pairs = xcalloc(PAIR_BITS / 64, sizeof(*l->pairs));
    size_t pos = 0;
    const char *key;
    uint32_t v;
    while (strmap_next(l->rules, &pos, &key, &v)) {
        size_t len = strlen(key);
        const char *two = last_two_labels(key, len);
        if (two) {
            size_t bit = pair_bit(two, len - (size_t)(two - key));
            l->pairs[bit / 64] |= 1ull << (bit % 64);
        }
    }
}

/* ---- loading ---- */

/* The list from the file at name into l: false when libpsl does not load it. */
static bool list_from_file(suffix_list *l, const char *name)
{
    size_t len = 0;
    char *bytes = read_file(name, &len);
    psl_ctx_t *psl = bytes ? psl_from_bytes(bytes, len) : NULL;
    if (psl) {
        l->owned = psl;
        l->psl = psl;
        /* psl_suffix_count is -1 for a context libpsl holds as a DAFSA */
        if (dafsa_header(bytes, len) && psl_suffix_count(psl) == -1 && len > DAFSA_HEADER) {
            const unsigned char *graph = (const unsigned char *)bytes + DAFSA_HEADER;
            size_t glen = len - DAFSA_HEADER;
            l->rules = dafsa_rules(graph, glen, &l->nrules);
            l->utf8 = graph[glen - 1] < 0x80;   /* libpsl's GetUtfMode */
            if (l->rules) {
                tld_build(l);
                pairs_build(l);
            }
        }
    }
    free(bytes);
    return psl != NULL;
}

suffix_list *suffix_list_latest(void)
{
    suffix_list *l = xcalloc(1, sizeof(*l));
    const char *names[2];
    time_t mtimes[2];
    size_t n = newer_file_add(psl_dist_filename(), names, mtimes, 0);
    n = newer_file_add(psl_builtin_filename(), names, mtimes, n);
    for (size_t i = 0; i < n; i++)
        if (list_from_file(l, names[i]))
            return l;
    l->psl = psl_builtin();
    return l;
}

void suffix_list_free(suffix_list *l)
{
    if (!l)
        return;
    psl_free(l->owned);
    strmap_free(l->rules);
    free(l->tld);
    free(l->pairs);
    free(l);
}

const psl_ctx_t *suffix_list_psl(const suffix_list *l)
{
    return l->psl;
}

size_t suffix_list_rules(const suffix_list *l)
{
    return l->nrules;
}

/* ---- registrable domains ---- */

/* The flags of the rule s[0..n) (hash: its table hash); -1 when it is no rule but some rule ends
 * with it, -2 when it is neither (then no longer host ending with it is a rule). */
static int suffix_flags(const suffix_list *l, const char *s, size_t n, uint64_t hash)
{
    uint32_t v;
    if (!strmap_getn_h(l->rules, s, n, hash, &v))
        return -2;
    return v == RULE_INNER ? -1 : (int)v;
}

/* suffix_flags of a host's last label s[0..n) (not empty, no NUL, up to TLD_BYTES bytes). */
static int tld_flags(const suffix_list *l, const char *s, size_t n)
{
    const tld_entry *e = &l->tld[tld_slot(l, tld_word(s, n))];
    return e->word ? e->flags : -2;
}

/* A host's last labels (at most LABELS_SEEN: libpsl looks at no more), right to left: where each
 * suffix they start starts. */
typedef struct host_suffixes {
    const char *start[LABELS_SEEN];
} host_suffixes;

/* h's last labels into sx in one pass from its end; their count, or 0 when the table cannot
 * answer for h as libpsl would: an empty label, a byte below '!' (a control byte can match where
 * libpsl's reader expects none), a non-ASCII byte when the rules are not UTF-8. */
static size_t label_starts(const suffix_list *l, const char *h, size_t len, host_suffixes *sx)
{
    size_t n = 0, label_end = len;
    if (len == 0 || h[0] == '.')
        return 0;
    /* c - '!' as a byte is at least this for a byte the table cannot answer for: below '!'
     * (wrapping round), or from 0x80 when the rules are not UTF-8 */
    unsigned refused_from = l->utf8 ? 0x100u - '!' : 0x80u - '!';
    for (size_t i = len; i-- > 0;) {
        unsigned char c = (unsigned char)h[i];
        if (c == '.') {
            if (i + 1 == label_end)
                return 0;
            if (n < LABELS_SEEN)
                sx->start[n++] = h + i + 1;
            label_end = i;
        } else if ((unsigned char)(c - '!') >= refused_from) {
            return 0;
        }
    }
    if (n < LABELS_SEEN)
        sx->start[n++] = h;
    return n;
}

/* The table's hash of h[at..len), going on from *state, the hash of h[*hashed..len). */
static uint64_t suffix_hash_from(const char *h, size_t at, uint64_t *state, size_t *hashed)
{
    for (size_t i = *hashed; i-- > at;)
        *state = suffix_hash_byte(*state, (unsigned char)h[i]);
    *hashed = at;
    return hash_end(*state);
}

/* suffix_flags of h's suffix k (at h[at..len): one label when k is 0, two when 1), its hash
 * taken from *state only when the table may hold it (tld, pairs). */
static int suffix_k_flags(const suffix_list *l, const char *h, size_t len, size_t k, size_t at,
                          uint64_t *state, size_t *hashed)
{
    const char *s = h + at;
    size_t n = len - at;
    if (k == 0 && n <= TLD_BYTES)
        return tld_flags(l, s, n);
    if (k == 1) {
        size_t bit = pair_bit(s, n);
        if (!(l->pairs[bit / 64] >> (bit % 64) & 1))
            return -2;
    }
    return suffix_flags(l, s, n, suffix_hash_from(h, at, state, hashed));
}

/* label_starts of a host host_normalize gave, with rules in UTF-8: its dots alone are looked
 * for (no empty label, no byte below '!' in it). */
static size_t host_label_starts(const char *h, size_t len, host_suffixes *sx)
{
    size_t n = 0;
    for (size_t i = len; i-- > 0;) {
        if (h[i] != '.')
            continue;
        sx->start[n++] = h + i + 1;
        if (n == LABELS_SEEN)
            return n;
    }
    sx->start[n++] = h;
    return n;
}

/* The registrable domain of h[0..len) from the starts of its last n labels (label_starts). */
static const char *registrable_from(const suffix_list *l, const char *h, size_t len,
                                    const char *const *start, size_t n)
{
    /* The suffixes' flags from the shortest, up to the first no rule ends with: the longer ones
     * are no rules either. */
    int flags[LABELS_SEEN];
    size_t known = 0, hashed = len;
    uint64_t state = HASH_START;
    while (known < n) {
        flags[known] = suffix_k_flags(l, h, len, known, (size_t)(start[known] - h), &state,
                                      &hashed);
        if (flags[known++] == -2)
            break;
    }
    /* libpsl's walk from the longest: the first public suffix ends it and the one before is the
     * answer. A suffix is public when it is one label, a rule other than an exception, or no rule
     * while its parent is a wildcard rule. */
    const char *r = NULL;
    for (size_t j = n; j-- > 1;) {
        int f = j < known ? flags[j] : -2, parent = j - 1 < known ? flags[j - 1] : -2;
        if (f >= 0 ? !(f & RULE_EXCEPTION) : parent >= 0 && (parent & RULE_WILDCARD))
            break;
        r = start[j];
    }
    return r;
}

bool suffix_list_registrable(const suffix_list *l, const char *h, size_t len, const char **reg)
{
    host_suffixes sx;
    size_t n = l->rules ? label_starts(l, h, len, &sx) : 0;
    if (n == 0)
        return false;
    *reg = registrable_from(l, h, len, sx.start, n);
    return true;
}

bool suffix_list_registrable_host(const suffix_list *l, const char *h, size_t len,
                                  const char **reg)
{
    if (!l->rules || !l->utf8 || len == 0)
        return suffix_list_registrable(l, h, len, reg);
    host_suffixes sx;
    size_t n = host_label_starts(h, len, &sx);
    *reg = registrable_from(l, h, len, sx.start, n);
    return true;
}
