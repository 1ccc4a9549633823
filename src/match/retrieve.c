/* retrieve.c - from one lead to a decision: gather domain, label and name evidence, score candidates,
 * break ties and apply the thresholds. */
#include "matcher_impl.h"

#include <stdlib.h>
#include <string.h>

#include "evidence.h"

/* Where each candidate is in ev->cand, by slot (open addressing, at most half full): a lead's
 * lists name the same account several times (its domain, its label, its name). */
#define CAND_TABLE (2 * EVIDENCE_MAX_CANDIDATES)

typedef struct cand_table {
    uint8_t at[CAND_TABLE];    /* 1 + the candidate's index; 0: empty */
} cand_table;

_Static_assert(EVIDENCE_MAX_CANDIDATES < 256, "cand_table indexes in a byte");

/* Adds slot to the candidates, or its flags to the candidate it already is. */
static void add_candidate(lead_evidence *ev, cand_table *t, uint32_t slot, unsigned flags)
{
    size_t at = (size_t)((slot * 0x9E3779B1u) >> 24) % CAND_TABLE;
    for (; t->at[at]; at = (at + 1) % CAND_TABLE)
        if (ev->cand[t->at[at] - 1].slot == slot) {
            ev->cand[t->at[at] - 1].flags |= flags;
            return;
        }
    if (ev->ncand == EVIDENCE_MAX_CANDIDATES)
        return;
    ev->cand[ev->ncand++] = (cand_eval){.slot = slot, .flags = flags};
    t->at[at] = (uint8_t)ev->ncand;
}

static void add_postings(lead_evidence *ev, cand_table *t, const u32vec *l, unsigned flags)
{
    for (uint32_t i = 0; l && i < l->n; i++)
        add_candidate(ev, t, l->v[i], flags);
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
    domain_key k[4];
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
        add_postings(ev, t, postings_get_h(k[i].in, k[i].s, k[i].len, k[i].h), k[i].flags);
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
    cand_table seen = {{0}};
    gather_domain_candidates(m, ev, &seen);
    gather_name_candidates(m, ev, &seen);
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
