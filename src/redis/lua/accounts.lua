-- accounts.lua - <library>_account_upsert, _account_upsert_batch and _account_delete: accounts
-- written whole by a Function, each one's hash, the accounts set and the changes stream together
-- (the accounts a call changed share its changes entries); and _account_import_check, which tells
-- `l2a import-accounts` which accounts of a batch it must write (it writes them itself, without
-- Lua: docs/redis-schema.md).
--
-- KEYS (upsert, delete): the account hash, the accounts set, the accounts:changes stream, the
--   accounts:digests hash.
-- KEYS (upsert_batch, import_check): the accounts set, the accounts:changes stream, the
--   accounts:digests hash, then one hash per account.

-- Field/value pairs an upsert can carry: its HSET and XADD pass them through unpack, which fails
-- above ~8,000 values.
local MAX_PAIRS = 3000
-- Accounts one upsert_batch call can carry (its reply is one code per account).
local MAX_BATCH = 1000

local function check_account_keys(keys)
  lib.expect(keys[1], 'hash')
  lib.expect(keys[2], 'set')
  lib.expect(keys[3], 'stream')
  lib.expect(keys[4], 'hash')
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

-- Values a changes entry takes before the next account goes to a new one. Redis appends an
-- entry's values to its stream node one by one, each append growing the node: an entry of
-- ~7,000 values cost Redis more per account than entries of 200 to 2,000 (measured, see
-- docs/BENCHMARKS.md). An account alone may pass it (at most 2 * MAX_PAIRS + 4 values, under
-- the ~8,000 that unpack takes).
local MAX_ENTRY_VALUES = 1000

-- A changes entry being filled: `op upserts`, then per account `id <id>` and its other
-- field/value pairs; written when full and at the end. An entry of one account is written as
-- `op upsert id <id> ...`, the one-account form readers of every version know.
local function entry_new()
  return {values = {'op', 'upserts'}, accounts = 0}
end

local function entry_write(e, changes, cap)
  if e.accounts == 0 then return end
  if e.accounts == 1 then e.values[2] = 'upsert' end
  redis.call('XADD', changes, 'MAXLEN', '~', cap, '*', unpack(e.values))
  e.values, e.accounts = {'op', 'upserts'}, 0
end

-- Adds account id (pairs args[first..last]) to entry e, writing e first when it would overflow.
local function entry_add(e, changes, cap, id, args, first, last)
  local v = e.values
  if e.accounts > 0 and #v + last - first + 3 > MAX_ENTRY_VALUES then
    entry_write(e, changes, cap)
    v = e.values
  end
  local n = #v
  v[n + 1], v[n + 2], n = 'id', id, n + 2
  for i = first, last, 2 do
    if args[i] ~= 'id' then v[n + 1], v[n + 2], n = args[i], args[i + 1], n + 2 end
  end
  e.accounts = e.accounts + 1
end

-- Stores one account whose pairs are args[first..last] (keys and pairs checked, id already in
-- the accounts set) and adds it to the changes entry e when it changed; existed: whether its hash
-- exists; digests: the import's digests hash (the account's goes: the import no longer wrote it
-- last). Returns 0 unchanged, 1 updated, 2 new.
local function store(hash, existed, e, changes, digests, cap, id, args, first, last)
  if existed then
    if same_fields(hash, args, first, last) then return 0 end
    redis.call('DEL', hash)
  end
  redis.call('HSET', hash, unpack(args, first, last))
  redis.call('HDEL', digests, id)
  entry_add(e, changes, cap, id, args, first, last)
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
  local e = entry_new()
  local code = store(keys[1], existed, e, keys[3], keys[4], cap, id, args, 3, n)
  entry_write(e, keys[3], cap)
  return code
end

-- The hash keys among keys[first..] that exist, as a set, each checked (absent or a hash). The
-- first key's TYPE says which way is likely cheaper: when it is absent (an import of new
-- accounts), one EXISTS of the others, and no more TYPEs when none exists either; else (a
-- re-import) a TYPE of each.
local function existing_hashes(keys, first)
  local found = {}
  if lib.expect(keys[first], 'hash') then
    found[keys[first]] = true
  elseif first == #keys or redis.call('EXISTS', unpack(keys, first + 1)) == 0 then
    return found
  end
  for k = first + 1, #keys do
    if lib.expect(keys[k], 'hash') then found[keys[k]] = true end
  end
  return found
end

-- The number of accounts of a batch Function (name) whose KEYS are the set, the changes stream,
-- the digests hash, then the account hashes; the first three type-checked.
local function batch_keys(keys, name)
  local accounts = lib.batch_size(#keys - 3, MAX_BATCH, 'accounts', name)
  lib.expect(keys[1], 'set')
  lib.expect(keys[2], 'stream')
  lib.expect(keys[3], 'hash')
  return accounts
end

-- The accounts of an upsert_batch's ARGV (cap, then per account: id, count, count values) as
-- three lists: ids, and each one's first and last value index; fails on any shape error, so
-- nothing is written before all are read. (Lists rather than a table per account: Redis runs this
-- for every account imported.)
local function batch_spans(args, accounts)
  local ids, firsts, lasts, i, n = {}, {}, {}, 2, #args
  while i <= n do
    local id, count = args[i], args[i + 1] and tonumber(args[i + 1])
    if count == nil or count % 1 ~= 0 or i + 1 + count > n then
      lib.fail('account_upsert_batch: account ' .. tostring(id) ..
        ' needs the count of the values that follow')
    end
    check_pairs(id, i + 2, i + 1 + count)
    local a = #ids + 1
    ids[a], firsts[a], lasts[a] = id, i + 2, i + 1 + count
    i = i + 2 + count
  end
  if #ids ~= accounts then
    lib.fail('account_upsert_batch: ' .. accounts .. ' account keys but ' .. #ids .. ' accounts')
  end
  return ids, firsts, lasts
end

-- ARGV: changes stream cap, then per account: id, count of the field/value values, the values
-- (id among them). Returns one code per account, in order: 0 unchanged, 1 updated, 2 new.
local function upsert_batch(keys, args)
  local accounts = batch_keys(keys, 'account_upsert_batch')
  local existed = existing_hashes(keys, 4)
  local cap = lib.cap(args[1], 'changes cap')
  local ids, firsts, lasts = batch_spans(args, accounts)
  redis.call('SADD', keys[1], unpack(ids))
  local codes, e = {}, entry_new()
  for a = 1, accounts do
    local hash = keys[a + 3]
    codes[a] = store(hash, existed[hash], e, keys[2], keys[3], cap, ids[a], args, firsts[a],
      lasts[a])
    existed[hash] = true -- an id twice in one batch: its second row replaces the first's hash
  end
  entry_write(e, keys[2], cap)
  return codes
end

-- ARGV: id, changes stream cap. Returns 1 deleted, 0 there was nothing to delete.
local function delete(keys, args)
  check_account_keys(keys)
  lib.arg_count(args, 2, 'account_delete')
  local id, cap = args[1], lib.cap(args[2], 'changes cap')
  local removed = redis.call('DEL', keys[1]) + redis.call('SREM', keys[2], id)
  redis.call('HDEL', keys[4], id)
  if removed == 0 then return 0 end
  redis.call('XADD', keys[3], 'MAXLEN', '~', cap, '*', 'op', 'delete', 'id', id)
  return 1
end

-- ---- import_check ----

-- Whether a sorts before b byte by byte (strcmp's order; Lua's < follows the locale).
local function byte_less(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- The digest of a stored account hash, as `l2a import-accounts` computes it from the fields it
-- writes (src/redis/account_rows.c): the first 16 hex digits of the SHA-1 of its field/value
-- pairs in byte order of the field names, each written <length>:<field><length>:<value>.
local function hash_digest(key)
  local f = redis.call('HGETALL', key)
  local names, value, parts = {}, {}, {}
  for i = 1, #f, 2 do
    names[#names + 1] = f[i]
    value[f[i]] = f[i + 1]
  end
  table.sort(names, byte_less)
  for i, k in ipairs(names) do
    parts[i] = #k .. ':' .. k .. #value[k] .. ':' .. value[k]
  end
  return string.sub(redis.sha1hex(table.concat(parts)), 1, 16)
end

-- The code of account a (hash key, id, the digest of its new fields; stored: its stored digest
-- or false): 0 unchanged, 1 to be replaced, 2 new. A stored hash without a digest (written by
-- another writer, or before issue 11) is compared by its own digest, kept when it agrees.
local function import_code(hash, existed, digests, id, want, stored)
  if not existed then return 2 end
  if stored == want then return 0 end
  if stored then return 1 end
  if hash_digest(hash) ~= want then return 1 end
  redis.call('HSET', digests, id, want)
  return 0
end

-- ARGV: per account, id and the digest of the fields the import would write. Checks every key's
-- type (an error naming a wrong one, nothing written); adds the unchanged ids to the accounts set
-- (already there unless someone took them out). Returns one code per account, in order: 0
-- unchanged, 1 exists and differs (or its digest is unknown and differs), 2 absent.
local function import_check(keys, args)
  local accounts = batch_keys(keys, 'account_import_check')
  if #args ~= 2 * accounts then
    lib.fail('account_import_check: ' .. accounts .. ' account keys but ' .. #args ..
      ' arguments (an id and a digest each)')
  end
  local existed, codes = existing_hashes(keys, 4), {}
  if next(existed) == nil then
    for a = 1, accounts do codes[a] = 2 end
    return codes
  end
  local ids, kept = {}, {}
  for a = 1, accounts do ids[a] = args[2 * a - 1] end
  local stored = redis.call('HMGET', keys[3], unpack(ids))
  for a = 1, accounts do
    local hash = keys[a + 3]
    codes[a] = import_code(hash, existed[hash], keys[3], ids[a], args[2 * a], stored[a])
    if codes[a] == 0 then kept[#kept + 1] = ids[a] end
  end
  if #kept > 0 then redis.call('SADD', keys[1], unpack(kept)) end
  return codes
end

redis.register_function{function_name = LIBRARY .. '_account_upsert', callback = upsert}
redis.register_function{
  function_name = LIBRARY .. '_account_upsert_batch', callback = upsert_batch}
redis.register_function{function_name = LIBRARY .. '_account_delete', callback = delete}
redis.register_function{
  function_name = LIBRARY .. '_account_import_check', callback = import_check}
