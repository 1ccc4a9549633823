/* engine.h - the matching engine's one public header: a matcher built from engine options and
 * accounts, the decision for a lead, and the lead's facts. Its structs stay inside src/match/. */
#ifndef L2A_ENGINE_H
#define L2A_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "decision.h"
#include "engine_opts.h"
#include "inputs.h"
#include "learned.h"
#include "outcome.h"
#include "util.h"

typedef struct matcher matcher;

/* Builds rules and lists from opts (borrowed: it must outlive the matcher; list files are read
 * as named). The index starts empty. NULL with the reason in err. */
matcher *matcher_new(const engine_opts *opts, char *err, size_t errlen);
void matcher_free(matcher *m);             /* NULL-safe */
const engine_opts *matcher_opts(const matcher *m);

/* Loads accounts from a CSV into the index. Returns the number loaded or -1 with err. */
long matcher_load_accounts_csv(matcher *m, const char *path, char *err, size_t errlen) MUSTCHECK;
/* The same from a file in encoding (NULL: UTF-8), converted with iconv. Rows skipped and account
 * ids seen again (the later row wins) are warned about on stderr. */
long matcher_load_accounts_csv_enc(matcher *m, const char *path, const char *encoding, char *err,
                                   size_t errlen) MUSTCHECK;
/* The same from an open UTF-8 stream (read to its end on a thread of the load's, not closed;
 * name stands for the file in messages): what l2ad builds its index from a snapshot with. */
long matcher_load_accounts_csv_file(matcher *m, FILE *file, const char *name, char *err,
                                    size_t errlen) MUSTCHECK;
/* Where matcher_load_accounts_feed gets its records: calls cb(record, cb_ctx) for each, in the
 * order they are to be indexed (cb owns the record, as accounts_read_csv's callback does), and
 * returns how many it passed, or -1 with err set. */
typedef long (*account_feed_fn)(account_cb cb, void *cb_ctx, void *feed_ctx, char *err,
                                size_t errlen);
/* The accounts a feed passes, as matcher_upsert_account would add them one by one (records
 * without id or name left out), on two threads when accounts.load_threads is 2: the feed runs on
 * a thread of the load's, and the records are parsed on both and indexed here in order. Returns
 * what feed returns (with its err). */
long matcher_load_accounts_feed(matcher *m, account_feed_fn feed, void *feed_ctx, char *err,
                                size_t errlen) MUSTCHECK;
/* Adds or replaces one account (id and name required; false when either is missing). */
bool matcher_upsert_account(matcher *m, const account_rec *a);
/* Removes an account; false when it was not there. */
bool matcher_delete_account(matcher *m, const char *id);
bool matcher_has_account(const matcher *m, const char *id);
/* Accounts in the index. */
size_t matcher_accounts(const matcher *m);
/* The account a converted lead goes to, as the outcome plan needs it (strings borrowed from the
 * index, valid until its next change). false when the id is not in the index. */
bool matcher_account_target(const matcher *m, const char *id, outcome_account *out);
/* An account as people see it (strings borrowed from the index, valid until its next change). */
typedef struct account_brief {
    const char *id;
    const char *name;
    const char *domain;       /* its first registrable domain, or NULL */
    const char *const *domains;  /* all its registrable domains (ndomains of them) */
    size_t ndomains;
    const char *type;         /* NULL when absent */
    const char *owner_id;     /* NULL when absent */
} account_brief;
/* The account id, when the index has it. */
bool matcher_account_brief(const matcher *m, const char *id, account_brief *out);
/* Up to max accounts for what a person typed (out has room for max): a domain or website
 * ("acme.com", "https://www.acme.co.uk/") finds the accounts on its registrable domain; otherwise
 * (or when none is on it) the accounts whose name has every word of query once normalised (case,
 * accents, legal forms), the last word possibly unfinished ("acme hold" finds "Acme Holdings
 * Ltd"). Shortest names first. Returns the number found. */
size_t matcher_search(const matcher *m, const char *query, size_t max, account_brief *out);

/* Facts learned from reviews (learned.h): added or replaced, removed (false when the fact lacks
 * what names it, or, for unlearn, was not there), counted, read by position, copied. A learned
 * always fact decides a lead with the same name and corporate domain before any scoring, when
 * its account is in the index; a never fact removes its account from the company's candidates. */
bool matcher_learn(matcher *m, const learned_fact *f);
bool matcher_unlearn(matcher *m, const learned_fact *f);
size_t matcher_learned(const matcher *m);
learned_fact matcher_learned_fact(const matcher *m, size_t i);   /* strings borrowed */
void matcher_copy_learned(matcher *to, const matcher *from);

/* Decides one lead. Never fails: unusable input gives DECISION_INVALID with the reason. Several
 * threads may decide with one matcher at once (while none changes it): each uses working memory
 * of its own, kept between leads, which matcher_thread_end frees (matcher_free frees the calling
 * thread's). out->facts holds the lead's facts. */
void matcher_decide(const matcher *m, const lead *l, decision *out);
/* Frees the calling thread's working memory for decisions: a thread that decided calls it before
 * it ends. Harmless when there is none. */
void matcher_thread_end(void);
/* One JSONL line (len bytes, line number lineno) to a decision: matcher_decide of the lead, or an
 * invalid decision saying why the line is not a lead. Its line end is ignored, and on line 1 a
 * UTF-8 byte order mark. */
void matcher_decide_line(const matcher *m, const char *line, size_t len, long lineno,
                         decision *out);
/* The lead's facts alone (as matcher_decide fills them): what outcomes and reviews use. Free with
 * lead_facts_free. */
void matcher_lead_facts(const matcher *m, const lead *l, lead_facts *out);

#endif
