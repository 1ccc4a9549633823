-- accounts.lua - <library>_account_upsert, _account_upsert_batch and _account_delete: accounts of
-- `l2a import-accounts`, each one's hash, the accounts set and an entry on the changes stream
-- together.
--
-- KEYS (upsert, delete): the account hash, the accounts set, the accounts:changes stream.
-- KEYS (upsert_batch): the accounts set, the accounts:changes stream, then one hash per account.

-- Field/value pairs an upsert can carry: its HSET and XADD pass them through unpack, which fails
-- above ~8,000 values.
local MAX_PAIRS = 3000
-- Accounts one upsert_batch call can carry (its reply is one code per account).
local MAX_BATCH = 1000

local function check_account_keys(keys)
  lib.expect(keys[1], 'hash')
  lib.expect(keys[2], 'set')
  lib.expect(keys[3], 'stream')
end

-- The stored hash equals the pairs args[first..last] (same fields, same values).
local function same_fields(key, args, first, last)
  local old = redis.call('HGETALL', key)
  if #old ~= last - first + 1 then return false end
  local cur = {}
  for i = 1, #old, 2 do cur[old[i]] = old[i + 1] end
  for i = first, last, 2 do
    if cur[args[i]] ~= args[i + 1] then return false end
  end
  return true
end

-- Fails unless account id's values args[first..last] are field/value pairs, at most MAX_PAIRS.
local function check_pairs(id, first, last)
  local values = last - first + 1
  if values < 2 or values % 2 ~= 0 then
    lib.fail('account_upsert: account ' .. tostring(id) .. ' needs field/value pairs')
  end
  if values / 2 > MAX_PAIRS then
    lib.fail('account ' .. id .. ' has ' .. values / 2 .. ' fields, over ' .. MAX_PAIRS)
  end
end

-- Stores one account whose pairs are args[first..last] (keys and pairs checked, id already in
-- the accounts set); existed: whether its hash exists. Returns 0 unchanged, 1 updated, 2 new.
local function store(hash, existed, changes, cap, id, args, first, last)
  if existed then
    if same_fields(hash, args, first, last) then return 0 end
    redis.call('DEL', hash)
  end
  redis.call('HSET', hash, unpack(args, first, last))
  local entry = {'op', 'upsert', 'id', id}
  for i = first, last, 2 do
    if args[i] ~= 'id' then entry[#entry + 1] = args[i]; entry[#entry + 1] = args[i + 1] end
  end
  redis.call('XADD', changes, 'MAXLEN', '~', cap, '*', unpack(entry))
  return existed and 1 or 2
end

-- ARGV: id, changes stream cap, then the field/value pairs (id among them).
-- Returns 0 unchanged, 1 updated, 2 new.
local function upsert(keys, args)
  check_account_keys(keys)
  local id, cap, n = args[1], lib.cap(args[2], 'changes cap'), #args
  if n < 4 or n % 2 ~= 0 then lib.fail('account_upsert: id, cap, then field/value pairs') end
  check_pairs(id, 3, n)
  local existed = redis.call('EXISTS', keys[1]) == 1
  redis.call('SADD', keys[2], id)
  return store(keys[1], existed, keys[3], cap, id, args, 3, n)
end

-- The accounts of an upsert_batch's ARGV (cap, then per account: id, count, count values) as
-- {id, first, last} spans; fails on any shape error, so nothing is written before all are read.
local function batch_spans(args, accounts)
  local spans, i = {}, 2
  while i <= #args do
    local id, count = args[i], args[i + 1] and tonumber(args[i + 1])
    if count == nil or count ~= math.floor(count) or i + 1 + count > #args then
      lib.fail('account_upsert_batch: account ' .. tostring(id) ..
        ' needs the count of the values that follow')
    end
    check_pairs(id, i + 2, i + 1 + count)
    spans[#spans + 1] = {id, i + 2, i + 1 + count}
    i = i + 2 + count
  end
  if #spans ~= accounts then
    lib.fail('account_upsert_batch: ' .. accounts .. ' account keys but ' .. #spans .. ' accounts')
  end
  return spans
end

-- ARGV: changes stream cap, then per account: id, count of the field/value values, the values
-- (id among them). Returns one code per account, in order: 0 unchanged, 1 updated, 2 new.
local function upsert_batch(keys, args)
  local accounts = lib.batch_size(#keys - 2, MAX_BATCH, 'accounts', 'account_upsert_batch')
  lib.expect(keys[1], 'set')
  lib.expect(keys[2], 'stream')
  local existed = {}
  for k = 3, #keys do existed[keys[k]] = lib.expect(keys[k], 'hash') end
  local cap = lib.cap(args[1], 'changes cap')
  local spans = batch_spans(args, accounts)
  local ids = {}
  for a, s in ipairs(spans) do ids[a] = s[1] end
  redis.call('SADD', keys[1], unpack(ids))
  local codes = {}
  for a, s in ipairs(spans) do
    local hash = keys[a + 2]
    codes[a] = store(hash, existed[hash], keys[2], cap, s[1], args, s[2], s[3])
    existed[hash] = true -- an id twice in one batch: its second row replaces the first's hash
  end
  return codes
end

-- ARGV: id, changes stream cap. Returns 1 deleted, 0 there was nothing to delete.
local function delete(keys, args)
  check_account_keys(keys)
  lib.arg_count(args, 2, 'account_delete')
  local id, cap = args[1], lib.cap(args[2], 'changes cap')
  local removed = redis.call('DEL', keys[1]) + redis.call('SREM', keys[2], id)
  if removed == 0 then return 0 end
  redis.call('XADD', keys[3], 'MAXLEN', '~', cap, '*', 'op', 'delete', 'id', id)
  return 1
end

redis.register_function{function_name = LIBRARY .. '_account_upsert', callback = upsert}
redis.register_function{
  function_name = LIBRARY .. '_account_upsert_batch', callback = upsert_batch}
redis.register_function{function_name = LIBRARY .. '_account_delete', callback = delete}
