-- snapshot.lua - <library>_snapshot_publish, _snapshot_unlock: the account snapshot's live
-- generation moved by the worker holding the writers' lock (docs/redis-schema.md "Account
-- snapshot").
--
-- snapshot_publish KEYS: the lock, the pointer. ARGV: prefix, owner, generation, chunk count,
--                then the pointer's other fields as field/value pairs. While owner holds the
--                lock: the generation's chunks made permanent (PERSIST), the pointer replaced,
--                the chunks of the generation it named deleted, the lock released: 1. 0 when
--                owner does not hold the lock (nothing written). An error, nothing written, when
--                a chunk of the generation is missing.
-- snapshot_unlock KEYS: the lock. ARGV: owner. Releases the lock when owner holds it: 1, else 0.

-- The chunk keys of generation gen (n of them), each checked absent or a string; with must, a
-- missing one fails the call.
local function chunk_keys(K, gen, n, must)
  local out = {}
  for i = 0, n - 1 do
    local k = K.snapshot_chunk(gen .. ':' .. i)
    if not lib.expect(k, 'string') and must then
      lib.fail('snapshot_publish: chunk ' .. k .. ' is missing')
    end
    out[#out + 1] = k
  end
  return out
end

local function snapshot_publish(keys, args)
  if #args < 4 or #args % 2 ~= 0 then
    lib.fail('snapshot_publish takes prefix, owner, generation, chunks and field/value pairs')
  end
  local lock, pointer, owner, gen, n = keys[1], keys[2], args[2], args[3], tonumber(args[4])
  if not string.match(gen, '^%d+$') then lib.fail('snapshot_publish: bad generation ' .. gen) end
  if not n or n < 1 or n ~= math.floor(n) then lib.fail('snapshot_publish: bad chunk count') end
  local K = lib.keys(args[1])
  lib.expect(lock, 'string')
  lib.expect(pointer, 'hash')
  if redis.call('GET', lock) ~= owner then return 0 end
  local new = chunk_keys(K, gen, n, true)
  local old = {}
  local old_gen = redis.call('HGET', pointer, 'gen')
  if old_gen and old_gen ~= gen then
    old = chunk_keys(K, old_gen, tonumber(redis.call('HGET', pointer, 'chunks')) or 0, false)
  end
  for _, k in ipairs(new) do redis.call('PERSIST', k) end
  local fields = {'gen', gen, 'chunks', tostring(n)}
  for i = 5, #args do fields[#fields + 1] = args[i] end
  redis.call('DEL', pointer)
  redis.call('HSET', pointer, unpack(fields))
  for _, k in ipairs(old) do redis.call('UNLINK', k) end
  redis.call('DEL', lock)
  return 1
end

local function snapshot_unlock(keys, args)
  lib.arg_count(args, 1, 'snapshot_unlock')
  lib.expect(keys[1], 'string')
  if redis.call('GET', keys[1]) ~= args[1] then return 0 end
  redis.call('DEL', keys[1])
  return 1
end

redis.register_function{function_name = LIBRARY .. '_snapshot_publish',
                        callback = snapshot_publish}
redis.register_function{function_name = LIBRARY .. '_snapshot_unlock', callback = snapshot_unlock}
