/* outcome_lua.c - Lua sources of the outcome scripts (a shared library of local functions plus
 * one body per script), built once. */
#include "outcome_lua.h"

#include <stddef.h>

#include "util.h"

/* Local functions shared by both scripts. Reads before writes: every key's type is checked
 * first, because a script that fails after a write keeps that write. */
static const char LIB[] =
    "local function slug(s) return 'stage_' .. (string.gsub(string.lower(s), '[^%w]+', '_')) .. '_at' end\n"
    "local function expect(key, want)\n"
    "  local t = redis.call('TYPE', key)['ok']\n"
    "  if t ~= 'none' and t ~= want then\n"
    "    error('l2a: key ' .. key .. ' is a ' .. t .. ', expected a ' .. want)\n"
    "  end\n"
    "end\n"
    "local function check(P, plan)\n"
    "  local L = plan.lead\n"
    "  expect(P .. 'events', 'stream')\n"
    "  if L.email then expect(P .. 'contacts:by_email', 'hash') end\n"
    "  if plan.action == 'flag' then\n"
    "    expect(P .. 'alert:' .. L.id, 'hash'); expect(P .. 'review:open', 'zset')\n"
    "  end\n"
    "  if plan.new_account then\n"
    "    expect(P .. 'account:' .. plan.new_account.id, 'hash'); expect(P .. 'accounts', 'set')\n"
    "    expect(P .. 'accounts:changes', 'stream')\n"
    "  end\n"
    "end\n"
    "local function ev(P, plan, typ, kv)\n"
    "  local a = {P .. 'events', 'MAXLEN', '~', '1000000', '*', 'type', typ,\n"
    "             'lead_id', plan.lead.id or '', 'at', plan.now}\n"
    "  for i = 1, #kv do a[#a + 1] = kv[i] end\n"
    "  redis.call('XADD', unpack(a))\n"
    "end\n"
    "local function contact(P, plan, acc)\n"
    "  local L = plan.lead\n"
    "  local cid = false\n"
    "  if L.email then cid = redis.call('HGET', P .. 'contacts:by_email', L.email) end\n"
    "  local new = not cid\n"
    "  if new then\n"
    "    cid = 'C-' .. L.id\n"
    "    redis.call('HSET', P .. 'contact:' .. cid, 'id', cid, 'email', L.email or '',\n"
    "      'lead_source', L.source or '', 'first_touch_at', plan.now, 'first_lead_id', L.id,\n"
    "      'created_at', plan.now)\n"
    "    if L.email then redis.call('HSET', P .. 'contacts:by_email', L.email, cid) end\n"
    "  end\n"
    "  local ck = P .. 'contact:' .. cid\n"
    "  local old = redis.call('HGET', ck, 'account_id')\n"
    "  if old and old ~= acc then redis.call('SREM', P .. 'account_contacts:' .. old, cid) end\n"
    "  local f = {ck, 'account_id', acc, 'last_lead_id', L.id, 'updated_at', plan.now}\n"
    "  for _, k in ipairs({'first_name', 'last_name', 'title', 'phone', 'country', 'company'}) do\n"
    "    if L[k] then f[#f + 1] = k; f[#f + 1] = L[k] end\n"
    "  end\n"
    "  if L.score then f[#f + 1] = 'last_score'; f[#f + 1] = L.score end\n"
    "  redis.call('HSET', unpack(f))\n"
    "  redis.call('SADD', P .. 'account_contacts:' .. acc, cid)\n"
    "  ev(P, plan, 'lead.converted', {'contact_id', cid, 'account_id', acc,\n"
    "     'new_contact', new and '1' or '0'})\n"
    "  return cid\n"
    "end\n"
    "local function advance(P, plan, oid)\n"
    "  local O, ok = plan.opp, P .. 'opportunity:' .. oid\n"
    "  local score = tonumber(plan.lead.score or '')\n"
    "  if O.advance_score <= 0 or not score or score <= O.advance_score then return end\n"
    "  local stage = redis.call('HGET', ok, 'stage')\n"
    "  local nxt = O.next[stage]\n"
    "  if not nxt then return end\n"
    "  redis.call('HSET', ok, 'stage', nxt, slug(nxt), plan.now)\n"
    "  ev(P, plan, 'opportunity.stage_changed', {'opportunity_id', oid, 'from', stage, 'to', nxt})\n"
    "end\n"
    "local function opportunity(P, plan, acc, cid)\n"
    "  local O = plan.opp\n"
    "  if not O then return nil end\n"
    "  local open = P .. 'opportunity:open:' .. acc\n"
    "  local oid = redis.call('GET', open)\n"
    "  if not oid then\n"
    "    if not O.create then return nil end\n"
    "    oid = 'O-' .. redis.call('INCR', P .. 'seq:opportunity')\n"
    "    redis.call('HSET', P .. 'opportunity:' .. oid, 'id', oid, 'account_id', acc,\n"
    "      'type', O.type, 'stage', O.first_stage, slug(O.first_stage), plan.now,\n"
    "      'owner_id', O.owner_id or '', 'source_lead_id', plan.lead.id, 'status', 'open',\n"
    "      'created_at', plan.now)\n"
    "    redis.call('SET', open, oid)\n"
    "    ev(P, plan, 'opportunity.created', {'opportunity_id', oid, 'account_id', acc,\n"
    "       'opportunity_type', O.type, 'stage', O.first_stage})\n"
    "  end\n"
    "  if redis.call('HSETNX', P .. 'opportunity:' .. oid, 'role:' .. cid, plan.role) == 1 then\n"
    "    ev(P, plan, 'contact_role.added', {'opportunity_id', oid, 'contact_id', cid,\n"
    "       'role', plan.role})\n"
    "  end\n"
    "  advance(P, plan, oid)\n"
    "  return oid\n"
    "end\n"
    "local function create_account(P, plan)\n"
    "  local A = plan.new_account\n"
    "  local ak = P .. 'account:' .. A.id\n"
    "  if redis.call('EXISTS', ak) == 1 then return A.id, false end\n"
    "  local f = {'id', A.id, 'name', A.name, 'type', A.type or 'Prospect', 'created_by', 'l2a',\n"
    "             'created_at', plan.now, 'source_lead_id', plan.lead.id}\n"
    "  if A.domains then f[#f + 1] = 'domains'; f[#f + 1] = A.domains end\n"
    "  redis.call('HSET', ak, unpack(f))\n"
    "  redis.call('SADD', P .. 'accounts', A.id)\n"
    "  redis.call('XADD', P .. 'accounts:changes', 'MAXLEN', '~', '1000000', '*', 'op', 'upsert',\n"
    "             unpack(f))\n"
    "  ev(P, plan, 'account.created', {'account_id', A.id, 'name', A.name})\n"
    "  return A.id, true\n"
    "end\n"
    "local function flag(P, plan)\n"
    "  local A, id = plan.alert, plan.lead.id\n"
    "  local key = P .. 'alert:' .. id\n"
    "  if redis.call('EXISTS', key) == 1 then return id end\n"
    "  redis.call('HSET', key, 'lead_id', id, 'status', 'open', 'kind', A.kind,\n"
    "    'reason', A.reason or '', 'candidates', A.candidates or '[]',\n"
    "    'score', tostring(A.score or 0), 'created_at', plan.now,\n"
    "    'created_ms', tostring(plan.now_ms), 'lead', cjson.encode(plan.lead))\n"
    "  redis.call('ZADD', P .. 'review:open', plan.now_ms, id)\n"
    "  ev(P, plan, 'lead.flagged', {'alert_id', id, 'kind', A.kind})\n"
    "  return id\n"
    "end\n"
    "local function apply(P, plan)\n"
    "  check(P, plan)\n"
    "  local a, out = plan.action, {}\n"
    "  if a == 'convert' or a == 'create_account' then\n"
    "    local acc, created = plan.account_id, false\n"
    "    if a == 'create_account' then\n"
    "      acc, created = create_account(P, plan)\n"
    "      out.account_id = acc\n"
    "      out.account_created = created and '1' or '0'\n"
    "    end\n"
    "    out.contact_id = contact(P, plan, acc)\n"
    "    out.opportunity_id = opportunity(P, plan, acc, out.contact_id)\n"
    "    out.outcome = created and 'account_created' or 'converted'\n"
    "  elseif a == 'flag' then\n"
    "    out.alert_id = flag(P, plan)\n"
    "    out.outcome = 'flagged'\n"
    "  elseif a == 'drop' then\n"
    "    out.outcome = 'dropped'\n"
    "  elseif a == 'dismiss' then\n"
    "    out.outcome = 'dismissed'\n"
    "  else\n"
    "    out.outcome = 'invalid'\n"
    "    ev(P, plan, 'lead.invalid', {})\n"
    "  end\n"
    "  return out\n"
    "end\n"
    "local function pairs_of(t, f)\n"
    "  for k, v in pairs(t) do f[#f + 1] = k; f[#f + 1] = tostring(v) end\n"
    "  return f\n"
    "end\n";

static const char RECORD_BODY[] =
    "local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)\n"
    "if #p == 0 then return 0 end\n"
    "if redis.call('EXISTS', KEYS[2]) == 1 then\n"
    "  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
    "  return 2\n"
    "end\n"
    "local res, plan = cjson.decode(ARGV[4]), cjson.decode(ARGV[5])\n"
    "local out = apply(ARGV[3], plan)\n"
    "redis.call('HSET', KEYS[2], unpack(pairs_of(out, pairs_of(res, {}))))\n"
    "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
    "return 1\n";

static const char RESOLVE_BODY[] =
    "local P, id = ARGV[1], ARGV[2]\n"
    "local key = P .. 'alert:' .. id\n"
    "expect(key, 'hash'); expect(P .. 'review:open', 'zset'); expect(P .. 'lead:' .. id, 'hash')\n"
    "local st = redis.call('HGET', key, 'status')\n"
    "if not st then return redis.error_reply('no review alert for lead ' .. id) end\n"
    "if st ~= 'open' then return {0, st} end\n"
    "local plan = cjson.decode(ARGV[3])\n"
    "local out = apply(P, plan)\n"
    "if plan.action == 'convert' then out.account_id = plan.account_id end\n"
    "local status = plan.action == 'dismiss' and 'dismissed' or 'resolved'\n"
    "redis.call('HSET', key, 'status', status, 'resolved_at', plan.now, 'resolved_by', ARGV[4],\n"
    "  'note', ARGV[5], 'resolution', ARGV[6])\n"
    "redis.call('ZREM', P .. 'review:open', id)\n"
    "redis.call('HSET', P .. 'lead:' .. id, unpack(pairs_of(out, {'resolution', ARGV[6],\n"
    "  'resolved_by', ARGV[4], 'resolved_at', plan.now})))\n"
    "ev(P, plan, 'alert.' .. status, {'resolution', ARGV[6], 'by', ARGV[4]})\n"
    "return {1, out.contact_id or '', out.account_id or ''}\n";

static char *compose(const char *body)
{
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, LIB);
    sb_append(&sb, body);
    return sb_take(&sb);
}

const char *outcome_record_script(void)
{
    static char *src;
    if (!src)
        src = compose(RECORD_BODY);
    return src;
}

const char *outcome_resolve_script(void)
{
    static char *src;
    if (!src)
        src = compose(RESOLVE_BODY);
    return src;
}
