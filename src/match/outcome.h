/* outcome.h - what follows a decision (convert, create an account, flag, drop), per config, as a
 * plan that the atomic Redis script carries out. Pure: no Redis here. */
#ifndef L2A_OUTCOME_H
#define L2A_OUTCOME_H

#include "engine_opts.h"
#include "decision.h"
#include "inputs.h"

typedef enum outcome_action {
    OUTCOME_NONE = 0,        /* invalid lead: only the result and a lead.invalid event */
    OUTCOME_CONVERT,         /* contact on the matched account (+ opportunity, role) */
    OUTCOME_CREATE_ACCOUNT,  /* a new account, then convert into it */
    OUTCOME_FLAG,            /* an alert in the review queue */
    OUTCOME_DROP,            /* marked, nothing else */
    OUTCOME_DISMISS,         /* review resolution: close the alert, nothing else */
} outcome_action;

const char *outcome_action_name(outcome_action a);

/* The account a lead converts into, as far as the plan needs it. Borrowed strings. */
typedef struct outcome_account {
    const char *id;
    const char *type;
    const char *owner_id;
} outcome_account;

/* The route for a decision: match -> convert; review -> flag; no match -> the segment rules
 * (disposable, free-mail, junk company), then no_match.policy (create_account only when the lead
 * names a new account, else flag); invalid -> none. A disposable lead is dropped whatever the
 * decision when no_match.disposable is drop. */
outcome_action outcome_route(const engine_opts *c, const decision *d);

/* Contact role for a title: the first contact_roles rule that matches, else the default. */
const char *outcome_role(const engine_opts *c, const char *title);

/* The plan as a JSON object (malloc'd), the argument of the outcome scripts:
 * {"action", "lead":{...}, "now", "now_ms", "account_id" | "new_account":{...}, "role",
 *  "opp":{...} (when enabled), "alert":{...} (flag), "learn":{"name","domain"} (convert,
 *  create_account, dismiss with learning.enabled and a usable company: what a resolution
 *  proves), "learn_domain":{"account_id","domain"} (convert of a decision with learn_domain)}. acct is the target account (convert;
 * NULL otherwise). now is ISO-8601 UTC, now_ms the same in milliseconds. */
char *outcome_plan_json(const engine_opts *c, outcome_action a, const lead *l, const decision *d,
                        const outcome_account *acct, const char *now, double now_ms);

/* Receives a plan's fields in the order outcome_plan_json writes them: open(name) as a section
 * begins ("lead", "new_account", "opp", "opp.next" inside "opp", "alert", "learn",
 * "learn_domain"; false skips it, its values not even made), field(k, v) for each field of the
 * innermost open section ("" before any: the plan's own; v lives only during the call; a true
 * flag is "1", a false one left out, numbers decimal text), close() as a section ends. */
typedef struct outcome_sink {
    bool (*open)(void *ctx, const char *name);
    void (*field)(void *ctx, const char *k, const char *v);
    void (*close)(void *ctx);
    void *ctx;
} outcome_sink;

/* The same plan handed to sink s, field by field, without copies. */
void outcome_plan_emit(const engine_opts *c, outcome_action a, const lead *l, const decision *d,
                       const outcome_account *acct, const char *now, double now_ms,
                       const outcome_sink *s);

#endif
