/* review_plan.h - what resolving a review alert does, built once for `l2a review resolve` and the
 * review page alike: the outcome plan, the resolution text and the resolve Function's arguments. */
#ifndef L2A_REVIEW_PLAN_H
#define L2A_REVIEW_PLAN_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "engine.h"
#include "review.h"
#include "util.h"

typedef enum review_how {
    REVIEW_HOW_NONE = 0,
    REVIEW_HOW_ACCOUNT,       /* convert into an existing account */
    REVIEW_HOW_NEW_ACCOUNT,   /* create the lead's account, convert into it */
    REVIEW_HOW_DISMISS,       /* close the alert, nothing else */
} review_how;

/* A resolution ready to send. plan owned (review_plan_free). */
typedef struct review_plan {
    char *plan;               /* outcome_plan_json's output */
    char resolution[400];     /* "account 001A", "new account new:acme.com", "dismissed" */
} review_plan;

void review_plan_free(review_plan *p);

/* The lead as the alert stored it (its `lead` JSON object of strings), through lead_set; the
 * alert's lead id when the object has none. l is fresh (lead_init). */
void review_lead_from_alert(const review_alert *a, lead *l);

/* Builds the plan of resolving alert a: m reads the lead's facts (the engine's, as the daemon
 * does) and its options (matcher_opts) are the configuration the plan follows, learning
 * included. For REVIEW_HOW_ACCOUNT, account_id and its
 * Redis hash as field/value pairs (acct_kv: its type and owner_id decide the opportunity) are
 * required; the caller says "no such account" when the hash is absent. now_ms is when.
 * 0, or -1 with err set (a new account for a lead that names none). */
int review_plan_build(const matcher *m, const review_alert *a, review_how how,
                      const char *account_id, const strvec *acct_kv, double now_ms,
                      review_plan *out, char *err, size_t errlen) MUSTCHECK;

/* The resolve Function's arguments after FCALL <name>: numkeys 0, prefix, lead id, plan, by,
 * note, resolution and the stream caps, into argv (room for REVIEW_RESOLVE_ARGC; borrowed
 * strings). */
#define REVIEW_RESOLVE_ARGC 9
void review_resolve_argv(const char *prefix, const char *lead_id, const review_plan *p,
                         const char *by, const char *note, const char **argv);

/* The resolve Function's reply read into out (review_outcome_free): 1 done or already closed,
 * 0 when the lead has no alert, -1 with err set on any other reply (error replies included). */
int review_outcome_read(const redisReply *r, review_outcome *out, char *err, size_t errlen);

#endif
