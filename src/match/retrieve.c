/* retrieve.c - from one lead to a decision: gather domain, label and name evidence, score candidates,
 * break ties and apply the thresholds. */
#include "matcher_impl.h"

#include <stdlib.h>
#include <string.h>

#include "evidence.h"

/* Where each candidate is in ev->cand, by slot (open addressing, at most half full): a lead's
 * lists name the same account several times (its domain, its label, its name). */
#define CAND_TABLE (2 * EVIDENCE_MAX_CANDIDATES)
#define DOMAIN_KEYS 4   /* the email's and the website's registrable domains and label cores */

/* A domain or label list with more accounts new to the candidates than there is room for. */
typedef struct long_list {
    const u32vec *l;
    unsigned flags;
    const char *key;          /* its domain or label core (borrowed from the evidence) */
} long_list;

typedef struct cand_table {
    uint8_t at[CAND_TABLE];    /* 1 + the candidate's index; 0: empty */
    size_t nlong;
    long_list held[DOMAIN_KEYS];   /* waiting until the name candidates are in */
} cand_table;

_Static_assert(EVIDENCE_MAX_CANDIDATES < 256, "cand_table indexes in a byte");

/* The candidate that slot is, or NULL with *home set to where it would go in the table. */
static cand_eval *find_candidate(lead_evidence *ev, const cand_table *t, uint32_t slot,
                                 size_t *home)
{
    size_t at = (size_t)((slot * 0x9E3779B1u) >> 24) % CAND_TABLE;
    for (; t->at[at]; at = (at + 1) % CAND_TABLE)
        if (ev->cand[t->at[at] - 1].slot == slot)
            return &ev->cand[t->at[at] - 1];
    *home = at;
    return NULL;
}

/* Adds slot to the candidates, or its flags to the candidate it already is. */
static void add_candidate(lead_evidence *ev, cand_table *t, uint32_t slot, unsigned flags)
{
    size_t at;
    cand_eval *c = find_candidate(ev, t, slot, &at);
    if (c) {
        c->flags |= flags;
        return;
    }
    if (ev->ncand == EVIDENCE_MAX_CANDIDATES)
        return;
    ev->cand[ev->ncand++] = (cand_eval){.slot = slot, .flags = flags};
    t->at[at] = (uint8_t)ev->ncand;
}

/* How many of l's accounts are not candidates yet. */
static size_t count_new(lead_evidence *ev, const cand_table *t, const u32vec *l)
{
    size_t n = 0, at;
    for (uint32_t i = 0; i < l->n; i++)
        n += find_candidate(ev, t, l->v[i], &at) == NULL;
    return n;
}

/* Adds a domain or label list's accounts, or holds the list back when they do not all fit: which
 * of its accounts become candidates must not follow the list's order (the load order, which
 * l2ad's and `l2a match`'s loads do not share), nor crowd out the name candidates. */
static void add_postings(lead_evidence *ev, cand_table *t, const u32vec *l, unsigned flags,
                         const char *key)
{
    if (!l)
        return;
    size_t room = EVIDENCE_MAX_CANDIDATES - ev->ncand;
    if (l->n > room && count_new(ev, t, l) > room) {
        t->held[t->nlong++] = (long_list){l, flags, key};
        return;
    }
    for (uint32_t i = 0; i < l->n; i++)
        add_candidate(ev, t, l->v[i], flags);
}

/* Moves heap[i] down to its place in a heap whose root is the last slot in the tie order. */
static void sift_down(const account_index *ix, uint32_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t big = i, a = 2 * i + 1, b = a + 1;
        if (a < n && index_tie_first(ix, heap[big], heap[a]))
            big = a;
        if (b < n && index_tie_first(ix, heap[big], heap[b]))
            big = b;
        if (big == i)
            return;
        uint32_t s = heap[i];
        heap[i] = heap[big];
        heap[big] = s;
        i = big;
    }
}

#define KEY_AHEAD 16   /* how far ahead in a long list its accounts' keys are asked for */

/* Makes first[0..n) a heap whose root is the last slot in the tie order. */
static void make_heap(const account_index *ix, uint32_t *first, size_t n)
{
    for (size_t k = n / 2; k-- > 0;)
        sift_down(ix, first, n, k);
}

/* Puts into first[] the room first of h's accounts not yet candidates, in the tie order, and
 * gives h's flags to those already candidates; returns how many are not (room or more: cut). */
static size_t first_new(const account_index *ix, lead_evidence *ev, cand_table *t,
                        const long_list *h, size_t room, uint32_t *first)
{
    size_t n = 0, at;
    for (uint32_t i = 0; i < h->l->n; i++) {
        uint32_t slot = h->l->v[i];
        if (room && i + KEY_AHEAD < h->l->n)   /* the keys compared: a miss each, ahead */
            __builtin_prefetch(&ix->key[h->l->v[i + KEY_AHEAD]]);
        cand_eval *c = find_candidate(ev, t, slot, &at);
        if (c) {
            c->flags |= h->flags;
        } else if (n++ < room) {
            first[n - 1] = slot;
            if (n == room)
                make_heap(ix, first, n);
        } else if (room && index_tie_first(ix, slot, first[0])) {
            first[0] = slot;
            sift_down(ix, first, room, 0);
        }
    }
    size_t kept = n < room ? n : room;
    if (n < room)
        make_heap(ix, first, kept);
    for (size_t k = kept; k-- > 1;) {   /* sorted: the last in tie order to the end */
        uint32_t s = first[0];
        first[0] = first[k];
        first[k] = s;
        sift_down(ix, first, k, 0);
    }
    return n;
}

/* The held-back lists, once the name candidates are in: what room is left goes to their
 * accounts in the tie order, and the evidence says which lists were cut (verdict.c then chooses
 * no account that only such lists named). */
static void add_long_lists(const matcher *m, lead_evidence *ev, cand_table *t)
{
    uint32_t first[EVIDENCE_MAX_CANDIDATES];
    for (size_t i = 0; i < t->nlong; i++) {
        const long_list *h = &t->held[i];
        /* A label core shared by that many accounts (acme.de ~ acme.com) tells none of them
         * apart: its accounts already candidates take its flag, no others are weighed. */
        size_t room = h->flags == CAND_LABEL ? 0 : EVIDENCE_MAX_CANDIDATES - ev->ncand;
        size_t n = first_new(&m->ix, ev, t, h, room, first);
        for (size_t k = 0; k < n && k < room; k++)
            add_candidate(ev, t, first[k], h->flags);
        if (n <= room)
            continue;
        if (!ev->cut_flags) {   /* what a review names: the first list cut, the most precise */
            ev->cut_size = h->l->n;
            ev->cut_key = h->key;
        }
        ev->cut_flags |= h->flags;
    }
}

/* A key the lead looks up in a domain list, hashed once. */
typedef struct domain_key {
    const postings *in;
    const char *s;            /* borrowed from the evidence */
    size_t len;
    uint64_t h;
    unsigned flags;           /* what its accounts are candidates for */
} domain_key;

/* Domain evidence: exact registrable domain of the email and the website, then label cores. Every
 * key's map slot is asked for before the first lookup: a miss each, taken together. */
static void gather_domain_candidates(const matcher *m, lead_evidence *ev, cand_table *t)
{
    const account_index *ix = &m->ix;
    domain_key k[DOMAIN_KEYS];
    size_t n = 0;
    if (ev->email_reg && !ev->freemail && !ev->disposable)
        k[n++] = (domain_key){.in = &ix->by_domain, .s = ev->email_reg, .flags = CAND_EMAIL_DOMAIN};
    if (ev->web_reg)
        k[n++] = (domain_key){.in = &ix->by_domain, .s = ev->web_reg, .flags = CAND_WEB_DOMAIN};
    if (ev->email_core)
        k[n++] = (domain_key){.in = &ix->by_label, .s = ev->email_core, .flags = CAND_LABEL};
    if (ev->web_core)
        k[n++] = (domain_key){.in = &ix->by_label, .s = ev->web_core, .flags = CAND_LABEL};
    for (size_t i = 0; i < n; i++) {
        k[i].len = strlen(k[i].s);
        k[i].h = hash_bytes(k[i].s, k[i].len);
        postings_prefetch_h(k[i].in, k[i].h);
    }
    for (size_t i = 0; i < n; i++)
        add_postings(ev, t, postings_get_h(k[i].in, k[i].s, k[i].len, k[i].h), k[i].flags,
                     k[i].s);
}

/* Name evidence: accounts sharing rare words, typo neighbours, joined forms and acronyms. */
static void gather_name_candidates(const matcher *m, lead_evidence *ev, cand_table *t)
{
    if (ev->name.junk || !ev->name.tokens.n)
        return;
    uint32_t best[NAME_CANDIDATES];
    size_t n = name_candidates(m, &ev->name, ev->tok_id, ev->joined, best);
    for (size_t i = 0; i < n; i++)
        add_candidate(ev, t, best[i], CAND_NAME);
}

/* Decides a usable lead that no learned fact decides: its candidates scored. */
static void decide_by_candidates(const matcher *m, lead_evidence *ev, decision *out)
{
    bool learn = m->cfg->learn_enabled;
    cand_table seen = {.nlong = 0};
    gather_domain_candidates(m, ev, &seen);
    gather_name_candidates(m, ev, &seen);
    add_long_lists(m, ev, &seen);
    strbuf excluded;
    sb_init(&excluded);
    if (learn)
        (void)evidence_exclude_learned(m, ev, &excluded);
    evidence_score(m, ev);
    evidence_decide(m, ev, out);
    if (excluded.len) {
        decision_set_reason(out, "%s%s", out->reason ? out->reason : "", excluded.buf);
    }
    sb_free(&excluded);
    evidence_learn_domain(m, ev, out);
}

/* The decisions made without candidates keep the lead's id in an allocation of its own (a
 * decision by candidates packs it with its other strings). */
static void copy_lead_id(const lead *l, decision *out)
{
    out->lead_id = l->id ? xstrdup(l->id) : NULL;
}

void matcher_decide(const matcher *m, const lead *l, decision *out)
{
    lead_evidence ev;
    decision_init(out);
    evidence_read_lead(m, l, &ev);
    if (evidence_unusable(&ev)) {
        copy_lead_id(l, out);
        evidence_decide_invalid(&ev, out);
    } else if (m->cfg->learn_enabled && evidence_decide_learned(m, &ev, out)) {
        copy_lead_id(l, out);
    } else {
        decide_by_candidates(m, &ev, out);
    }
    evidence_facts(&ev, &out->facts);   /* last: it takes ev's strings */
    evidence_free(&ev);
}
