/* decision.h - a matching decision (match / review / no_match / invalid) and its JSON form. */
#ifndef L2A_DECISION_H
#define L2A_DECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define DECISION_MAX_CANDIDATES 10

typedef enum decision_kind {
    DECISION_MATCH = 0,
    DECISION_REVIEW,
    DECISION_NO_MATCH,
    DECISION_INVALID,
} decision_kind;

typedef struct candidate {
    char *account_id;      /* owned */
    double score;
} candidate;

/* What the engine reads off a lead, beside the decision: the one source of these facts for
 * outcomes, the daemon, `l2a match` and `l2a review`. Its strings are in one allocation, owned
 * by strings (lead_facts_free). */
typedef struct lead_facts {
    char *email;           /* the address as the engine reads it (trimmed, lower-cased
                            * local@host), when email_domain is set; else NULL */
    char *email_domain;    /* registrable domain of the email after domain rewrites and aliases,
                            * NULL when none/invalid */
    char *web_domain;      /* registrable domain of the lead's website (after aliases) unless
                            * free-mail or disposable, or NULL */
    bool freemail;         /* email on a free-mail domain */
    bool disposable;       /* email on a disposable domain */
    bool company_junk;     /* company blank or a junk value */
    /* The account create_account (or `review resolve --new-account`) makes for this lead:
     * id "new:<email domain>" for a corporate email, else "new:<website domain>", else
     * "new:<company folded to letters and digits>"; NULL when the lead names none. */
    char *new_account_id;
    char *new_account_name;   /* the company, else the domain */
    char *new_account_domain; /* the domain the new account's website carries, or NULL */
    /* The company as the engine normalises it (significant words, then regional qualifiers,
     * one space apart: "acme widgets uk"), what learned facts are keyed by; NULL when junk. */
    char *name_key;
    char *strings;            /* owns every string above (evidence_facts) */
} lead_facts;

void lead_facts_free(lead_facts *f);

/* Everything the matcher concluded about one lead. Strings owned (decision_free): each its own
 * allocation, or, in a decision the engine made by its candidates, one block (strings). */
typedef struct decision {
    char *lead_id;         /* may be NULL for a line without a readable id */
    decision_kind kind;
    char *account_id;      /* the matched account (match only) */
    double score;          /* confidence of the chosen (or best) candidate, 0 when none */
    const char *rule;      /* static: "domain", "domain+name", "name", "name+label", "label",
                            * "tie_break", "none", "invalid" */
    char *reason;          /* human-readable: names the evidence */
    candidate cand[DECISION_MAX_CANDIDATES];
    size_t ncand;
    lead_facts facts;      /* what the engine read off the lead (outcomes use it) */
    /* learning.domains_from_contacts: the lead's corporate email domain, when the lead matched
     * its account by name, the domain's label spells that name and no website of the account
     * has the domain (the writer adds it to the account); else NULL. Not in the JSON form. */
    char *learn_domain;
    /* NULL, or the one allocation (strings_len bytes) that reason, lead_id, account_id and the
     * candidates' ids point into (decision_pack_strings). A field pointing elsewhere (set later
     * by its own allocation) is freed on its own; one pointing into the block must not be. */
    char *strings;
    size_t strings_len;
} decision;

void decision_init(decision *d);
/* Frees d's strings. d holds none after it (a second decision_free does nothing); decision_init
 * it (or decide into it) before it is used again. */
void decision_free(decision *d);
const char *decision_kind_name(decision_kind k);
/* A score as every output writes it (decisions, result hashes, alerts): at most 4 significant
 * digits, no trailing zeros ("1", "0.97", "0.8125"). Writes into buf and returns it. */
const char *decision_score_text(double score, char *buf, size_t len);
/* Appends the candidates as a JSON array: [{"account_id":"001A","score":0.97},...]. */
void decision_candidates_json(const decision *d, strbuf *out);
/* Appends the decision as one JSON object (no newline), DESIGN.md field order. */
void decision_to_json(const decision *d, strbuf *out);
/* Puts d's strings in one block d owns: the reason's text, taken from sb, then copies of lead_id,
 * account_id and the candidates' ids, which point at strings d does not own (the lead's, the
 * index's) when called. One allocation a decision instead of one a string. */
void decision_pack_strings(decision *d, strbuf *reason);
/* printf-style setter for reason (replaces any previous one). */
void decision_set_reason(decision *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
