/* index_typo.c - the index's typo index (every vocabulary word and each of its 1-deletions,
 * hashed) and the restricted edit distance its neighbours are checked with. */
#include "index.h"

#include <string.h>

/* ---- typo index: every token and each of its 1-deletions, hashed ---- */

#define TYPO_MIN_LEN 5
#define TYPO_MAX_LEN 40

/* The hashes a token is filed under (itself, then each 1-deletion), their slots prefetched so
 * that the cache misses overlap (a growth on the way only wastes them); how many (len + 1), or 0
 * for a token too short or too long to have typo neighbours. The token's prefixes are hashed once
 * and each deletion's hash goes on from its prefix's. */
static size_t typo_hashes(const account_index *ix, const char *tok, size_t len, uint64_t *h)
{
    if (len < TYPO_MIN_LEN || len > TYPO_MAX_LEN)
        return 0;
    uint64_t prefix[TYPO_MAX_LEN + 1];  /* prefix[i]: the first i bytes, hashed, not ended */
    prefix[0] = HASH_START;
    for (size_t i = 0; i < len; i++)
        prefix[i + 1] = hash_add(prefix[i], tok + i, 1);
    h[0] = hash_end(prefix[len]);
    for (size_t i = 0; i < len; i++)
        h[i + 1] = hash_end(hash_add(prefix[i], tok + i + 1, len - i - 1));
    for (size_t i = 0; i <= len; i++)
        hashmulti_prefetch(&ix->typo, h[i]);
    return len + 1;
}


/* Probing for a token's neighbours: the ids found under its hashes, each once in the order first
 * found, checked in batches so that their words are asked for from memory all at once. */
#define TYPO_BATCH 128

typedef struct typo_probe {
    const account_index *ix;
    const char *tok;
    size_t len;              /* strlen(tok) */
    int maxd;
    u32vec *out;
    uint32_t ids[TYPO_BATCH];
    size_t n;
} typo_probe;

static void typo_check(typo_probe *p, uint32_t id)
{
    const vocab_word *w = &p->ix->words[id];
    if (w->len < TYPO_MIN_LEN || w->df == 0 || u32_contains(p->out, id) ||
        strcmp(w->str, p->tok) == 0)
        return;
    const char *cand = w->str;
    if (osa_distance_len(p->tok, p->len, cand, w->len, p->maxd) <= p->maxd)
        u32_push(p->out, id);
}

/* Checks the batch in order (a word checked again after a flush gets the same answer). */
static void typo_flush(typo_probe *p)
{
    for (size_t i = 0; i < p->n; i++)
        __builtin_prefetch(&p->ix->words[p->ids[i]]);
    for (size_t i = 0; i < p->n; i++)
        __builtin_prefetch(p->ix->words[p->ids[i]].str);
    for (size_t i = 0; i < p->n; i++)
        typo_check(p, p->ids[i]);
    p->n = 0;
}

static void typo_visit(uint32_t id, void *ctx)
{
    typo_probe *p = ctx;
    for (size_t i = 0; i < p->n; i++)
        if (p->ids[i] == id)
            return;
    if (p->n == TYPO_BATCH)
        typo_flush(p);
    p->ids[p->n++] = id;
}

void index_defer_typo(account_index *ix, index_word_sink sink, void *ctx)
{
    ix->typo_sink = sink;
    ix->typo_sink_ctx = ctx;
}

void index_typo_file(account_index *ix, const char *word, size_t len, uint32_t id)
{
    uint64_t h[TYPO_MAX_LEN + 1];
    size_t n = typo_hashes(ix, word, len, h);
    for (size_t i = 0; i < n; i++)
        hashmulti_add(&ix->typo, h[i], id);
}

void index_typo_neighbours(const account_index *ix, const char *tok, u32vec *out)
{
    uint64_t h[TYPO_MAX_LEN + 1];
    size_t n = typo_hashes(ix, tok, strlen(tok), h);
    typo_probe p = {.ix = ix, .tok = tok, .len = n ? n - 1 : 0, .maxd = n >= 10 ? 2 : 1,
                    .out = out};
    for (size_t i = 0; i < n; i++)
        hashmulti_each(&ix->typo, h[i], typo_visit, &p);
    typo_flush(&p);
}

/* The distance when it is 0 or 1, else 2, in one pass: past their common prefix the words must
 * be equal after one substitution, one transposition of neighbours, or one byte left out of the
 * longer (the first differing byte can always be the one edited). */
static int osa_upto_one(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (i == la && i == lb)
        return 0;
    if (la == lb) {
        if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
            return 1;
        bool swapped = i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i];
        return swapped && memcmp(a + i + 2, b + i + 2, la - i - 2) == 0 ? 1 : 2;
    }
    if (la == lb + 1)
        return memcmp(a + i + 1, b + i, lb - i) == 0 ? 1 : 2;
    if (lb == la + 1)
        return memcmp(a + i, b + i + 1, la - i) == 0 ? 1 : 2;
    return 2;
}

/* Only the cells within max of the diagonal are worked out, three rows kept: a cell further off
 * is more than max anyway, and every value is capped at max + 1, which changes no comparison with
 * max. Up to max 1 without the table (osa_upto_one). */
int osa_distance(const char *a, const char *b, int max)
{
    return osa_distance_len(a, strlen(a), b, strlen(b), max);
}

int osa_distance_len(const char *a, size_t la, const char *b, size_t lb, int max)
{
    if (la > TYPO_MAX_LEN * 2 || lb > TYPO_MAX_LEN * 2 || max < 0)
        return max + 1;
    if ((int)(la > lb ? la - lb : lb - la) > max)
        return max + 1;
    if (la == 0 || lb == 0)    /* (the table's rows would be empty for b) */
        return (int)(la + lb);
    if (max <= 1) {
        int d = osa_upto_one(a, la, b, lb);
        return d <= max ? d : max + 1;
    }
    int cap = max + 1, rows[3][TYPO_MAX_LEN * 2 + 2];
    int *before = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j < cap ? (int)j : cap;
    for (size_t i = 1; i <= la; i++) {
        size_t lo = i > (size_t)max ? i - (size_t)max : 1;
        size_t hi = i + (size_t)max < lb ? i + (size_t)max : lb;
        cur[lo - 1] = lo == 1 ? ((int)i < cap ? (int)i : cap) : cap;
        if (hi < lb)
            cur[hi + 1] = cap;
        int rowmin = cap;
        for (size_t j = lo; j <= hi; j++) {
            int v = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                before[j - 2] + 1 < v)
                v = before[j - 2] + 1;
            cur[j] = v < cap ? v : cap;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return cap;
        int *t = before;
        before = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}
