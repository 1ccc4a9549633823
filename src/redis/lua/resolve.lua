-- resolve.lua - <library>_resolve: a review alert closed once, its plan carried out as the daemon
-- would have (`l2a review resolve`).
--
-- KEYS: none (the keys are built from the prefix).
-- ARGV: key prefix, lead id, plan JSON (action convert, create_account or dismiss), resolver,
--       note, resolution text, events stream cap, accounts:changes stream cap.
-- Returns {1, contact id, account id} when done ("" for a dismissal), {0, status} when the alert
-- was already closed (nothing written); an error "no review alert for lead <id>" when none.

local function resolve(_, args)
  lib.arg_count(args, 8, 'resolve')
  local id, by, note, resolution = args[2], args[4], args[5], args[6]
  local c = lib.context(args[1], args[3], args[7], args[8])
  local K, plan = c.K, c.plan
  local alert, lead_key = K.alert(id), K.lead(id)
  lib.expect(alert, 'hash')
  lib.expect(K.review_open, 'zset')
  lib.expect(lead_key, 'hash')
  lib.expect(K.events, 'stream')
  local status = redis.call('HGET', alert, 'status')
  if not status then return redis.error_reply('no review alert for lead ' .. id) end
  if status ~= 'open' then return {0, status} end
  local out = lib.commit(c, lib.prepare(c))
  if plan.action == 'convert' then out.account_id = plan.account_id end
  status = plan.action == 'dismiss' and 'dismissed' or 'resolved'
  redis.call('HSET', alert, 'status', status, 'resolved_at', plan.now, 'resolved_by', by,
    'note', note, 'resolution', resolution)
  redis.call('ZREM', K.review_open, id)
  redis.call('HSET', lead_key, unpack(lib.pairs_of(out, {'resolution', resolution,
    'resolved_by', by, 'resolved_at', plan.now})))
  lib.event(c, 'alert.' .. status, {'resolution', resolution, 'by', by})
  return {1, out.contact_id or '', out.account_id or ''}
end

redis.register_function{function_name = LIBRARY .. '_resolve', callback = resolve}
