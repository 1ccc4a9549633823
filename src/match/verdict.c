/* verdict.c - turning scored candidates into a decision: domain first, then name thresholds,
 * margins and configurable tie-breaks, each with a reason that names the evidence. */
#include "evidence.h"
#include "numfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#define EXACT_TIE 0.001

static const account *acct(const matcher *m, const cand_eval *c)
{
    return &m->ix.acc[c->slot];
}

static bool is_domain_hit(const cand_eval *c)
{
    return (c->flags & (CAND_EMAIL_DOMAIN | CAND_WEB_DOMAIN)) != 0;
}

/* The candidates' ids point at the index's until decision_pack_strings copies them. */
static void fill_candidates(const matcher *m, const lead_evidence *ev, decision *out)
{
    size_t max = (size_t)m->cfg->max_candidates;
    if (max > DECISION_MAX_CANDIDATES)
        max = DECISION_MAX_CANDIDATES;
    for (size_t i = 0; i < ev->ncand && out->ncand < max; i++) {
        if (ev->cand[i].score <= 0)
            break;
        out->cand[out->ncand].account_id = acct(m, &ev->cand[i])->id;
        out->cand[out->ncand].score = ev->cand[i].score;
        out->ncand++;
    }
}

/* account_id points at the index's until decision_pack_strings copies it. */
static void set_match(const matcher *m, decision *out, const cand_eval *c, const char *rule)
{
    out->kind = DECISION_MATCH;
    out->account_id = acct(m, c)->id;
    out->score = c->score;
    out->rule = rule;
}

/* A review of c (no account named): its score, under rule. */
static void set_review(decision *out, const cand_eval *c, const char *rule)
{
    out->kind = DECISION_REVIEW;
    out->score = c->score;
    out->rule = rule;
}

/* Appends s as printf's "%s" would (NULL as "(null)"). */
static void put_str(strbuf *sb, const char *s)
{
    sb_append(sb, s ? s : "(null)");
}

/* Appends ", <n><what>" (", 2 typo"). */
static void put_count(strbuf *sb, int n, const char *what)
{
    char num[NUMFMT_ROOM];
    sb_append(sb, ", ");
    sb_appendn(sb, num, numfmt_long(n, num));
    sb_append(sb, what);
}

/* "company 'X' ~ account name 'Y' (0.93: 2 exact, 1 typo)": the reason most decisions give,
 * put together piece by piece (printf parsed its format again for every lead). */
static void describe_name(const matcher *m, const lead_evidence *ev, const cand_eval *c,
                          strbuf *sb)
{
    char num[NUMFMT_ROOM];
    sb_append(sb, "company '");
    put_str(sb, ev->l->company);
    sb_append(sb, "' ~ account name '");
    put_str(sb, acct(m, c)->name);
    sb_append(sb, "' (");
    sb_appendn(sb, num, numfmt_f2(c->name_sim, num));
    sb_append(sb, ": ");
    sb_appendn(sb, num, numfmt_long(c->ex.exact, num));
    sb_append(sb, " exact");
    if (c->ex.joined)
        put_count(sb, c->ex.joined, " joined");
    if (c->ex.typo)
        put_count(sb, c->ex.typo, " typo");
    if (c->ex.prefix)
        put_count(sb, c->ex.prefix, " abbreviated");
    if (c->ex.acronym)
        sb_append(sb, ", acronym");
    if (c->ex.lead_extra || c->ex.acct_extra) {
        put_count(sb, c->ex.lead_extra, "+");
        sb_appendn(sb, num, numfmt_long(c->ex.acct_extra, num));
        sb_append(sb, " unmatched words");
    }
    sb_putc(sb, ')');
}

/* The lead's domain a domain hit c is named by in the reason: the email's, else the website's. */
static const char *hit_domain(const lead_evidence *ev, const cand_eval *c)
{
    return (c->flags & CAND_EMAIL_DOMAIN) ? ev->email_reg : ev->web_reg;
}

static void describe_domain(const matcher *m, const lead_evidence *ev, const cand_eval *c,
                            strbuf *sb)
{
    const char *dom = hit_domain(ev, c);
    sb_append(sb, (c->flags & CAND_EMAIL_DOMAIN) ? "email domain " : "lead website domain ");
    put_str(sb, dom);
    sb_append(sb, " = website of account '");
    put_str(sb, acct(m, c)->name);
    sb_putc(sb, '\'');
    if (ev->rewritten && (c->flags & CAND_EMAIL_DOMAIN))
        sb_append(sb, " (after domain rules)");
}

static void describe_label(const lead_evidence *ev, const cand_eval *c, strbuf *sb)
{
    if (c->flags & CAND_LABEL)
        sb_appendf(sb, "; domain label '%s' matches the account's website on another suffix",
                   ev->email_core ? ev->email_core : ev->web_core);
    else if (c->flags & CAND_LABEL_NAME)
        sb_appendf(sb, "; domain label '%s' spells the account name",
                   ev->email_core ? ev->email_core : ev->web_core);
}

/* What a group is ranked by: the name among accounts on the lead's domain, else the score. */
static double rank_key(const cand_eval *c, bool by_name)
{
    return by_name ? c->name_sim : c->score;
}

/* Could the tied accounts be one company (duplicate records, or one record without a website)?
 * Accounts with websites on different domains are different companies that share a name. */
static bool same_company_websites(const matcher *m, const uint32_t *slots, size_t n)
{
    const char *site = NULL;
    for (size_t i = 0; i < n; i++) {
        const account_lists *d = &m->ix.acc[slots[i]].domains;
        for (size_t j = 0; j < d->n; j++) {
            if (!site)
                site = d->v[j];
            else if (strcmp(site, d->v[j]) != 0)
                return false;
        }
    }
    return true;
}

/* Among exact ties, the one account whose website the lead's domain corroborates. */
static bool pick_corroborated(const matcher *m, const cand_eval *group, size_t n, decision *out,
                              strbuf *sb)
{
    const cand_eval *only = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(group[i].flags & (CAND_LABEL | CAND_LABEL_NAME)))
            continue;
        if (only)
            return false;
        only = &group[i];
    }
    if (!only)
        return false;
    set_match(m, out, only, "name+label");
    sb_appendf(sb, "; %zu accounts tied on the name, only '%s' has the lead's domain label", n,
               acct(m, only)->name);
    return true;
}

/* How well an account's regional qualifiers fit the lead's: 2 they share one, 1 the account has
 * none, 0 it has only others. */
static int qualifier_fit(const strvec *lead_q, const strvec *acct_q)
{
    if (!acct_q->n)
        return 1;
    for (size_t i = 0; i < lead_q->n; i++)
        if (sv_contains(acct_q, lead_q->v[i]))
            return 2;
    return 0;
}

/* Among exact ties, the one account whose qualifier agrees with the lead's ("Acme (UK)" for a lead
 * from "Acme UK", plain "Acme" for a lead without one). */
static bool pick_by_qualifier(const matcher *m, const lead_evidence *ev, const cand_eval *group,
                              size_t n, decision *out, strbuf *sb)
{
    int best = 0, count = 0;
    const cand_eval *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        strvec quals = account_qualifiers(acct(m, &group[i]));
        int fit = qualifier_fit(&ev->name.qualifiers, &quals);
        if (fit > best) {
            best = fit;
            count = 1;
            pick = &group[i];
        } else if (fit == best) {
            count++;
        }
    }
    if (best == 0 || count != 1)
        return false;
    set_match(m, out, pick, pick->rule);
    sb_appendf(sb, "; %zu accounts tied on the name, the regional qualifier picks '%s'", n,
               acct(m, pick)->name);
    return true;
}

/* Several accounts in a near tie: keep the exact ties and let the tie-breaks pick. */
static bool resolve_tie(const matcher *m, const lead_evidence *ev, const cand_eval *group,
                        size_t n, bool by_name, decision *out, strbuf *sb)
{
    uint32_t slots[EVIDENCE_MAX_CANDIDATES] = {0}; /* all set below; GCC 12 cannot tell */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rank_key(&group[0], by_name) - rank_key(&group[i], by_name) > EXACT_TIE)
            return false;
        slots[k++] = group[i].slot;
    }
    if (pick_corroborated(m, group, n, out, sb) || pick_by_qualifier(m, ev, group, n, out, sb))
        return true;
    if (!by_name && !same_company_websites(m, slots, k))
        return false;
    const char *why = NULL;
    long pick = tie_break(m, ev->l->company, slots, k, &why);
    if (pick < 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (group[i].slot == (uint32_t)pick) {
            set_match(m, out, &group[i], "tie_break");
            sb_appendf(sb, "; %zu accounts tied, tie-break '%s' chose '%s'", k, why,
                       acct(m, &group[i])->name);
            return true;
        }
    return false;
}

/* The best candidate and those within the margin of it (c sorted by the same key). */
static size_t near_group(const cand_eval *c, size_t n, double margin, bool by_name)
{
    size_t k = 1;
    while (k < n && rank_key(&c[k], by_name) > rank_key(&c[0], by_name) - margin)
        k++;
    return k;
}

static int by_name_sim_desc(const void *a, const void *b)
{
    const cand_eval *x = a, *y = b;
    if (x->name_sim != y->name_sim)
        return (x->name_sim < y->name_sim) - (x->name_sim > y->name_sim);
    return strcmp(x->id, y->id);
}

/* Among accounts sharing a domain the company name decides: group by name similarity. */
static void review_tie(const matcher *m, const cand_eval *c, size_t k, decision *out, strbuf *sb)
{
    set_review(out, &c[0], c[0].rule);
    sb_appendf(sb, "; ambiguous: %zu accounts within %.2f ('%s', '%s'%s)", k, m->cfg->t_margin,
               acct(m, &c[0])->name, acct(m, &c[1])->name, k > 2 ? ", ..." : "");
}

/* Was an account of the near group found through no list but those the candidate cap cut? Then
 * the accounts left out of those lists could rank as it does (what scoring finds, the label
 * spelling the name say, it could find in them too). */
static bool group_cut(const lead_evidence *ev, const cand_eval *group, size_t k)
{
    const unsigned found = CAND_EMAIL_DOMAIN | CAND_WEB_DOMAIN | CAND_LABEL | CAND_NAME;
    for (size_t i = 0; ev->cut_flags && i < k; i++)
        if (!(group[i].flags & found & ~ev->cut_flags))
            return true;
    return false;
}

/* No choice among a part of the accounts that could be the lead's. */
static void review_cut(const lead_evidence *ev, const cand_eval *c, decision *out, strbuf *sb)
{
    set_review(out, c, c->rule);
    sb_appendf(sb, "; ambiguous: %" PRIu32 " accounts share '%s', more than the %d compared, "
               "and the company does not single one out", ev->cut_size, ev->cut_key,
               EVIDENCE_MAX_CANDIDATES);
}

/* The best of a sorted group matches when it leads the rest by the margin; a near tie goes to the
 * tie-breaks, then to review. */
static void settle(const matcher *m, const lead_evidence *ev, const cand_eval *group, size_t n,
                   bool by_name, const char *rule, decision *out, strbuf *sb)
{
    size_t k = near_group(group, n, m->cfg->t_margin, by_name);
    if (group_cut(ev, group, k))
        review_cut(ev, group, out, sb);
    else if (k == 1)
        set_match(m, out, &group[0], rule);
    else if (!resolve_tie(m, ev, group, k, by_name, out, sb))
        review_tie(m, group, k, out, sb);
}

/* An account the company names clearly better than any account on the lead's domain, and which has
 * no website of its own: a subsidiary or brand that lives on its parent's domain. (The account
 * itself is read last: its domains are on its second cache line, which scoring did not ask for,
 * and most candidates fail the name tests first.) */
static bool names_sibling(const matcher *m, const cand_eval *c, double best_domain_sim)
{
    return !is_domain_hit(c) && c->name_sim >= m->cfg->t_match &&
           c->name_sim >= best_domain_sim + m->cfg->t_margin && acct(m, c)->domains.n == 0;
}

/* When the domain's accounts do not carry the company's name, an account elsewhere that does. */
static const cand_eval *names_elsewhere(const matcher *m, const lead_evidence *ev, double dom_sim)
{
    if (dom_sim >= m->cfg->t_review)
        return NULL;
    for (size_t i = 0; i < ev->ncand; i++)
        if (!is_domain_hit(&ev->cand[i]) && ev->cand[i].name_sim >= m->cfg->t_match)
            return &ev->cand[i];
    return NULL;
}

/* How many accounts have the domain the reason names for c: the candidates on the lead's
 * domains, or all the accounts of that domain when the candidate cap cut its list. */
static size_t domain_accounts(const lead_evidence *ev, const cand_eval *c, size_t ndom)
{
    const char *dom = hit_domain(ev, c);
    bool cut_is_named = ev->cut_key && dom && strcmp(ev->cut_key, dom) == 0;
    return cut_is_named && ev->cut_size > ndom ? ev->cut_size : ndom;
}

/* The email (or website) domain names one or more accounts; the company name ranks them. */
static void decide_by_domain(const matcher *m, lead_evidence *ev, decision *out, strbuf *sb)
{
    cand_eval hits[EVIDENCE_MAX_CANDIDATES];
    size_t nh = 0, ndom = 0;
    double best_dom = 0;
    for (size_t i = 0; i < ev->ncand; i++)
        if (is_domain_hit(&ev->cand[i]) && ev->cand[i].name_sim > best_dom)
            best_dom = ev->cand[i].name_sim;
    for (size_t i = 0; i < ev->ncand; i++)
        if (names_sibling(m, &ev->cand[i], best_dom))
            hits[nh++] = ev->cand[i];
    bool sibling = nh > 0;
    for (size_t i = 0; i < ev->ncand && !sibling; i++)
        if (is_domain_hit(&ev->cand[i]))
            hits[nh++] = ev->cand[i];
    for (size_t i = 0; i < ev->ncand; i++)
        ndom += is_domain_hit(&ev->cand[i]);
    qsort(hits, nh, sizeof(*hits), by_name_sim_desc);
    const cand_eval *first_dom = ev->cand;
    while (!is_domain_hit(first_dom))
        first_dom++;
    describe_domain(m, ev, first_dom, sb);
    size_t others = domain_accounts(ev, first_dom, ndom) - 1;
    if (others)
        sb_appendf(sb, " and %zu other accounts", others);
    if (hits[0].name_sim > 0) {
        sb_append(sb, "; ");
        describe_name(m, ev, &hits[0], sb);
    }
    if (sibling)
        sb_append(sb, "; that account has no website and the company names it better than any "
                      "account on the domain");
    const cand_eval *other = sibling ? NULL : names_elsewhere(m, ev, hits[0].name_sim);
    if (other) {
        set_review(out, &hits[0], "conflict");
        sb_append(sb, "; but the company names another account: ");
        describe_name(m, ev, other, sb);
        return;
    }
    settle(m, ev, hits, nh, true, sibling ? "name" : hits[0].rule, out, sb);
}

static double match_threshold(const matcher *m, const lead_evidence *ev)
{
    return ev->email_st == EMAIL_OK && !ev->freemail && !ev->disposable ? m->cfg->t_match
                                                                       : m->cfg->t_match_freemail;
}

static void review_subdomain(const matcher *m, const lead_evidence *ev, const cand_eval *c,
                             decision *out, strbuf *sb)
{
    set_review(out, c, c->rule);
    sb_appendf(sb, "email host %s is under %s, a website of account '%s', but that sub-domain may "
               "be a separate unit and the company '%s' does not confirm it", ev->email_host,
               ev->email_reg, acct(m, c)->name, ev->l->company ? ev->l->company : "");
}

/* A corporate email on a domain that is not the account's website nor a variant of it. */
static bool other_corporate_domain(const matcher *m, const lead_evidence *ev, const cand_eval *c)
{
    return ev->email_core && acct(m, c)->domains.n > 0 &&
           !(c->flags & (CAND_LABEL | CAND_LABEL_NAME | CAND_WEB_DOMAIN)) && m->cfg->t_review > 0;
}

static void decide_by_name(const matcher *m, lead_evidence *ev, decision *out, strbuf *sb)
{
    const cand_eval *best = &ev->cand[0];
    double t = match_threshold(m, ev);
    if (best->flags & CAND_SUBDOMAIN) {
        review_subdomain(m, ev, best, out, sb);
        return;
    }
    describe_name(m, ev, best, sb);
    describe_label(ev, best, sb);
    out->score = best->score;
    out->rule = best->rule;
    if (best->score >= t && other_corporate_domain(m, ev, best)) {
        out->kind = DECISION_REVIEW;
        sb_appendf(sb, "; but the lead's domain %s is not the account's website %s",
                   ev->email_reg, acct(m, best)->domains.v[0]);
        return;
    }
    if (best->score < t) {
        out->kind = best->score >= m->cfg->t_review ? DECISION_REVIEW : DECISION_NO_MATCH;
        char num[NUMFMT_ROOM];
        sb_append(sb, "; ");
        sb_appendn(sb, num, numfmt_f2(best->score, num));
        sb_append(sb, " is below the match threshold ");
        sb_appendn(sb, num, numfmt_f2(t, num));
        if (t > m->cfg->t_match)
            sb_append(sb, " for leads without a corporate email");
        return;
    }
    settle(m, ev, ev->cand, ev->ncand, false, best->rule, out, sb);
}

static void describe_context(const lead_evidence *ev, strbuf *sb)
{
    if (ev->disposable)
        sb_appendf(sb, "disposable email domain %s; ", ev->email_reg);
    else if (ev->freemail) {
        sb_append(sb, "free-mail address (");
        put_str(sb, ev->email_reg);
        sb_append(sb, "); ");
    }
    else if (ev->email_st != EMAIL_OK && ev->email_st != EMAIL_EMPTY)
        sb_appendf(sb, "email '%s' unusable (%s); ", ev->l->email, ev->email_err);
    else if (ev->email_reg && !ev->ncand)
        sb_appendf(sb, "no account on domain %s; ", ev->email_reg);
}

static void decide_nothing(const lead_evidence *ev, decision *out, strbuf *sb)
{
    out->kind = DECISION_NO_MATCH;
    out->rule = "none";
    if (ev->name.junk)
        sb_appendf(sb, "company '%s' carries no evidence and no account has the domain",
                   ev->l->company ? ev->l->company : "");
    else
        sb_appendf(sb, "no account shares a distinctive word with company '%s'", ev->l->company);
}

void evidence_decide(const matcher *m, lead_evidence *ev, decision *out)
{
    strbuf sb;
    sb_init(&sb);
    sb_reserve(&sb, 511);   /* most reasons and the ids packed after them fit: one allocation */
    describe_context(ev, &sb);
    bool has_domain = false;
    for (size_t i = 0; i < ev->ncand; i++)
        has_domain |= is_domain_hit(&ev->cand[i]);
    if (has_domain) {
        decide_by_domain(m, ev, out, &sb);
    } else if (ev->ncand && ev->cand[0].score > 0) {
        decide_by_name(m, ev, out, &sb);
    } else {
        decide_nothing(ev, out, &sb);
    }
    fill_candidates(m, ev, out);
    out->lead_id = ev->l->id;   /* the lead's, copied with the rest: */
    decision_pack_strings(out, &sb);
}
