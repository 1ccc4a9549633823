/* procstat.h - the standard process_* Prometheus metrics of this process (procstat.c). */
#ifndef L2A_PROCSTAT_H
#define L2A_PROCSTAT_H

#include "util.h"

/* Appends process_cpu_seconds_total, process_start_time_seconds, process_resident_memory_bytes
 * and process_open_fds in the Prometheus text format. */
void procstat_render(strbuf *out);

#endif
