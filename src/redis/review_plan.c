/* review_plan.c - the plan, resolution text and Function arguments of resolving a review alert,
 * shared by `l2a review resolve` (synchronous) and the review page (l2ad, asynchronous). */
#include "review_plan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "outcome.h"

void review_plan_free(review_plan *p)
{
    free(p->plan);
    memset(p, 0, sizeof(*p));
}

void review_lead_from_alert(const review_alert *a, lead *l)
{
    const char *text = review_alert_get(a, "lead");
    json_t *o = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    const char *k;
    json_t *v;
    if (json_is_object(o)) {
        json_object_foreach(o, k, v) {
            if (json_is_string(v))
                (void)lead_set(l, k, json_string_value(v));
        }
    }
    if (!l->id)
        (void)lead_set(l, "id", a->lead_id);
    json_decref(o);
}

/* The decision and target of the resolution into d and *acct / *action. 0 or -1 (err). */
static int target_of(review_how how, const char *account_id, const strvec *acct_kv,
                     const lead *l, decision *d, outcome_account *acct, outcome_action *action,
                     char *resolution, size_t rlen, char *err, size_t errlen)
{
    if (how == REVIEW_HOW_ACCOUNT) {
        d->kind = DECISION_MATCH;
        d->account_id = xstrdup(account_id);
        d->score = 1.0;
        *action = OUTCOME_CONVERT;
        *acct = (outcome_account){account_id, review_kv_get(acct_kv, "type"),
                                  review_kv_get(acct_kv, "owner_id")};
        snprintf(resolution, rlen, "account %s", account_id);
        return 0;
    }
    if (how == REVIEW_HOW_NEW_ACCOUNT) {
        d->kind = DECISION_NO_MATCH;
        if (!d->facts.new_account_id) {
            snprintf(err, errlen, "lead '%s' names no account to create (no corporate email "
                     "domain and no usable company); link it to an account or dismiss it", l->id);
            return -1;
        }
        *action = OUTCOME_CREATE_ACCOUNT;
        snprintf(resolution, rlen, "new account %s", d->facts.new_account_id);
        return 0;
    }
    *action = OUTCOME_DISMISS;
    snprintf(resolution, rlen, "dismissed");
    return 0;
}

int review_plan_build(const matcher *m, const review_alert *a, review_how how,
                      const char *account_id, const strvec *acct_kv, double now_ms,
                      review_plan *out, char *err, size_t errlen)
{
    lead l;
    decision d;
    outcome_account acct;
    outcome_action action;
    char when[40];
    memset(out, 0, sizeof(*out));
    lead_init(&l);
    decision_init(&d);
    review_lead_from_alert(a, &l);
    d.lead_id = xstrdup(l.id);
    matcher_lead_facts(m, &l, &d.facts);
    int rc = target_of(how, account_id, acct_kv, &l, &d, &acct, &action, out->resolution,
                       sizeof(out->resolution), err, errlen);
    if (rc == 0) {
        iso8601_ms(now_ms, when, sizeof(when));
        out->plan = outcome_plan_json(matcher_opts(m), action, &l, &d,
                                      action == OUTCOME_CONVERT ? &acct : NULL, when, now_ms);
    }
    decision_free(&d);
    lead_free(&l);
    return rc;
}

void review_resolve_argv(const char *prefix, const char *lead_id, const review_plan *p,
                         const char *by, const char *note, const char **argv)
{
    const char *args[REVIEW_RESOLVE_ARGC] = {"0", prefix, lead_id, p->plan, by, note ? note : "",
                                             p->resolution, L2A_EVENTS_MAXLEN,
                                             L2A_CHANGES_MAXLEN};
    memcpy(argv, args, sizeof(args));
}

static char *elem_str(const redisReply *r)
{
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
        return xstrndup(r->str, r->len);
    if (r->type == REDIS_REPLY_INTEGER) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", r->integer);
        return xstrdup(buf);
    }
    return xstrdup("");
}

/* {1, contact, account} or {0, status} into out. 0 or -1. */
static int take_outcome(const redisReply *r, review_outcome *out, char *err, size_t errlen)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
        r->element[0]->type != REDIS_REPLY_INTEGER) {
        snprintf(err, errlen, "resolve function: unexpected reply");
        return -1;
    }
    out->done = r->element[0]->integer == 1;
    if (!out->done) {
        out->status = elem_str(r->element[1]);
        return 0;
    }
    out->contact_id = elem_str(r->element[1]);
    out->account_id = r->elements > 2 ? elem_str(r->element[2]) : xstrdup("");
    return 0;
}

int review_outcome_read(const redisReply *r, review_outcome *out, char *err, size_t errlen)
{
    int rc = -1;
    memset(out, 0, sizeof(*out));
    if (r->type == REDIS_REPLY_ERROR && strstr(r->str, "no review alert for lead"))
        rc = 0;
    else if (r->type == REDIS_REPLY_ERROR)
        snprintf(err, errlen, "resolve function: %s", r->str);
    else if (take_outcome(r, out, err, errlen) == 0)
        rc = 1;
    if (rc != 1)
        review_outcome_free(out);
    return rc;
}
