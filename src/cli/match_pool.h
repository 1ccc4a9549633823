/* match_pool.h - `l2a match` on several threads: leads read in chunks, decided by worker threads,
 * the decisions written strictly in input order. */
#ifndef L2A_MATCH_POOL_H
#define L2A_MATCH_POOL_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"

/* The most worker threads `--threads` takes, and the most its default picks. */
#define MATCH_THREADS_MAX 64
#define MATCH_THREADS_DEFAULT_MAX 8

/* The default number of worker threads: the CPUs this process may run on (its affinity mask:
 * taskset, systemd CPUAffinity=, a cpuset), at most MATCH_THREADS_DEFAULT_MAX. */
int match_threads_default(void);

/* Whether a line holds nothing but blanks (spaces, tabs, line ends): skipped, never decided. */
bool match_line_blank(const char *line);

/* Appends the decision of one JSONL line (len bytes, number lineno) to out, a newline after it. */
void match_decide_into(const matcher *m, const char *line, size_t len, long lineno, strbuf *out);

/* Decides every non-blank line of in on threads worker threads and writes the decisions to out
 * in input order (reading stops at in's end or error, as getline does; out is not flushed); with
 * progress, "l2a: N leads decided" on stderr every 1,000 leads and at the end. 0, or -1 when no
 * thread could be started (the reason printed, nothing read). */
int match_pool_run(const matcher *m, FILE *in, FILE *out, int threads, bool progress);

#endif
