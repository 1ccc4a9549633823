/* hooks_alert_text.c - the chat message an alert is posted as: Slack-compatible incoming-webhook
 * JSON {"text": ...} with the lead, the company, the reason and the review page's link. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks_impl.h"

char *alert_link(const conf *c, const char *lead_id)
{
    strbuf sb;
    sb_init(&sb);
    if (c->web_url)
        sb_append(&sb, c->web_url);
    else if (c->web_listen)
        sb_appendf(&sb, "http://%s", c->web_listen);
    else
        return NULL;
    while (sb.len && sb.buf[sb.len - 1] == '/')
        sb.buf[--sb.len] = '\0';
    char *id = curl_easy_escape(NULL, lead_id, (int)strlen(lead_id));
    sb_appendf(&sb, "/alerts/%s", id ? id : "");
    curl_free(id);
    return sb_take(&sb);
}

/* s with &, < and > escaped as Slack asks for text it should not read as markup. */
static void append_plain(strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '&')
            sb_append(sb, "&amp;");
        else if (*s == '<')
            sb_append(sb, "&lt;");
        else if (*s == '>')
            sb_append(sb, "&gt;");
        else
            sb_putc(sb, *s);
    }
}

static const char *lead_str(json_t *person, const char *key)
{
    const char *s = json_string_value(json_object_get(person, key));
    return s && *s ? s : NULL;
}

/* "Ann Lee (ann@acme.com) lead L1": what is known of the person. */
static void append_who(strbuf *sb, json_t *person, const char *lead_id)
{
    const char *first = lead_str(person, "first_name"), *last = lead_str(person, "last_name");
    const char *email = lead_str(person, "email");
    if (first || last) {
        append_plain(sb, first ? first : "");
        sb_append(sb, first && last ? " " : "");
        append_plain(sb, last ? last : "");
        sb_append(sb, " ");
    }
    if (email) {
        sb_append(sb, "(");
        append_plain(sb, email);
        sb_append(sb, ") ");
    }
    sb_append(sb, "lead ");
    append_plain(sb, lead_id);
}

/* review.sla as people write it: 4h, 30m, 90s, 1500ms. */
static void append_duration(strbuf *sb, int ms)
{
    if (ms % 3600000 == 0)
        sb_appendf(sb, "%dh", ms / 3600000);
    else if (ms % 60000 == 0)
        sb_appendf(sb, "%dm", ms / 60000);
    else if (ms % 1000 == 0)
        sb_appendf(sb, "%ds", ms / 1000);
    else
        sb_appendf(sb, "%dms", ms);
}

char *alert_message(const conf *c, const char *lead_id, const char *lead_json, const char *reason,
                    bool overdue)
{
    json_t *person = lead_json ? json_loads(lead_json, 0, NULL) : NULL;
    strbuf t;
    sb_init(&t);
    if (overdue) {
        sb_append(&t, "Overdue review (open longer than ");
        append_duration(&t, c->review_sla_ms);
        sb_append(&t, "): ");
    } else {
        sb_append(&t, "New lead to review: ");
    }
    append_who(&t, person, lead_id);
    const char *company = lead_str(person, "company");
    sb_append(&t, ", company ");
    append_plain(&t, company ? company : "(none)");
    sb_append(&t, "\nReason: ");
    append_plain(&t, reason && *reason ? reason : "(none given)");
    char *link = alert_link(c, lead_id);
    sb_appendf(&t, "\nReview: %s", link ? link : "(set web.url for a link)");
    free(link);
    json_decref(person);
    strbuf body;
    sb_init(&body);
    sb_append(&body, "{\"text\":");
    sb_append_json_str(&body, t.buf);
    sb_append(&body, "}");
    sb_free(&t);
    return sb_take(&body);
}
