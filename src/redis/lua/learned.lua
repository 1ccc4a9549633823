-- learned.lua - <library>_learned: a learned fact stored or removed by `l2a learned import` and
-- `l2a learned forget`, with its entry on the accounts:changes stream (every l2ad follows it).
--
-- KEYS: none (the keys are built from the prefix).
-- ARGV: key prefix, accounts:changes stream cap, op (put | forget), fact JSON: {kind, name,
--       domain, account_id, by, at, lead_id}. kind always (name, domain, account_id) or never
--       (name, account_id, domain if any); forget also takes kind domain (domain): a domain learned
--       by an account from a contact (learning.domains_from_contacts) is taken off it again.
-- Returns 1 stored or removed, 0 nothing to remove.

-- The domain learned from a contact, off its account's websites and out of the evidence hash.
local function forget_domain(K, cap, domain)
  lib.expect(K.learned_domains, 'hash')
  lib.expect(K.changes, 'stream')
  local ok, ev = pcall(cjson.decode, redis.call('HGET', K.learned_domains, domain) or 'null')
  if not ok or type(ev) ~= 'table' then return 0 end
  local key = type(ev.account_id) == 'string' and K.account(ev.account_id)
  if key then
    lib.expect(key, 'hash')
    lib.expect(K.account_digests, 'hash')
  end
  redis.call('HDEL', K.learned_domains, domain)
  if not key or redis.call('EXISTS', key) == 0 then return 1 end
  lib.digest_forget(K, ev.account_id)
  local kept = {}
  for _, d in ipairs(lib.domain_list(redis.call('HGET', key, 'domains'))) do
    if d ~= domain then kept[#kept + 1] = d end
  end
  redis.call('HSET', key, 'domains', table.concat(kept, ';'))
  lib.account_changed(K, cap, key)
  return 1
end

local function learned(_, args)
  lib.arg_count(args, 4, 'learned')
  local K, cap, op = lib.keys(args[1]), lib.cap(args[2], 'changes cap'), args[3]
  local ok, f = pcall(cjson.decode, args[4])
  if not ok or type(f) ~= 'table' then lib.fail('the fact is not a JSON object') end
  if op == 'forget' and f.kind == 'domain' then
    if type(f.domain) ~= 'string' or f.domain == '' then lib.fail('forget domain: no domain') end
    return forget_domain(K, cap, f.domain)
  end
  if op ~= 'put' and op ~= 'forget' then
    lib.fail('learned: op is ' .. op .. ', not put or forget')
  end
  if op == 'forget' and f.account_id == nil then f.account_id = '-' end
  lib.check_fact(f)
  lib.expect(K.learned, 'hash')
  lib.expect(K.changes, 'stream')
  if op == 'forget' then return lib.unlearn(K, cap, f) end
  lib.learn(K, cap, f)
  return 1
end

redis.register_function{function_name = LIBRARY .. '_learned', callback = learned}
