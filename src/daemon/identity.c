/* identity.c - l2ad's default consumer name, stable across restarts on one host: the systemd
 * unit (host:l2ad@2) when l2ad runs as one, else the first free numbered slot on the host
 * (host:1, host:2 ...) among the workers of the same Redis and prefix, held by a lock that dies
 * with the process, so a restarted worker takes its slot back and recovers its own pending leads
 * at once (a worker of another deployment on the host starting or stopping meanwhile cannot take
 * or free a slot of this one). */
#include "identity.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

#define MAX_SLOTS 1024

/* "l2ad@2" from /proc/self/cgroup's ".../l2ad@2.service" when this process runs in an l2ad
 * unit of its own; NULL otherwise (a shell, a test harness, another service). */
static char *unit_name(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return NULL;
    char line[1024];
    char *unit = NULL;
    while (!unit && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        char *base = strrchr(line, '/');
        size_t n = base ? strlen(base + 1) : 0;
        if (n > 8 && strcmp(base + 1 + n - 8, ".service") == 0 && strncmp(base + 1, "l2ad", 4) == 0)
            unit = xstrndup(base + 1, n - 8);
    }
    fclose(f);
    return unit;
}

static const char *lock_dir(void)
{
    const char *dirs[] = {getenv("RUNTIME_DIRECTORY"), getenv("XDG_RUNTIME_DIR"), "/tmp"};
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
        if (dirs[i] && *dirs[i] && access(dirs[i], W_OK) == 0)
            return dirs[i];
    return "/tmp";
}

/* The first slot of scope whose lock file this process can lock; the lock fd stays open (*fd). */
static int take_slot(const char *scope, int *fd)
{
    char path[4096];
    unsigned scope_tag = (unsigned)(hash_bytes(scope, strlen(scope)) & 0xffffffffu);
    for (int slot = 1; slot <= MAX_SLOTS; slot++) {
        snprintf(path, sizeof(path), "%s/l2ad-consumer-%d-%08x-%d.lock", lock_dir(),
                 (int)getuid(), scope_tag, slot);
        int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (f < 0)
            continue;
        if (flock(f, LOCK_EX | LOCK_NB) == 0) {
            *fd = f;
            return slot;
        }
        close(f);
    }
    return -1;
}

char *identity_consumer_name(const char *scope, int *lock_fd)
{
    char host[256] = "localhost";
    (void)gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    *lock_fd = -1;
    strbuf sb;
    sb_init(&sb);
    char *unit = unit_name();
    if (unit) {
        sb_appendf(&sb, "%s:%s", host, unit);
        free(unit);
        return sb_take(&sb);
    }
    int slot = take_slot(scope, lock_fd);
    if (slot > 0)
        sb_appendf(&sb, "%s:%d", host, slot);
    else
        sb_appendf(&sb, "%s:pid%ld", host, (long)getpid());   /* no writable lock dir */
    return sb_take(&sb);
}
