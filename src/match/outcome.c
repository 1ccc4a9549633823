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

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

static json_t *lead_json(const lead *l, const decision *d)
{
    json_t *o = json_object();
    set_str(o, "id", l->id);
    email_addr e = {0};   /* the address as the matcher reads it: trimmed, lower-cased */
    if (d->facts.email_domain && l->email && email_parse(l->email, &e, NULL) == EMAIL_OK) {
        char *addr = xmalloc(strlen(e.local) + strlen(e.host) + 2);
        sprintf(addr, "%s@%s", e.local, e.host);
        set_str(o, "email", addr);
        free(addr);
    }
    email_free(&e);
    const char *fields[][2] = {{"first_name", l->first_name}, {"last_name", l->last_name},
                               {"title", l->title},           {"company", l->company},
                               {"phone", l->phone},           {"country", l->country},
                               {"source", l->source},         {"score", l->score},
                               {"website", l->website}};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        set_str(o, fields[i][0], fields[i][1]);
    return o;
}

/* {"create": bool, "type", "first_stage", "owner_id", "advance_score", "next": {stage: next}} */
static json_t *opp_json(const engine_opts *c, const char *acct_type, const char *owner_id)
{
    json_t *o = json_object();
    json_object_set_new(o, "create", json_boolean(acct_type && sv_contains(&c->opp_account_types,
                                                                            acct_type)));
    set_str(o, "type", "Acquisition");
    set_str(o, "first_stage", c->opp_first_stage);
    set_str(o, "owner_id", owner_id);
    json_object_set_new(o, "advance_score", json_integer(c->opp_advance_score));
    json_t *next = json_object();
    for (size_t i = 0; i + 1 < c->opp_stages.n; i++)
        if (sv_contains(&c->opp_marketing_stages, c->opp_stages.v[i]))
            set_str(next, c->opp_stages.v[i], c->opp_stages.v[i + 1]);
    json_object_set_new(o, "next", next);
    return o;
}

static json_t *alert_json(const decision *d)
{
    json_t *o = json_object();
    set_str(o, "kind", decision_kind_name(d->kind));
    set_str(o, "reason", d->reason);
    char score[32];     /* as text: the alert stores it as the result hash does */
    set_str(o, "score", decision_score_text(d->score, score, sizeof(score)));
    strbuf cands;
    sb_init(&cands);
    decision_candidates_json(d, &cands);
    set_str(o, "candidates", cands.buf);
    sb_free(&cands);
    return o;
}

static void add_target(json_t *plan, const engine_opts *c, outcome_action a, const lead *l,
                       const decision *d, const outcome_account *acct)
{
    const char *type = NULL, *owner = NULL;
    if (a == OUTCOME_CONVERT && acct) {
        set_str(plan, "account_id", acct->id);
        type = acct->type;
        owner = acct->owner_id;
    } else {
        const lead_facts *f = &d->facts;
        if (!f->new_account_id)
            return;
        json_t *na = json_object();
        set_str(na, "id", f->new_account_id);
        set_str(na, "name", f->new_account_name);
        set_str(na, "domains", f->new_account_domain);
        set_str(na, "type", c->new_account_type);
        json_object_set_new(plan, "new_account", na);
        type = c->new_account_type;
    }
    set_str(plan, "role", outcome_role(c, l->title));
    if (c->opp_enabled)
        json_object_set_new(plan, "opp", opp_json(c, type, owner));
}

/* What a resolution proves, for the resolve Function to record (learning.enabled): the company
 * as the engine normalises it and the lead's corporate email domain. */
static json_t *learn_json(const lead_facts *f)
{
    json_t *o = json_object();
    set_str(o, "name", f->name_key);
    if (!f->freemail && !f->disposable)
        set_str(o, "domain", f->email_domain);
    return o;
}

/* learning.domains_from_contacts: the domain the matched account learns from this lead. */
static json_t *learn_domain_json(const decision *d)
{
    json_t *o = json_object();
    set_str(o, "account_id", d->account_id);
    set_str(o, "domain", d->learn_domain);
    return o;
}

char *outcome_plan_json(const engine_opts *c, outcome_action a, const lead *l, const decision *d,
                        const outcome_account *acct, const char *now, double now_ms)
{
    json_t *plan = json_object();
    set_str(plan, "action", outcome_action_name(a));
    json_object_set_new(plan, "lead", lead_json(l, d));
    set_str(plan, "now", now);
    json_object_set_new(plan, "now_ms", json_integer((json_int_t)now_ms));
    if (a == OUTCOME_CONVERT || a == OUTCOME_CREATE_ACCOUNT)
        add_target(plan, c, a, l, d, acct);
    if (a == OUTCOME_FLAG)
        json_object_set_new(plan, "alert", alert_json(d));
    bool resolution = a == OUTCOME_CONVERT || a == OUTCOME_CREATE_ACCOUNT || a == OUTCOME_DISMISS;
    if (resolution && c->learn_enabled && d->facts.name_key)
        json_object_set_new(plan, "learn", learn_json(&d->facts));
    if (a == OUTCOME_CONVERT && d->learn_domain && d->account_id)
        json_object_set_new(plan, "learn_domain", learn_domain_json(d));
    char *out = json_dumps(plan, JSON_COMPACT);
    json_decref(plan);
    return out;
}
