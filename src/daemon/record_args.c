/* record_args.c - one decision's part of record_leads's arguments: values at fixed places (the
 * layout of record.lua's lead_at), the plan's rarer sections as flat arguments after them. */
#include "record_args.h"

#include <string.h>

#include "resp.h"

/* The plan's own fields with a fixed place: the first three before the result, the last two
 * after the lead's fields. */
static const char *const root_names[RECORD_ROOT_PLACES] = {"now", "now_ms", "action",
                                                           "account_id", "role"};
/* The lead's fields in their places (record.lua's LEAD_FIELDS, the order outcome.c writes). */
static const char *const lead_names[RECORD_LEAD_PLACES] = {
    "id", "email", "first_name", "last_name", "title", "company", "phone", "country", "source",
    "score", "website"};

/* Room for a usual plan's placed values (one allocation). */
#define TEXT_ROOM 512

void record_plan_init(record_plan *p)
{
    memset(p, 0, sizeof(*p));
    sb_init(&p->text);
    sv_init(&p->rest);
    p->section[0] = "";
}

void record_plan_free(record_plan *p)
{
    sb_free(&p->text);
    sv_free(&p->rest);
}

static bool plan_open(void *ctx, const char *name)
{
    record_plan *p = ctx;
    if (strcmp(name, "alert") == 0 || strcmp(name, "learn") == 0 ||
        p->depth + 1 >= (int)ARRAY_LEN(p->section))
        return false;
    p->section[++p->depth] = name;
    return true;
}

static void plan_close(void *ctx)
{
    record_plan *p = ctx;
    p->depth--;
}

/* The place of field k among names (n of them), trying hint first; n when it has none. */
static size_t place_of(const char *const *names, size_t n, size_t hint, const char *k)
{
    if (hint < n && strcmp(names[hint], k) == 0)
        return hint;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], k) == 0)
            return i;
    return n;
}

/* The slot of field k of the open section, or NULL when it has no place. */
static size_t *slot_of(record_plan *p, const char *k)
{
    const char *section = p->section[p->depth];
    if (!*section) {
        size_t i = place_of(root_names, RECORD_ROOT_PLACES, 0, k);
        return i < RECORD_ROOT_PLACES ? &p->root[i] : NULL;
    }
    if (strcmp(section, "lead") != 0)
        return NULL;
    size_t i = place_of(lead_names, RECORD_LEAD_PLACES, p->next_lead, k);
    if (i == RECORD_LEAD_PLACES)
        return NULL;
    p->next_lead = i + 1;
    return &p->lead[i];
}

static void plan_field(void *ctx, const char *k, const char *v)
{
    record_plan *p = ctx;
    size_t *slot = slot_of(p, k);
    if (slot) {
        if (!p->text.cap)
            sb_reserve(&p->text, TEXT_ROOM);
        *slot = p->text.len + 1;
        sb_appendn(&p->text, v, strlen(v) + 1);
        return;
    }
    sv_push(&p->rest, p->section[p->depth]);
    sv_push(&p->rest, k);
    sv_push(&p->rest, v);
}

outcome_sink record_plan_sink(record_plan *p)
{
    sb_reset(&p->text);
    memset(p->root, 0, sizeof(p->root));
    memset(p->lead, 0, sizeof(p->lead));
    p->next_lead = 0;
    for (size_t i = 0; i < p->rest.n; i++)
        free(p->rest.v[i]);
    p->rest.n = 0;
    p->depth = 0;
    return (outcome_sink){plan_open, plan_field, plan_close, p};
}

/* The placed values of slots (n), "" for each one left out. */
static void put_places(strbuf *out, const record_plan *p, const size_t *slots, size_t n)
{
    for (size_t i = 0; i < n; i++)
        resp_str(out, slots[i] ? p->text.buf + slots[i] - 1 : "");
}

static void put_all(strbuf *out, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        resp_str(out, v[i] ? v[i] : "");
}

/* The fields without a place as sections (a run of triplets of one section is one section),
 * appended to out unless it is NULL; returns the count of their arguments. */
static size_t put_rest(strbuf *out, const strvec *rest)
{
    size_t args = 0;
    for (size_t i = 0; i < rest->n;) {
        size_t end = i;
        while (end < rest->n && strcmp(rest->v[end], rest->v[i]) == 0)
            end += 3;
        args += 2 + 2 * (end - i) / 3;
        if (out) {
            resp_str(out, rest->v[i]);
            resp_num(out, 2 * (end - i) / 3);
            for (size_t j = i; j < end; j += 3) {
                resp_str(out, rest->v[j + 1]);
                resp_str(out, rest->v[j + 2]);
            }
        }
        i = end;
    }
    return args;
}

size_t record_args_put(strbuf *out, const char *entry_id, const char *digest, const decision *dec,
                       const record_plan *plan)
{
    char score[32];
    strbuf cands;
    sb_init(&cands);
    decision_candidates_json(dec, &cands);
    const char *head[] = {entry_id, digest};
    const char *result[] = {decision_kind_name(dec->kind), dec->account_id,
                            decision_score_text(dec->score, score, sizeof(score)), dec->rule,
                            dec->reason, cands.buf};
    put_all(out, head, ARRAY_LEN(head));
    put_places(out, plan, plan->root, 3);
    put_all(out, result, ARRAY_LEN(result));
    sb_free(&cands);
    put_places(out, plan, plan->lead, RECORD_LEAD_PLACES);
    put_places(out, plan, plan->root + 3, 2);
    size_t rest = put_rest(NULL, &plan->rest);
    resp_num(out, rest);
    (void)put_rest(out, &plan->rest);
    return ARRAY_LEN(head) + 3 + ARRAY_LEN(result) + RECORD_LEAD_PLACES + 2 + 1 + rest;
}
