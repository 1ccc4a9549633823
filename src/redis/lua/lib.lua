-- lib.lua - what every l2a Function shares: key names, type checks, events, and an outcome plan
-- (contact, new account, opportunity, alert) carried out as a read-and-check step, then writes.
--
-- The build makes one Redis Function library of src/redis/lua/*.lua: first the lines
-- `#!lua name=<library>` and `local LIBRARY = '<library>'`, then this file, then the others, which
-- register the functions as LIBRARY .. '_<name>'. A Function that fails after a write keeps that
-- write (Redis has no rollback), so every Function reads and checks all it will touch, then writes.

local lib = {}

-- Key names from the prefix. src/redis/keys.c builds the same names (tests/lua checks they agree).
function lib.keys(P)
  return {
    leads = P .. 'leads',
    dead = P .. 'leads:dead',
    dead_ids = P .. 'leads:dead:ids',
    accounts = P .. 'accounts',
    changes = P .. 'accounts:changes',
    account_digests = P .. 'accounts:digests',
    events = P .. 'events',
    review_open = P .. 'review:open',
    contacts_by_email = P .. 'contacts:by_email',
    seq_opportunity = P .. 'seq:opportunity',
    learned = P .. 'learned',
    learned_domains = P .. 'learned:domains',
    snapshot = P .. 'accounts:snapshot',
    snapshot_lock = P .. 'accounts:snapshot:lock',
    snapshot_seq = P .. 'accounts:snapshot:seq',
    lead = function(id) return P .. 'lead:' .. id end,
    account = function(id) return P .. 'account:' .. id end,
    alert = function(id) return P .. 'alert:' .. id end,
    contact = function(id) return P .. 'contact:' .. id end,
    account_contacts = function(id) return P .. 'account_contacts:' .. id end,
    opportunity = function(id) return P .. 'opportunity:' .. id end,
    opportunity_open = function(id) return P .. 'opportunity:open:' .. id end,
    snapshot_chunk = function(id) return P .. 'accounts:snapshot:' .. id end,
  }
end

-- Fails with a WRONGTYPE error unless key is absent or of type want (callers check before writing).
-- Returns whether the key exists.
function lib.expect(key, want)
  local got = redis.call('TYPE', key)['ok']
  if got ~= 'none' and got ~= want then
    error({err = 'WRONGTYPE l2a: key ' .. key .. ' is a ' .. got .. ', expected a ' .. want})
  end
  return got ~= 'none'
end

-- The reply of a command that reads key as type want (HGET on a hash, GET on a string): the read
-- is the type check too, with lib.expect's error when the key is of another type (one command
-- instead of TYPE and the read).
function lib.read_checked(want, cmd, key, ...)
  local r = redis.pcall(cmd, key, ...)
  if type(r) == 'table' and r.err then
    lib.expect(key, want)
    error(r)
  end
  return r
end

-- Fails with an ERR error saying what is wrong with an argument.
function lib.fail(msg)
  error({err = 'ERR l2a: ' .. msg})
end

-- Fails unless a Function got exactly n arguments (a missing one would fail a later write).
function lib.arg_count(args, n, name)
  if #args ~= n then lib.fail(name .. ' takes ' .. n .. ' arguments, got ' .. #args) end
end

-- v, or a failure naming what is missing (a plan field, an argument).
local function need(v, what)
  if v == nil or v == cjson.null then lib.fail('missing ' .. what) end
  return v
end

-- A stream length cap (MAXLEN ~) passed from C: digits only, checked before any XADD uses it.
-- Caps already found to be lengths (the same few texts come with every call).
local caps_seen = {}

function lib.cap(text, what)
  if caps_seen[text] then return text end
  if type(text) ~= 'string' or not string.match(text, '^%d+$') then
    lib.fail(what .. ' is not a length: ' .. tostring(text))
  end
  caps_seen[text] = true
  return text
end

-- t's keys and values appended to the flat list f (values as text); returns f.
function lib.pairs_of(t, f)
  for k, v in pairs(t) do f[#f + 1] = k; f[#f + 1] = tostring(v) end
  return f
end

-- lib.keys of each prefix seen, built once (the names depend on the prefix alone).
local keys_of = {}

function lib.keys_of(prefix)
  local K = keys_of[prefix]
  if not K then K = lib.keys(prefix); keys_of[prefix] = K end
  return K
end

-- One run of an outcome plan (a table: lib.context decodes it from JSON, lib.flat_plan from
-- flat arguments): key names, the plan and the stream caps. types, when given, is a table the
-- caller makes for one Function call: the keys every lead of the call shares are type-checked
-- once in it (lib.expect_shared).
function lib.context_of(prefix, plan, events_cap, changes_cap, types)
  local L = need(plan.lead, 'plan.lead')
  need(L.id, 'plan.lead.id'); need(plan.now, 'plan.now'); need(plan.now_ms, 'plan.now_ms')
  return {K = lib.keys_of(prefix), plan = plan, events_cap = lib.cap(events_cap, 'events cap'),
          changes_cap = lib.cap(changes_cap, 'changes cap'), types = types}
end

-- lib.expect of a key the leads of one call share (events, the email index, the accounts set,
-- the changes stream, the review queue, the learned domains): once per call when c.types is
-- there. Sound inside one call: nothing else runs meanwhile, and l2a writes a key only with the
-- type it checked.
function lib.expect_shared(c, key, want)
  local seen = c.types
  if not seen then
    lib.expect(key, want)
  elseif not seen[key] then
    lib.expect(key, want)
    seen[key] = true
  end
end

function lib.context(prefix, plan_json, events_cap, changes_cap)
  return lib.context_of(prefix, cjson.decode(plan_json), events_cap, changes_cap)
end

-- Fails unless a batch Function (name) got 1 to max items (what) in its n keys for them.
function lib.batch_size(n, max, what, name)
  if n < 1 or n > max then lib.fail(name .. ': 1 to ' .. max .. ' ' .. what .. ', got ' .. n) end
  return n
end

-- A count argument: a whole number n with at least n arguments after position at, else a failure
-- naming what (string.format of what with its argument v, made only on a failure).
function lib.count_at(args, at, what, v)
  local n = tonumber(args[at])
  if not n or n < 0 or n % 1 ~= 0 or at + n > #args then
    lib.fail(string.format(what, tostring(v)) ..
             ' needs the count of the arguments that follow, got ' .. tostring(args[at]))
  end
  return n
end

-- The section tables of a flat plan: '' is the plan itself, 'opp.next' the next table of opp.
local function section(plan, name)
  if name == '' then return plan end
  if not string.find(name, '.', 1, true) then
    local t = plan[name]
    if not t then t = {}; plan[name] = t end
    return t
  end
  local t = plan
  for part in string.gmatch(name, '[^.]+') do
    t[part] = t[part] or {}
    t = t[part]
  end
  return t
end

-- A plan passed as flat arguments (record_args_put in C) from args[at]: the count of the
-- arguments that follow, then sections, each a name ('' for the plan's own fields, 'lead',
-- 'opp', 'opp.next', ...), the count of its field/value arguments, those. A true flag is '1', a
-- false one left out. The fields go into plan when given (its sections kept), else a new table.
-- Returns the plan table and the position after it.
function lib.flat_plan(args, at, plan)
  local stop, i = at + lib.count_at(args, at, 'plan'), at + 1
  plan = plan or {}
  while i <= stop do
    local n = lib.count_at(args, i + 1, 'plan section %s', args[i])
    if n % 2 ~= 0 or i + 1 + n > stop then lib.fail('plan section ' .. args[i] .. ' is cut') end
    local t = section(plan, args[i])
    for j = i + 2, i + n, 2 do t[args[j]] = args[j + 1] end
    i = i + 2 + n
  end
  return plan, stop + 1
end

-- Appends an event (type, lead id, time, then kv) to the events stream.
function lib.event(c, typ, kv)
  redis.call('XADD', c.K.events, 'MAXLEN', '~', c.events_cap, '*', 'type', typ,
             'lead_id', c.plan.lead.id, 'at', c.plan.now, unpack(kv))
end

local function stage_field(stage)
  return 'stage_' .. (string.gsub(string.lower(stage), '[^%w]+', '_')) .. '_at'
end

-- The value INCR will start from: the counter key must be absent or hold an integer.
local function counter_value(key)
  local v = lib.read_checked('string', 'GET', key) or '0'
  if not string.match(v, '^%-?%d+$') or #v > 18 then
    lib.fail('key ' .. key .. ' holds ' .. v .. ', not a counter')
  end
  return tonumber(v)
end

-- ---- learned facts (docs/learning.md) ----

-- The field of a fact in the learned hash, as src/match/learned.c keys it: "always\t<domain>\t
-- <name>" or "never\t<domain>\t<name>\t<account id>" (domain "" for a lead without one).
function lib.learned_field(f)
  if f.kind == 'always' then return 'always\t' .. f.domain .. '\t' .. f.name end
  return 'never\t' .. (f.domain or '') .. '\t' .. f.name .. '\t' .. f.account_id
end

local FACT_FIELDS = {'kind', 'name', 'domain', 'account_id', 'by', 'at', 'lead_id'}

-- Fails unless f is a complete fact: kind always (name, domain, account_id) or never (name,
-- account_id, and the domain of the lead it was learned from if it had one), every field present
-- a non-empty string without a tab. Returns f.
function lib.check_fact(f)
  if type(f) ~= 'table' then lib.fail('a learned fact is not an object') end
  if f.kind ~= 'always' and f.kind ~= 'never' then
    lib.fail('learned fact kind is ' .. tostring(f.kind) .. ', not always or never')
  end
  local need_domain = f.kind == 'always'
  for _, k in ipairs(FACT_FIELDS) do
    local v = f[k]
    local required = k == 'name' or k == 'account_id' or (k == 'domain' and need_domain)
    if v == nil or v == cjson.null then
      if required then lib.fail('learned fact without ' .. k) end
      f[k] = nil
    elseif type(v) ~= 'string' or v == '' or string.find(v, '\t') then
      lib.fail('learned fact ' .. k .. ' is not a non-empty string without tabs')
    end
  end
  return f
end

-- Stores fact f (checked; the learned hash and the changes stream type-checked by the caller)
-- and announces it on the changes stream, which every l2ad follows.
function lib.learn(K, cap, f)
  redis.call('HSET', K.learned, lib.learned_field(f), cjson.encode(f))
  local e = {'op', 'learn'}
  for _, k in ipairs(FACT_FIELDS) do
    if f[k] then e[#e + 1] = k; e[#e + 1] = f[k] end
  end
  redis.call('XADD', K.changes, 'MAXLEN', '~', cap, '*', unpack(e))
end

-- Removes fact f (kind, name, and domain or account_id); 1 when it was there, else 0.
function lib.unlearn(K, cap, f)
  if redis.call('HDEL', K.learned, lib.learned_field(f)) == 0 then return 0 end
  local e = {'op', 'unlearn', 'kind', f.kind, 'name', f.name}
  if f.domain then e[#e + 1] = 'domain'; e[#e + 1] = f.domain end
  if f.kind == 'never' then e[#e + 1] = 'account_id'; e[#e + 1] = f.account_id end
  redis.call('XADD', K.changes, 'MAXLEN', '~', cap, '*', unpack(e))
  return 1
end

-- An account hash changed by l2a itself: the whole account to the changes stream as an upsert.
function lib.account_changed(K, cap, account_key)
  local f = redis.call('HGETALL', account_key)
  redis.call('XADD', K.changes, 'MAXLEN', '~', cap, '*', 'op', 'upsert', unpack(f))
end

-- Account id's hash was written by another writer than `l2a import-accounts`: its digest (what
-- the import last wrote, accounts.lua) no longer tells, so it goes (the caller checked its type).
function lib.digest_forget(K, id)
  redis.call('HDEL', K.account_digests, id)
end

-- The account's domains field split on ';', spaces trimmed.
function lib.domain_list(text)
  local out = {}
  for part in string.gmatch(text or '', '[^;]+') do
    local d = string.match(part, '^%s*(.-)%s*$')
    if d ~= '' then out[#out + 1] = d end
  end
  return out
end

-- ---- read and check (no writes): fills the steps table s ----

local function prepare_account(c, s)
  local A = need(c.plan.new_account, 'plan.new_account')
  need(A.id, 'plan.new_account.id'); need(A.name, 'plan.new_account.name')
  s.acc = A.id
  s.account_key = c.K.account(A.id)
  s.account_created = not lib.expect(s.account_key, 'hash')
  lib.expect_shared(c, c.K.accounts, 'set')
  lib.expect_shared(c, c.K.changes, 'stream')
  lib.expect_shared(c, c.K.account_digests, 'hash')
end

local function prepare_contact(c, s)
  local L, K = c.plan.lead, c.K
  local cid = false
  if L.email then
    lib.expect_shared(c, K.contacts_by_email, 'hash')
    cid = redis.call('HGET', K.contacts_by_email, L.email)
  end
  s.new_contact = not cid
  s.cid = cid or ('C-' .. L.id)
  s.contact_key = K.contact(s.cid)
  local old = lib.read_checked('hash', 'HGET', s.contact_key, 'account_id')
  s.acc_set = K.account_contacts(s.acc)
  lib.expect(s.acc_set, 'set')
  if old and old ~= s.acc then
    s.old_set = K.account_contacts(old)
    lib.expect(s.old_set, 'set')
  end
end

local function prepare_opportunity(c, s)
  local O, K = c.plan.opp, c.K
  if not O then return end
  s.open_key = K.opportunity_open(s.acc)
  local oid = lib.read_checked('string', 'GET', s.open_key)
  if not oid then
    if not O.create then return end
    need(O.type, 'plan.opp.type'); need(O.first_stage, 'plan.opp.first_stage')
    oid = 'O-' .. string.format('%d', counter_value(K.seq_opportunity) + 1)
    s.new_opportunity = true
    s.stage = O.first_stage
  end
  s.oid = oid
  s.opp_key = K.opportunity(oid)
  if s.new_opportunity then
    lib.expect(s.opp_key, 'hash')
  else
    s.stage = lib.read_checked('hash', 'HGET', s.opp_key, 'stage')
  end
end

local function prepare_alert(c, s)
  local A = need(c.plan.alert, 'plan.alert')
  need(A.kind, 'plan.alert.kind')
  s.alert_key = c.K.alert(c.plan.lead.id)
  s.alert_exists = lib.expect(s.alert_key, 'hash')
  lib.expect_shared(c, c.K.review_open, 'zset')
end

-- learning.domains_from_contacts: the matched account learns the lead's domain, unless a website
-- of it already is that domain or the domain was learned before (by this or another account).
local function prepare_learn_domain(c, s)
  local D, K = c.plan.learn_domain, c.K
  if type(D) ~= 'table' or type(D.domain) ~= 'string' or D.account_id ~= s.acc then return end
  local key = K.account(s.acc)
  local exists = lib.expect(key, 'hash')
  lib.expect_shared(c, K.learned_domains, 'hash')
  lib.expect_shared(c, K.changes, 'stream')
  lib.expect_shared(c, K.account_digests, 'hash')
  if not exists then return end
  if redis.call('HEXISTS', K.learned_domains, D.domain) == 1 then return end
  local domains = redis.call('HGET', key, 'domains') or ''
  for _, d in ipairs(lib.domain_list(domains)) do
    if d == D.domain then return end
  end
  s.learn_domain = {key = key, domains = domains, domain = D.domain}
end

-- Reads what the plan depends on and checks the type of every key it will write. Writes nothing.
function lib.prepare(c)
  -- s made at the size a lead's steps take (no growth one field at a time)
  local a, s = c.plan.action, {acc = nil, cid = nil, new_contact = nil, contact_key = nil,
                               acc_set = nil, old_set = nil, alert_key = nil, alert_exists = nil}
  lib.expect_shared(c, c.K.events, 'stream')
  if a == 'convert' or a == 'create_account' then
    if a == 'create_account' then
      prepare_account(c, s)
    else
      s.acc = need(c.plan.account_id, 'plan.account_id')
    end
    prepare_contact(c, s)
    prepare_opportunity(c, s)
    if a == 'convert' then prepare_learn_domain(c, s) end
  elseif a == 'flag' then
    prepare_alert(c, s)
  end
  return s
end

-- ---- writes: only what lib.prepare checked ----

local function write_account(c, s)
  local A, plan = c.plan.new_account, c.plan
  if not s.account_created then return end
  local f = {'id', A.id, 'name', A.name, 'type', A.type or 'Prospect', 'created_by', 'l2a',
             'created_at', plan.now, 'source_lead_id', plan.lead.id}
  if A.domains then f[#f + 1] = 'domains'; f[#f + 1] = A.domains end
  redis.call('HSET', s.account_key, unpack(f))
  lib.digest_forget(c.K, A.id)
  redis.call('SADD', c.K.accounts, A.id)
  redis.call('XADD', c.K.changes, 'MAXLEN', '~', c.changes_cap, '*', 'op', 'upsert', unpack(f))
  lib.event(c, 'account.created', {'account_id', A.id, 'name', A.name})
end

local CONTACT_FIELDS = {'first_name', 'last_name', 'title', 'phone', 'country', 'company'}

local function write_contact(c, s)
  local L, now = c.plan.lead, c.plan.now
  local f = {s.contact_key}
  if s.new_contact then
    f = {s.contact_key, 'id', s.cid, 'email', L.email or '', 'lead_source', L.source or '',
         'first_touch_at', now, 'first_lead_id', L.id, 'created_at', now}
    if L.email then redis.call('HSET', c.K.contacts_by_email, L.email, s.cid) end
  end
  if s.old_set then redis.call('SREM', s.old_set, s.cid) end
  local n = #f
  f[n + 1], f[n + 2], f[n + 3], f[n + 4], f[n + 5], f[n + 6] =
    'account_id', s.acc, 'last_lead_id', L.id, 'updated_at', now
  n = n + 6
  for i = 1, #CONTACT_FIELDS do
    local k = CONTACT_FIELDS[i]
    local v = L[k]
    if v then f[n + 1] = k; f[n + 2] = v; n = n + 2 end
  end
  if L.score then f[n + 1] = 'last_score'; f[n + 2] = L.score end
  redis.call('HSET', unpack(f))
  redis.call('SADD', s.acc_set, s.cid)
  lib.event(c, 'lead.converted', {'contact_id', s.cid, 'account_id', s.acc,
            'new_contact', s.new_contact and '1' or '0'})
end

-- A lead scoring above opp.advance_score moves the opportunity out of a marketing stage.
local function advance(c, s)
  local O = c.plan.opp
  local score, bar = tonumber(c.plan.lead.score or ''), tonumber(O.advance_score) or 0
  if bar <= 0 or not score or score <= bar or not s.stage then return end
  local nxt = type(O.next) == 'table' and O.next[s.stage]
  if not nxt then return end
  redis.call('HSET', s.opp_key, 'stage', nxt, stage_field(nxt), c.plan.now)
  lib.event(c, 'opportunity.stage_changed', {'opportunity_id', s.oid, 'from', s.stage, 'to', nxt})
end

local function write_opportunity(c, s)
  local O, plan = c.plan.opp, c.plan
  if not s.oid then return end
  if s.new_opportunity then
    redis.call('INCR', c.K.seq_opportunity)
    redis.call('HSET', s.opp_key, 'id', s.oid, 'account_id', s.acc, 'type', O.type,
      'stage', O.first_stage, stage_field(O.first_stage), plan.now, 'owner_id', O.owner_id or '',
      'source_lead_id', plan.lead.id, 'status', 'open', 'created_at', plan.now)
    redis.call('SET', s.open_key, s.oid)
    lib.event(c, 'opportunity.created', {'opportunity_id', s.oid, 'account_id', s.acc,
              'opportunity_type', O.type, 'stage', O.first_stage})
  end
  local role = plan.role
  if role and role ~= '' and redis.call('HSETNX', s.opp_key, 'role:' .. s.cid, role) == 1 then
    lib.event(c, 'contact_role.added', {'opportunity_id', s.oid, 'contact_id', s.cid, 'role', role})
  end
  advance(c, s)
end

local function write_alert(c, s)
  local A, plan, id = c.plan.alert, c.plan, c.plan.lead.id
  if s.alert_exists then return end
  redis.call('HSET', s.alert_key, 'lead_id', id, 'status', 'open', 'kind', A.kind,
    'reason', A.reason or '', 'candidates', A.candidates or '[]',
    'score', tostring(A.score or 0), 'created_at', plan.now,
    'created_ms', string.format('%d', plan.now_ms), 'lead', cjson.encode(plan.lead))
  redis.call('ZADD', c.K.review_open, plan.now_ms, id)
  lib.event(c, 'lead.flagged', {'alert_id', id, 'kind', A.kind})
end

local function write_learn_domain(c, s)
  local D, K, plan = s.learn_domain, c.K, c.plan
  if not D then return end
  local domains = D.domains == '' and D.domain or (D.domains .. ';' .. D.domain)
  redis.call('HSET', D.key, 'domains', domains)
  lib.digest_forget(K, s.acc)
  redis.call('HSET', K.learned_domains, D.domain, cjson.encode({account_id = s.acc,
    lead_id = plan.lead.id, email = plan.lead.email, at = plan.now}))
  lib.account_changed(K, c.changes_cap, D.key)
  lib.event(c, 'account.domain_learned', {'account_id', s.acc, 'domain', D.domain})
end

-- Carries out the plan with the steps lib.prepare found. Returns what was done, as the result
-- hash's fields (outcome, contact_id, account_id, account_created, opportunity_id, alert_id).
function lib.commit(c, s)
  local a, out = c.plan.action, {}
  if a == 'convert' or a == 'create_account' then
    if a == 'create_account' then
      write_account(c, s)
      out.account_id = s.acc
      out.account_created = s.account_created and '1' or '0'
    end
    write_contact(c, s)
    out.contact_id = s.cid
    write_opportunity(c, s)
    out.opportunity_id = s.oid
    write_learn_domain(c, s)
    if s.learn_domain then out.learned_domain = s.learn_domain.domain end
    out.outcome = s.account_created and 'account_created' or 'converted'
  elseif a == 'flag' then
    write_alert(c, s)
    out.alert_id = c.plan.lead.id
    out.outcome = 'flagged'
  elseif a == 'drop' then
    out.outcome = 'dropped'
  elseif a == 'dismiss' then
    out.outcome = 'dismissed'
  else
    out.outcome = 'invalid'
    lib.event(c, 'lead.invalid', {})
  end
  return out
end
