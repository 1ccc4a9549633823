-- consumers.lua - <library>_forget_consumers: consumers of the group that are gone and hold
-- nothing are removed, so XINFO CONSUMERS lists the workers that exist.
--
-- KEYS: the leads stream.
-- ARGV: group, idle ms (a consumer idle at least this long is gone: a live worker's blocking read
-- resets its idle time every daemon.block_ms), the caller's own consumer name (never removed).
-- Checked and removed in one call, so a consumer cannot take an entry between the check and the
-- removal (XGROUP DELCONSUMER drops the pending entries of the consumer it removes).
-- Returns the number of consumers removed.

local function field(flat, name)
  for i = 1, #flat, 2 do
    if flat[i] == name then return flat[i + 1] end
  end
  return nil
end

local function forget_consumers(keys, args)
  local leads = keys[1]
  lib.arg_count(args, 3, 'forget_consumers')
  local group, idle_ms, self = args[1], tonumber(args[2]), args[3]
  if not idle_ms then lib.fail('forget_consumers: idle ms is not a number') end
  lib.expect(leads, 'stream')
  if redis.call('EXISTS', leads) == 0 then return 0 end
  local removed = 0
  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', leads, group)) do
    local name = field(c, 'name')
    if name ~= self and field(c, 'pending') == 0 and field(c, 'idle') >= idle_ms then
      redis.call('XGROUP', 'DELCONSUMER', leads, group, name)
      removed = removed + 1
    end
  end
  return removed
end

redis.register_function{function_name = LIBRARY .. '_forget_consumers', callback = forget_consumers}
