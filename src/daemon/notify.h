/* notify.h - systemd service notifications (sd_notify): readiness, reload, stop, status, watchdog. */
#ifndef L2A_NOTIFY_H
#define L2A_NOTIFY_H

#include <stdint.h>

/* Every function is a no-op returning 0 when NOTIFY_SOCKET is unset (not started by systemd
 * with Type=notify); otherwise it returns sd_notify's result: > 0 sent, < 0 -errno. Callers may
 * ignore the result: a lost notification is systemd's concern, never a reason to stop. */

/* READY=1 plus STATUS=status (status may be NULL). Also sent after a reload completes. */
int notify_ready(const char *status);
/* RELOADING=1 with MONOTONIC_USEC=<CLOCK_MONOTONIC now>, as Type=notify-reload requires (and
 * Type=notify accepts); follow with notify_ready when the reload is done or refused. */
int notify_reloading(void);
/* STOPPING=1: the daemon is draining and will exit. */
int notify_stopping(void);
/* STATUS=<formatted text>, shown by systemctl status. */
int notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether systemd expects watchdog pings (WatchdogSec= and WATCHDOG_PID is this process): 1 with
 * *usec set to the timeout in microseconds (ping at least every *usec / 2), 0 if not, < 0 on a
 * malformed environment. */
int notify_watchdog_usec(uint64_t *usec);
/* WATCHDOG=1. */
int notify_watchdog_ping(void);

#endif
