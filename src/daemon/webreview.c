/* webreview.c - the review page's list: the open alerts oldest first, their age against the
 * review SLA (review.sla; overdue ones marked), filtered by kind, owner and age. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "keys.h"
#include "log.h"
#include "strmap.h"
#include "webhtml.h"
#include "webui_impl.h"

#define LIST_MAX 500        /* alerts read for the list, oldest first */

static const char *nz(const char *s)
{
    return s ? s : "";
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* ---- the list ---- */

/* The owner of an alert's best candidate, from the index ("" when none). */
static const char *best_owner(const webreq *r, const review_alert *a, char *buf, size_t len)
{
    json_t *c = webreq_json(review_alert_get(a, "candidates"), true);
    account_brief b;
    const char *id = jstr(json_array_get(c, 0), "account_id");
    snprintf(buf, len, "%s", matcher_account_brief(r->d->m, id, &b) ? nz(b.owner_id) : "");
    json_decref(c);
    return buf;
}

/* The oldest creation time the age filter lets through (ms), or -1 for any. */
static double age_limit(const webreq *r, double now)
{
    const char *age = webreq_query(r, "age");
    long long ms;
    if (!age || !*age)
        return -1;
    if (strcmp(age, "sla") == 0)
        return now - r->d->cfg->review_sla_ms;
    return duration_ms_parse(age, &ms) == 0 ? now - (double)ms : -1;
}

static void select_option(strbuf *sb, const char *value, const char *label, const char *current)
{
    sb_append(sb, "<option value=\"");
    html_esc(sb, value);
    sb_append(sb, strcmp(value, nz(current)) == 0 ? "\" selected>" : "\">");
    html_esc(sb, label);
    sb_append(sb, "</option>");
}

static void owner_options(strbuf *sb, const webreq *r, const char *current)
{
    strmap *seen = strmap_new();
    char owner[256];
    select_option(sb, "", "any", current);
    select_option(sb, "-", "none", current);
    for (size_t i = 0; i < r->nalerts; i++) {
        best_owner(r, &r->alerts[i], owner, sizeof(owner));
        if (*owner && !strmap_has(seen, owner)) {
            strmap_put(seen, owner, 1);
            select_option(sb, owner, owner, current);
        }
    }
    if (current && *current && strcmp(current, "-") != 0 && !strmap_has(seen, current))
        select_option(sb, current, current, current);
    strmap_free(seen);
}

static void filters_form(strbuf *sb, const webreq *r)
{
    const char *kind = webreq_query(r, "kind"), *age = webreq_query(r, "age");
    char sla[32];
    sb_append(sb, "<form class=\"filters\" method=\"get\" action=\"/\"><label>Kind <select "
                  "name=\"kind\" id=\"kind\">");
    select_option(sb, "", "any", kind);
    select_option(sb, "review", "review", kind);
    select_option(sb, "no_match", "no match", kind);
    sb_append(sb, "</select></label><label>Owner <select name=\"owner\" id=\"owner\">");
    owner_options(sb, r, webreq_query(r, "owner"));
    sb_append(sb, "</select></label><label>Age <select name=\"age\" id=\"age\">");
    snprintf(sla, sizeof(sla), "overdue (over %s)",
             review_age_format(r->d->cfg->review_sla_ms / 1000, (char[32]){0}, 32));
    select_option(sb, "", "any", age);
    select_option(sb, "sla", sla, age);
    static const char *const ages[][2] = {{"1h", "over 1 hour"}, {"1d", "over 1 day"},
                                          {"7d", "over 7 days"}};
    for (size_t i = 0; i < ARRAY_LEN(ages); i++)
        select_option(sb, ages[i][0], ages[i][1], age);
    sb_append(sb, "</select></label><button type=\"submit\">Filter</button></form>\n");
}

static bool row_wanted(const webreq *r, const review_alert *a)
{
    const char *kind = webreq_query(r, "kind"), *owner = webreq_query(r, "owner");
    char best[256];
    if (kind && *kind && strcmp(kind, nz(review_alert_get(a, "kind"))) != 0)
        return false;
    if (owner && *owner) {
        best_owner(r, a, best, sizeof(best));
        return strcmp(owner, "-") == 0 ? !*best : strcmp(owner, best) == 0;
    }
    return true;
}

/* The best candidate's name (from the index, else its id) and score. */
static void best_cell(strbuf *sb, const webreq *r, const review_alert *a)
{
    json_t *c = webreq_json(review_alert_get(a, "candidates"), true);
    const json_t *c0 = json_array_get(c, 0);
    account_brief b;
    const char *id = jstr(c0, "account_id");
    char score[32];
    if (!*id) {
        sb_append(sb, "<span class=\"muted\">none</span>");
    } else {
        html_esc(sb, matcher_account_brief(r->d->m, id, &b) ? b.name : id);
        sb_appendf(sb, " <span class=\"muted\">%s</span>",
                   decision_score_text(json_number_value(json_object_get(c0, "score")), score,
                                       sizeof(score)));
    }
    json_decref(c);
}

static void list_row(strbuf *sb, const webreq *r, const review_alert *a, double now)
{
    json_t *l = webreq_json(review_alert_get(a, "lead"), false);
    bool overdue = now - a->created_ms > r->d->cfg->review_sla_ms;
    sb_append(sb, overdue ? "<tr class=\"overdue\"><td>" : "<tr><td>");
    webreq_age_cell(sb, r, a, now);
    sb_append(sb, "</td><td><a class=\"lead\" href=\"");
    html_alert_href(sb, a->lead_id);
    sb_append(sb, "\">");
    html_esc(sb, a->lead_id);
    sb_append(sb, "</a></td><td>");
    html_esc(sb, jstr(l, "company"));
    sb_append(sb, "</td><td>");
    html_esc(sb, jstr(l, "email"));
    sb_append(sb, "</td><td>");
    html_esc(sb, nz(review_alert_get(a, "kind")));
    sb_append(sb, "</td><td>");
    best_cell(sb, r, a);
    sb_append(sb, "</td><td>");
    html_esc(sb, nz(review_alert_get(a, "reason")));
    sb_append(sb, "</td></tr>\n");
    json_decref(l);
}

static void render_list(webreq *r)
{
    strbuf sb;
    double now = epoch_ms_now();
    size_t shown = 0;
    const char *resolved = webreq_query(r, "resolved");
    sb_init(&sb);
    html_page_begin(&sb, "Open alerts", r->user, r->csrf);
    sb_append(&sb, "<h1>Open alerts</h1>\n");
    if (resolved) {
        sb_append(&sb, "<p class=\"notice\" id=\"notice\">Alert ");
        html_esc(&sb, resolved);
        sb_append(&sb, " resolved.</p>\n");
    }
    filters_form(&sb, r);
    sb_append(&sb, "<table id=\"alerts\"><thead><tr><th>Age</th><th>Lead</th><th>Company</th>"
                   "<th>Email</th><th>Kind</th><th>Best candidate</th><th>Reason</th></tr>"
                   "</thead><tbody>\n");
    for (size_t i = 0; i < r->nalerts; i++)
        if (row_wanted(r, &r->alerts[i]) && ++shown)
            list_row(&sb, r, &r->alerts[i], now);
    sb_appendf(&sb, "</tbody></table>\n<p class=\"muted\" id=\"count\">%zu shown, %lld open in "
                    "all; review SLA ", shown, r->total);
    char sla[32];
    sb_append(&sb, review_age_format(r->d->cfg->review_sla_ms / 1000, sla, sizeof(sla)));
    sb_append(&sb, ".</p>\n");
    html_page_end(&sb);
    webreq_reply_html(r, 200, &sb);
}

static void on_list_alert(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    size_t i = r->got++;
    if (!reply)
        r->failed = true;
    else if (review_alert_from_reply(reply, r->ids.v[i], 0, &r->alerts[r->nalerts]) == 1)
        r->nalerts++;         /* an empty reply: closed between the range and the read */
    if (--r->waiting > 0)
        return;
    if (r->failed)
        webreq_unavailable(r);
    else
        render_list(r);
}

static void on_list_total(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    r->total = reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
    if (r->failed)         /* the range could not be sent: this reply ends the request */
        webreq_unavailable(r);
}

/* ZRANGEBYSCORE's ids: one HGETALL each, pipelined. */
static void on_list_ids(aconn *c, redisReply *reply, void *priv)
{
    webreq *r = priv;
    if (!reply || reply->type != REDIS_REPLY_ARRAY) {
        webreq_unavailable(r);
        return;
    }
    for (size_t i = 0; i < reply->elements; i++)
        if (reply->element[i]->type == REDIS_REPLY_STRING)
            sv_push_owned(&r->ids, xstrndup(reply->element[i]->str, reply->element[i]->len));
    if (r->ids.n == 0) {
        render_list(r);
        return;
    }
    r->alerts = xcalloc(r->ids.n, sizeof(*r->alerts));
    for (size_t i = 0; i < r->ids.n; i++) {
        char *key = key_alert(r->d->cfg->key_prefix, r->ids.v[i]);
        const char *argv[] = {"HGETALL", key};
        int rc = aconn_cmd_argv(c, on_list_alert, r, 0, 2, argv, NULL);
        free(key);
        if (rc != 0) {
            r->failed = true;
            break;
        }
        r->waiting++;
    }
    if (r->waiting == 0)
        webreq_unavailable(r);
}

void webreview_list(webreq *r)
{
    aconn *c = webreq_conn(r);
    double now = epoch_ms_now(), limit = age_limit(r, now);
    char max[64], count[16];
    if (!c) {
        webreq_unavailable(r);
        return;
    }
    if (limit < 0)
        snprintf(max, sizeof(max), "+inf");
    else
        snprintf(max, sizeof(max), "%.0f", limit);
    snprintf(count, sizeof(count), "%d", LIST_MAX);
    char *key = key_review_open(r->d->cfg->key_prefix);
    const char *card[] = {"ZCARD", key};
    const char *range[] = {"ZRANGEBYSCORE", key, "-inf", max, "LIMIT", "0", count};
    if (aconn_cmd_argv(c, on_list_total, r, 0, 2, card, NULL) != 0)
        webreq_unavailable(r);
    else if (aconn_cmd_argv(c, on_list_ids, r, 0, 7, range, NULL) != 0)
        r->failed = true;  /* the connection dropped in between: ZCARD's reply answers */
    free(key);
}
