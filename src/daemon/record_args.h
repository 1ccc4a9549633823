/* record_args.h - one decision's part of the record_leads Function's arguments (the layout
 * src/redis/lua/record.lua reads: values at fixed places, no field names). */
#ifndef L2A_RECORD_ARGS_H
#define L2A_RECORD_ARGS_H

#include <stddef.h>

#include "decision.h"
#include "outcome.h"
#include "util.h"

#define RECORD_ROOT_PLACES 5
#define RECORD_LEAD_PLACES 11

/* An outcome plan as record_leads takes it, filled by outcome_plan_emit through
 * record_plan_sink: the values with a fixed place (the plan's now, now_ms, action, account_id
 * and role; the lead's id, email, first_name, last_name, title, company, phone, country, source,
 * score and website), and the other sections' fields, in order, as section/field/value triplets.
 * The alert (the result's kind, reason, score and candidates) and "learn" (read by the review's
 * resolve alone) are skipped. */
typedef struct record_plan {
    strbuf text;                        /* the placed values, each ending in NUL */
    size_t root[RECORD_ROOT_PLACES];    /* a value's offset in text plus 1; 0: none */
    size_t lead[RECORD_LEAD_PLACES];
    size_t next_lead;                   /* the lead place the next lead field likely takes */
    strvec rest;                        /* section, field, value of those without a place */
    const char *section[8];             /* the open sections' names, [0] the plan's own "" */
    int depth;
} record_plan;

void record_plan_init(record_plan *p);
void record_plan_free(record_plan *p);
/* The sink that fills p (emptied first, as by record_plan_init). */
outcome_sink record_plan_sink(record_plan *p);

/* Appends to out, as RESP bulk strings: entry id, lead digest, the plan's now, now_ms and action,
 * the result (decision, account_id, score, rule, reason, candidates), the lead's fields (id,
 * email, first_name, last_name, title, company, phone, country, source, score, website), the
 * plan's account_id and role, "" for each one left out; then the rest of the plan as flat
 * arguments (lib.flat_plan: its count, then sections of a name, the count of its field/value
 * arguments, those). The result's lead_id, processed_at and stream_id are the lead's id, the
 * plan's now and the entry id. Returns the arguments appended. */
size_t record_args_put(strbuf *out, const char *entry_id, const char *digest, const decision *dec,
                       const record_plan *plan);

#endif
