-- dead.lua - <library>_dead: a stream entry that cannot be processed goes to the dead-letter
-- stream, once per entry id, with the XACK of the entry.
--
-- KEYS: the leads stream, the dead-letter stream, the guard hash (entry id -> dead-letter id).
-- ARGV: group, entry id, error, deliveries, the entry as a JSON array [field, value, ...].
-- The entry travels as one argument, so its size and field count do not matter (Lua's unpack
-- fails above ~8,000 values). The dead letter is: stream_id, error, deliveries, entry.
-- Returns 1 dead-lettered, 2 this entry id was dead-lettered before (the entry is only
-- acknowledged), 0 the entry is no longer pending: nothing done.

local function dead(keys, args)
  local leads, dead_stream, guard = keys[1], keys[2], keys[3]
  local group, id = args[1], args[2]
  lib.expect(leads, 'stream')
  lib.expect(dead_stream, 'stream')
  lib.expect(guard, 'hash')
  lib.arg_count(args, 5, 'dead')
  if #redis.call('XPENDING', leads, group, id, id, 1) == 0 then return 0 end
  if redis.call('HEXISTS', guard, id) == 1 then
    redis.call('XACK', leads, group, id)
    return 2
  end
  local dead_id = redis.call('XADD', dead_stream, '*', 'stream_id', id, 'error', args[3],
                             'deliveries', args[4], 'entry', args[5])
  redis.call('HSET', guard, id, dead_id)
  redis.call('XACK', leads, group, id)
  return 1
end

redis.register_function{function_name = LIBRARY .. '_dead', callback = dead}
