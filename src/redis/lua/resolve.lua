-- resolve.lua - <library>_resolve: a review alert closed once, its plan carried out as the daemon
-- would have (`l2a review resolve`).
--
-- KEYS: none (the keys are built from the prefix).
-- ARGV: key prefix, lead id, plan JSON (action convert, create_account or dismiss), resolver,
--       note, resolution text, events stream cap, accounts:changes stream cap.
-- With plan.learn ({name, domain}: what the engine read off the lead, learning.enabled) it also
-- records what the resolution proves (docs/learning.md): name + corporate domain -> the chosen
-- account (always), and each candidate the alert showed but not chosen (the best one first) ->
-- never, for that name and domain (or no domain).
-- Returns {1, contact id, account id} when done ("" for a dismissal), {0, status} when the alert
-- was already closed (nothing written); an error "no review alert for lead <id>" when none.

-- The account ids of the alert's candidates (its candidates JSON), best first.
local function candidates(alert)
  local ok, cands = pcall(cjson.decode, redis.call('HGET', alert, 'candidates') or '[]')
  local ids = {}
  for _, c in ipairs(ok and type(cands) == 'table' and cands or {}) do
    if type(c) == 'table' and type(c.account_id) == 'string' and c.account_id ~= '' then
      ids[#ids + 1] = c.account_id
    end
  end
  return ids
end

local function need_new(plan)
  if type(plan.new_account) ~= 'table' then lib.fail('missing plan.new_account') end
  return plan.new_account
end

-- The facts this resolution proves, checked, with the learned hash and changes stream
-- type-checked: nothing is written here.
local function facts_learned(c, alert, by)
  local L, plan = c.plan.learn, c.plan
  if type(L) ~= 'table' or type(L.name) ~= 'string' or L.name == '' then return {} end
  lib.expect(c.K.learned, 'hash')
  lib.expect(c.K.changes, 'stream')
  local chosen = plan.account_id
  if plan.action == 'create_account' then chosen = need_new(plan).id end
  if plan.action == 'dismiss' then chosen = nil end
  local base = {name = L.name, by = by ~= '' and by or nil, at = plan.now, lead_id = plan.lead.id}
  local facts = {}
  local function add(kind, extra)
    local f = {kind = kind}
    for k, v in pairs(base) do f[k] = v end
    for k, v in pairs(extra) do f[k] = v end
    facts[#facts + 1] = lib.check_fact(f)
  end
  -- a new account on the lead's domain matches it by domain already: nothing to add
  local redundant = plan.action == 'create_account' and plan.new_account.domains == L.domain
  if chosen and type(L.domain) == 'string' and L.domain ~= '' and not redundant then
    add('always', {domain = L.domain, account_id = chosen})
  end
  -- every candidate shown but not chosen was rejected, the best one first: never, for leads of
  -- this name from this domain (or without one, as this lead)
  local domain = type(L.domain) == 'string' and L.domain ~= '' and L.domain or nil
  for _, id in ipairs(candidates(alert)) do
    if id ~= chosen then add('never', {account_id = id, domain = domain}) end
  end
  return facts
end

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
  local learned = facts_learned(c, alert, by)
  local out = lib.commit(c, lib.prepare(c))
  for _, f in ipairs(learned) do lib.learn(K, c.changes_cap, f) end
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
