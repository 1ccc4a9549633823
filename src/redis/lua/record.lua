-- record.lua - <library>_record and <library>_record_leads: a lead's result and outcome, written
-- once, with the XACK of its stream entry. record takes one lead as JSON; record_leads takes
-- several (what l2ad sends: one call per batch it read) as values at fixed places, nothing to
-- decode.
--
-- record: KEYS: the leads stream, the lead's result hash.
--   ARGV: group, entry id, key prefix, result JSON (a flat object of strings), plan JSON
--         (outcome_plan_json), events stream cap, accounts:changes stream cap.
-- record_leads: KEYS: the leads stream, then the result hash of each lead (1 to 1,000).
--   ARGV: group, key prefix, events stream cap, accounts:changes stream cap, then per lead
--         (lead_at): entry id, lead digest, values at fixed places (no field names), the rest of
--         the plan (lib.flat_plan: its count, then its sections).
-- Returns (record; record_leads one per lead, in order, or the error of that lead alone) 1
-- recorded, 2 the lead id was already recorded (the entry is only acknowledged), 3 the same but
-- the lead digest differs from the recorded one (other fields under that id: acknowledged, and a
-- lead.repeated event says so), 0 the entry is no longer pending (handled already, or claimed by
-- another worker): nothing done.

local MAX_LEADS = 1000

-- Whether stream entry id is pending in the group (delivered, not acknowledged).
local function entry_pending(leads, group, id)
  return #redis.call('XPENDING', leads, group, id, id, 1) > 0
end

-- One lead r: id (entry), key (result hash, type-checked), exists (whether it exists), digest,
-- fields (the result's field/value list), plan (the plan table, or a function that decodes it),
-- pending (whether the entry is pending, or nil: ask), call (what every lead of the Function call
-- shares: leads, group, prefix, events_cap, changes_cap, types). Returns the code; the caller
-- acknowledges the entry unless it is 0.
local function record_one(r)
  local pending = r.pending
  local call = r.call
  if pending == nil then pending = entry_pending(call.leads, call.group, r.id) end
  if not pending then return 0 end
  local plan = r.plan
  if r.exists then
    local was = redis.call('HGET', r.key, 'lead_digest')
    local changed = was and r.digest and was ~= r.digest
    if changed and type(plan) == 'function' then plan = plan() end
    local c = changed and lib.context_of(call.prefix, plan, call.events_cap, call.changes_cap,
                                         call.types)
    if changed then lib.expect_shared(c, c.K.events, 'stream') end
    if not changed then return 2 end
    lib.event(c, 'lead.repeated', {'stream_id', r.id, 'recorded_digest', was, 'digest', r.digest})
    return 3
  end
  if type(plan) == 'function' then plan = plan() end
  local c = lib.context_of(call.prefix, plan, call.events_cap, call.changes_cap, call.types)
  local out = lib.commit(c, lib.prepare(c))
  redis.call('HSET', r.key, unpack(lib.pairs_of(out, r.fields)))
  return 1
end

local function record(keys, args)
  lib.arg_count(args, 7, 'record')
  lib.expect(keys[1], 'stream')
  local exists = lib.expect(keys[2], 'hash')
  local result = cjson.decode(args[4])
  local code = record_one{id = args[2], key = keys[2], exists = exists,
    digest = result.lead_digest, fields = lib.pairs_of(result, {}),
    plan = function() return cjson.decode(args[5]) end,
    call = {leads = keys[1], group = args[1], prefix = args[3], events_cap = args[6],
            changes_cap = args[7]}}
  if code ~= 0 then redis.call('XACK', keys[1], args[1], args[2]) end
  return code
end

-- record_leads's arguments of one lead after its entry id and digest (what C's record_args_put
-- writes; '' is a value left out): now, now_ms, action, the result's RESULT_FIELDS, the lead's
-- LEAD_FIELDS, the plan's account_id and role, then the rest of the plan (lib.flat_plan).
local RESULT_FIELDS = {'decision', 'account_id', 'score', 'rule', 'reason', 'candidates'}
local LEAD_FIELDS = {'id', 'email', 'first_name', 'last_name', 'title', 'company', 'phone',
                     'country', 'source', 'score', 'website'}
local LEAD_AT = 4 + #RESULT_FIELDS         -- the lead's fields follow position i + LEAD_AT
local REST_AT = LEAD_AT + #LEAD_FIELDS + 3 -- the rest's count: at position i + REST_AT

local function given(v)
  if v ~= '' then return v end
  return nil
end

-- The result hash's fields: lead_digest first, then those of the old flat layout in its order
-- (lead_id, the result's, processed_at, stream_id), each with a value. The table is made at once
-- with room for the fields lib.commit adds (no growth step by step; the nils are one op), then
-- filled with the fields given.
local function result_fields(args, i, lead_id, now)
  local f = {'lead_digest', args[i + 1], nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
             nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
             nil, nil, nil, nil}
  local n = 2
  if lead_id then f[3], f[4], n = 'lead_id', lead_id, 4 end
  for j = 1, #RESULT_FIELDS do
    local v = args[i + 4 + j]
    if v ~= '' then f[n + 1], f[n + 2], n = RESULT_FIELDS[j], v, n + 2 end
  end
  if now then f[n + 1], f[n + 2], n = 'processed_at', now, n + 2 end
  if args[i] ~= '' then f[n + 1], f[n + 2] = 'stream_id', args[i] end
  return f
end

-- The lead's fields (those given) as a table. A flag's alert stores it as JSON, whose text
-- follows the table's insertions: for a flag it is filled one field at a time in LEAD_FIELDS's
-- order, as the flat layout did; else made at once.
local function lead_table(args, at, flag)
  if not flag then
    return {id = given(args[at + 1]), email = given(args[at + 2]),
            first_name = given(args[at + 3]), last_name = given(args[at + 4]),
            title = given(args[at + 5]), company = given(args[at + 6]),
            phone = given(args[at + 7]), country = given(args[at + 8]),
            source = given(args[at + 9]), score = given(args[at + 10]),
            website = given(args[at + 11])}
  end
  local L = {}
  for j = 1, #LEAD_FIELDS do
    local v = args[at + j]
    if v ~= '' then L[LEAD_FIELDS[j]] = v end
  end
  return L
end

-- One lead of record_leads's ARGV from position i (c: the call's keys and args, and what its
-- leads share; k: the lead's place in it), as record_one's table, and the position after it. A
-- flag's alert is the result's kind, reason, score and candidates.
local function lead_at(c, k, i)
  local args, id = c.args, c.args[i]
  if i + REST_AT > c.n then lib.fail('record_leads: entry ' .. tostring(id) .. ' is cut') end
  local now, action, at = given(args[i + 2]), given(args[i + 4]), i + LEAD_AT + #LEAD_FIELDS
  local L = lead_table(args, i + LEAD_AT, action == 'flag')
  local plan = {action = action, now = now, now_ms = given(args[i + 3]), lead = L,
                account_id = given(args[at + 1]), role = given(args[at + 2]), alert = nil}
  if action == 'flag' then
    plan.alert = {kind = given(args[i + 5]), reason = given(args[i + 9]),
                  score = given(args[i + 7]), candidates = given(args[i + 10])}
  end
  local next_at = i + REST_AT + 1   -- most leads have no more of the plan: no count to parse
  if args[i + REST_AT] ~= '0' then next_at = select(2, lib.flat_plan(args, i + REST_AT, plan)) end
  return {id = id, digest = args[i + 1], fields = result_fields(args, i, L.id, now), plan = plan,
          key = c.keys[k + 1], call = c.call, pending = nil, exists = nil}, next_at
end

-- The leads of record_leads's ARGV from position 5, as record_one's tables; fails on any shape
-- error, so nothing is written before all are read. types is the call's table of checked keys.
local function leads_of(keys, args, count, types)
  local c, out, i = {keys = keys, args = args, n = #args}, {}, 5
  c.call = {leads = keys[1], group = args[1], prefix = args[2], events_cap = args[3],
            changes_cap = args[4], types = types}
  while i <= c.n do
    out[#out + 1], i = lead_at(c, #out + 1, i)
  end
  if #out ~= count then
    lib.fail('record_leads: ' .. count .. ' result keys but ' .. #out .. ' leads')
  end
  return out
end

-- A stream id as two numbers (ms, seq) when it is in the form Redis gives ids (no leading zeros)
-- and small enough to compare exactly as numbers; else nil.
local function id_parts(id)
  local ms, seq = string.match(id, '^(%d+)%-(%d+)$')
  if not ms or #ms > 15 or #seq > 15 then return nil end
  if (#ms > 1 and string.byte(ms) == 48) or (#seq > 1 and string.byte(seq) == 48) then
    return nil
  end
  return tonumber(ms), tonumber(seq)
end

-- Whether stream id a (ms, seq) comes after b.
local function id_after(a_ms, a_seq, b_ms, b_seq)
  return a_ms > b_ms or (a_ms == b_ms and a_seq > b_seq)
end

-- Sets r.pending of each lead whose entry id one XPENDING of the range of the call's ids can
-- answer (the same answer as one XPENDING per lead: nothing in the call acknowledges an entry
-- before its end). A lead whose id is not in Redis's form, or past the last entry of a reply cut
-- at its count, keeps r.pending nil: record_one asks for it alone. The ids' parts are kept in
-- two arrays (no table per lead).
local function pending_of(leads, group, rs)
  local ms_of, seq_of, lo, hi = {}, {}, nil, nil
  for k = 1, #rs do
    local ms, seq = id_parts(rs[k].id)
    if ms then
      ms_of[k], seq_of[k] = ms, seq
      if not lo or id_after(ms_of[lo], seq_of[lo], ms, seq) then lo = k end
      if not hi or id_after(ms, seq, ms_of[hi], seq_of[hi]) then hi = k end
    end
  end
  if not lo then return end
  local limit = 2 * #rs + 16
  local reply = redis.call('XPENDING', leads, group, rs[lo].id, rs[hi].id, limit)
  local set = {}
  for j = 1, #reply do set[reply[j][1]] = true end
  local last_ms, last_seq
  if #reply >= limit then
    last_ms, last_seq = id_parts(reply[#reply][1])
    if not last_ms then return end
  end
  for k = 1, #rs do
    local ms = ms_of[k]
    if ms and not (last_ms and id_after(ms, seq_of[k], last_ms, last_seq)) then
      rs[k].pending = set[rs[k].id] == true
    end
  end
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
  local leads = leads_of(keys, args, count, {})
  pcall(pending_of, keys[1], args[1], leads)   -- on an error, each lead asks alone (and fails)
  local codes, acks = {}, {}
  for k, r in ipairs(leads) do
    local ok, code = pcall(record_checked, r)
    codes[k] = ok and code or error_reply(code)
    if ok and code ~= 0 then acks[#acks + 1] = r.id end
  end
  if #acks > 0 then redis.call('XACK', keys[1], args[1], unpack(acks)) end
  return codes
end

redis.register_function{function_name = LIBRARY .. '_record', callback = record}
redis.register_function{function_name = LIBRARY .. '_record_leads', callback = record_leads}
