/* retrieve.c - from one lead to a decision: gather domain, label and name evidence, score candidates,
 * break ties and apply the thresholds. */
#include "matcher_impl.h"

#include <stdlib.h>
#include <string.h>

#include "evidence.h"

/* Candidate accounts under consideration for one lead. */
#define MAX_NAME_CANDIDATES 40

static void add_candidate(lead_evidence *ev, uint32_t slot, unsigned flags)
{
    for (size_t i = 0; i < ev->ncand; i++)
        if (ev->cand[i].slot == slot) {
            ev->cand[i].flags |= flags;
            return;
        }
    if (ev->ncand == EVIDENCE_MAX_CANDIDATES)
        return;
    ev->cand[ev->ncand++] = (cand_eval){.slot = slot, .flags = flags};
}

static void add_postings(lead_evidence *ev, const u32vec *l, unsigned flags)
{
    for (uint32_t i = 0; l && i < l->n; i++)
        add_candidate(ev, l->v[i], flags);
}

/* Domain evidence: exact registrable domain of the email and the website, then label cores. */
static void gather_domain_candidates(const matcher *m, lead_evidence *ev)
{
    const account_index *ix = &m->ix;
    if (ev->email_reg && !ev->freemail && !ev->disposable)
        add_postings(ev, postings_get(&ix->by_domain, ev->email_reg), CAND_EMAIL_DOMAIN);
    if (ev->web_reg)
        add_postings(ev, postings_get(&ix->by_domain, ev->web_reg), CAND_WEB_DOMAIN);
    if (ev->email_core)
        add_postings(ev, postings_get(&ix->by_label, ev->email_core), CAND_LABEL);
    if (ev->web_core)
        add_postings(ev, postings_get(&ix->by_label, ev->web_core), CAND_LABEL);
}

/* A slot's summed weight for the lead at hand, beside its account id's hash (id_hash | 1): ranking
 * reads both, and one cache line then serves both. */
typedef struct slot_acc {
    double w;                /* 0 when untouched */
    uint64_t h;
} slot_acc;

/* Per-lead scratch for candidate retrieval: a weight per account slot plus the slots touched, so
 * nothing is sorted and nothing is cleared but what was used. */
struct match_scratch {
    slot_acc *acc;           /* indexed by slot (owned) */
    size_t nslots;
    uint32_t *touched;       /* slots with acc > 0 (owned) */
    size_t ntouched;
    size_t captouched;
};

typedef struct slot_weight {
    uint32_t slot;
    double w;
    uint64_t h;              /* the account id's hash | 1 */
} slot_weight;

match_scratch *match_scratch_new(void)
{
    return xcalloc(1, sizeof(match_scratch));
}

void match_scratch_free(match_scratch *s)
{
    if (!s)
        return;
    free(s->acc);
    free(s->touched);
    free(s);
}

/* A slot keeps its account id for good (index.h), so the hashes copied once stay right. */
static void scratch_fit(match_scratch *s, const account_index *ix)
{
    if (s->nslots >= ix->n)
        return;
    s->acc = xrealloc(s->acc, ix->n * sizeof(*s->acc));
    for (size_t i = s->nslots; i < ix->n; i++)
        s->acc[i] = (slot_acc){0, ix->id_hash[i] | 1};
    s->nslots = ix->n;
}

/* How many entries ahead a walk over slots asks for the memory it will touch: the weights and id
 * hashes of a million accounts do not fit in the caches, and the slots come in no useful order. */
#define PREFETCH_AHEAD 16

/* Lists longer than this add weight only to accounts already found, once enough are found: a
 * word shared by thousands of accounts re-ranks candidates, it does not find better ones. */
#define COMMON_POSTINGS 1000

static void retrieval_add_list(match_scratch *s, const u32vec *l, double w, uint32_t cap)
{
    if (!l || l->n > cap)
        return;
    bool rerank_only = l->n > COMMON_POSTINGS && s->ntouched >= MAX_NAME_CANDIDATES;
    for (uint32_t i = 0; i < l->n; i++) {
        uint32_t slot = l->v[i];
        if (i + PREFETCH_AHEAD < l->n)
            __builtin_prefetch(&s->acc[l->v[i + PREFETCH_AHEAD]], 1);
        if (rerank_only && s->acc[slot].w == 0)
            continue;
        if (s->acc[slot].w == 0) {
            if (s->ntouched == s->captouched) {
                s->captouched = s->captouched ? s->captouched * 2 : 256;
                s->touched = xrealloc(s->touched, s->captouched * sizeof(*s->touched));
            }
            s->touched[s->ntouched++] = slot;
        }
        s->acc[slot].w += w;
    }
}

/* retrieval_add_list for an ascending list (a token's): once only found accounts can gain, and
 * they are few beside the list, each is looked up in it instead of the list being walked. The
 * sums are the same either way: each account in the list gains w once. */
static void retrieval_add_sorted(match_scratch *s, const u32vec *l, double w, uint32_t cap)
{
    bool rerank_only = l->n > COMMON_POSTINGS && s->ntouched >= MAX_NAME_CANDIDATES;
    if (!rerank_only || l->n > cap || s->ntouched * 8 > l->n) {
        retrieval_add_list(s, l, w, cap);
        return;
    }
    for (size_t i = 0; i < s->ntouched; i++) {
        uint32_t slot = s->touched[i];
        uint32_t at = u32_lower_bound(l, slot);
        if (s->acc[slot].w != 0 && at < l->n && l->v[at] == slot)
            s->acc[slot].w += w;
    }
}

/* Higher weight first; equal weights in the order of their ids' hashes (then ids), whatever the
 * load order. */
static bool better(const account_index *ix, const slot_weight *a, const slot_weight *b)
{
    if (a->w != b->w)
        return a->w > b->w;
    if (a->h != b->h)
        return a->h < b->h;
    return strcmp(ix->acc[a->slot].id, ix->acc[b->slot].id) < 0;
}

/* The best MAX_NAME_CANDIDATES slots by summed weight (ties: by account id hash), best first;
 * resets the scratch. */
static size_t retrieval_rank(const account_index *ix, match_scratch *s, slot_weight *best)
{
    size_t n = 0;
    for (size_t i = 0; i < s->ntouched; i++) {
        if (i + PREFETCH_AHEAD < s->ntouched)
            __builtin_prefetch(&s->acc[s->touched[i + PREFETCH_AHEAD]], 1);
        const slot_acc *a = &s->acc[s->touched[i]];
        slot_weight sw = {s->touched[i], a->w, a->h};
        s->acc[sw.slot].w = 0;
        if (n == MAX_NAME_CANDIDATES && !better(ix, &sw, &best[n - 1]))
            continue;
        size_t j = n < MAX_NAME_CANDIDATES ? n++ : n - 1;
        while (j > 0 && better(ix, &sw, &best[j - 1])) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = sw;
    }
    s->ntouched = 0;
    return n;
}

static void retrieve_token(const matcher *m, match_scratch *r, const char *tok, uint32_t cap)
{
    const account_index *ix = &m->ix;
    uint32_t id = index_token_id(ix, tok);
    if (id != UINT32_MAX)
        retrieval_add_sorted(r, &ix->tok_post[id], index_weight_df(ix, ix->tok_post[id].n), cap);
    u32vec near = {0};
    index_typo_neighbours(ix, tok, &near);
    for (uint32_t i = 0; i < near.n; i++) {
        const u32vec *l = &ix->tok_post[near.v[i]];
        retrieval_add_sorted(r, l, m->sp.typo * index_weight_df(ix, l->n), cap);
    }
    u32_free(&near);
    /* a lead word that is an account's words joined ("onetrust" for "One Trust") */
    retrieval_add_list(r, postings_get(&ix->by_joined, tok), index_weight_df(ix, 0), cap);
}

static uint32_t token_df(const account_index *ix, const char *tok)
{
    uint32_t id = index_token_id(ix, tok);
    return id == UINT32_MAX ? 0 : ix->tok_post[id].n;
}

/* Indexes of the tokens (at most SCORE_MAX_TOKENS), rarest first. */
static size_t tokens_rarest_first(const account_index *ix, const strvec *t, size_t *order)
{
    size_t n = t->n < SCORE_MAX_TOKENS ? t->n : SCORE_MAX_TOKENS;
    uint32_t df[SCORE_MAX_TOKENS];
    for (size_t i = 0; i < n; i++) {
        df[i] = token_df(ix, t->v[i]);
        size_t j = i;
        while (j > 0 && df[order[j - 1]] > df[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

/* Name evidence: accounts sharing rare words, typo neighbours, joined forms and acronyms. */
static void gather_name_candidates(const matcher *m, lead_evidence *ev)
{
    const account_index *ix = &m->ix;
    if (ev->name.junk || !ev->name.tokens.n)
        return;
    uint32_t cap = (uint32_t)m->cfg->max_postings;
    match_scratch *r = m->scratch;
    scratch_fit(r, ix);
    size_t order[SCORE_MAX_TOKENS];
    size_t n_tok = tokens_rarest_first(ix, &ev->name.tokens, order);
    for (size_t i = 0; i < n_tok; i++)
        retrieve_token(m, r, ev->name.tokens.v[order[i]], cap);
    if (ev->name.tokens.n > 1) {
        double w = index_weight_df(ix, 0);
        retrieval_add_list(r, postings_get(&ix->by_joined, ev->name.joined), w, cap);
        if (strcmp(ev->name.joined_all, ev->name.joined) != 0)
            retrieval_add_list(r, postings_get(&ix->by_joined, ev->name.joined_all), w, cap);
        uint32_t id = index_token_id(ix, ev->name.joined);
        if (id != UINT32_MAX)
            retrieval_add_sorted(r, &ix->tok_post[id], w, cap);
    } else {
        retrieval_add_list(r, postings_get(&ix->by_acronym, ev->name.tokens.v[0]),
                           m->cfg->w_acronym, cap);
    }
    slot_weight best[MAX_NAME_CANDIDATES];
    size_t n = retrieval_rank(ix, r, best);
    for (size_t i = 0; i < n; i++)
        add_candidate(ev, best[i].slot, CAND_NAME);
}

void matcher_decide(const matcher *m, const lead *l, decision *out)
{
    lead_evidence ev;
    decision_init(out);
    out->lead_id = l->id ? xstrdup(l->id) : NULL;
    evidence_read_lead(m, l, &ev);
    evidence_facts(&ev, &out->facts);
    if (evidence_unusable(&ev)) {
        evidence_decide_invalid(&ev, out);
        evidence_free(&ev);
        return;
    }
    bool learn = m->cfg->learn_enabled;
    if (learn && evidence_decide_learned(m, &ev, out)) {
        evidence_free(&ev);
        return;
    }
    gather_domain_candidates(m, &ev);
    gather_name_candidates(m, &ev);
    strbuf excluded;
    sb_init(&excluded);
    if (learn)
        (void)evidence_exclude_learned(m, &ev, &excluded);
    evidence_score(m, &ev);
    evidence_decide(m, &ev, out);
    if (excluded.len) {
        decision_set_reason(out, "%s%s", out->reason ? out->reason : "", excluded.buf);
    }
    sb_free(&excluded);
    evidence_learn_domain(m, &ev, out);
    evidence_free(&ev);
}
