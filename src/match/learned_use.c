/* learned_use.c - what learned facts do to one lead: an always fact decides it before scoring, a
 * never fact takes its account out of the candidates, and a name match on a new corporate domain
 * whose label spells the account's name is flagged for the account to learn that domain. */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

/* The lead's corporate email domain (not free-mail, disposable or rewritten by rules), or NULL. */
static const char *corporate_domain(const lead_evidence *ev)
{
    if (ev->email_st != EMAIL_OK || ev->freemail || ev->disposable)
        return NULL;
    return ev->email_reg;
}

bool evidence_decide_learned(const matcher *m, const lead_evidence *ev, decision *out)
{
    const char *dom = corporate_domain(ev);
    const learned_fact *f = dom && ev->name_key ? learned_always(m->learned, dom, ev->name_key)
                                                : NULL;
    long slot = f ? index_find(&m->ix, f->account_id) : -1;
    if (slot < 0)
        return false;
    const account *a = &m->ix.acc[slot];
    out->kind = DECISION_MATCH;
    out->account_id = xstrdup(a->id);
    out->score = 1.0;
    out->rule = "learned";
    out->cand[0] = (candidate){xstrdup(a->id), 1.0};
    out->ncand = 1;
    strbuf sb;
    sb_init(&sb);
    sb_appendf(&sb, "company '%s' at email domain %s is account '%s' (", ev->l->company, dom,
               a->name);
    learned_describe(f, &sb);
    sb_putc(&sb, ')');
    free(out->reason);
    out->reason = sb_take(&sb);
    return true;
}

size_t evidence_exclude_learned(const matcher *m, lead_evidence *ev, strbuf *note)
{
    if (!learned_names_never(m->learned, ev->name_key))
        return 0;
    size_t kept = 0, gone = 0;
    for (size_t i = 0; i < ev->ncand; i++) {
        const account *a = &m->ix.acc[ev->cand[i].slot];
        const learned_fact *f = learned_never(m->learned, corporate_domain(ev), ev->name_key,
                                              a->id);
        if (!f) {
            ev->cand[kept++] = ev->cand[i];
            continue;
        }
        sb_appendf(note, "; account '%s' (%s) excluded for this company: ", a->name, a->id);
        learned_describe(f, note);
        gone++;
    }
    ev->ncand = kept;
    return gone;
}

/* Does the email domain's label say this account's name? The whole name joined
 * (wayneenterprises), or its start running past the first word (wayne-ent for Wayne
 * Enterprises), or its website's label on another suffix (acme.de for acme.com) unless that
 * label is a word several account names share. The company name alone is not enough, nor its
 * first word: a domain shared by many companies (university-corp.com, universidadgroup.com)
 * would go to the first account named from it (measured by scripts/eval-learning). */
static bool label_is_the_name(const matcher *m, const lead_evidence *ev, const account *a,
                              unsigned flags)
{
    const char *core = ev->email_core;
    if (!core || !*core)
        return false;
    if (strcmp(core, a->joined) == 0 || strcmp(core, a->joined_all) == 0)
        return true;
    size_t len = strlen(core), first = a->ntok ? m->ix.words[a->tok[0]].len : 0;
    if (first && len > first && strncmp(a->joined, core, len) == 0)
        return true;
    uint32_t word = index_token_id(&m->ix, core);
    return (flags & CAND_LABEL) && (word == UINT32_MAX || m->ix.tok_post[word].n < 2);
}

void evidence_learn_domain(const matcher *m, const lead_evidence *ev, decision *out)
{
    const char *dom = corporate_domain(ev);
    if (!m->cfg->learn_domains || out->kind != DECISION_MATCH || !dom || ev->rewritten)
        return;
    for (size_t i = 0; i < ev->ncand; i++) {
        const cand_eval *c = &ev->cand[i];
        if (strcmp(c->id, out->account_id) != 0)
            continue;
        if (c->flags & (CAND_EMAIL_DOMAIN | CAND_WEB_DOMAIN | CAND_SUBDOMAIN))
            return;
        if (!label_is_the_name(m, ev, &m->ix.acc[c->slot], c->flags))
            return;
        strvec doms = account_domains(&m->ix.acc[c->slot]);
        if (sv_contains(&doms, dom))
            return;
        out->learn_domain = xstrdup(dom);
        return;
    }
}
