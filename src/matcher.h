/* matcher.h - the matching engine: config-derived rules and lists plus the account index, and the
 * pure function from a lead to a decision. No event loop, no Redis. */
#ifndef L2A_MATCHER_H
#define L2A_MATCHER_H

#include "conf.h"
#include "decision.h"
#include "domain.h"
#include "index.h"
#include "normalize.h"
#include "record.h"
#include "score.h"

/* Reusable per-lead working memory (match.c). */
typedef struct match_scratch match_scratch;
match_scratch *match_scratch_new(void);
void match_scratch_free(match_scratch *s);

typedef struct matcher {
    const conf *cfg;          /* borrowed: must outlive the matcher */
    norm_rules *rules;        /* owned */
    domain_set *freemail;     /* owned */
    domain_set *disposable;   /* owned */
    account_index ix;         /* owned */
    score_params sp;
    match_scratch *scratch;   /* owned; makes match_lead single-threaded per matcher */
} matcher;

/* Builds rules and lists from cfg (files resolved relative to the config). Returns 0, or -1 with
 * the reason in err. The index starts empty. */
int matcher_init(matcher *m, const conf *cfg, char *err, size_t errlen) MUSTCHECK;
void matcher_free(matcher *m);
/* Loads accounts from a CSV into the index. Returns the number loaded or -1 with err. */
long matcher_load_accounts_csv(matcher *m, const char *path, char *err, size_t errlen) MUSTCHECK;

/* Decides one lead. Never fails: unusable input gives DECISION_INVALID with the reason. Uses the
 * matcher's scratch memory: one thread at a time per matcher. */
void match_lead(const matcher *m, const lead *l, decision *out);

#endif
