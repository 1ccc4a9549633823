/* cpus.h - how many CPUs this process may run on. */
#ifndef L2A_CPUS_H
#define L2A_CPUS_H

/* The CPUs in this process's affinity mask (taskset, systemd CPUAffinity=, a cpuset); the online
 * CPUs when it cannot be read; at least 1. */
int cpus_allowed(void);

#endif
