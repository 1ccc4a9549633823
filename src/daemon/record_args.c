/* record_args.c - one decision's part of record_leads's arguments: values at fixed places (the
 * layout of record.lua's lead_at), the plan's rarer sections as flat arguments after them. */
#include "record_args.h"

#include <stdlib.h>
#include <string.h>

#include "resp.h"

/* The plan's own fields with a fixed place: the first three before the result, the last two
 * after the lead's fields. */
static const char *const root_names[] = {"now", "now_ms", "action", "account_id", "role"};
/* The lead's fields in their places (record.lua's LEAD_FIELDS, the order outcome.c writes). */
static const char *const lead_names[] = {"id", "email", "first_name", "last_name", "title",
                                         "company", "phone", "country", "source", "score",
                                         "website"};

/* A section of the flat plan: values taken into places (names, slots, n of them), or none
 * (names NULL), and whether what is left goes on (skip: nothing of it does). */
typedef struct section_kind {
    const char *const *names;
    const char **slots;
    size_t n;
    bool skip;
} section_kind;

/* The fixed-place values of one plan. */
typedef struct plan_places {
    const char *root[ARRAY_LEN(root_names)];
    const char *lead[ARRAY_LEN(lead_names)];
} plan_places;

static section_kind kind_of(plan_places *p, const char *name)
{
    if (!*name)
        return (section_kind){root_names, p->root, ARRAY_LEN(root_names), false};
    if (strcmp(name, "lead") == 0)
        return (section_kind){lead_names, p->lead, ARRAY_LEN(lead_names), false};
    bool skip = strcmp(name, "alert") == 0 || strcmp(name, "learn") == 0;
    return (section_kind){NULL, NULL, 0, skip};
}

/* Puts value v of field k in its place; false when k has none. */
static bool place(const section_kind *s, const char *k, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], k) == 0) {
            s->slots[i] = v;
            return true;
        }
    return false;
}

/* One walk of the flat plan (count, then sections of name, count, pairs): the values with a
 * place into p; the others, by sections, appended to out (when not NULL). Returns the count of
 * the arguments the others take. */
static size_t walk(const strvec *plan, plan_places *p, strbuf *out)
{
    size_t rest = 0;
    for (size_t i = 1; i + 1 < plan->n;) {
        const char *name = plan->v[i];
        size_t n = strtoul(plan->v[i + 1], NULL, 10), left = 0;
        const char *const *pairs = (const char *const *)plan->v + i + 2;
        section_kind s = kind_of(p, name);
        for (size_t j = 0; j + 1 < n; j += 2)
            left += !s.skip && !place(&s, pairs[j], pairs[j + 1]);
        if (left && out) {
            resp_str(out, name);
            resp_num(out, 2 * left);
            for (size_t j = 0; j + 1 < n; j += 2)
                if (!s.skip && !place(&s, pairs[j], pairs[j + 1])) {
                    resp_str(out, pairs[j]);
                    resp_str(out, pairs[j + 1]);
                }
        }
        rest += left ? 2 + 2 * left : 0;
        i += 2 + n;
    }
    return rest;
}

static void put_all(strbuf *out, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        resp_str(out, v[i] ? v[i] : "");
}

size_t record_args_put(strbuf *out, const char *entry_id, const char *digest, const decision *dec,
                       const strvec *plan)
{
    plan_places p = {{NULL}, {NULL}};
    size_t rest = walk(plan, &p, NULL);
    char score[32];
    strbuf cands;
    sb_init(&cands);
    decision_candidates_json(dec, &cands);
    const char *head[] = {entry_id, digest, p.root[0], p.root[1], p.root[2],
                          decision_kind_name(dec->kind), dec->account_id,
                          decision_score_text(dec->score, score, sizeof(score)), dec->rule,
                          dec->reason, cands.buf};
    put_all(out, head, ARRAY_LEN(head));
    sb_free(&cands);
    put_all(out, p.lead, ARRAY_LEN(p.lead));
    put_all(out, p.root + 3, 2);
    resp_num(out, rest);
    if (rest)
        (void)walk(plan, &p, out);
    return ARRAY_LEN(head) + ARRAY_LEN(p.lead) + 2 + 1 + rest;
}
