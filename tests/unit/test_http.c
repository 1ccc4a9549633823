/* test_http.c - unit tests for the /healthz and /metrics endpoint (http.c) with real HTTP requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>

#include "http.h"
#include "metrics.h"
#include "util.h"

/* What the health callback answers. */
typedef struct health_state {
    bool healthy;
    const char *body; /* appended as is; NULL for none */
    int calls;
} health_state;

static bool health_cb(void *ctx, strbuf *json_body)
{
    health_state *h = ctx;
    h->calls++;
    if (h->body)
        sb_append(json_body, h->body);
    return h->healthy;
}

/* One request made by a client thread while the test's event loop serves it. */
typedef struct exchange {
    int port;
    const char *request;    /* raw bytes sent */
    strbuf response;        /* raw bytes received until the server closed */
    int wake[2];            /* pipe: the client writes a byte when done */
} exchange;

static void *client_main(void *arg)
{
    exchange *x = arg;
    struct sockaddr_in sa = {0};
    struct timeval tv = {5, 0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)x->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        write(fd, x->request, strlen(x->request)) == (ssize_t)strlen(x->request)) {
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
            sb_appendn(&x->response, buf, (size_t)n);
    }
    if (fd >= 0)
        close(fd);
    if (write(x->wake[1], "x", 1) != 1)
        abort();
    return NULL;
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

/* Sends request to the server on port and returns the whole response (caller frees). */
static char *roundtrip(struct event_base *base, int port, const char *request)
{
    exchange x = {.port = port, .request = request};
    pthread_t t;
    sb_init(&x.response);
    assert_int_equal(pipe(x.wake), 0);
    struct event *ev = event_new(base, x.wake[0], EV_READ, on_wake, base);
    event_add(ev, NULL);
    assert_int_equal(pthread_create(&t, NULL, client_main, &x), 0);
    event_base_dispatch(base);
    pthread_join(t, NULL);
    event_free(ev);
    close(x.wake[0]);
    close(x.wake[1]);
    sb_putc(&x.response, '\0');
    return sb_take(&x.response);
}

static char *get(struct event_base *base, int port, const char *method, const char *path)
{
    char req[256];
    snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
             method, path);
    return roundtrip(base, port, req);
}

static int status_of(const char *resp)
{
    int code = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
        return -1;
    return code;
}

static const char *body_of(const char *resp)
{
    const char *p = strstr(resp, "\r\n\r\n");
    return p ? p + 4 : "";
}

/* A server on 127.0.0.1 with its own loop, metrics and health state. */
typedef struct fixture {
    struct event_base *base;
    metrics *m;
    health_state health;
    http_server *srv;
    int port;
} fixture;

static int setup(void **state)
{
    fixture *fx = xcalloc(1, sizeof(*fx));
    char err[256];
    fx->base = event_base_new();
    fx->m = metrics_new();
    fx->health.healthy = true;
    fx->srv = http_start(fx->base, "127.0.0.1:0", fx->m, health_cb, &fx->health, err, sizeof(err));
    if (!fx->srv)
        fail_msg("http_start: %s", err);
    fx->port = http_port(fx->srv);
    assert_true(fx->port > 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    http_stop(fx->srv);
    metrics_free(fx->m);
    event_base_free(fx->base);
    free(fx);
    return 0;
}

static void test_healthz_healthy(void **state)
{
    fixture *fx = *state;
    fx->health.body = "{\"status\":\"ok\",\"redis\":\"connected\"}";
    char *r = get(fx->base, fx->port, "GET", "/healthz");
    assert_int_equal(status_of(r), 200);
    assert_non_null(strstr(r, "\r\nContent-Type: application/json\r\n"));
    assert_string_equal(body_of(r), "{\"status\":\"ok\",\"redis\":\"connected\"}\n");
    assert_int_equal(fx->health.calls, 1);
    free(r);
}

static void test_healthz_unhealthy(void **state)
{
    fixture *fx = *state;
    fx->health.healthy = false;
    fx->health.body = "{\"status\":\"redis down\"}";
    char *r = get(fx->base, fx->port, "GET", "/healthz");
    assert_int_equal(status_of(r), 503);
    assert_non_null(strstr(r, "\r\nContent-Type: application/json\r\n"));
    assert_string_equal(body_of(r), "{\"status\":\"redis down\"}\n");
    free(r);
    fx->health.body = NULL; /* empty body: a default one is sent */
    r = get(fx->base, fx->port, "GET", "/healthz");
    assert_int_equal(status_of(r), 503);
    assert_string_equal(body_of(r), "{\"status\":\"unhealthy\"}\n");
    free(r);
}

static void test_metrics_endpoint(void **state)
{
    fixture *fx = *state;
    metrics_inc(fx->m, METRIC_LEADS_MATCH, 7);
    metrics_observe(fx->m, METRIC_LEAD_LATENCY, 0.02);
    char *r = get(fx->base, fx->port, "GET", "/metrics");
    assert_int_equal(status_of(r), 200);
    assert_non_null(strstr(r, "\r\nContent-Type: text/plain; version=0.0.4"));
    const char *body = body_of(r);
    assert_true(strncmp(body, "# HELP l2a_leads_total ", 23) == 0);
    assert_non_null(strstr(body, "\nl2a_leads_total{decision=\"match\"} 7\n"));
    assert_non_null(strstr(body, "\nl2a_lead_latency_seconds_bucket{le=\"0.025\"} 1\n"));
    strbuf want;       /* the metrics, then the process_* ones */
    sb_init(&want);
    metrics_render(fx->m, &want);
    assert_true(strncmp(body, want.buf, want.len) == 0);
    assert_true(strncmp(body + want.len, "# HELP process_cpu_seconds_total ", 33) == 0);
    assert_non_null(strstr(body + want.len, "\nprocess_open_fds "));
    sb_free(&want);
    free(r);
    r = get(fx->base, fx->port, "GET", "/metrics?name=x"); /* a query string is fine */
    assert_int_equal(status_of(r), 200);
    free(r);
}

static void test_head(void **state)
{
    fixture *fx = *state;
    char *r = get(fx->base, fx->port, "HEAD", "/healthz");
    assert_int_equal(status_of(r), 200);
    const char *cl = strstr(r, "\r\nContent-Length: 16\r\n"); /* {"status":"ok"}\n */
    assert_non_null(cl);
    assert_null(strstr(cl + 4, "Content-Length")); /* libevent adds no second one */
    assert_string_equal(body_of(r), "");
    free(r);
    r = get(fx->base, fx->port, "HEAD", "/metrics");
    assert_int_equal(status_of(r), 200);
    assert_string_equal(body_of(r), "");
    free(r);
}

static void test_not_found(void **state)
{
    fixture *fx = *state;
    static const char *paths[] = {"/", "/health", "/metrics/", "/healthz/x"};
    for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
        char *r = get(fx->base, fx->port, "GET", paths[i]);
        assert_int_equal(status_of(r), 404);
        free(r);
    }
    char *r = get(fx->base, fx->port, "POST", "/nope");
    assert_int_equal(status_of(r), 404);
    free(r);
    assert_int_equal(fx->health.calls, 0);
}

static void test_method_not_allowed(void **state)
{
    fixture *fx = *state;
    static const char *methods[] = {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
    for (size_t i = 0; i < ARRAY_LEN(methods); i++) {
        char *r = get(fx->base, fx->port, methods[i], i % 2 ? "/healthz" : "/metrics");
        assert_int_equal(status_of(r), 405);
        assert_non_null(strstr(r, "\r\nAllow: GET, HEAD\r\n"));
        free(r);
    }
    assert_int_equal(fx->health.calls, 0);
}

/* Two requests on one keep-alive connection are both answered. */
static void test_keep_alive(void **state)
{
    fixture *fx = *state;
    char *r = roundtrip(fx->base, fx->port,
                        "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
                        "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assert_int_equal(status_of(r), 200);
    const char *second = strstr(r + 1, "HTTP/1.1 200");
    assert_non_null(second);
    assert_non_null(strstr(second, "l2a_leads_total"));
    free(r);
}

static void test_bind_errors(void **state)
{
    fixture *fx = *state;
    char err[256], addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", fx->port);
    http_server *s = http_start(fx->base, addr, fx->m, NULL, NULL, err, sizeof(err));
    assert_null(s);
    assert_non_null(strstr(err, "bind: Address already in use"));
    assert_non_null(strstr(err, addr));
    static const char *bad[] = {"127.0.0.1", "127.0.0.1:", "::1:9108", "host:99999", "h:12a", ""};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        assert_null(http_start(fx->base, bad[i], fx->m, NULL, NULL, err, sizeof(err)));
        assert_non_null(strstr(err, "expected host:port"));
    }
    err[0] = '\0';
    assert_null(http_start(fx->base, "no-such-host.invalid:9108", fx->m, NULL, NULL, err,
                           sizeof(err)));
    assert_non_null(strstr(err, "http.listen no-such-host.invalid:9108: "));
}

/* ":port" listens on every IPv4 address; no health callback means healthy. */
static void test_any_address(void **state)
{
    fixture *fx = *state;
    char err[256];
    http_server *s = http_start(fx->base, ":0", fx->m, NULL, NULL, err, sizeof(err));
    if (!s)
        fail_msg("http_start :0: %s", err);
    char *r = get(fx->base, http_port(s), "GET", "/healthz");
    assert_int_equal(status_of(r), 200);
    assert_string_equal(body_of(r), "{\"status\":\"ok\"}\n");
    free(r);
    http_stop(s);
    http_stop(NULL);
}

/* "[::1]:0" parses; the bind may fail in a container without IPv6, but not as a syntax error. */
static void test_ipv6_literal(void **state)
{
    fixture *fx = *state;
    char err[256] = "";
    http_server *s = http_start(fx->base, "[::1]:0", fx->m, NULL, NULL, err, sizeof(err));
    if (s)
        assert_true(http_port(s) > 0);
    else
        assert_null(strstr(err, "expected host:port"));
    http_stop(s);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_healthz_healthy), T(test_healthz_unhealthy), T(test_metrics_endpoint),
        T(test_head),            T(test_not_found),         T(test_method_not_allowed),
        T(test_keep_alive),      T(test_bind_errors),       T(test_any_address),
        T(test_ipv6_literal),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
