/* search.c - accounts found by a name or a domain typed by a person (the review page's search),
 * from the in-memory index: every word of the query in the account's name, the last one possibly
 * unfinished; or the account's registrable domain. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "matcher_impl.h"

/* A word of the query and the vocabulary ids it stands for (one when the word is whole, every
 * token it begins when it is the query's last word). */
typedef struct query_word {
    u32vec ids;
} query_word;

static void fill_brief(const account *a, account_brief *out)
{
    *out = (account_brief){a->id, a->name, a->domains.n ? a->domains.v[0] : NULL,
                           (const char *const *)a->domains.v, a->domains.n, a->type, a->owner_id};
}

bool matcher_account_brief(const matcher *m, const char *id, account_brief *out)
{
    long slot = id ? index_find(&m->ix, id) : -1;
    if (slot < 0)
        return false;
    fill_brief(&m->ix.acc[slot], out);
    return true;
}

static bool looks_like_domain(const char *q)
{
    return strchr(q, '.') && !strchr(q, ' ');
}

/* Appends the live accounts of a posting list, up to max hits. */
static size_t take_slots(const matcher *m, const u32vec *slots, size_t max, account_brief *out,
                         size_t n)
{
    for (uint32_t i = 0; slots && i < slots->n && n < max; i++)
        if (m->ix.acc[slots->v[i]].live)
            fill_brief(&m->ix.acc[slots->v[i]], &out[n++]);
    return n;
}

static size_t search_domain(const matcher *m, const char *q, size_t max, account_brief *out)
{
    char *reg = website_registrable(q);
    size_t n = reg ? take_slots(m, postings_get(&m->ix.by_domain, reg), max, out, 0) : 0;
    free(reg);
    return n;
}

/* The ids a word stands for: the token itself, or (prefix) every vocabulary token it begins. */
static void word_ids(const account_index *ix, const char *tok, bool prefix, query_word *w)
{
    uint32_t id = index_token_id(ix, tok);
    if (id != UINT32_MAX)
        u32_push(&w->ids, id);
    if (!prefix)
        return;
    size_t len = strlen(tok);
    for (uint32_t v = 0; v < ix->nvocab; v++)
        if (v != id && strncmp(ix->words[v].str, tok, len) == 0)
            u32_push(&w->ids, v);
}

static bool account_has_word(const account *a, const query_word *w)
{
    for (uint32_t i = 0; i < a->ntok; i++)
        if (u32_contains(&w->ids, a->tok[i]))
            return true;
    return false;
}

static bool account_has_all(const account *a, const query_word *words, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        if (!account_has_word(a, &words[i]))
            return false;
    return true;
}

/* Accounts with every word: candidates from the first word's postings, checked for the rest. */
static size_t search_name(const matcher *m, const char *q, size_t max, account_brief *out)
{
    const account_index *ix = &m->ix;
    norm_name nn;
    (void)norm_name_parse(m->rules, q, &nn);
    size_t nw = nn.tokens.n, n = 0;
    query_word *words = xcalloc(nw + 1, sizeof(*words));
    for (size_t i = 0; i < nw; i++)
        word_ids(ix, nn.tokens.v[i], i + 1 == nw, &words[i]);
    char *seen = nw ? xcalloc(ix->n + 1, 1) : NULL;
    for (uint32_t k = 0; nw && k < words[0].ids.n && n < max; k++) {
        const u32vec *slots = &ix->tok_post[words[0].ids.v[k]];
        for (uint32_t i = 0; i < slots->n && n < max; i++) {
            uint32_t s = slots->v[i];
            if (seen[s] || !ix->acc[s].live || !account_has_all(&ix->acc[s], words, nw))
                continue;
            seen[s] = 1;
            fill_brief(&ix->acc[s], &out[n++]);
        }
    }
    for (size_t i = 0; i < nw; i++)
        u32_free(&words[i].ids);
    free(words);
    free(seen);
    norm_name_free(&nn);
    return n;
}

static int by_name(const void *a, const void *b)
{
    const account_brief *x = a, *y = b;
    size_t lx = strlen(x->name), ly = strlen(y->name);
    if (lx != ly)
        return lx < ly ? -1 : 1;   /* the shortest names first: the closest to what was typed */
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->id, y->id);
}

size_t matcher_search(const matcher *m, const char *query, size_t max, account_brief *out)
{
    if (!query || max == 0)
        return 0;
    while (*query == ' ')
        query++;
    size_t n = looks_like_domain(query) ? search_domain(m, query, max, out) : 0;
    if (n == 0)
        n = search_name(m, query, max, out);
    qsort(out, n, sizeof(*out), by_name);
    return n;
}
