/* outcome.c - routing a decision to its outcome and writing the plan the outcome script runs. */
#include "outcome.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

const char *outcome_action_name(outcome_action a)
{
    switch (a) {
    case OUTCOME_NONE: return "none";
    case OUTCOME_CONVERT: return "convert";
    case OUTCOME_CREATE_ACCOUNT: return "create_account";
    case OUTCOME_FLAG: return "flag";
    case OUTCOME_DROP: return "drop";
    case OUTCOME_DISMISS: return "dismiss";
    }
    return "none";
}

static outcome_action segment(segment_action s)
{
    return s == SEGMENT_DROP ? OUTCOME_DROP : OUTCOME_FLAG;
}

outcome_action outcome_route(const engine_opts *c, const decision *d)
{
    if (d->kind == DECISION_INVALID)
        return OUTCOME_NONE;
    if (d->facts.disposable && c->seg_disposable == SEGMENT_DROP)
        return OUTCOME_DROP;
    if (d->kind == DECISION_MATCH)
        return OUTCOME_CONVERT;
    if (d->kind == DECISION_REVIEW)
        return OUTCOME_FLAG;
    if (d->facts.disposable)
        return segment(c->seg_disposable);
    if (d->facts.freemail)
        return segment(c->seg_freemail);
    if (d->facts.company_junk)
        return segment(c->seg_junk);
    if (c->policy == NO_MATCH_CREATE_ACCOUNT && d->facts.new_account_id)
        return OUTCOME_CREATE_ACCOUNT;
    return OUTCOME_FLAG;
}

const char *outcome_role(const engine_opts *c, const char *title)
{
    const regex_rule *r = title ? regex_list_first_match(&c->role_rules, title) : NULL;
    return r ? r->replace : c->role_default;
}

/* Where a plan's fields go: a JSON object tree, or a sink (outcome_plan_emit). */
typedef struct plan_out {
    const outcome_sink *sink; /* the sink, or NULL for JSON */
    json_t *obj[4];           /* JSON: the open objects, [0] the plan */
    int depth;
} plan_out;

/* A section inside the open one; name is its dotted name, the JSON key is its last part. False
 * when the sink skips it (nothing of it is made then). */
static bool plan_open(plan_out *o, const char *name)
{
    if (o->sink)
        return o->sink->open(o->sink->ctx, name);
    const char *dot = strrchr(name, '.');
    o->depth++;
    o->obj[o->depth] = json_object();
    json_object_set_new(o->obj[o->depth - 1], dot ? dot + 1 : name, o->obj[o->depth]);
    return true;
}

static void plan_close(plan_out *o)
{
    if (o->sink)
        o->sink->close(o->sink->ctx);
    else
        o->depth--;
}

static void plan_text(plan_out *o, const char *k, const char *v)
{
    if (o->sink)
        o->sink->field(o->sink->ctx, k, v);
    else
        json_object_set_new(o->obj[o->depth], k, json_string(v));
}

static void set_str(plan_out *o, const char *k, const char *v)
{
    if (v && *v)
        plan_text(o, k, v);
}

static void set_int(plan_out *o, const char *k, long long v)
{
    char n[24];
    if (o->sink) {
        snprintf(n, sizeof(n), "%lld", v);
        plan_text(o, k, n);
    } else {
        json_object_set_new(o->obj[o->depth], k, json_integer(v));
    }
}

/* A flag: JSON true or false; to a sink "1", or nothing for false. */
static void set_bool(plan_out *o, const char *k, bool v)
{
    if (!o->sink)
        json_object_set_new(o->obj[o->depth], k, json_boolean(v));
    else if (v)
        plan_text(o, k, "1");
}

static void lead_put(plan_out *o, const lead *l, const decision *d)
{
    if (!plan_open(o, "lead"))
        return;
    set_str(o, "id", l->id);
    set_str(o, "email", d->facts.email); /* as the engine read it: trimmed, lower-cased */
    const char *fields[][2] = {{"first_name", l->first_name}, {"last_name", l->last_name},
                               {"title", l->title},           {"company", l->company},
                               {"phone", l->phone},           {"country", l->country},
                               {"source", l->source},         {"score", l->score},
                               {"website", l->website}};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        set_str(o, fields[i][0], fields[i][1]);
    plan_close(o);
}

/* {"create": bool, "type", "first_stage", "owner_id", "advance_score", "next": {stage: next}} */
static void opp_put(plan_out *o, const engine_opts *c, const char *acct_type,
                    const char *owner_id)
{
    if (!plan_open(o, "opp"))
        return;
    set_bool(o, "create", acct_type && sv_contains(&c->opp_account_types, acct_type));
    set_str(o, "type", "Acquisition");
    set_str(o, "first_stage", c->opp_first_stage);
    set_str(o, "owner_id", owner_id);
    set_int(o, "advance_score", c->opp_advance_score);
    if (plan_open(o, "opp.next")) {
        for (size_t i = 0; i + 1 < c->opp_stages.n; i++)
        if (sv_contains(&c->opp_marketing_stages, c->opp_stages.v[i]))
                set_str(o, c->opp_stages.v[i], c->opp_stages.v[i + 1]);
        plan_close(o);
    }
    plan_close(o);
}

static void alert_put(plan_out *o, const decision *d)
{
    if (!plan_open(o, "alert"))
        return;
    set_str(o, "kind", decision_kind_name(d->kind));
    set_str(o, "reason", d->reason);
    char score[32];     /* as text: the alert stores it as the result hash does */
    set_str(o, "score", decision_score_text(d->score, score, sizeof(score)));
    strbuf cands;
    sb_init(&cands);
    decision_candidates_json(d, &cands);
    set_str(o, "candidates", cands.buf);
    sb_free(&cands);
    plan_close(o);
}

static void target_put(plan_out *o, const engine_opts *c, outcome_action a, const lead *l,
                       const decision *d, const outcome_account *acct)
{
    const char *type = NULL, *owner = NULL;
    if (a == OUTCOME_CONVERT && acct) {
        set_str(o, "account_id", acct->id);
        type = acct->type;
        owner = acct->owner_id;
    } else {
        const lead_facts *f = &d->facts;
        if (!f->new_account_id)
            return;
        if (plan_open(o, "new_account")) {
            set_str(o, "id", f->new_account_id);
            set_str(o, "name", f->new_account_name);
            set_str(o, "domains", f->new_account_domain);
            set_str(o, "type", c->new_account_type);
            plan_close(o);
        }
        type = c->new_account_type;
    }
    set_str(o, "role", outcome_role(c, l->title));
    if (c->opp_enabled)
        opp_put(o, c, type, owner);
}

/* What a resolution proves, for the resolve Function to record (learning.enabled): the company
 * as the engine normalises it and the lead's corporate email domain. */
static void learn_put(plan_out *o, const lead_facts *f)
{
    if (!plan_open(o, "learn"))
        return;
    set_str(o, "name", f->name_key);
    if (!f->freemail && !f->disposable)
        set_str(o, "domain", f->email_domain);
    plan_close(o);
}

/* learning.domains_from_contacts: the domain the matched account learns from this lead. */
static void learn_domain_put(plan_out *o, const decision *d)
{
    if (!plan_open(o, "learn_domain"))
        return;
    set_str(o, "account_id", d->account_id);
    set_str(o, "domain", d->learn_domain);
    plan_close(o);
}

static void plan_put(plan_out *o, const engine_opts *c, outcome_action a, const lead *l,
                     const decision *d, const outcome_account *acct, const char *now,
                     double now_ms)
{
    set_str(o, "action", outcome_action_name(a));
    lead_put(o, l, d);
    set_str(o, "now", now);
    set_int(o, "now_ms", (long long)now_ms);
    if (a == OUTCOME_CONVERT || a == OUTCOME_CREATE_ACCOUNT)
        target_put(o, c, a, l, d, acct);
    if (a == OUTCOME_FLAG)
        alert_put(o, d);
    bool resolution = a == OUTCOME_CONVERT || a == OUTCOME_CREATE_ACCOUNT || a == OUTCOME_DISMISS;
    if (resolution && c->learn_enabled && d->facts.name_key)
        learn_put(o, &d->facts);
    if (a == OUTCOME_CONVERT && d->learn_domain && d->account_id)
        learn_domain_put(o, d);
}

char *outcome_plan_json(const engine_opts *c, outcome_action a, const lead *l, const decision *d,
                        const outcome_account *acct, const char *now, double now_ms)
{
    plan_out o = {.obj = {json_object()}};
    plan_put(&o, c, a, l, d, acct, now, now_ms);
    char *out = json_dumps(o.obj[0], JSON_COMPACT);
    json_decref(o.obj[0]);
    return out;
}

void outcome_plan_emit(const engine_opts *c, outcome_action a, const lead *l, const decision *d,
                       const outcome_account *acct, const char *now, double now_ms,
                       const outcome_sink *s)
{
    plan_out o = {.sink = s};
    plan_put(&o, c, a, l, d, acct, now, now_ms);
}
