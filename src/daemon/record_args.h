/* record_args.h - one decision's part of the record_leads Function's arguments (the layout
 * src/redis/lua/record.lua reads: values at fixed places, no field names). */
#ifndef L2A_RECORD_ARGS_H
#define L2A_RECORD_ARGS_H

#include <stddef.h>

#include "decision.h"
#include "util.h"

/* Appends to out, as RESP bulk strings: entry id, lead digest, the plan's now, now_ms and action,
 * the result (decision, account_id, score, rule, reason, candidates), the lead's fields (id,
 * email, first_name, last_name, title, company, phone, country, source, score, website), the
 * plan's account_id and role, "" for each one left out; then the rest of the plan as flat
 * arguments (its count, then its sections, as outcome_plan_flat writes them) without what the
 * Function finds elsewhere: the alert (the result's kind, reason, score and candidates) and
 * "learn" (read by the review's resolve alone). The result's lead_id, processed_at and
 * stream_id are the lead's id, the plan's now and the entry id. plan is outcome_plan_flat's.
 * Returns the arguments appended. */
size_t record_args_put(strbuf *out, const char *entry_id, const char *digest, const decision *dec,
                       const strvec *plan);

#endif
