/* evidence.c - reading a lead's evidence (email, website, company) and scoring candidate accounts. */
#include "evidence.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* A malloc'd string (or NULL) moved into b: the lead's evidence lives in the thread's bump. */
static char *keep(bump *b, char *owned)
{
    if (!owned)
        return NULL;
    char *kept = bump_strdup(b, owned);
    free(owned);
    return kept;
}

/* The host after the domain rules; *changed when they changed it. */
static const char *apply_domain_rules(const matcher *m, bump *b, const char *host, bool *changed)
{
    *changed = false;
    if (!m->cfg->domain_rewrites.n)
        return host;
    return keep(b, regex_list_rewrite(&m->cfg->domain_rewrites, host, changed));
}

static const char *apply_alias(const matcher *m, const char *reg, bool *changed)
{
    const pair_list *al = &m->cfg->domain_aliases;
    for (size_t i = 0; reg && i < al->n; i++) {
        if (strcmp(al->v[i].from, reg) == 0) {
            *changed = true;
            return al->v[i].to;
        }
    }
    return reg;
}

/* The core of the label of the registrable domain reg, in b. plain: reg is the registrable
 * domain of a plain ASCII host as email_parse_bump or website_registrable_bump read it
 * (unchanged since), which is its own label up to its first dot. */
static const char *core_of(const matcher *m, bump *b, const char *reg, bool plain)
{
    if (!reg)
        return NULL;
    char *owned = plain ? NULL : domain_label(reg);
    const char *label = plain ? reg : owned;
    if (!label)
        return NULL;
    size_t len = plain ? strcspn(reg, ".") : strlen(owned);
    char *core = bump_alloc(b, len + 1);
    index_label_core_into(&m->ix, label, len, core);
    free(owned);
    return core;
}

/* Is every label of the host left of the registrable domain generic (mail., emea., de.)? */
static bool generic_subdomain(const matcher *m, const char *host, const char *reg)
{
    size_t hl = strlen(host), rl = strlen(reg);
    if (hl <= rl + 1)
        return true;
    char *sub = xstrndup(host, hl - rl - 1);
    bool generic = true;
    char *save = NULL;
    for (char *lab = strtok_r(sub, ".", &save); lab && generic; lab = strtok_r(NULL, ".", &save))
        generic = strlen(lab) <= 2 || sv_contains(&m->cfg->generic_subdomains, lab);
    free(sub);
    return generic;
}

/* local@host in b. */
static char *address_of(bump *b, const email_addr *ea)
{
    size_t nl = strlen(ea->local), nh = strlen(ea->host);
    char *addr = bump_alloc(b, nl + nh + 2);
    memcpy(addr, ea->local, nl);
    addr[nl] = '@';
    memcpy(addr + nl + 1, ea->host, nh + 1);
    return addr;
}

static void read_email(const matcher *m, bump *b, const lead *l, lead_evidence *ev)
{
    email_addr ea = {0};
    bool plain = false;
    ev->email_st = l->email ? email_parse_bump(l->email, &ea, &ev->email_err, b, &plain)
                            : EMAIL_EMPTY;
    if (ev->email_st != EMAIL_OK)
        return;
    ev->email_addr = address_of(b, &ea);
    bool changed;
    ev->email_host = apply_domain_rules(m, b, ea.host, &changed);
    ev->email_reg = changed ? keep(b, domain_registrable(ev->email_host)) : ea.registrable;
    ev->email_reg = apply_alias(m, ev->email_reg, &changed);
    ev->rewritten = changed;
    if (!ev->email_reg)
        return;
    ev->unit_subdomain = !changed && !generic_subdomain(m, ev->email_host, ev->email_reg);
    plain = plain && !changed;          /* email_parse_bump's, unchanged */
    domain_sets_contain_either(m->freemail, m->disposable, ev->email_host,
                               plain ? ev->email_reg : NULL, ev->email_reg, &ev->freemail,
                               &ev->disposable);
    if (!ev->freemail && !ev->disposable)
        ev->email_core = core_of(m, b, ev->email_reg, plain);
}

static void read_website(const matcher *m, bump *b, const lead *l, lead_evidence *ev)
{
    if (!l->website)
        return;
    bool plain = false;
    const char *reg = website_registrable_bump(l->website, strlen(l->website), b, &plain);
    bool in_free = false, in_disp = false;
    if (reg)
        domain_sets_contain(m->freemail, m->disposable, reg, &in_free, &in_disp);
    if (!reg || in_free || in_disp)
        return;
    bool changed = false;
    ev->web_reg = apply_alias(m, reg, &changed);
    if (!ev->email_reg || strcmp(ev->web_reg, ev->email_reg) != 0)
        ev->web_core = core_of(m, b, ev->web_reg, plain && !changed);
}

/* Significant words, then regional qualifiers, one space apart, in b; NULL for a junk company. */
static const char *name_key(bump *b, const norm_name *n)
{
    if (n->junk || !n->tokens.n)
        return NULL;
    const strvec *parts[] = {&n->tokens, &n->qualifiers};
    size_t need = 1;
    for (size_t p = 0; p < ARRAY_LEN(parts); p++)
        for (size_t i = 0; i < parts[p]->n; i++)
            need += strlen(parts[p]->v[i]) + 1;
    char *key = bump_alloc(b, need), *at = key;
    for (size_t p = 0; p < ARRAY_LEN(parts); p++)
        for (size_t i = 0; i < parts[p]->n; i++) {
            size_t len = strlen(parts[p]->v[i]);
            if (at > key)
                *at++ = ' ';
            memcpy(at, parts[p]->v[i], len);
            at += len;
        }
    *at = '\0';
    return key;
}

/* The company parsed (into the thread's name_mem), its key and joined names hashed, and its
 * words' vocabulary slots asked for (their hashes into hash): read_email and read_website run
 * while those come, then name_words looks the words up. */
static void read_name(const matcher *m, thread_mem *t, const lead *l, lead_evidence *ev,
                      uint64_t *hash)
{
    const char *company = l->company;
    char *rewritten = NULL;
    if (company && m->cfg->name_rewrites.n) {
        bool changed = false;
        rewritten = regex_list_rewrite(&m->cfg->name_rewrites, company, &changed);
        company = rewritten;
    }
    norm_name_parse_bump(m->rules, company, &ev->name, t->name_scratch, &t->name_mem);
    free(rewritten);
    ev->name_key = name_key(&t->name_mem, &ev->name);
    const norm_name *nn = &ev->name;
    if (nn->junk)
        return;
    ev->joined[0] = hashed_of(nn->joined);
    ev->joined[1] = hashed_of(nn->joined_all);
    size_t n = nn->tokens.n < SCORE_MAX_TOKENS ? nn->tokens.n : SCORE_MAX_TOKENS;
    for (size_t i = 0; i < n; i++) {   /* (the parse kept the tokens' hashes) */
        ev->view.tok[i] = nn->tokens.v[i];
        ev->view.len[i] = nn->tok_len ? nn->tok_len[i] : (uint32_t)strlen(nn->tokens.v[i]);
        hash[i] = nn->tok_hash ? nn->tok_hash[i] : hash_bytes(nn->tokens.v[i], ev->view.len[i]);
        strmap_prefetch_read_h(m->ix.vocab, hash[i]);
    }
}

/* The name's words' vocabulary ids and weights (hash: their hashes, from read_name): every word's
 * key and the word its slot names are asked for before the first is compared. */
static void name_words(const matcher *m, lead_evidence *ev, const uint64_t *hash)
{
    const account_index *ix = &m->ix;
    size_t n = ev->name.tokens.n < SCORE_MAX_TOKENS ? ev->name.tokens.n : SCORE_MAX_TOKENS;
    if (ev->name.junk)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t guess = strmap_prefetch_key_h(ix->vocab, hash[i]);
        if (guess < ix->nvocab)
            __builtin_prefetch(&ix->words[guess]);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ev->tok_id[i] = index_token_id_h(ix, ev->view.tok[i], ev->view.len[i], hash[i]);
        ev->view.w[i] = matcher_weight_df(m, id == UINT32_MAX ? 0 : ix->words[id].df);
        ev->view.known[i] = id != UINT32_MAX;
        ev->view.id[i] = id;
    }
    ev->view.n = n;
    ev->view.by_id = true;
    name_view_masks(&ev->view);
}

/* The name first: its words' lookups come while the email and the website are read. */
void evidence_read_lead(const matcher *m, const lead *l, lead_evidence *ev)
{
    memset(ev, 0, offsetof(lead_evidence, cand));   /* not the candidates: 10 KiB a lead */
    ev->ncand = 0;
    ev->l = l;
    thread_mem *t = matcher_mem(m);
    bump_reset(&t->name_mem);   /* the last lead's evidence is gone */
    uint64_t hash[SCORE_MAX_TOKENS];
    read_name(m, t, l, ev, hash);
    read_email(m, &t->name_mem, l, ev);
    read_website(m, &t->name_mem, l, ev);
    name_words(m, ev, hash);
}

void evidence_free(lead_evidence *ev)
{
    (void)ev;   /* its strings are in the thread's name_mem (evidence_read_lead) */
}

bool evidence_unusable(const lead_evidence *ev)
{
    return !ev->l->id || (ev->email_st != EMAIL_OK && !ev->web_reg && ev->name.junk);
}

void evidence_decide_invalid(const lead_evidence *ev, decision *out)
{
    out->kind = DECISION_INVALID;
    out->rule = "invalid";
    if (!ev->l->id) {
        decision_set_reason(out, "lead has no id");
        return;
    }
    const char *email = ev->l->email ? ev->l->email : "";
    const char *why = ev->email_st == EMAIL_EMPTY ? "no email" : ev->email_err;
    decision_set_reason(out, "nothing to match on: email '%s' (%s), company '%s' carries no evidence",
                        email, why ? why : "unusable", ev->l->company ? ev->l->company : "");
}

static void account_view(const matcher *m, const account *a, name_view *v)
{
    const account_index *ix = &m->ix;
    v->n = a->ntok < SCORE_MAX_TOKENS ? a->ntok : SCORE_MAX_TOKENS;
    v->by_id = true;
    v->has_masks = true;
    v->has_totals = false;   /* (only a lead's view is read for them) */
    v->lens = v->sums = 0;
    for (size_t i = 0; i < v->n; i++) {
        const vocab_word *w = &ix->words[a->tok[i]];
        v->tok[i] = w->str;
        v->len[i] = w->len;
        v->id[i] = a->tok[i];
        v->w[i] = matcher_weight_df(m, w->df);
        name_masks_add(v, i, &v->lens, &v->sums);
    }
}

/* Is s the string core (the first bytes compared before a call)? */
static bool is_core(const char *core, const char *s)
{
    return s && s[0] == core[0] && strcmp(core, s) == 0;
}

/* Does a domain label core spell the account's name: joined words, acronym, the start of the
 * joined name, or one of its longer words ("chaudharygroup" for Chaudhary Charan Singh
 * University once the suffix is stripped)? */
static bool core_spells_name(const char *core, size_t len, uint32_t core_word, const account *a)
{
    if (len < 3)
        return false;
    if (len < 4)
        return is_core(core, a->joined) || is_core(core, a->joined_all) ||
               is_core(core, a->acronym);
    /* (a joined name that starts with the core is one that is the core, too) */
    if (is_core(core, a->joined_all) || is_core(core, a->acronym) ||
        (a->joined[0] == core[0] && strncmp(a->joined, core, len) == 0))
        return true;
    for (uint32_t i = 0; core_word != UINT32_MAX && i < a->ntok; i++)   /* equal ids: the word */
        if (a->tok[i] == core_word)
            return true;
    return false;
}

/* A one-word company that is the initials of the account's name (3+ words). */
static bool is_acronym_of(const lead_evidence *ev, const account *a)
{
    if (ev->view.n != 1 || !a->acronym)
        return false;
    size_t len = strlen(ev->view.tok[0]);
    return len >= 3 && len <= 6 && strcmp(ev->view.tok[0], a->acronym) == 0;
}

/* Up to this many accounts a list is searched for an account; a longer one is taken to hold it. */
#define LISTED_SCAN 32

static bool may_be_listed(const u32vec *l, uint32_t slot)
{
    if (!l)
        return false;
    if (l->n > LISTED_SCAN)
        return true;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i] == slot)
            return true;
    return false;
}

/* Is the account's name the lead's but for spaces (joined names equal)? Every account is filed in
 * by_joined under its non-empty joined names, so one in neither of the lead's lists has neither,
 * and its strings are not read. */
static bool same_joined_name(const lead_evidence *ev, const account *a, uint32_t slot)
{
    if (ev->same_name_listed && !may_be_listed(ev->same_name[0], slot) &&
        !may_be_listed(ev->same_name[1], slot))
        return false;
    return strcmp(ev->name.joined_all, a->joined_all) == 0 ||
           strcmp(ev->name.joined, a->joined) == 0;
}

/* Looks up the lead's lists for same_joined_name (the joined names hashed by read_name). */
static void same_name_lists(const account_index *ix, lead_evidence *ev)
{
    const char *all = ev->name.joined_all, *joined = ev->name.joined;
    ev->same_name_listed = !ev->name.junk && all && *all && joined && *joined;
    if (!ev->same_name_listed)
        return;
    const hashed *j = ev->joined;
    ev->same_name[0] = postings_get_h(&ix->by_joined, all, j[1].len, j[1].h);
    ev->same_name[1] = strcmp(all, joined) != 0
                           ? postings_get_h(&ix->by_joined, joined, j[0].len, j[0].h) : NULL;
}

static void score_one(const matcher *m, lead_evidence *ev, cand_eval *c)
{
    const engine_opts *cfg = m->cfg;
    const account *a = &m->ix.acc[c->slot];
    c->id = a->id;
    c->name_sim = 0.0;
    if (ev->view.n) {   /* (a lead without a company: no account's words read) */
        name_view av;
        account_view(m, a, &av);
        c->name_sim = name_similarity(&ev->view, &av, &m->sp, &c->ex);
    }
    if (ev->view.n && same_joined_name(ev, a, c->slot)) {
        c->name_sim = 1.0;    /* the same name but for spaces: "Business On Bot" */
        c->ex.lead_extra = c->ex.acct_extra = 0;
    }
    if (c->name_sim < cfg->w_acronym && is_acronym_of(ev, a)) {
        c->name_sim = cfg->w_acronym;   /* "UTES" for Universidad Tecnologica de El Salvador */
        c->ex.acronym = 1;
    }
    if (core_spells_name(ev->email_core, ev->core_len[0], ev->core_word[0], a) ||
        core_spells_name(ev->web_core, ev->core_len[1], ev->core_word[1], a))
        c->flags |= CAND_LABEL_NAME;
    if (ev->unit_subdomain && (c->flags & CAND_EMAIL_DOMAIN) && !(c->flags & CAND_WEB_DOMAIN) &&
        c->name_sim < cfg->t_match) {
        c->flags = (c->flags & ~(unsigned)CAND_EMAIL_DOMAIN) | CAND_SUBDOMAIN;
        c->score = cfg->t_review;
        c->rule = "subdomain";
        return;
    }
    if (c->flags & (CAND_EMAIL_DOMAIN | CAND_WEB_DOMAIN)) {
        c->score = cfg->domain_score + (1.0 - cfg->domain_score) * c->name_sim;
        c->rule = c->name_sim >= cfg->t_review ? "domain+name" : "domain";
    } else if ((c->flags & (CAND_LABEL | CAND_LABEL_NAME)) && c->name_sim > 0) {
        c->score = c->name_sim + cfg->label_bonus;
        if (c->score > 1.0)
            c->score = 1.0;
        c->rule = "name+label";
    } else {
        c->score = c->name_sim;
        c->rule = "name";
    }
}

/* Does x come before y? Higher score, then higher name similarity, then a label, then the id. */
static bool ranks_before(const cand_eval *x, const cand_eval *y)
{
    if (x->score != y->score)
        return x->score > y->score;
    if (x->name_sim != y->name_sim)
        return x->name_sim > y->name_sim;
    unsigned xl = x->flags & (CAND_LABEL | CAND_LABEL_NAME);
    unsigned yl = y->flags & (CAND_LABEL | CAND_LABEL_NAME);
    if (!xl != !yl)
        return xl != 0;
    return strcmp(x->id, y->id) < 0;
}

/* Puts candidate i among the n indexes of order sorted so far, its place found by halving. */
static void insert_ranked(const cand_eval *cand, uint8_t *order, size_t n, uint8_t i)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ranks_before(&cand[i], &cand[order[mid]]))
            hi = mid;
        else
            lo = mid + 1;
    }
    memmove(&order[lo + 1], &order[lo], n - lo);
    order[lo] = i;
}

static bool is_domain_hit(const cand_eval *c)
{
    return (c->flags & (CAND_EMAIL_DOMAIN | CAND_WEB_DOMAIN)) != 0;
}

/* Is c the account named elsewhere that names_elsewhere (verdict.c) looks for? */
static bool names_well_elsewhere(const engine_opts *cfg, const cand_eval *c)
{
    return !is_domain_hit(c) && c->name_sim >= cfg->t_match;
}

/* Can the order of the candidates scoring 0 or less reach the decision? Only the ones scoring
 * more are listed in it (fill_candidates); the others are read in order only as the first domain
 * hit (none scores more), as the account named elsewhere (a name_sim of t_match or more), or in
 * the near tie of the best (its score within the margin of 0): with the default thresholds, only
 * the last. best: the best candidate scoring more than 0, or NULL (then no near tie is read). */
static bool rest_order_read(const engine_opts *cfg, const cand_eval *best, const cand_eval *rest,
                            const uint8_t *idx, size_t n)
{
    if (best && n && !(best->score - cfg->t_margin > 0))
        return true;
    for (size_t i = 0; i < n; i++) {
        const cand_eval *c = &rest[idx[i]];
        if (is_domain_hit(c) || c->name_sim >= cfg->t_match)
            return true;
    }
    return false;
}

/* The candidates scoring more than 0 ranked whatever the others: as many as a decision lists
 * (fill_candidates reads max_candidates so), and at least HEAD_MIN, so that the near tie of the
 * best seldom reaches past them. */
#define HEAD_MIN 4

static size_t head_size(const engine_opts *cfg)
{
    size_t listed = (size_t)cfg->max_candidates;   /* as fill_candidates reads it */
    if (listed > DECISION_MAX_CANDIDATES)
        listed = DECISION_MAX_CANDIDATES;
    return listed > HEAD_MIN ? listed : HEAD_MIN;
}

/* Offers candidate i to head (*n ranked, best first, at most cap), walking up from the last as
 * name_topk's offer does; the candidate left out (i, or the last it pushed out) goes to tail. */
static void head_offer(const cand_eval *cand, uint8_t *head, size_t *n, size_t cap, uint8_t i,
                       uint8_t *tail, size_t *ntail)
{
    if (*n == cap && !ranks_before(&cand[i], &cand[head[cap - 1]])) {
        tail[(*ntail)++] = i;
        return;
    }
    if (*n == cap)
        tail[(*ntail)++] = head[cap - 1];
    size_t k = *n < cap ? (*n)++ : cap - 1;
    for (; k > 0 && ranks_before(&cand[i], &cand[head[k - 1]]); k--)
        head[k] = head[k - 1];
    head[k] = i;
}

/* The near tie of the best (near_group, verdict.c) can reach past the head only when the head's
 * last is within the margin of its first: then the tail's candidates within that margin are put
 * first in it (in no set order); how many. Every other one ranks after them, so near_group stops
 * at whichever comes first. */
static size_t near_tail_first(const engine_opts *cfg, const cand_eval *cand, const uint8_t *head,
                              size_t nhead, uint8_t *tail, size_t ntail)
{
    if (!ntail)   /* (else the head is full) */
        return 0;
    double best = cand[head[0]].score;
    if (!(cand[head[nhead - 1]].score > best - cfg->t_margin))
        return 0;
    size_t near = 0;
    for (size_t i = 0; i < ntail; i++) {
        if (cand[tail[i]].score > best - cfg->t_margin) {
            uint8_t t = tail[near];
            tail[near++] = tail[i];
            tail[i] = t;
        }
    }
    return near;
}

/* Can the order of the candidates scoring more than 0 that follow the (full) head and the near
 * tie reach the decision? Past them the decision reads them in order only as the first domain hit
 * (when the head has none), or as the first account named elsewhere (likewise). */
static bool tail_order_read(const engine_opts *cfg, const cand_eval *cand, const uint8_t *head,
                            size_t nhead, const uint8_t *tail, size_t ntail)
{
    if (!ntail)
        return false;
    bool dom = false, named = false;
    for (size_t i = 0; i < nhead; i++) {
        dom |= is_domain_hit(&cand[head[i]]);
        named |= names_well_elsewhere(cfg, &cand[head[i]]);
    }
    for (size_t i = 0; i < ntail && !(dom && named); i++)
        if ((!dom && is_domain_hit(&cand[tail[i]])) ||
            (!named && names_well_elsewhere(cfg, &cand[tail[i]])))
            return true;
    return false;
}

static void swap_cand(cand_eval *a, cand_eval *b)
{
    cand_eval t = *a;
    *a = *b;
    *b = t;
}

/* Puts the head's candidates first, in order, then the others scoring more than 0, then the rest,
 * these two in no set order: a swap for each one out of place, not a move of every candidate. */
static void place_head(lead_evidence *ev, const uint8_t *head, size_t nhead)
{
    uint8_t at[EVIDENCE_MAX_CANDIDATES], held[EVIDENCE_MAX_CANDIDATES];  /* where each is, and who */
    for (size_t i = 0; i < ev->ncand; i++)
        at[i] = held[i] = (uint8_t)i;
    for (size_t i = 0; i < nhead; i++) {
        size_t from = at[head[i]];
        if (from == i)
            continue;
        swap_cand(&ev->cand[i], &ev->cand[from]);
        held[from] = held[i];
        at[held[from]] = (uint8_t)from;
        held[i] = head[i];
        at[head[i]] = (uint8_t)i;
    }
    size_t lo = nhead, hi = ev->ncand;
    for (;;) {
        while (lo < hi && ev->cand[lo].score > 0)
            lo++;
        while (lo < hi && !(ev->cand[hi - 1].score > 0))
            hi--;
        if (lo >= hi)
            return;
        swap_cand(&ev->cand[lo++], &ev->cand[--hi]);
    }
}

/* Sorts the candidates best first, as far as the decision reads their order. The order is total
 * (ids differ), so it is the order any sort gives. The head (head_size) of those scoring more than
 * 0 is ranked as name_topk's offer ranks; the others scoring more than 0 follow it in no set order
 * unless that order can be read (tail_order_read: then each one's place among them is found by
 * halving, then one move each). The candidates scoring 0 or less follow in the order found unless
 * that order can be read (rest_order_read). */
static void sort_candidates(const matcher *m, lead_evidence *ev)
{
    uint8_t order[EVIDENCE_MAX_CANDIDATES], tail[EVIDENCE_MAX_CANDIDATES];
    uint8_t rest[EVIDENCE_MAX_CANDIDATES];
    size_t nhead = 0, ntail = 0, nrest = 0, cap = head_size(m->cfg);
    for (size_t i = 0; i < ev->ncand; i++) {
        if (ev->cand[i].score > 0)
            head_offer(ev->cand, order, &nhead, cap, (uint8_t)i, tail, &ntail);
        else
            rest[nrest++] = (uint8_t)i;
    }
    size_t near = near_tail_first(m->cfg, ev->cand, order, nhead, tail, ntail);
    for (size_t i = 0; i < near; i++)   /* (all rank after the head) */
        insert_ranked(ev->cand, order + nhead, i, tail[i]);
    size_t npos = nhead + near;
    bool tail_read = tail_order_read(m->cfg, ev->cand, order, npos, tail + near, ntail - near);
    if (tail_read) {
        for (size_t i = near; i < ntail; i++)
            insert_ranked(ev->cand, order, npos++, tail[i]);
    } else {
        memcpy(order + npos, tail + near, ntail - near);
        npos = nhead + ntail;
    }
    if (rest_order_read(m->cfg, npos ? &ev->cand[order[0]] : NULL, ev->cand, rest, nrest)) {
        for (size_t i = 0; i < nrest; i++)
            insert_ranked(ev->cand, order + npos, i, rest[i]);
    } else if (!tail_read) {
        place_head(ev, order, nhead + near);
        return;
    } else {
        memcpy(order + npos, rest, nrest);
    }
    cand_eval sorted[EVIDENCE_MAX_CANDIDATES];
    for (size_t i = 0; i < ev->ncand; i++)
        sorted[i] = ev->cand[order[i]];
    memcpy(ev->cand, sorted, ev->ncand * sizeof(*ev->cand));
}

/* Has the lead a word no account has? Only then are the candidates' words read as text (typos
 * and abbreviations); known words are compared by id, and joined words by length first. */
static bool lead_has_unknown_word(const lead_evidence *ev)
{
    for (size_t i = 0; i < ev->view.n; i++)
        if (!ev->view.known[i])
            return true;
    return false;
}

/* Scoring a candidate follows a chain of pointers (slot -> account -> its token ids -> their
 * words and list sizes), each link a likely cache miss with a million accounts. Asking for every
 * candidate's link of one level before following the next lets the misses overlap instead of
 * coming one after another; the lead's own lookups (same_name_lists, the cores' words) go between
 * two levels, while one comes. (In the scoring function itself: a function that only prefetches
 * counts as free of effects to the compiler, and its calls are dropped.) */
void evidence_score(const matcher *m, lead_evidence *ev)
{
    const account_index *ix = &m->ix;
    for (size_t i = 0; i < ev->ncand; i++) {
        const char *a = (const char *)&ix->acc[ev->cand[i].slot];
        __builtin_prefetch(a);   /* its fields up to acronym (index.h), in one or two lines */
        __builtin_prefetch(a + offsetof(account, acronym) + sizeof(char *) - 1);
    }
    same_name_lists(ix, ev);   /* (lookups of their own, while the accounts come) */
    bool cores = ev->email_core || ev->web_core;   /* (core_spells_name reads joined) */
    for (size_t i = 0; i < ev->ncand; i++) {
        const account *a = &ix->acc[ev->cand[i].slot];
        __builtin_prefetch(a->tok);
        __builtin_prefetch(a->id);
        if (cores) {
            __builtin_prefetch(a->joined);
            __builtin_prefetch(a->joined_all);
        }
    }
    const char *core[2] = {ev->email_core, ev->web_core};
    for (size_t i = 0; i < 2; i++) {   /* (while the token ids come) */
        ev->core_len[i] = core[i] ? strlen(core[i]) : 0;
        ev->core_word[i] = core[i] ? index_token_id(ix, core[i]) : UINT32_MAX;
    }
    for (size_t i = 0; i < ev->ncand && ev->view.n; i++) {   /* (for name_similarity) */
        const account *a = &ix->acc[ev->cand[i].slot];
        const uint32_t *tok = a->tok, n = a->ntok < SCORE_MAX_TOKENS ? a->ntok : SCORE_MAX_TOKENS;
        for (uint32_t t = 0; t < n; t++)
            __builtin_prefetch(&ix->words[tok[t]]);
    }
    bool unknown = lead_has_unknown_word(ev);
    for (size_t i = 0; i < ev->ncand && unknown; i++) {
        const account *a = &ix->acc[ev->cand[i].slot];
        for (uint32_t t = 0; t < a->ntok && t < SCORE_MAX_TOKENS; t++)
            __builtin_prefetch(ix->words[a->tok[t]].str);
    }
    for (size_t i = 0; i < ev->ncand; i++)
        score_one(m, ev, &ev->cand[i]);
    sort_candidates(m, ev);
}
