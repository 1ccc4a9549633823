/* webcheck.c - password checks on threads: each check gets a detached thread and a pipe whose
 * read end wakes the event loop when the result is in. Only the loop thread starts checks and
 * reads results. A check still running when l2ad exits is abandoned with the process. */
#include "webcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "webusers.h"

typedef struct webcheck {
    char *path, *name, *password;   /* owned; path NULL when none; password wiped at the end */
    int result;                     /* written by the thread before it wakes the loop */
    char err[256];
    int wake[2];                    /* pipe: the thread writes one byte when done */
    struct event *ev;               /* read end on the loop */
    webcheck_done_fn done;
    void *priv;
} webcheck;

static unsigned running;            /* checks started and not yet reported (loop thread only) */

static void check_free(webcheck *k)
{
    if (k->ev)
        event_free(k->ev);
    for (int i = 0; i < 2; i++)
        if (k->wake[i] >= 0)
            close(k->wake[i]);
    if (k->password) {
        explicit_bzero(k->password, strlen(k->password));
        free(k->password);
    }
    free(k->path);
    free(k->name);
    free(k);
}

static void *run_check(void *arg)
{
    webcheck *k = arg;
    char one = 1;
    ssize_t w;
    k->result = webusers_check(k->path, k->name, k->password, k->err, sizeof(k->err));
    do
        w = write(k->wake[1], &one, 1);
    while (w < 0 && errno == EINTR);
    return NULL;
}

static void on_checked(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    webcheck *k = arg;
    char one;
    if (read(fd, &one, 1) != 1)
        return;                     /* woken early: the event stays armed (EV_PERSIST) */
    running--;
    k->done(k->result, k->err, k->priv);
    check_free(k);
}

int webcheck_start(struct event_base *base, const char *path, const char *name,
                   const char *password, webcheck_done_fn done, void *priv)
{
    pthread_t t;
    pthread_attr_t attr;
    if (running >= WEBCHECK_MAX)
        return -1;
    webcheck *k = xcalloc(1, sizeof(*k));
    *k = (webcheck){.path = path ? xstrdup(path) : NULL, .name = xstrdup(name),
                    .password = xstrdup(password), .wake = {-1, -1}, .done = done,
                    .priv = priv};
    if (pipe(k->wake) != 0)
        goto fail;
    for (int i = 0; i < 2; i++)
        (void)fcntl(k->wake[i], F_SETFD, FD_CLOEXEC);
    k->ev = event_new(base, k->wake[0], EV_READ | EV_PERSIST, on_checked, k);
    if (!k->ev || event_add(k->ev, NULL) != 0 || pthread_attr_init(&attr) != 0)
        goto fail;
    (void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, run_check, k);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        goto fail;
    running++;
    return 0;
fail:
    check_free(k);
    return -1;
}
