/* webalert.c - one alert on the review page: the lead, the reason, the candidates with their
 * score and evidence, an account search from the in-memory index, and the resolution (link to
 * an account, create one, dismiss; with a note) through the same resolve Function and plan as
 * `l2a review resolve`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "keys.h"
#include "log.h"
#include "webhtml.h"
#include "webui_impl.h"

#define SEARCH_MAX 20       /* accounts a search shows */
#define NOTE_MAX 2000       /* bytes of a resolution note */

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- the page ---- */

static void lead_fields(strbuf *sb, const json_t *l)
{
    static const char *const order[] = {"id", "email", "first_name", "last_name", "title",
                                        "company", "website", "phone", "country", "source",
                                        "score"};
    sb_append(sb, "<section><h2>Lead</h2><dl class=\"lead\" id=\"lead\">");
    for (size_t i = 0; i < ARRAY_LEN(order); i++) {
        const char *v = json_string_value(json_object_get(l, order[i]));
        if (!v)
            continue;
        sb_append(sb, "<dt>");
        html_esc(sb, order[i]);
        sb_append(sb, "</dt><dd>");
        html_esc(sb, v);
        sb_append(sb, "</dd>");
    }
    sb_append(sb, "</dl></section>\n");
}

static bool has_domain(const account_brief *b, const char *domain)
{
    for (size_t i = 0; domain && i < b->ndomains; i++)
        if (strcmp(b->domains[i], domain) == 0)
            return true;
    return false;
}

/* Why the account is a candidate, as far as the lead's facts show it. */
static void evidence(strbuf *sb, const account_brief *b, const lead_facts *f, const char *company)
{
    bool any = false;
    if (has_domain(b, f->email_domain)) {
        sb_append(sb, "the lead's email domain ");
        html_esc(sb, f->email_domain);
        any = true;
    }
    if (has_domain(b, f->web_domain) && (!f->email_domain ||
                                         strcmp(f->web_domain, f->email_domain) != 0)) {
        sb_append(sb, any ? "; " : "");
        sb_append(sb, "the lead's website ");
        html_esc(sb, f->web_domain);
        any = true;
    }
    if (company && *company) {
        sb_append(sb, any ? "; " : "");
        sb_append(sb, "company &ldquo;");
        html_esc(sb, company);
        sb_append(sb, "&rdquo; vs &ldquo;");
        html_esc(sb, b->name);
        sb_append(sb, "&rdquo;");
    }
}

/* A button that links the lead to account id (in the actions form). */
static void link_button(strbuf *sb, const char *id, bool open)
{
    if (!open)
        return;
    sb_append(sb, "<button type=\"submit\" form=\"act\" name=\"link\" class=\"link\" value=\"");
    html_esc(sb, id);
    sb_append(sb, "\">Link to this account</button>");
}

/* One account row: name, id, domain, type, owner, then score and evidence when a candidate. */
static void account_cells(strbuf *sb, const account_brief *b)
{
    sb_append(sb, "<td>");
    html_esc(sb, b->name);
    sb_append(sb, " <span class=\"muted\">");
    html_esc(sb, b->id);
    sb_append(sb, "</span></td><td>");
    html_esc(sb, nz(b->domain));
    sb_append(sb, "</td><td>");
    html_esc(sb, nz(b->type));
    sb_append(sb, "</td><td>");
    html_esc(sb, nz(b->owner_id));
    sb_append(sb, "</td>");
}

static void candidates(strbuf *sb, const webreq *r, const lead_facts *f, const char *company,
                       bool open)
{
    json_t *cands = webreq_json(review_alert_get(&r->alert, "candidates"), true);
    size_t i;
    json_t *c;
    sb_append(sb, "<section><h2>Candidates</h2><table id=\"candidates\"><thead><tr><th>Account"
                  "</th><th>Domain</th><th>Type</th><th>Owner</th><th>Score</th><th>Evidence"
                  "</th><th></th></tr></thead><tbody>\n");
    json_array_foreach(cands, i, c) {
        const char *id = json_string_value(json_object_get(c, "account_id"));
        account_brief b;
        char score[32];
        if (!id)
            continue;
        if (!matcher_account_brief(r->d->m, id, &b))
            b = (account_brief){.id = id, .name = "(not in the index)"};
        sb_append(sb, "<tr class=\"candidate\">");
        account_cells(sb, &b);
        sb_appendf(sb, "<td>%s</td><td>",
                   decision_score_text(json_number_value(json_object_get(c, "score")), score,
                                       sizeof(score)));
        evidence(sb, &b, f, company);
        sb_append(sb, "</td><td>");
        link_button(sb, id, open);
        sb_append(sb, "</td></tr>\n");
    }
    if (json_array_size(cands) == 0)
        sb_append(sb, "<tr><td colspan=\"7\" class=\"muted\">none</td></tr>\n");
    sb_append(sb, "</tbody></table></section>\n");
    json_decref(cands);
}

static void actions(strbuf *sb, const webreq *r, const lead_facts *f)
{
    sb_append(sb, "<section><h2>Resolve</h2><form id=\"act\" method=\"post\" action=\"");
    html_alert_href(sb, r->lead_id);
    sb_append(sb, "\">");
    html_csrf_field(sb, r->csrf);
    sb_appendf(sb, "<p><label>Note (optional)<br><textarea name=\"note\" id=\"note\" rows=\"2\" "
                   "maxlength=\"%d\"></textarea></label></p><p>", NOTE_MAX);
    if (f->new_account_id) {
        sb_append(sb, "<button type=\"submit\" name=\"new\" value=\"1\" id=\"new-account\">"
                      "Create account ");
        html_esc(sb, f->new_account_id);
        sb_append(sb, "</button> ");
    }
    sb_append(sb, "<button type=\"submit\" name=\"dismiss\" value=\"1\" id=\"dismiss\" "
                  "data-confirm=\"Dismiss this alert?\">Dismiss</button></p></form></section>\n");
}

static void search(strbuf *sb, const webreq *r, bool open)
{
    const char *q = webreq_query(r, "q");
    sb_append(sb, "<section><h2>Find an account</h2><form method=\"get\" action=\"");
    html_alert_href(sb, r->lead_id);
    sb_append(sb, "\"><input name=\"q\" id=\"q\" placeholder=\"name or domain\" value=\"");
    html_esc(sb, q);
    sb_append(sb, "\"> <button type=\"submit\" id=\"search\">Search</button></form>\n");
    if (!q || !*q) {
        sb_append(sb, "</section>\n");
        return;
    }
    account_brief hits[SEARCH_MAX];
    size_t n = matcher_search(r->d->m, q, SEARCH_MAX, hits);
    sb_append(sb, "<table id=\"results\"><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        sb_append(sb, "<tr class=\"result\">");
        account_cells(sb, &hits[i]);
        sb_append(sb, "<td>");
        link_button(sb, hits[i].id, open);
        sb_append(sb, "</td></tr>\n");
    }
    if (n == 0)
        sb_append(sb, "<tr><td class=\"muted\">no account found</td></tr>\n");
    sb_append(sb, "</tbody></table></section>\n");
}

static void closed(strbuf *sb, const review_alert *a)
{
    static const char *const fields[][2] = {{"status", "Status"}, {"resolution", "Resolution"},
                                            {"resolved_by", "By"}, {"resolved_at", "At"},
                                            {"note", "Note"}};
    sb_append(sb, "<section><h2>Closed</h2><dl class=\"lead\" id=\"closed\">");
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        sb_append(sb, "<dt>");
        sb_append(sb, fields[i][1]);
        sb_append(sb, "</dt><dd>");
        html_esc(sb, nz(review_alert_get(a, fields[i][0])));
        sb_append(sb, "</dd>");
    }
    sb_append(sb, "</dl></section>\n");
}

static void header(strbuf *sb, const webreq *r, const char *message)
{
    const review_alert *a = &r->alert;
    sb_append(sb, "<h1>Lead ");
    html_esc(sb, r->lead_id);
    sb_append(sb, "</h1>\n<p id=\"status\">");
    html_esc(sb, nz(review_alert_get(a, "status")));
    sb_append(sb, " &middot; ");
    html_esc(sb, nz(review_alert_get(a, "kind")));
    sb_append(sb, " &middot; created ");
    html_esc(sb, nz(review_alert_get(a, "created_at")));
    sb_append(sb, " &middot; age ");
    webreq_age_cell(sb, r, a, epoch_ms_now());
    sb_append(sb, "</p>\n");
    if (message) {
        sb_append(sb, "<p class=\"error\" id=\"message\">");
        html_esc(sb, message);
        sb_append(sb, "</p>\n");
    }
    sb_append(sb, "<section><h2>Reason</h2><p id=\"reason\">");
    html_esc(sb, nz(review_alert_get(a, "reason")));
    sb_append(sb, "</p></section>\n");
}

/* The alert's page (r->alert read), with message (escaped) as an error notice when not NULL. */
static void render_alert(webreq *r, int code, const char *message)
{
    strbuf sb;
    lead l;
    lead_facts f;
    json_t *lj = webreq_json(review_alert_get(&r->alert, "lead"), false);
    bool open = strcmp(nz(review_alert_get(&r->alert, "status")), "open") == 0;
    lead_init(&l);
    memset(&f, 0, sizeof(f));
    review_lead_from_alert(&r->alert, &l);
    matcher_lead_facts(r->d->m, &l, &f);
    sb_init(&sb);
    html_page_begin(&sb, r->lead_id, r->user, r->csrf);
    header(&sb, r, message);
    lead_fields(&sb, lj);
    candidates(&sb, r, &f, json_string_value(json_object_get(lj, "company")), open);
    if (open)
        actions(&sb, r, &f);
    else
        closed(&sb, &r->alert);
    search(&sb, r, open);
    sb_append(&sb, "<p><a href=\"/\">Back to the open alerts</a></p>\n");
    html_page_end(&sb);
    lead_facts_free(&f);
    lead_free(&l);
    json_decref(lj);
    webreq_reply_html(r, code, &sb);
}

/* r->alert from an HGETALL reply: true when read; else answered (503 or 404). */
static bool take_alert(webreq *r, const redisReply *reply)
{
    int rc = reply ? review_alert_from_reply(reply, r->lead_id, 0, &r->alert) : -1;
    if (rc < 0)
        webreq_unavailable(r);
    else if (rc == 0)
        webreq_reply_message(r, 404, "Not found", "There is no review alert for this lead.");
    return rc == 1;
}

static void on_page_alert(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    if (take_alert(r, reply))
        render_alert(r, 200, NULL);
}

/* HGETALL of the alert, reply to fn. */
static void read_alert(webreq *r, aconn_reply_fn fn)
{
    webreq_key_cmd(r, "HGETALL", key_alert(r->d->cfg->key_prefix, r->lead_id), fn);
}

void webalert_page(webreq *r)
{
    read_alert(r, on_page_alert);
}

/* ---- resolving ---- */

/* What the form asks: the button pressed. REVIEW_HOW_NONE when none or several. */
static review_how form_how(const webreq *r, const char **account_id)
{
    const char *link = webreq_form(r, "link");
    int n = (link != NULL) + (webreq_form(r, "new") != NULL) + (webreq_form(r, "dismiss") != NULL);
    *account_id = link;
    if (n != 1)
        return REVIEW_HOW_NONE;
    if (link)
        return *link ? REVIEW_HOW_ACCOUNT : REVIEW_HOW_NONE;
    return webreq_form(r, "new") ? REVIEW_HOW_NEW_ACCOUNT : REVIEW_HOW_DISMISS;
}

static void already_closed(webreq *r, const char *status)
{
    char msg[1024];
    snprintf(msg, sizeof(msg), "This alert was already %s: %s by %s at %s. Nothing was changed.",
             *nz(status) ? status : "closed", nz(review_alert_get(&r->alert, "resolution")),
             nz(review_alert_get(&r->alert, "resolved_by")),
             nz(review_alert_get(&r->alert, "resolved_at")));
    render_alert(r, 409, msg);
}

static void on_closed_reread(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    review_alert_free(&r->alert);
    if (take_alert(r, reply))
        already_closed(r, review_alert_get(&r->alert, "status"));
}

static void send_resolve(webreq *r);

/* FUNCTION LOAD's reply (the library was gone: FUNCTION FLUSH, a new Redis): the call again. */
static void on_library_loaded(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    if (!reply)
        webreq_unavailable(r);
    else if (reply->type == REDIS_REPLY_ERROR)
        render_alert(r, 500, reply->str);
    else
        send_resolve(r);
}

static void on_resolved(aconn *c, redisReply *reply, void *priv)
{
    webreq *r = priv;
    review_outcome out;
    char err[512] = "";
    int rc = reply ? review_outcome_read(reply, &out, err, sizeof(err)) : -2;
    if (rc == -2) {
        webreq_unavailable(r);
    } else if (rc < 0 && strstr(err, "Function not found") && !r->library_loaded) {
        const char *argv[] = {"FUNCTION", "LOAD", "REPLACE", functions_library_source()};
        r->library_loaded = true;
        if (aconn_cmd_argv(c, on_library_loaded, r, 0, 4, argv, NULL) != 0)
            webreq_unavailable(r);
    } else if (rc < 0) {
        log_err("web_resolve_failed", "lead=%s error=\"%s\"", log_q(r->lead_id), log_q(err));
        render_alert(r, 500, err);
    } else if (rc == 0) {
        webreq_reply_message(r, 404, "Not found", "There is no review alert for this lead.");
    } else if (!out.done) {     /* closed by someone else between our read and the call */
        read_alert(r, on_closed_reread);
    } else {
        strbuf loc;
        sb_init(&loc);
        sb_append(&loc, "/?resolved=");
        html_url_esc(&loc, r->lead_id);
        log_notice("web_resolved", "lead=%s by=%s resolution=%s", log_q(r->lead_id),
                   log_q(r->user), log_q(r->plan.resolution));
        webreq_redirect(r, loc.buf, NULL);
        sb_free(&loc);
    }
    if (rc == 1)
        review_outcome_free(&out);
}

/* FCALL of the resolve Function with r->plan, by the logged-in user. */
static void send_resolve(webreq *r)
{
    const char *argv[2 + REVIEW_RESOLVE_ARGC] = {"FCALL", functions_name(FN_RESOLVE)};
    review_resolve_argv(r->d->cfg->key_prefix, r->lead_id, &r->plan, r->user,
                        webreq_form(r, "note"), argv + 2);
    aconn *c = webreq_conn(r);
    if (!c || aconn_cmd_argv(c, on_resolved, r, 0, 2 + REVIEW_RESOLVE_ARGC, argv, NULL) != 0)
        webreq_unavailable(r);
}

/* The plan built and, for an open alert, the resolve Function called. */
static void resolve_now(webreq *r)
{
    const char *account_id;
    review_how how = form_how(r, &account_id);
    char err[512];
    if (how == REVIEW_HOW_ACCOUNT && r->acct_found == 0) {
        snprintf(err, sizeof(err), "There is no account %s.", account_id);
        render_alert(r, 422, err);
        return;
    }
    if (review_plan_build(r->d->m, &r->alert, how, account_id, &r->acct_kv,
                          epoch_ms_now(), &r->plan, err, sizeof(err)) != 0) {
        render_alert(r, 422, err);
        return;
    }
    if (strcmp(nz(review_alert_get(&r->alert, "status")), "open") != 0)
        already_closed(r, review_alert_get(&r->alert, "status"));
    else
        send_resolve(r);
}

static void on_resolve_account(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    review_alert acct;
    if (!reply) {
        webreq_unavailable(r);
        return;
    }
    r->acct_found = review_alert_from_reply(reply, "", 0, &acct);
    if (r->acct_found == 1) {
        r->acct_kv = acct.kv;
        sv_init(&acct.kv);
    }
    review_alert_free(&acct);
    if (r->acct_found < 0)
        webreq_unavailable(r);
    else
        resolve_now(r);
}

static void on_resolve_alert(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    const char *account_id;
    if (!take_alert(r, reply))
        return;
    if (form_how(r, &account_id) != REVIEW_HOW_ACCOUNT) {
        resolve_now(r);
        return;
    }
    webreq_key_cmd(r, "HGETALL", key_account(r->d->cfg->key_prefix, account_id),
                   on_resolve_account);
}

void webalert_resolve(webreq *r)
{
    const char *account_id, *note = webreq_form(r, "note");
    if (form_how(r, &account_id) == REVIEW_HOW_NONE) {
        webreq_reply_message(r, 400, "Bad request", "Choose one action: link to an account, "
                                                    "create an account, or dismiss.");
        return;
    }
    if (note && strlen(note) > NOTE_MAX) {
        webreq_reply_message(r, 400, "Bad request", "The note is too long.");
        return;
    }
    read_alert(r, on_resolve_alert);
}
