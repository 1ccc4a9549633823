/* match.c - from one lead to a decision: gather domain, label and name evidence, score candidates,
 * break ties and apply the thresholds. */
#include "matcher.h"

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

typedef struct slot_weight {
    uint32_t slot;
    double w;
} slot_weight;

typedef struct retrieval {
    slot_weight *v;
    size_t n;
    size_t cap;
} retrieval;

static void retrieval_add_list(retrieval *r, const u32vec *l, double w, uint32_t cap)
{
    if (!l || l->n > cap)
        return;
    for (uint32_t i = 0; i < l->n; i++) {
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 256;
            r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
        }
        r->v[r->n++] = (slot_weight){l->v[i], w};
    }
}

static int by_slot(const void *a, const void *b)
{
    const slot_weight *x = a, *y = b;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

static int by_weight_desc(const void *a, const void *b)
{
    const slot_weight *x = a, *y = b;
    return (x->w < y->w) - (x->w > y->w);
}

/* Sums weights per slot and keeps the best MAX_NAME_CANDIDATES. */
static size_t retrieval_rank(retrieval *r)
{
    if (!r->n)
        return 0;
    qsort(r->v, r->n, sizeof(*r->v), by_slot);
    size_t k = 0;
    for (size_t i = 1; i < r->n; i++) {
        if (r->v[i].slot == r->v[k].slot)
            r->v[k].w += r->v[i].w;
        else
            r->v[++k] = r->v[i];
    }
    size_t n = k + 1;
    qsort(r->v, n, sizeof(*r->v), by_weight_desc);
    return n < MAX_NAME_CANDIDATES ? n : MAX_NAME_CANDIDATES;
}

static void retrieve_token(const matcher *m, retrieval *r, const char *tok, uint32_t cap)
{
    const account_index *ix = &m->ix;
    uint32_t id = index_token_id(ix, tok);
    if (id != UINT32_MAX)
        retrieval_add_list(r, &ix->tok_post[id], index_weight_df(ix, ix->tok_post[id].n), cap);
    u32vec near = {0};
    index_typo_neighbours(ix, tok, &near);
    for (uint32_t i = 0; i < near.n; i++) {
        const u32vec *l = &ix->tok_post[near.v[i]];
        retrieval_add_list(r, l, m->sp.typo * index_weight_df(ix, l->n), cap);
    }
    u32_free(&near);
    /* a lead word that is an account's words joined ("onetrust" for "One Trust") */
    retrieval_add_list(r, postings_get(&ix->by_joined, tok), index_weight_df(ix, 0), cap);
}

/* Name evidence: accounts sharing rare words, typo neighbours, joined forms and acronyms. */
static void gather_name_candidates(const matcher *m, lead_evidence *ev)
{
    const account_index *ix = &m->ix;
    if (ev->name.junk || !ev->name.tokens.n)
        return;
    uint32_t cap = (uint32_t)m->cfg->max_postings;
    retrieval r = {0};
    for (size_t i = 0; i < ev->name.tokens.n; i++)
        retrieve_token(m, &r, ev->name.tokens.v[i], cap);
    if (ev->name.tokens.n > 1) {
        double w = index_weight_df(ix, 0);
        retrieval_add_list(&r, postings_get(&ix->by_joined, ev->name.joined), w, cap);
        if (strcmp(ev->name.joined_all, ev->name.joined) != 0)
            retrieval_add_list(&r, postings_get(&ix->by_joined, ev->name.joined_all), w, cap);
        uint32_t id = index_token_id(ix, ev->name.joined);
        if (id != UINT32_MAX)
            retrieval_add_list(&r, &ix->tok_post[id], w, cap);
    } else {
        retrieval_add_list(&r, postings_get(&ix->by_acronym, ev->name.tokens.v[0]),
                           m->cfg->w_acronym, cap);
    }
    size_t n = retrieval_rank(&r);
    for (size_t i = 0; i < n; i++)
        add_candidate(ev, r.v[i].slot, CAND_NAME);
    free(r.v);
}

void match_lead(const matcher *m, const lead *l, decision *out)
{
    lead_evidence ev;
    decision_init(out);
    out->lead_id = l->id ? xstrdup(l->id) : NULL;
    evidence_read_lead(m, l, &ev);
    if (evidence_unusable(&ev)) {
        evidence_decide_invalid(&ev, out);
        evidence_free(&ev);
        return;
    }
    gather_domain_candidates(m, &ev);
    gather_name_candidates(m, &ev);
    evidence_score(m, &ev);
    evidence_decide(m, &ev, out);
    evidence_free(&ev);
}
