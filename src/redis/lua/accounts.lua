-- accounts.lua - <library>_account_upsert and <library>_account_delete: one account of
-- `l2a import-accounts`, its hash, the accounts set and an entry on the changes stream together.
--
-- KEYS (both): the account hash, the accounts set, the accounts:changes stream.

-- Field/value pairs an upsert can carry: its HSET and XADD pass them through unpack, which fails
-- above ~8,000 values.
local MAX_PAIRS = 3000

local function check_account_keys(keys)
  lib.expect(keys[1], 'hash')
  lib.expect(keys[2], 'set')
  lib.expect(keys[3], 'stream')
end

-- The stored hash equals the pairs args[first..] (same fields, same values).
local function same_fields(key, args, first)
  local old = redis.call('HGETALL', key)
  if #old ~= #args - first + 1 then return false end
  local cur = {}
  for i = 1, #old, 2 do cur[old[i]] = old[i + 1] end
  for i = first, #args, 2 do
    if cur[args[i]] ~= args[i + 1] then return false end
  end
  return true
end

-- ARGV: id, changes stream cap, then the field/value pairs (id among them).
-- Returns 0 unchanged, 1 updated, 2 new.
local function upsert(keys, args)
  check_account_keys(keys)
  local id, cap, n = args[1], lib.cap(args[2], 'changes cap'), #args
  if n < 4 or n % 2 ~= 0 then lib.fail('account_upsert: id, cap, then field/value pairs') end
  if (n - 2) / 2 > MAX_PAIRS then
    lib.fail('account ' .. id .. ' has ' .. (n - 2) / 2 .. ' fields, over ' .. MAX_PAIRS)
  end
  local existed = redis.call('EXISTS', keys[1]) == 1
  if existed and same_fields(keys[1], args, 3) then
    redis.call('SADD', keys[2], id)
    return 0
  end
  redis.call('SADD', keys[2], id)
  redis.call('DEL', keys[1])
  redis.call('HSET', keys[1], unpack(args, 3, n))
  local entry = {'op', 'upsert', 'id', id}
  for i = 3, n, 2 do
    if args[i] ~= 'id' then entry[#entry + 1] = args[i]; entry[#entry + 1] = args[i + 1] end
  end
  redis.call('XADD', keys[3], 'MAXLEN', '~', cap, '*', unpack(entry))
  return existed and 1 or 2
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
redis.register_function{function_name = LIBRARY .. '_account_delete', callback = delete}
