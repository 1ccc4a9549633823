/* evidence.h - what one lead offers as evidence (domains, labels, name) and how candidate accounts
 * are scored and decided on. Internal to the matcher. */
#ifndef L2A_EVIDENCE_H
#define L2A_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "matcher_impl.h"

#define EVIDENCE_MAX_CANDIDATES 128

enum cand_flags {
    CAND_EMAIL_DOMAIN = 1u << 0,   /* an account website has the email's registrable domain */
    CAND_WEB_DOMAIN = 1u << 1,     /* ... the lead's website's registrable domain */
    CAND_LABEL = 1u << 2,          /* same domain label core on another suffix (acme.de ~ acme.com) */
    CAND_NAME = 1u << 3,           /* found through the name index */
    CAND_LABEL_NAME = 1u << 4,     /* the email's label core spells the account's name */
    CAND_SUBDOMAIN = 1u << 5,      /* on the registrable domain of an email host whose sub-domain
                                    * may be a separate unit, and the name does not confirm it */
};

typedef struct cand_eval {
    uint32_t slot;
    const char *id;                /* the account's id (borrowed): ties are ordered by it, so a
                                    * decision never depends on the order accounts were loaded */
    unsigned flags;
    double name_sim;               /* weighted name similarity, 0 when the company is junk */
    score_explain ex;
    double score;                  /* combined confidence */
    const char *rule;              /* static rule name */
} cand_eval;

typedef struct lead_evidence {
    const lead *l;                 /* borrowed */
    email_status email_st;
    const char *email_err;         /* static */
    /* The strings below are in the calling thread's name_mem like name (or the config's). */
    const char *email_addr;        /* local@host as read: trimmed, lower-cased (lead_facts.email) */
    const char *email_host;        /* after rewrites */
    const char *email_reg;         /* registrable domain after rewrites and aliases */
    const char *email_core;        /* label core, corporate emails only */
    const char *web_reg;           /* registrable domain of the lead's website (not free-mail) */
    const char *web_core;
    size_t core_len[2];            /* strlen of email_core and web_core (0: none); set by
                                    * evidence_score */
    uint32_t core_word[2];         /* the vocabulary ids of email_core and web_core (UINT32_MAX:
                                    * none, or no account's word); set by evidence_score */
    const u32vec *same_name[2];    /* by_joined's lists of name.joined_all and name.joined (NULL:
                                    * none), with same_name_listed; set by evidence_score */
    bool same_name_listed;         /* an account outside both lists has neither joined name */
    bool freemail;
    bool disposable;
    bool rewritten;                /* a domain rule or alias changed the email domain */
    bool unit_subdomain;           /* the email host is under a non-generic sub-domain */
    norm_name name;                /* in the calling thread's name_mem (thread_mem.c): good until
                                    * that thread's next evidence_read_lead, so a thread reads one
                                    * lead's evidence at a time */
    const char *name_key;          /* lead_facts.name_key: what learned facts are keyed by */
    hashed joined[2];              /* name.joined and name.joined_all hashed (hashed_of), unless
                                    * the name is junk: looked up in by_joined (and the
                                    * vocabulary) by name_candidates and same_name_lists */
    name_view view;                /* the lead's name tokens with index weights */
    uint32_t tok_id[SCORE_MAX_TOKENS];  /* their vocabulary ids (UINT32_MAX: no account's word) */
    unsigned cut_flags;            /* the flags of a domain or label list with more accounts
                                    * than the candidates had room for (retrieve.c), 0: none */
    const char *cut_key;           /* that list's domain or label core (borrowed) */
    uint32_t cut_size;             /* its accounts */
    cand_eval cand[EVIDENCE_MAX_CANDIDATES];
    size_t ncand;
} lead_evidence;

/* Fills ev for lead l. ev->name (and the view over it) lives in this thread's memory until its
 * next call: evidence_free ev before reading another lead on the same thread. */
void evidence_read_lead(const matcher *m, const lead *l, lead_evidence *ev);
void evidence_free(lead_evidence *ev);
/* The lead's facts from its evidence (facts.c), its strings copied into out (one allocation)
 * then): the last use of ev before evidence_free. */
void evidence_facts(lead_evidence *ev, lead_facts *out);
/* No usable email, website or company. */
bool evidence_unusable(const lead_evidence *ev);
void evidence_decide_invalid(const lead_evidence *ev, decision *out);
/* Fills name_sim, score and rule of every candidate. */
void evidence_score(const matcher *m, lead_evidence *ev);
/* Applies thresholds, margins and tie-breaks; writes kind, account, score, rule, reason and the top
 * candidates. */
void evidence_decide(const matcher *m, lead_evidence *ev, decision *out);

/* Learned facts (learned_use.c). The always fact of the lead's name and corporate domain, when
 * its account is in the index: the decision (true), else false. */
bool evidence_decide_learned(const matcher *m, const lead_evidence *ev, decision *out);
/* Removes the candidates a never fact excludes for the lead's name; each one's description is
 * appended to note ("; account 'X' excluded: learned from ..."). Returns how many. */
size_t evidence_exclude_learned(const matcher *m, lead_evidence *ev, strbuf *note);
/* learning.domains_from_contacts: sets out->learn_domain when the lead matched by name on a
 * corporate domain its account's websites lack and whose label spells the account's name (or is
 * the label of its website on another suffix). */
void evidence_learn_domain(const matcher *m, const lead_evidence *ev, decision *out);

/* Tie-breaks (tiebreak.c): among slots (n >= 2), the one preferred by the configured order, or -1
 * when they stay tied. "spelling" prefers the account whose full name (legal form included) is
 * spelt most like `company`. *why names the deciding rule (borrowed from the config). */
long tie_break(const matcher *m, const char *company, const uint32_t *slots, size_t n,
               const char **why);

#endif
