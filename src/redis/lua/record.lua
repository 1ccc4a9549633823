-- record.lua - <library>_record and <library>_record_leads: a lead's result and outcome, written
-- once, with the XACK of its stream entry. record takes one lead as JSON; record_leads takes
-- several (what l2ad sends: one call per batch it read) as flat arguments, nothing to decode.
--
-- record: KEYS: the leads stream, the lead's result hash.
--   ARGV: group, entry id, key prefix, result JSON (a flat object of strings), plan JSON
--         (outcome_plan_json), events stream cap, accounts:changes stream cap.
-- record_leads: KEYS: the leads stream, then the result hash of each lead (1 to 1,000).
--   ARGV: group, key prefix, events stream cap, accounts:changes stream cap, then per lead: entry
--         id, lead digest, the count of the result's field/value arguments, those, the plan
--         (lib.flat_plan: its count, then its sections).
-- Returns (record; record_leads one per lead, in order, or the error of that lead alone) 1
-- recorded, 2 the lead id was already recorded (the entry is only acknowledged), 3 the same but
-- the lead digest differs from the recorded one (other fields under that id: acknowledged, and a
-- lead.repeated event says so), 0 the entry is no longer pending (handled already, or claimed by
-- another worker): nothing done.

local MAX_LEADS = 1000

-- One lead r: leads, group, id (entry), key (result hash, type-checked), exists (whether it
-- exists), digest, fields (the result's field/value list), plan() (the decoded plan), prefix,
-- events_cap, changes_cap. Returns the code; the caller acknowledges the entry unless it is 0.
local function record_one(r)
  if #redis.call('XPENDING', r.leads, r.group, r.id, r.id, 1) == 0 then return 0 end
  if r.exists then
    local was = redis.call('HGET', r.key, 'lead_digest')
    local changed = was and r.digest and was ~= r.digest
    local c = changed and lib.context_of(r.prefix, r.plan(), r.events_cap, r.changes_cap, r.types)
    if changed then lib.expect_shared(c, c.K.events, 'stream') end
    if not changed then return 2 end
    lib.event(c, 'lead.repeated', {'stream_id', r.id, 'recorded_digest', was, 'digest', r.digest})
    return 3
  end
  local c = lib.context_of(r.prefix, r.plan(), r.events_cap, r.changes_cap, r.types)
  local out = lib.commit(c, lib.prepare(c))
  redis.call('HSET', r.key, unpack(lib.pairs_of(out, r.fields)))
  return 1
end

local function record(keys, args)
  lib.arg_count(args, 7, 'record')
  lib.expect(keys[1], 'stream')
  local exists = lib.expect(keys[2], 'hash')
  local result = cjson.decode(args[4])
  local code = record_one{leads = keys[1], group = args[1], id = args[2], key = keys[2],
    exists = exists, digest = result.lead_digest, fields = lib.pairs_of(result, {}),
    plan = function() return cjson.decode(args[5]) end,
    prefix = args[3], events_cap = args[6], changes_cap = args[7]}
  if code ~= 0 then redis.call('XACK', keys[1], args[1], args[2]) end
  return code
end

-- The leads of record_leads's ARGV from position 5, as record_one's tables (without the shared
-- fields); fails on any shape error, so nothing is written before all are read.
local function leads_of(args, count)
  local out, i = {}, 5
  while i <= #args do
    local id, digest = args[i], args[i + 1]
    local n = lib.count_at(args, i + 2, 'record_leads: entry ' .. tostring(id) .. ' result')
    if n % 2 ~= 0 then lib.fail('record_leads: entry ' .. id .. ' result is cut') end
    local fields = {'lead_digest', digest}
    for j = i + 3, i + 2 + n do fields[#fields + 1] = args[j] end
    local plan, next_at = lib.flat_plan(args, i + 3 + n)
    out[#out + 1] = {id = id, digest = digest, fields = fields,
                     plan = function() return plan end}
    i = next_at
  end
  if #out ~= count then
    lib.fail('record_leads: ' .. count .. ' result keys but ' .. #out .. ' leads')
  end
  return out
end

-- record_one after the type check of the lead's result hash (a failure stays with this lead).
local function record_checked(r)
  r.exists = lib.expect(r.key, 'hash')
  return record_one(r)
end

-- A failed lead's error as a reply: one with its code (WRONGTYPE ..., ERR ...) as it is, another
-- (a Lua runtime error) made into ERR.
local function error_reply(e)
  local text = tostring(type(e) == 'table' and e.err or e)
  if string.match(text, '^%u+ ') then return {err = text} end
  return {err = 'ERR l2a: ' .. text}
end

local function record_leads(keys, args)
  local count = lib.batch_size(#keys - 1, MAX_LEADS, 'leads', 'record_leads')
  lib.expect(keys[1], 'stream')
  local leads = leads_of(args, count)
  local codes, acks, types = {}, {}, {}
  for k, r in ipairs(leads) do
    r.leads, r.group, r.key, r.prefix, r.types = keys[1], args[1], keys[k + 1], args[2], types
    r.events_cap, r.changes_cap = args[3], args[4]
    local ok, code = pcall(record_checked, r)
    codes[k] = ok and code or error_reply(code)
    if ok and code ~= 0 then acks[#acks + 1] = r.id end
  end
  if #acks > 0 then redis.call('XACK', keys[1], args[1], unpack(acks)) end
  return codes
end

redis.register_function{function_name = LIBRARY .. '_record', callback = record}
redis.register_function{function_name = LIBRARY .. '_record_leads', callback = record_leads}
