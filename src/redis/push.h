/* push.h - append leads from a JSONL file to the input stream, as a marketing-automation platform does. */
#ifndef L2A_PUSH_H
#define L2A_PUSH_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "util.h"

typedef struct push_stats {
    long pushed;     /* entries added to l2a:leads */
    long unparsed;   /* --flat: lines that were not a valid lead, pushed as "json" instead */
    long refused;    /* lines over max_entry_bytes: reported on stderr, not pushed */
} push_stats;

/* XADDs every non-blank line of path ("-" = stdin) to <prefix>leads (never capped: see
 * docs/redis-schema.md), pipelined in batches. By default an entry has one field "json" holding the
 * line as it is, without its line end; lines that are not valid JSON are pushed too (the daemon
 * dead-letters them). With flat, the line is parsed (lead_from_json) and its known fields are
 * pushed as fields of their own (id, email, company, ...; absent ones left out); a line that does
 * not parse is pushed as "json" and counted in unparsed. A UTF-8 byte order mark at the start is
 * skipped. A line whose entry would be over max_entry_bytes (field names and values, as l2ad's
 * daemon.max_entry_bytes counts them) is not pushed: "l2a: push: path:line: ..." on stderr,
 * counted in refused; the other lines still are. Returns 0, or -1 with a message in err
 * (unreadable file, Redis error); st->pushed then says how many were added before the error. */
int push_leads(redisContext *c, const char *prefix, const char *path, bool flat,
               long max_entry_bytes, push_stats *st, char *err, size_t errlen) MUSTCHECK;

#endif
