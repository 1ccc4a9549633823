/* outcome_lua.h - the Lua that carries out an outcome plan inside one atomic Redis script:
 * contact (deduplicated by email), new account, Acquisition opportunity and contact role, stage
 * automation, review alert, and an event on l2a:events for every effect. */
#ifndef L2A_OUTCOME_LUA_H
#define L2A_OUTCOME_LUA_H

/* Records a lead's result and carries out its plan, with XACK, exactly once.
 * KEYS: leads stream, lead result hash. ARGV: group, entry id, key prefix, result JSON (flat
 * object of strings), plan JSON (outcome_plan_json). Returns 1 done, 2 lead id already recorded
 * (acked only), 0 entry no longer pending (nothing done). */
const char *outcome_record_script(void);

/* Resolves a review alert exactly once. ARGV: key prefix, lead id, plan JSON (action convert,
 * create_account or dismiss), resolver, note, resolution text. Returns {1, contact id, account
 * id} when done, {0, status} when the alert was already closed; an error when there is none. */
const char *outcome_resolve_script(void);

#endif
