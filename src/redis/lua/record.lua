-- record.lua - <library>_record: a lead's result and outcome, written once, with the XACK of its
-- stream entry.
--
-- KEYS: the leads stream, the lead's result hash.
-- ARGV: group, entry id, key prefix, result JSON (a flat object of strings), plan JSON
--       (outcome_plan_json), events stream cap, accounts:changes stream cap.
-- Returns 1 recorded, 2 the lead id was already recorded (the entry is only acknowledged), 3 the
-- same but the result JSON's lead_digest differs from the recorded one (other fields under that
-- id: acknowledged, and a lead.repeated event says so), 0 the entry is no longer pending (handled
-- already, or claimed by another worker): nothing done.

local function record(keys, args)
  local leads, lead_key, group, id = keys[1], keys[2], args[1], args[2]
  lib.arg_count(args, 7, 'record')
  lib.expect(leads, 'stream')
  lib.expect(lead_key, 'hash')
  if #redis.call('XPENDING', leads, group, id, id, 1) == 0 then return 0 end
  if redis.call('EXISTS', lead_key) == 1 then
    local was = redis.call('HGET', lead_key, 'lead_digest')
    local now = cjson.decode(args[4]).lead_digest
    local changed = was and now and was ~= now
    local c = changed and lib.context(args[3], args[5], args[6], args[7])
    if changed then lib.expect(c.K.events, 'stream') end
    redis.call('XACK', leads, group, id)
    if not changed then return 2 end
    lib.event(c, 'lead.repeated', {'stream_id', id, 'recorded_digest', was, 'digest', now})
    return 3
  end
  local result = cjson.decode(args[4])
  local c = lib.context(args[3], args[5], args[6], args[7])
  local out = lib.commit(c, lib.prepare(c))
  redis.call('HSET', lead_key, unpack(lib.pairs_of(out, lib.pairs_of(result, {}))))
  redis.call('XACK', leads, group, id)
  return 1
end

redis.register_function{function_name = LIBRARY .. '_record', callback = record}
