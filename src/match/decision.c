/* decision.c - decision lifecycle and JSON serialisation. */
#include "decision.h"
#include "numfmt.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void decision_init(decision *d)
{
    memset(d, 0, sizeof(*d));
    d->kind = DECISION_NO_MATCH;
    d->rule = "none";
}

/* Does s point into d's block of strings? (Compared as addresses: s may be any allocation.) */
static bool in_block(const decision *d, const char *s)
{
    uintptr_t at = (uintptr_t)s, start = (uintptr_t)d->strings;
    return d->strings && at >= start && at - start < d->strings_len;
}

/* Frees a string field unless the block holds it. */
static void free_field(const decision *d, char *s)
{
    if (s && !in_block(d, s))
        free(s);
}

void decision_free(decision *d)
{
    free_field(d, d->lead_id);
    free_field(d, d->account_id);
    free_field(d, d->reason);
    free_field(d, d->learn_domain);
    lead_facts_free(&d->facts);
    for (size_t i = 0; i < d->ncand; i++)
        free_field(d, d->cand[i].account_id);
    free(d->strings);
    /* Not decision_init (a memset of the whole decision, which a next use clears again): only
     * what a second decision_free would free. */
    d->lead_id = d->account_id = d->reason = d->learn_domain = d->strings = NULL;
    d->ncand = 0;
}

void decision_pack_strings(decision *d, strbuf *reason)
{
    char **field[2 + DECISION_MAX_CANDIDATES] = {&d->lead_id, &d->account_id};
    size_t n = 2, size[2 + DECISION_MAX_CANDIDATES], need = 0;
    for (size_t i = 0; i < d->ncand; i++)
        field[n++] = &d->cand[i].account_id;
    for (size_t i = 0; i < n; i++)
        need += size[i] = *field[i] ? strlen(*field[i]) + 1 : 0;
    sb_reserve(reason, need);   /* the last move of the buffer: the copies stay where put */
    reason->buf[reason->len] = '\0';   /* (a fresh buffer holds none) */
    char *at = reason->buf + reason->len + 1;
    for (size_t i = 0; i < n; i++)
        if (size[i]) {
            *field[i] = memcpy(at, *field[i], size[i]);
            at += size[i];
        }
    d->strings_len = (size_t)(at - reason->buf);
    d->strings = sb_take(reason);
    d->reason = d->strings;
}

void lead_facts_free(lead_facts *f)
{
    free(f->strings);
    memset(f, 0, sizeof(*f));
}

const char *decision_kind_name(decision_kind k)
{
    switch (k) {
    case DECISION_MATCH: return "match";
    case DECISION_REVIEW: return "review";
    case DECISION_NO_MATCH: return "no_match";
    case DECISION_INVALID: return "invalid";
    }
    return "invalid";
}

void decision_set_reason(decision *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc(n > 0 ? (size_t)n + 1 : 1);
    s[0] = '\0';
    if (n > 0) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    free_field(d, d->reason);
    d->reason = s;
}

/* A string value, or null. */
static void json_str_or_null(strbuf *out, const char *val)
{
    if (val)
        sb_append_json_str(out, val);
    else
        SB_LITERAL(out, "null");
}

/* A score as decision_score_text writes it. */
static void json_score(strbuf *out, double score)
{
    char text[NUMFMT_ROOM];
    sb_appendn(out, text, numfmt_g4(score, text));
}

const char *decision_score_text(double score, char *buf, size_t len)
{
    if (len >= NUMFMT_ROOM)
        (void)numfmt_g4(score, buf);   /* "%.4g" without printf: a decision prints several */
    else
        snprintf(buf, len, "%.4g", score);
    return buf;
}

/* ,"decision":"<kind>" (the kinds' names need no escape: written as literals). */
static void decision_kind_json(decision_kind k, strbuf *out)
{
    switch (k) {
    case DECISION_MATCH: SB_LITERAL(out, ",\"decision\":\"match\""); return;
    case DECISION_REVIEW: SB_LITERAL(out, ",\"decision\":\"review\""); return;
    case DECISION_NO_MATCH: SB_LITERAL(out, ",\"decision\":\"no_match\""); return;
    case DECISION_INVALID: break;
    }
    SB_LITERAL(out, ",\"decision\":\"invalid\"");
}

/* The keys are written as literals: none needs an escape. */
void decision_candidates_json(const decision *d, strbuf *out)
{
    sb_putc(out, '[');
    for (size_t i = 0; i < d->ncand; i++) {
        if (i)
            sb_putc(out, ',');
        SB_LITERAL(out, "{\"account_id\":");
        json_str_or_null(out, d->cand[i].account_id);
        SB_LITERAL(out, ",\"score\":");
        json_score(out, d->cand[i].score);
        sb_putc(out, '}');
    }
    sb_putc(out, ']');
}

void decision_to_json(const decision *d, strbuf *out)
{
    SB_LITERAL(out, "{\"lead_id\":");
    json_str_or_null(out, d->lead_id);
    decision_kind_json(d->kind, out);
    SB_LITERAL(out, ",\"account_id\":");
    json_str_or_null(out, d->account_id);
    SB_LITERAL(out, ",\"score\":");
    json_score(out, d->score);
    SB_LITERAL(out, ",\"rule\":");
    json_str_or_null(out, d->rule);
    SB_LITERAL(out, ",\"reason\":");
    sb_append_json_str(out, d->reason ? d->reason : "");
    SB_LITERAL(out, ",\"candidates\":");
    decision_candidates_json(d, out);
    sb_putc(out, '}');
}
