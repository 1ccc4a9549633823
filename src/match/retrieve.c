/* retrieve.c - from one lead to a decision: gather domain, label and name evidence, score candidates,
 * break ties and apply the thresholds. */
#include "matcher_impl.h"

#include <stdlib.h>
#include <string.h>

#include "evidence.h"

/* Adds slot to the candidates, or its flags to the candidate it already is among the first
 * `known` (the others are distinct from it). */
static void add_candidate_among(lead_evidence *ev, size_t known, uint32_t slot, unsigned flags)
{
    for (size_t i = 0; i < known; i++)
        if (ev->cand[i].slot == slot) {
            ev->cand[i].flags |= flags;
            return;
        }
    if (ev->ncand == EVIDENCE_MAX_CANDIDATES)
        return;
    ev->cand[ev->ncand++] = (cand_eval){.slot = slot, .flags = flags};
}

static void add_candidate(lead_evidence *ev, uint32_t slot, unsigned flags)
{
    add_candidate_among(ev, ev->ncand, slot, flags);
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

/* Name evidence: accounts sharing rare words, typo neighbours, joined forms and acronyms. */
static void gather_name_candidates(const matcher *m, lead_evidence *ev)
{
    if (ev->name.junk || !ev->name.tokens.n)
        return;
    uint32_t best[NAME_CANDIDATES];
    size_t n = name_candidates(m, &ev->name, ev->tok_id, best);
    size_t by_domain = ev->ncand;   /* the name's candidates are distinct: only these can repeat */
    for (size_t i = 0; i < n; i++)
        add_candidate_among(ev, by_domain, best[i], CAND_NAME);
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
