/* procstat.c - the process metrics every Prometheus exporter gives (CPU seconds, resident memory,
 * open file descriptors, start time), read from /proc/self when /metrics is asked for. */
#include "procstat.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* utime, stime (clock ticks) and starttime (ticks after boot) from /proc/self/stat. */
static int read_stat(unsigned long long *utime, unsigned long long *stime,
                     unsigned long long *start)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');   /* the command name may hold spaces */
    if (!p)
        return -1;
    /* after ")": state(3) ... utime(14) stime(15) ... starttime(22) */
    return sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d "
                         "%*d %*d %llu", utime, stime, start) == 3 ? 0 : -1;
}

static double boot_time(void)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[256];
    double bt = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "btime %lf", &bt) == 1)
            break;
    if (f)
        fclose(f);
    return bt;
}

static long open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    long n = 0;
    if (!dir)
        return -1;
    for (struct dirent *e; (e = readdir(dir));)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n - 1;    /* the directory's own descriptor */
}

static long resident_pages(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = 0;
    if (f)
        fclose(f);
    return resident;
}

void procstat_render(strbuf *out)
{
    unsigned long long ut = 0, st = 0, start = 0;
    double hz = (double)sysconf(_SC_CLK_TCK);
    if (read_stat(&ut, &st, &start) == 0) {
        sb_appendf(out, "# HELP process_cpu_seconds_total User and system CPU time spent.\n"
                        "# TYPE process_cpu_seconds_total counter\n"
                        "process_cpu_seconds_total %.2f\n", (double)(ut + st) / hz);
        sb_appendf(out, "# HELP process_start_time_seconds Start time of the process, Unix time.\n"
                        "# TYPE process_start_time_seconds gauge\n"
                        "process_start_time_seconds %.2f\n", boot_time() + (double)start / hz);
    }
    sb_appendf(out, "# HELP process_resident_memory_bytes Resident memory size.\n"
                    "# TYPE process_resident_memory_bytes gauge\n"
                    "process_resident_memory_bytes %ld\n",
               resident_pages() * sysconf(_SC_PAGESIZE));
    sb_appendf(out, "# HELP process_open_fds Open file descriptors.\n"
                    "# TYPE process_open_fds gauge\nprocess_open_fds %ld\n", open_fds());
}
