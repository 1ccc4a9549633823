-- webhooks.lua - <library>_webhook_lease, _webhook_advance, _webhook_sla_claim: the delivery
-- state the webhook senders share (docs/redis-schema.md "Webhooks").
--
-- webhook_lease  KEYS: the lease key. ARGV: owner, ms. Takes the lease when free or renews it
--                when the owner holds it: 1; 0 when another worker holds it.
-- webhook_advance KEYS: the lease key, the position key. ARGV: owner, stream id. Stores the id as
--                the last delivered event while the owner holds the lease: 1; 0 when it does not
--                (nothing written: the new holder delivers from the stored position).
-- webhook_sla_claim KEYS: an alert hash. ARGV: now ms, stale ms, owner. The right to post the
--                alert's overdue message: "mine" (the claim written as "claimed <ms> <owner>" in
--                its sla_alert field), "busy" (another worker claimed it less than stale ms ago),
--                "sent" (posted already: the field says "sent:<ms>"), "closed" (no alert, or not
--                open).

local function webhook_lease(keys, args)
  lib.arg_count(args, 2, 'webhook_lease')
  local lease, owner, ms = keys[1], args[1], tonumber(args[2])
  if not ms or ms < 1 then lib.fail('webhook_lease: ms is not a positive number') end
  lib.expect(lease, 'string')
  local holder = redis.call('GET', lease)
  if holder and holder ~= owner then return 0 end
  redis.call('SET', lease, owner, 'PX', math.floor(ms))
  return 1
end

local function webhook_advance(keys, args)
  lib.arg_count(args, 2, 'webhook_advance')
  local lease, pos, owner, id = keys[1], keys[2], args[1], args[2]
  if not string.match(id, '^%d+%-%d+$') then lib.fail('webhook_advance: bad stream id ' .. id) end
  lib.expect(lease, 'string')
  lib.expect(pos, 'string')
  if redis.call('GET', lease) ~= owner then return 0 end
  redis.call('SET', pos, id)
  return 1
end

local function webhook_sla_claim(keys, args)
  lib.arg_count(args, 3, 'webhook_sla_claim')
  local alert, now, stale, owner = keys[1], tonumber(args[1]), tonumber(args[2]), args[3]
  if not now or not stale then lib.fail('webhook_sla_claim: now and stale must be numbers') end
  lib.expect(alert, 'hash')
  if redis.call('HGET', alert, 'status') ~= 'open' then return 'closed' end
  local v = redis.call('HGET', alert, 'sla_alert')
  if v then
    if string.sub(v, 1, 5) == 'sent:' then return 'sent' end
    local at, who = string.match(v, '^claimed (%d+) (.*)$')
    if at and who ~= owner and now - tonumber(at) < stale then return 'busy' end
  end
  redis.call('HSET', alert, 'sla_alert', string.format('claimed %d %s', now, owner))
  return 'mine'
end

redis.register_function{function_name = LIBRARY .. '_webhook_lease', callback = webhook_lease}
redis.register_function{function_name = LIBRARY .. '_webhook_advance', callback = webhook_advance}
redis.register_function{function_name = LIBRARY .. '_webhook_sla_claim',
                        callback = webhook_sla_claim}
