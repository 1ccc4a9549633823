/* notify.c - thin wrappers over libsystemd's sd_notify, silent when not run by systemd. */
#include "notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "util.h"

static int send_state(const char *state)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    if (!sock || !sock[0])
        return 0;
    return sd_notify(0, state);
}

int notify_ready(const char *status)
{
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "READY=1");
    if (status)
        sb_appendf(&sb, "\nSTATUS=%s", status);
    int rc = send_state(sb.buf);
    sb_free(&sb);
    return rc;
}

int notify_reloading(void)
{
    struct timespec ts;
    char state[96];
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long usec =
        (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL;
    snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
    return send_state(state);
}

int notify_stopping(void)
{
    return send_state("STOPPING=1");
}

int notify_status(const char *fmt, ...)
{
    strbuf sb;
    va_list ap;
    char text[512];
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    sb_init(&sb);
    sb_appendf(&sb, "STATUS=%s", text);
    int rc = send_state(sb.buf);
    sb_free(&sb);
    return rc;
}

int notify_watchdog_usec(uint64_t *usec)
{
    *usec = 0;
    const char *sock = getenv("NOTIFY_SOCKET");
    if (!sock || !sock[0])
        return 0;
    return sd_watchdog_enabled(0, usec);
}

int notify_watchdog_ping(void)
{
    return send_state("WATCHDOG=1");
}
