#!/usr/bin/env bash
# tests/lua/test_key_names.sh - the key names the Lua builds (lib.lua's keys table, run inside a
# real redis-server) are the names src/redis/keys.c builds, for the default prefix and another:
# the same set of names and the same key for each.
. "$(dirname "$0")/lua_lib.sh"

SRC_DIR=${L2A_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# A library of its own: lib.lua plus one read-only function listing every entry of lib.keys(P),
# function-valued ones called with the id.
{
    echo "#!lua name=l2a_keytest"
    echo "local LIBRARY = 'l2a_keytest'"
    cat "$SRC_DIR/src/redis/lua/lib.lua"
    cat <<'LUA'
local function key_names(_, args)
  local out = {}
  for name, k in pairs(lib.keys(args[1])) do
    if type(k) == 'function' then k = k(args[2]) end
    out[#out + 1] = name .. ' ' .. k
  end
  table.sort(out)
  return out
end
redis.register_function{function_name = LIBRARY .. '_names', callback = key_names,
                        flags = {'no-writes'}}
LUA
} >"$TEST_TMP/keytest.lua"
assert_eq "$(rcli -x function load replace <"$TEST_TMP/keytest.lua")" l2a_keytest "load the key test library"

for prefix in "l2a:" "acme:prod:{l2a}:"; do
    lua=$(rcli fcall_ro l2a_keytest_names 0 "$prefix" "00Q:1 x")
    c=$("$FUNCTIONS_TOOL" keys "$prefix" "00Q:1 x" | LC_ALL=C sort)
    lua=$(LC_ALL=C sort <<<"$lua")
    [ "$(wc -l <<<"$c")" -ge 16 ] || fail "only $(wc -l <<<"$c") key names from C"
    [ "$lua" == "$c" ] || fail "prefix '$prefix': Lua and C key names differ: $(diff <(echo "$c") <(echo "$lua"))"
done
rcli function delete l2a_keytest >/dev/null
echo "ok [$TEST_NAME]"
