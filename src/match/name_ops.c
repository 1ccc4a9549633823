/* name_ops.c - the lists a lead's company name names, with their weights, in the order
 * name_candidates sums them: its words' (rarest first), their typo neighbours' and joined forms'
 * lists, then the whole name's joined forms or its acronym. */
#include "name_topk_impl.h"

#include <stdlib.h>
#include <string.h>

#include "huge.h"
#include "strmap.h"

/* Inline: some 15 a lead, a few instructions each but for a growth. */
static inline void push_op(match_scratch *s, const u32vec *l, double w, uint32_t vocab)
{
    if (s->nops == s->capops) {
        s->capops = s->capops ? s->capops * 2 : 64;
        s->ops = xrealloc(s->ops, s->capops * sizeof(*s->ops));
    }
    s->ops[s->nops++] = (list_op){.l = l, .w = w, .vocab = vocab};
}

static void push_word(const matcher *m, match_scratch *s, uint32_t id, double scale)
{
    const u32vec *l = &m->ix.tok_post[id];
    push_op(s, l, scale * matcher_weight_df(m, l->n), id);
}

/* Indexes of the tokens (at most SCORE_MAX_TOKENS), rarest first; ids[i] is token i's word id
 * (UINT32_MAX when no account has it), from known when not NULL. */
static size_t tokens_rarest_first(const account_index *ix, const strvec *t, const uint32_t *known,
                                  size_t *order, uint32_t *ids)
{
    size_t n = t->n < SCORE_MAX_TOKENS ? t->n : SCORE_MAX_TOKENS;
    uint32_t df[SCORE_MAX_TOKENS];
    for (size_t i = 0; i < n; i++) {
        ids[i] = known ? known[i] : index_token_id(ix, t->v[i]);
        df[i] = ids[i] == UINT32_MAX ? 0 : ix->tok_post[ids[i]].n;
        size_t j = i;
        while (j > 0 && df[order[j - 1]] > df[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

/* Token i of name, hashed: with the hash and length its parse kept (norm_name_parse_bump, a
 * lead's), else computed. */
static hashed token_hashed(const norm_name *name, size_t i)
{
    if (!name->tok_hash)
        return hashed_of(name->tokens.v[i]);
    return (hashed){name->tokens.v[i], name->tok_len[i], name->tok_hash[i]};
}

/* The typo neighbours of a word (index_typo_neighbours), from the cache when it holds them. */
static const u32vec *typo_neighbours(const account_index *ix, match_scratch *s, const hashed *w)
{
    const char *tok = w->s;
    if (!s->near_cache)
        s->near_cache = xcalloc_huge(NEAR_CACHE * sizeof(*s->near_cache));
    near_entry *e = &s->near_cache[w->h & (NEAR_CACHE - 1)];
    if (e->gen == ix->generation + 1 && strcmp(e->word, tok) == 0)
        return &e->ids;
    free(e->word);
    e->word = xstrdup(tok);
    e->gen = ix->generation + 1;
    e->ids.n = 0;
    index_typo_neighbours(ix, tok, &e->ids);
    return &e->ids;
}

/* A word: its own list, its typo neighbours' and the accounts whose words it joins ("onetrust"
 * for "One Trust"). */
static void word_ops(const matcher *m, match_scratch *s, const hashed *tok, uint32_t id)
{
    const account_index *ix = &m->ix;
    if (id != UINT32_MAX)
        push_word(m, s, id, 1.0);
    const u32vec *near = typo_neighbours(ix, s, tok);
    for (uint32_t i = 0; i < near->n; i++)
        push_word(m, s, near->v[i], m->sp.typo);
    push_op(s, postings_get_h(&ix->by_joined, tok->s, tok->len, tok->h), matcher_weight_df(m, 0),
            UINT32_MAX);
}

/* Asks for the memory of every lookup name_ops makes (hash slots of the joined and acronym lists and
 * the vocabulary, known words' lists) before the first one: a miss each, taken together. */
static void prefetch_lookups(const account_index *ix, const norm_name *name, const uint32_t *known,
                             const hashed *tok, size_t n, const hashed *joined)
{
    for (size_t i = 0; i < n; i++) {
        postings_prefetch_h(&ix->by_joined, tok[i].h);
        if (known && known[i] != UINT32_MAX)
            __builtin_prefetch(&ix->tok_post[known[i]]);
    }
    if (name->tokens.n > 1) {
        postings_prefetch_h(&ix->by_joined, joined[0].h);
        postings_prefetch_h(&ix->by_joined, joined[1].h);
        strmap_prefetch_h(ix->vocab, joined[0].h);
    } else {
        postings_prefetch_h(&ix->by_acronym, tok[0].h);
    }
}

/* Every list of the name: its words rarest first, then its joined forms or its acronym. */
void name_ops(const matcher *m, match_scratch *s, const norm_name *name, const uint32_t *known,
              const hashed *joined_given)
{
    const account_index *ix = &m->ix;
    size_t order[SCORE_MAX_TOKENS];
    uint32_t ids[SCORE_MAX_TOKENS];
    hashed tok[SCORE_MAX_TOKENS], joined[2] = {{0}};
    size_t n = name->tokens.n < SCORE_MAX_TOKENS ? name->tokens.n : SCORE_MAX_TOKENS;
    for (size_t i = 0; i < n; i++)
        tok[i] = token_hashed(name, i);
    if (name->tokens.n > 1) {
        joined[0] = joined_given ? joined_given[0] : hashed_of(name->joined);
        joined[1] = joined_given ? joined_given[1] : hashed_of(name->joined_all);
    }
    prefetch_lookups(ix, name, known, tok, n, joined);
    size_t n_tok = tokens_rarest_first(ix, &name->tokens, known, order, ids);
    s->nops = 0;
    for (size_t i = 0; i < n_tok; i++) {   /* the neighbours' list sizes, asked for together */
        const u32vec *near = typo_neighbours(ix, s, &tok[order[i]]);
        for (uint32_t k = 0; k < near->n; k++)
            __builtin_prefetch(&ix->tok_post[near->v[k]]);
    }
    for (size_t i = 0; i < n_tok; i++)
        word_ops(m, s, &tok[order[i]], ids[order[i]]);
    if (name->tokens.n > 1) {
        double w = matcher_weight_df(m, 0);
        push_op(s, postings_get_h(&ix->by_joined, joined[0].s, joined[0].len, joined[0].h), w,
                UINT32_MAX);
        if (strcmp(name->joined_all, name->joined) != 0)
            push_op(s, postings_get_h(&ix->by_joined, joined[1].s, joined[1].len, joined[1].h), w,
                    UINT32_MAX);
        uint32_t id = index_token_id_h(ix, joined[0].s, joined[0].len, joined[0].h);
        if (id != UINT32_MAX)
            push_op(s, &ix->tok_post[id], w, id);
    } else {
        push_op(s, postings_get_h(&ix->by_acronym, tok[0].s, tok[0].len, tok[0].h),
                m->cfg->w_acronym, UINT32_MAX);
    }
    uint32_t cap = (uint32_t)m->cfg->max_postings;
    for (size_t i = 0; i < s->nops; i++) {
        if (s->ops[i].l && s->ops[i].l->n > cap)
            s->ops[i].l = NULL;
        if (s->ops[i].l)    /* the lists' first lines, asked for together */
            __builtin_prefetch(s->ops[i].l->v);
    }
}
