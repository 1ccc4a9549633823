/* test_ready.c - l2ad's readiness state machine (src/daemon/ready.c) driven against a real
 * redis-server that the test starts on a unix socket: consumer group refused over maxmemory then
 * created, a destroyed group recreated, the backoff's growth and reset, the /healthz body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "keys.h"

typedef struct fixture {
    char dir[256];
    char sock[320];
    pid_t redis;
    redisContext *side;     /* the test's own connection, for faults and checks */
    l2ad d;
    bool started;
} fixture;

static void start_redis(fixture *fx)
{
    fx->redis = fork();
    if (fx->redis == 0) {
        execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", fx->sock,
               "--save", "", "--appendonly", "no", "--dir", fx->dir, "--loglevel", "warning",
               (char *)NULL);
        _exit(127);
    }
    redis_addr a = {.unix_path = fx->sock};
    char err[256];
    for (int i = 0; i < 500 && !fx->side; i++) {
        fx->side = rconn_connect(&a, 1000, err, sizeof(err));
        if (!fx->side)
            usleep(10000);
    }
}

static void side(fixture *fx, const char *cmd)
{
    redisReply *r = redisCommand(fx->side, cmd);
    assert_non_null(r);
    freeReplyObject(r);
}

static void write_config(const fixture *fx, const char *path)
{
    const char *src = getenv("L2A_SOURCE_DIR");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "redis: {url: \"%s\"}\nhttp: {listen: \"127.0.0.1:0\"}\n"
            "daemon: {consumer: \"unit\", block_ms: 200}\n"
            "lists: {freemail: \"%s/conf/freemail-domains.txt\", "
            "disposable: \"%s/conf/disposable-email-domains.txt\", "
            "legal_forms: \"%s/conf/legal-forms.tsv\"}\n",
            fx->sock, src, src, src);
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/l2a-test-ready-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->sock, sizeof(fx->sock), "%s/redis.sock", fx->dir);
    start_redis(fx);
    if (!fx->side)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (fx->started)
        l2ad_free(&fx->d);
    if (fx->side)
        redisFree(fx->side);
    kill(fx->redis, SIGKILL);
    waitpid(fx->redis, NULL, 0);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx->dir);
    free(fx);
    return 0;
}

static void start_daemon(fixture *fx)
{
    char path[400], err[1024];
    snprintf(path, sizeof(path), "%s/l2a.yaml", fx->dir);
    write_config(fx, path);
    if (l2ad_init(&fx->d, path, NULL, err, sizeof(err)) != 0)
        fail_msg("l2ad_init: %s", err);
    fx->started = true;
    aconn_start(fx->d.writer);
    aconn_start(fx->d.follower);
    aconn_start(fx->d.reader);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

/* Runs the loop until the daemon is in state want (and, when step is not READY_NSTATES, waiting
 * to retry that step), or fails after timeout_ms. */
static void run_until(fixture *fx, ready_state want, ready_state step, int timeout_ms)
{
    struct event *tick = event_new(fx->d.base, -1, EV_PERSIST, on_tick, NULL);
    struct timeval tv = {0, 10000};
    event_add(tick, &tv);
    double end = mono_ms() + timeout_ms;
    while (!(fx->d.state == want && (step == READY_NSTATES || fx->d.retry_step == step)) &&
           mono_ms() < end)
        event_base_loop(fx->d.base, EVLOOP_ONCE);
    event_free(tick);
    if (fx->d.state != want)
        fail_msg("state %s (%s), expected %s", ready_state_name(fx->d.state), fx->d.state_reason,
                 ready_state_name(want));
}

static bool group_exists(fixture *fx)
{
    redisReply *r = redisCommand(fx->side, "XINFO GROUPS %s", fx->d.k_leads);
    bool yes = r && r->type == REDIS_REPLY_ARRAY && r->elements == 1;
    if (r)
        freeReplyObject(r);
    return yes;
}

static void test_group_refused_over_maxmemory(void **state)
{
    fixture *fx = *state;
    side(fx, "CONFIG SET maxmemory 1");
    start_daemon(fx);
    run_until(fx, READY_WAITING, READY_GROUP, 10000);
    assert_non_null(strstr(fx->d.state_reason, "OOM"));
    strbuf body;
    sb_init(&body);
    assert_false(ready_health(&fx->d, &body));
    assert_non_null(strstr(body.buf, "\"state\":\"waiting\""));
    assert_non_null(strstr(body.buf, "\"retrying\":\"group\""));
    assert_non_null(strstr(body.buf, "OOM"));
    sb_free(&body);
    assert_false(group_exists(fx));
    side(fx, "CONFIG SET maxmemory 0");
    run_until(fx, READY_CONSUMING, READY_NSTATES, 10000);
    assert_true(group_exists(fx));
    sb_init(&body);
    assert_true(ready_health(&fx->d, &body));
    assert_non_null(strstr(body.buf, "\"state\":\"consuming\""));
    sb_free(&body);
}

static void test_destroyed_group_recreated(void **state)
{
    fixture *fx = *state;
    start_daemon(fx);
    run_until(fx, READY_CONSUMING, READY_NSTATES, 10000);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "XGROUP DESTROY %s %s", fx->d.k_leads, L2A_GROUP);
    side(fx, cmd);
    run_until(fx, READY_WAITING, READY_GROUP, 10000);
    assert_non_null(strstr(fx->d.state_reason, "NOGROUP"));
    run_until(fx, READY_CONSUMING, READY_NSTATES, 10000);
    assert_true(group_exists(fx));
}

static void test_backoff_grows_and_resets(void **state)
{
    fixture *fx = *state;
    start_daemon(fx);
    run_until(fx, READY_CONSUMING, READY_NSTATES, 10000);
    int want[] = {100, 200, 400, 800, 1600, 2000, 2000};
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        ready_fail(&fx->d, READY_HANDSHAKE, "TRYAGAIN test");
        assert_int_equal(fx->d.state, READY_WAITING);
        assert_int_equal(fx->d.backoff_ms, want[i]);
        ready_fail(&fx->d, READY_GROUP, "a later step while waiting");
        assert_int_equal(fx->d.retry_step, READY_HANDSHAKE);   /* the earlier step is kept */
        assert_int_equal(fx->d.backoff_ms, want[i]);            /* one failure, one delay */
        run_until(fx, READY_CONSUMING, READY_NSTATES, 5000);
    }
    ready_progress(&fx->d);
    ready_fail(&fx->d, READY_HANDSHAKE, "TRYAGAIN test");
    assert_int_equal(fx->d.backoff_ms, 100);
    run_until(fx, READY_CONSUMING, READY_NSTATES, 5000);
}

static void test_drain_is_final(void **state)
{
    fixture *fx = *state;
    start_daemon(fx);
    run_until(fx, READY_CONSUMING, READY_NSTATES, 10000);
    ready_drain(&fx->d);
    ready_fail(&fx->d, READY_HANDSHAKE, "late failure");
    ready_conn_changed(&fx->d);
    assert_int_equal(fx->d.state, READY_DRAINING);
    assert_string_equal(ready_state_name(fx->d.state), "draining");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_group_refused_over_maxmemory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroyed_group_recreated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff_grows_and_resets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain_is_final, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
