/* intake.c - POST /v1/leads: a bearer token, a JSON lead or an array of them, every lead XADDed to
 * the input stream as `l2a push` does (one field `json`), a batch all or nothing (MULTI/EXEC). */
#include "intake.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <jansson.h>

#include "daemon.h"
#include "log.h"

struct intake {
    l2ad *d;                        /* borrowed */
    strvec tokens;                  /* owned: the bearer tokens accepted */
};

/* One request waiting for its EXEC reply. */
typedef struct intake_op {
    l2ad *d;                        /* borrowed */
    struct evhttp_request *req;     /* NULL once the client went away */
    size_t n;                       /* leads sent */
} intake_op;

/* ---- tokens ---- */

static int read_tokens(const char *path, strvec *out, char *err, size_t errlen)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        err_set(err, errlen, "web.tokens_file: cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    sv_init(out);
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line += strspn(line, " \t");
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0 && line[0] != '#')
            sv_push(out, line);
    }
    free(text);
    return 0;
}

/* Whether a (alen bytes) equals b, in a time that depends on blen alone. */
static bool equal_ct(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < blen; i++)
        diff |= (unsigned char)(b[i] ^ (i < alen ? a[i] : 0));
    return diff == 0;
}

/* Whether the request carries "Authorization: Bearer <token>" with a token of the file. Every
 * token is compared, whichever matches. */
static bool authorized(const struct intake *in, struct evhttp_request *req)
{
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    const char *tok = h + 7 + strspn(h + 7, " ");
    size_t len = strcspn(tok, " \t");
    if (tok[len + strspn(tok + len, " \t")] != '\0')
        return false;                       /* more than one word */
    bool ok = false;
    for (size_t i = 0; i < in->tokens.n; i++)
        ok |= equal_ct(in->tokens.v[i], strlen(in->tokens.v[i]), tok, len);
    return ok && len > 0;
}

/* ---- answers ---- */

static metric_id code_metric(int code)
{
    switch (code) {
    case 202: return METRIC_INTAKE_202;
    case 400: return METRIC_INTAKE_400;
    case 401: return METRIC_INTAKE_401;
    case 413: return METRIC_INTAKE_413;
    case 503: return METRIC_INTAKE_503;
    default: return METRIC_INTAKE_500;
    }
}

/* Answers with code and body (a JSON object text), counted by code. */
static void answer(l2ad *d, struct evhttp_request *req, int code, const strbuf *body)
{
    metrics_inc(d->metrics, code_metric(code), 1);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    if (code == 401)
        evhttp_add_header(h, "WWW-Authenticate", "Bearer realm=\"l2a intake\"");
    if (code == 503)
        evhttp_add_header(h, "Retry-After", "1");
    web_reply(req, code, "application/json", body->buf, body->len);
}

/* Answers {"error": "<message>"}. */
static void answer_error(l2ad *d, struct evhttp_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void answer_error(l2ad *d, struct evhttp_request *req, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    strbuf body;
    sb_init(&body);
    sb_append(&body, "{\"error\":");
    sb_append_json_str(&body, msg);
    sb_append(&body, "}\n");
    answer(d, req, code, &body);
    sb_free(&body);
}

/* ---- the body: one lead or an array of them, each kept as the client wrote it ---- */

typedef struct span {
    const char *p;
    size_t len;
} span;

static bool json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The elements of the JSON array text s (valid JSON, as jansson found it), as written, into out
 * (room for max). Returns how many. */
static size_t array_elements(const char *s, size_t len, span *out, size_t max)
{
    size_t i = 0, n = 0, start = 0, end = 0;
    int depth = 0;
    bool in_str = false, in_elem = false;
    while (i < len && s[i] != '[')
        i++;
    for (i++; i < len && n < max; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false, end = i + 1;
            continue;
        }
        if (json_ws(c))
            continue;
        if (depth == 0 && (c == ',' || c == ']')) {
            if (in_elem)
                out[n++] = (span){s + start, end - start};
            in_elem = false;
            if (c == ']')
                break;
            continue;
        }
        if (!in_elem)
            in_elem = true, start = i;
        if (c == '"')
            in_str = true;
        else if (c == '[' || c == '{')
            depth++;
        else if (c == ']' || c == '}')
            depth--;
        end = i + 1;
    }
    return n;
}

/* The body without the whitespace around it. */
static span trimmed(const char *body, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && json_ws(body[a]))
        a++;
    while (b > a && json_ws(body[b - 1]))
        b--;
    return (span){body + a, b - a};
}

/* How many leads the parsed body j holds, or -1 with the refusal in *code and msg. */
static long lead_count(const json_t *j, int *code, char *msg, size_t msglen)
{
    size_t count = json_is_array(j) ? json_array_size(j) : 1;
    if (count == 0) {
        *code = 400;
        err_set(msg, msglen, "an empty array: no lead; nothing added");
        return -1;
    }
    if (count > INTAKE_MAX_LEADS) {
        *code = 413;
        err_set(msg, msglen, "%zu leads, over the limit of %d a request; nothing added", count,
                INTAKE_MAX_LEADS);
        return -1;
    }
    return (long)count;
}

/* Whether a lead's entry would be over daemon.max_entry_bytes (l2ad would dead-letter it): the
 * refusal in *code and msg. */
static bool oversized(const l2ad *d, const span *leads, long n, int *code, char *msg,
                      size_t msglen)
{
    for (long i = 0; i < n; i++) {
        size_t bytes = 4 + leads[i].len;  /* "json" and the object, as l2ad counts an entry */
        if (bytes > (size_t)d->cfg->max_entry_bytes) {
            *code = 413;
            err_set(msg, msglen, "lead %ld is %zu bytes, over daemon.max_entry_bytes %d; "
                    "nothing added", i + 1, bytes, d->cfg->max_entry_bytes);
            return true;
        }
    }
    return false;
}

/* The leads of a body: *spans (malloc'd) and their count, or -1 with the code and message of the
 * refusal in *code and msg. */
static long body_leads(const l2ad *d, const char *body, size_t len, span **spans, int *code,
                       char *msg, size_t msglen)
{
    json_error_t jerr;
    json_t *j = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    *spans = NULL;
    if (!j) {
        *code = 400;
        err_set(msg, msglen, "the body is not JSON: %s at line %d, column %d; nothing added",
                jerr.text, jerr.line, jerr.column);
        return -1;
    }
    long n = lead_count(j, code, msg, msglen);
    if (n > 0) {
        *spans = xcalloc((size_t)n, sizeof(**spans));
        if (json_is_array(j))
            n = (long)array_elements(body, len, *spans, (size_t)n);
        else
            (*spans)[0] = trimmed(body, len);
    }
    json_decref(j);
    if (n > 0 && oversized(d, *spans, n, code, msg, msglen))
        n = -1;
    if (n < 0) {
        free(*spans);
        *spans = NULL;
    }
    return n;
}

/* ---- Redis: MULTI, one XADD per lead, EXEC ---- */

static void on_client_gone(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    intake_op *op = arg;
    op->req = NULL;
}

/* Whether r is the EXEC reply of op's XADDs, every one a stream id. */
static bool exec_ok(const intake_op *op, const redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != op->n)
        return false;
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type != REDIS_REPLY_STRING)
            return false;
    return true;
}

static void answer_exec(intake_op *op, const redisReply *r)
{
    l2ad *d = op->d;
    if (exec_ok(op, r)) {
        strbuf body;
        sb_init(&body);
        sb_appendf(&body, "{\"accepted\":%zu,\"ids\":[", op->n);
        for (size_t i = 0; i < r->elements; i++) {
            sb_append(&body, i ? ",\"" : "\"");
            sb_append(&body, r->element[i]->str);
            sb_putc(&body, '"');
        }
        sb_append(&body, "]}\n");
        metrics_inc(d->metrics, METRIC_INTAKE_LEADS, (double)op->n);
        answer(d, op->req, 202, &body);
        sb_free(&body);
    } else if (!r) {
        answer_error(d, op->req, 503, "Redis connection lost before its answer: the leads may or "
                     "may not have been added; sending them again is safe (a lead id already "
                     "recorded is only acknowledged)");
    } else if (r->type == REDIS_REPLY_ARRAY) {
        /* a command failed inside the transaction (Redis does not roll the others back) */
        size_t added = 0;
        for (size_t i = 0; i < r->elements; i++)
            added += r->element[i]->type == REDIS_REPLY_STRING;
        log_err("intake_partial", "leads=%zu added=%zu", op->n, added);
        answer_error(d, op->req, 500, "Redis added %zu of the %zu leads; sending them all again "
                     "is safe (a lead id already recorded is only acknowledged)", added, op->n);
    } else {
        const char *why = r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to EXEC";
        log_err("intake_failed", "leads=%zu error=\"%s\"", op->n, log_q(why));
        answer_error(d, op->req, 503, "Redis refused the leads (%s); nothing added", why);
    }
}

static void on_exec(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    intake_op *op = priv;
    if (op->req) {
        evhttp_connection_set_closecb(evhttp_request_get_connection(op->req), NULL, NULL);
        answer_exec(op, r);
    }
    free(op);
}

/* Sends MULTI, the XADDs and EXEC in one go (no other command of this loop comes between). */
static void add_leads(l2ad *d, struct evhttp_request *req, const span *leads, size_t n)
{
    aconn *c = d->webconn;
    const char *multi[] = {"MULTI"}, *exec[] = {"EXEC"};
    if (!c || aconn_cmd_argv(c, NULL, NULL, 0, 1, multi, NULL) != 0) {
        answer_error(d, req, 503, "Redis is not reachable; nothing added");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *argv[] = {"XADD", d->k_leads, "*", "json", leads[i].p};
        const size_t lens[] = {4, strlen(d->k_leads), 1, 4, leads[i].len};
        (void)aconn_cmd_argv(c, NULL, NULL, 0, 5, argv, lens);
    }
    intake_op *op = xcalloc(1, sizeof(*op));
    *op = (intake_op){d, req, n};
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_client_gone, op);
    if (aconn_cmd_argv(c, on_exec, op, 0, 1, exec, NULL) != 0) {
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
        free(op);
        answer_error(d, req, 503, "Redis is not reachable; nothing added");
    }
}

/* ---- the route ---- */

static void on_leads(struct evhttp_request *req, const char *rest, void *ctx)
{
    (void)rest;
    struct intake *in = ctx;
    l2ad *d = in->d;
    if (!authorized(in, req)) {
        answer_error(d, req, 401, "a valid 'Authorization: Bearer <token>' header is required; "
                     "nothing added");
        return;
    }
    size_t len;
    char *body = web_body(req, &len), msg[512];
    span *leads;
    int code;
    long n = body_leads(d, body, len, &leads, &code, msg, sizeof(msg));
    if (n < 0)
        answer_error(d, req, code, "%s", msg);
    else
        add_leads(d, req, leads, (size_t)n);
    free(leads);
    free(body);
}

int intake_init(l2ad *d, char *err, size_t errlen)
{
    struct intake *in = xcalloc(1, sizeof(*in));
    in->d = d;
    sv_init(&in->tokens);
    if (d->cfg->web_tokens_file && read_tokens(d->cfg->web_tokens_file, &in->tokens, err,
                                                errlen) != 0) {
        free(in);
        return -1;
    }
    d->intake = in;
    web_route(d->web, "/v1/leads", WEB_POST, on_leads, in);
    return 0;
}

void intake_reload(l2ad *d)
{
    struct intake *in = d->intake;
    if (!in)
        return;
    strvec fresh;
    char err[512];
    if (!d->cfg->web_tokens_file) {
        sv_free(&in->tokens);
        sv_init(&in->tokens);
    } else if (read_tokens(d->cfg->web_tokens_file, &fresh, err, sizeof(err)) == 0) {
        sv_free(&in->tokens);
        in->tokens = fresh;
    } else {
        log_err("intake_tokens_kept", "error=\"%s\"", log_q(err));
        return;
    }
    log_notice("intake_tokens_loaded", "tokens=%zu", in->tokens.n);
}

void intake_free(l2ad *d)
{
    if (!d->intake)
        return;
    sv_free(&d->intake->tokens);
    free(d->intake);
    d->intake = NULL;
}
