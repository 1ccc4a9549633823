/* test_notify.c - unit tests for the sd_notify wrappers (notify.c) against a fake NOTIFY_SOCKET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

/* A datagram socket standing in for systemd's notification socket. */
typedef struct fake_systemd {
    char dir[64];
    char path[96];
    int fd;
} fake_systemd;

static int setup(void **state)
{
    fake_systemd *f = calloc(1, sizeof(*f));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(f->dir, sizeof(f->dir), "/tmp/l2a-notify-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/notify", f->dir);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
    f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(f->fd >= 0);
    assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setenv("NOTIFY_SOCKET", f->path, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fake_systemd *f = *state;
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    close(f->fd);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The next datagram, NUL-terminated in buf. */
static const char *next_msg(fake_systemd *f, char *buf, size_t len)
{
    ssize_t n = recv(f->fd, buf, len - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    buf[n] = '\0';
    return buf;
}

static void test_states(void **state)
{
    fake_systemd *f = *state;
    char buf[512];
    assert_true(notify_ready("ready: 12 accounts") > 0);
    assert_string_equal(next_msg(f, buf, sizeof(buf)), "READY=1\nSTATUS=ready: 12 accounts");
    assert_true(notify_ready(NULL) > 0);
    assert_string_equal(next_msg(f, buf, sizeof(buf)), "READY=1");
    assert_true(notify_stopping() > 0);
    assert_string_equal(next_msg(f, buf, sizeof(buf)), "STOPPING=1");
    assert_true(notify_status("%d leads in flight", 42) > 0);
    assert_string_equal(next_msg(f, buf, sizeof(buf)), "STATUS=42 leads in flight");
    assert_true(notify_watchdog_ping() > 0);
    assert_string_equal(next_msg(f, buf, sizeof(buf)), "WATCHDOG=1");
}

static void test_reloading(void **state)
{
    fake_systemd *f = *state;
    char buf[512];
    unsigned long long usec = 0;
    struct timespec ts;
    assert_true(notify_reloading() > 0);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    assert_int_equal(sscanf(next_msg(f, buf, sizeof(buf)), "RELOADING=1\nMONOTONIC_USEC=%llu",
                            &usec), 1);
    unsigned long long now =
        (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
    assert_true(usec > 0 && usec <= now && now - usec < 5000000ULL);
}

static void test_watchdog(void **state)
{
    (void)state;
    uint64_t usec = 1;
    assert_int_equal(notify_watchdog_usec(&usec), 0); /* WatchdogSec= unset */
    assert_true(usec == 0);
    char pid[32];
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    setenv("WATCHDOG_USEC", "30000000", 1);
    setenv("WATCHDOG_PID", pid, 1);
    assert_true(notify_watchdog_usec(&usec) > 0);
    assert_true(usec == 30000000);
    setenv("WATCHDOG_PID", "1", 1); /* meant for another process */
    assert_int_equal(notify_watchdog_usec(&usec), 0);
}

/* Without NOTIFY_SOCKET every call is a silent no-op. */
static void test_not_under_systemd(void **state)
{
    fake_systemd *f = *state;
    char buf[64];
    uint64_t usec = 1;
    unsetenv("NOTIFY_SOCKET");
    setenv("WATCHDOG_USEC", "30000000", 1);
    assert_int_equal(notify_ready("x"), 0);
    assert_int_equal(notify_reloading(), 0);
    assert_int_equal(notify_stopping(), 0);
    assert_int_equal(notify_status("x"), 0);
    assert_int_equal(notify_watchdog_ping(), 0);
    assert_int_equal(notify_watchdog_usec(&usec), 0);
    assert_true(recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT) < 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {T(test_states), T(test_reloading), T(test_watchdog),
                                       T(test_not_under_systemd)};
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
