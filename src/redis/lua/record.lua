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

local OUTCOME_ONLY = {'outcome'}

local function given(v)
  if v ~= '' then return v end
  return nil
end

-- The result hash's fields put in f from its start: lead_digest first, then those of the old flat
-- layout in its order (lead_id, the result's, processed_at, stream_id), each with a value.
-- Returns their count (f may hold more from an earlier use: the caller reads 1..count).
local function result_fields_into(f, args, i, lead_id, now)
  f[1], f[2] = 'lead_digest', args[i + 1]
  local n = 2
  if lead_id then f[3], f[4], n = 'lead_id', lead_id, 4 end
  for j = 1, #RESULT_FIELDS do
    local v = args[i + 4 + j]
    if v ~= '' then f[n + 1], f[n + 2], n = RESULT_FIELDS[j], v, n + 2 end
  end
  if now then f[n + 1], f[n + 2], n = 'processed_at', now, n + 2 end
  if args[i] ~= '' then f[n + 1], f[n + 2], n = 'stream_id', args[i], n + 2 end
  return n
end

-- result_fields_into a new table, made at once with room for the fields lib.commit adds (no
-- growth step by step; the nils are one op).
local function result_fields(args, i, lead_id, now)
  local f = {nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
             nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil}
  result_fields_into(f, args, i, lead_id, now)
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

-- Globals the plain path uses, taken once per record_leads call: a Function's globals are looked
-- up through a metatable at every use, and at load they are not there yet.
local call, pcall_call, unpack_, format, encode, type_

-- What lib.commit's out table of an action gives pairs(), in its order: the same assignments, made
-- once per Lua state (pairs is not there at load), so a plain lead writes the result's outcome
-- fields in the order a planned one does.
local out_order

local function keys_in_order(t)
  local o = {}
  for k in pairs(t) do o[#o + 1] = k end
  return o
end

local function out_orders()
  local convert, flag = {}, {}
  convert.contact_id = ''; convert.opportunity_id = nil; convert.outcome = ''
  flag.alert_id = ''; flag.outcome = ''
  return {convert = keys_in_order(convert), flag = keys_in_order(flag)}
end

-- A plain lead (most of them): convert, flag, drop or dismiss with no more of the plan than the
-- fixed places, its lead id, now and now_ms given, under valid stream caps. It is recorded straight
-- from its arguments (record_plain); any other lead through lead_at's plan and record_one.
local PLAIN = {convert = true, flag = true, drop = true, dismiss = true}

local function is_plain(args, i, caps_ok)
  return caps_ok and args[i + REST_AT] == '0' and PLAIN[args[i + 4]] and args[i + LEAD_AT + 1] ~= ''
    and args[i + 2] ~= '' and args[i + 3] ~= ''
end

-- An array with room for 16 values (a call's usual leads) made at once: no growth step by step.
local function room16()
  return {nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil}
end

-- The leads of record_leads's ARGV from position 5: the position of each (at) and, for a lead that
-- is not plain, record_one's table (rs[k]; none for a plain one). Fails on any shape error, so
-- nothing is written before all are read. types is the call's table of checked keys.
local function leads_of(keys, args, count, types)
  local c = {keys = keys, args = args, n = #args, call = nil, K = nil, list = nil}
  local at, rs, i, k = room16(), {}, 5, 0
  c.call = {leads = keys[1], group = args[1], prefix = args[2], events_cap = args[3],
            changes_cap = args[4], types = types}
  local caps_ok = pcall(lib.cap, args[3], 'events cap') and pcall(lib.cap, args[4], 'changes cap')
  while i <= c.n do
    k = k + 1
    at[k] = i
    if i + REST_AT <= c.n and is_plain(args, i, caps_ok) then
      i = i + REST_AT + 1
    else
      rs[k], i = lead_at(c, k, i)
    end
  end
  if k ~= count then
    lib.fail('record_leads: ' .. count .. ' result keys but ' .. k .. ' leads')
  end
  return c, at, rs
end

-- The pending entries among the leads' (set[id] true), by one XPENDING of the range from the first
-- lead's entry id to the last's (l2ad's are in the order it read them): an id in the reply is
-- pending (nothing in the call acknowledges an entry before its end). A lead whose id is not in the
-- reply (not pending, out of order, or past a reply cut at its count) is asked alone, so the
-- answer is always that of one XPENDING per lead.
local function pending_of(leads, group, args, at, n)
  local reply = call('XPENDING', leads, group, args[at[1]], args[at[n]], 2 * n + 16)
  local set = {}
  for j = 1, #reply do set[reply[j][1]] = true end
  return set
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

-- A plain lead's argument places after its entry id (position i): see lead_at.
local DIGEST, NOW, NOW_MS, ACTION, KIND, SCORE, REASON, CANDIDATES = 1, 2, 3, 4, 5, 7, 9, 10
local ID, EMAIL, SOURCE, LEAD_SCORE = LEAD_AT + 1, LEAD_AT + 2, LEAD_AT + 9, LEAD_AT + 10
local ACCOUNT_ID = LEAD_AT + #LEAD_FIELDS + 1

-- lib.expect of a key that is most often absent (a new lead's result hash, its alert): EXISTS
-- first, whose integer reply costs Redis and Lua less than TYPE's status reply (a table), then
-- TYPE only when the key is there. The same answer and the same error.
local function expect_rare(key, want)
  if call('EXISTS', key) == 0 then return false end
  return lib.expect(key, want)
end

-- lib.read_checked of a command with one field (HGET), through the call's own redis.pcall.
local function read_as(want, cmd, key, field)
  local r = pcall_call(cmd, key, field)
  if type_(r) == 'table' then
    lib.expect(key, want)
    error(r)
  end
  return r
end

-- A plain convert (lib.prepare's prepare_contact, then write_contact, from the lead's arguments at
-- i): the same reads, checks, writes and event. f is the call's list for the contact's fields.
-- Returns the contact id.
local function plain_convert(c, i, id, now, f)
  local args, K = c.args, c.K
  local acc, email = args[i + ACCOUNT_ID], args[i + EMAIL]
  if acc == '' then lib.fail('missing plan.account_id') end
  local cid = false
  if email ~= '' then
    lib.expect_shared(c.call, K.contacts_by_email, 'hash')
    cid = call('HGET', K.contacts_by_email, email)
  end
  local new = not cid
  if new then cid = 'C-' .. id end
  local contact_key, old_set = K.contact(cid), nil
  local old = read_as('hash', 'HGET', contact_key, 'account_id')
  local acc_set = K.account_contacts(acc)
  if old and old ~= acc then   -- else acc_set, the last key to check, is checked by its SADD
    lib.expect(acc_set, 'set')
    old_set = K.account_contacts(old)
    lib.expect(old_set, 'set')
  end
  -- the first write: acc_set's check when it had none (WRONGTYPE writes nothing, and the lead
  -- fails with lib.expect's error); the others' keys are checked, so the order is free
  local added = pcall_call('SADD', acc_set, cid)
  if type_(added) == 'table' then
    lib.expect(acc_set, 'set')
    error(added)
  end
  local n = 6
  if new then
    f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12] =
      'id', cid, 'email', email, 'lead_source', args[i + SOURCE], 'first_touch_at', now,
      'first_lead_id', id, 'created_at', now
    n = 18
    if email ~= '' then call('HSET', K.contacts_by_email, email, cid) end
  end
  f[n - 5], f[n - 4], f[n - 3], f[n - 2], f[n - 1], f[n] =
    'account_id', acc, 'last_lead_id', id, 'updated_at', now
  if old_set then call('SREM', old_set, cid) end
  local at = i + LEAD_AT   -- the contact's fields in write_contact's order (lib's CONTACT_FIELDS)
  local v = args[at + 3]
  if v ~= '' then f[n + 1], f[n + 2], n = 'first_name', v, n + 2 end
  v = args[at + 4]
  if v ~= '' then f[n + 1], f[n + 2], n = 'last_name', v, n + 2 end
  v = args[at + 5]
  if v ~= '' then f[n + 1], f[n + 2], n = 'title', v, n + 2 end
  v = args[at + 7]
  if v ~= '' then f[n + 1], f[n + 2], n = 'phone', v, n + 2 end
  v = args[at + 8]
  if v ~= '' then f[n + 1], f[n + 2], n = 'country', v, n + 2 end
  v = args[at + 6]
  if v ~= '' then f[n + 1], f[n + 2], n = 'company', v, n + 2 end
  v = args[i + LEAD_SCORE]
  if v ~= '' then f[n + 1], f[n + 2], n = 'last_score', v, n + 2 end
  call('HSET', contact_key, unpack_(f, 1, n))
  call('XADD', K.events, 'MAXLEN', '~', c.call.events_cap, '*', 'type', 'lead.converted',
       'lead_id', id, 'at', now, 'contact_id', cid, 'account_id', acc,
       'new_contact', new and '1' or '0')
  return cid
end
-- A plain flag (prepare_alert, then write_alert): the alert, its place in the review queue and
-- its event, unless the alert exists. The alert's lead is the lead's fields filled one at a time in
-- LEAD_FIELDS's order (its JSON text follows the table's insertions, as lead_table's).
local function plain_flag(c, i, id, now)
  local args, K = c.args, c.K
  local kind = args[i + KIND]
  if kind == '' then lib.fail('missing plan.alert.kind') end
  local alert_key = K.alert(id)
  local alert_exists = expect_rare(alert_key, 'hash')
  lib.expect_shared(c.call, K.review_open, 'zset')
  if alert_exists then return end
  local L, now_ms = {}, args[i + NOW_MS]
  for j = 1, #LEAD_FIELDS do
    local v = args[i + LEAD_AT + j]
    if v ~= '' then L[LEAD_FIELDS[j]] = v end
  end
  local cands, score = args[i + CANDIDATES], args[i + SCORE]
  call('HSET', alert_key, 'lead_id', id, 'status', 'open', 'kind', kind,
       'reason', args[i + REASON], 'candidates', cands ~= '' and cands or '[]',
       'score', score ~= '' and score or '0', 'created_at', now,
       'created_ms', format('%d', now_ms), 'lead', encode(L))
  call('ZADD', K.review_open, now_ms, id)
  call('XADD', K.events, 'MAXLEN', '~', c.call.events_cap, '*', 'type', 'lead.flagged',
       'lead_id', id, 'at', now, 'alert_id', id, 'kind', kind)
end

-- The result hash of a plain lead as record_one writes it (result_fields, then the outcome's
-- fields in out_order's order of the action's names: "outcome" holds outcome, the other name
-- other), through the call's list f.
local function plain_result(args, i, key, id, now, f, names, outcome, other)
  local n = result_fields_into(f, args, i, id, now)
  for j = 1, #names do
    local name = names[j]
    f[n + 1], f[n + 2], n = name, name == 'outcome' and outcome or other, n + 2
  end
  call('HSET', key, unpack_(f, 1, n))
end

-- record_checked of a plain lead at position i (pending: true, or nil: ask), from its
-- arguments: the same checks, writes, events and code.
local function record_plain(c, i, key, pending)
  local args, K = c.args, c.K
  local exists = expect_rare(key, 'hash')
  if pending == nil then pending = entry_pending(c.call.leads, c.call.group, args[i]) end
  if not pending then return 0 end
  local id, now = args[i + ID], args[i + NOW]
  if exists then
    local was, digest = call('HGET', key, 'lead_digest'), args[i + DIGEST]
    if not was or was == digest then return 2 end
    lib.expect_shared(c.call, K.events, 'stream')
    call('XADD', K.events, 'MAXLEN', '~', c.call.events_cap, '*', 'type', 'lead.repeated',
         'lead_id', id, 'at', now, 'stream_id', args[i], 'recorded_digest', was, 'digest', digest)
    return 3
  end
  lib.expect_shared(c.call, K.events, 'stream')
  local action, f = args[i + ACTION], c.list
  if action == 'convert' then
    local cid = plain_convert(c, i, id, now, f)
    plain_result(args, i, key, id, now, f, out_order.convert, 'converted', cid)
  elseif action == 'flag' then
    plain_flag(c, i, id, now)
    plain_result(args, i, key, id, now, f, out_order.flag, 'flagged', id)
  else
    plain_result(args, i, key, id, now, f, OUTCOME_ONLY,
                 action == 'drop' and 'dropped' or 'dismissed', nil)
  end
  return 1
end

local function record_leads(keys, args)
  call, pcall_call, unpack_, format, encode, type_ =
    redis.call, redis.pcall, unpack, string.format, cjson.encode, type
  out_order = out_order or out_orders()
  local count = lib.batch_size(#keys - 1, MAX_LEADS, 'leads', 'record_leads')
  lib.expect(keys[1], 'stream')
  local c, at, rs = leads_of(keys, args, count, {})
  c.K = lib.keys_of(args[2])
  c.list = {nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
            nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil}
  local got, pending = pcall(pending_of, keys[1], args[1], args, at, count)
  if not got then pending = {} end   -- on an error, each lead asks alone (and fails)
  local codes, acks, n_acks = room16(), room16(), 0
  for k = 1, count do
    local r, ok, code = rs[k]
    local id = args[at[k]]
    if r then
      r.pending = pending[id]
      ok, code = pcall(record_checked, r)
    else
      ok, code = pcall(record_plain, c, at[k], keys[k + 1], pending[id])
    end
    codes[k] = ok and code or error_reply(code)
    if ok and code ~= 0 then n_acks = n_acks + 1; acks[n_acks] = id end
  end
  if n_acks > 0 then call('XACK', keys[1], args[1], unpack_(acks, 1, n_acks)) end
  return codes
end

redis.register_function{function_name = LIBRARY .. '_record', callback = record}
redis.register_function{function_name = LIBRARY .. '_record_leads', callback = record_leads}
