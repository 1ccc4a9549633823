# shellcheck shell=bash
# tests/lua/lua_lib.sh - helpers for the Function tests on top of tests/integration/lib.sh: the
# library loaded into a real redis-server, its names, a snapshot of every key, calls that must fail
# and leave Redis as it was.
#
# Usage, in tests/lua/test_x.sh (run as `test_x.sh BUILD_DIR`, L2A_FUNCTIONS_TOOL set by CTest):
#   . "$(dirname "$0")/lua_lib.sh"   # start_redis done, library loaded; P, FN_*, EVENTS_CAP set
#   fcall NAME NUMKEYS KEY... ARG...  # the reply, raw (errors as text, never a failed command)
#   expect_fail_unchanged WHAT NEEDLE NAME NUMKEYS ...   # error containing NEEDLE, no key changed
#   expect_noop WHAT WANT CMD...      # CMD's reply is WANT and no key changed
. "$(dirname "$0")/../integration/lib.sh"

FUNCTIONS_TOOL=${L2A_FUNCTIONS_TOOL:-$BUILD_DIR/tests/functions_tool}
[ -x "$FUNCTIONS_TOOL" ] || fail "$FUNCTIONS_TOOL not built"
eval "$("$FUNCTIONS_TOOL" names)"   # LIBRARY, FN_RECORD ..., EVENTS_CAP, CHANGES_CAP

# load_library: FUNCTION LOAD REPLACE of the source the binaries embed.
load_library() {
    "$FUNCTIONS_TOOL" source >"$TEST_TMP/library.lua"
    assert_eq "$(rcli -x function load replace <"$TEST_TMP/library.lua")" "$LIBRARY" "FUNCTION LOAD"
}

fcall() {
    rcli fcall "$@" 2>&1 || true
}

# Every key under the prefix with its type and the SHA1 of its DUMP (streams: entries, groups,
# pending lists), sorted: two equal snapshots mean nothing was written.
SNAPSHOT_LUA='
local keys, cursor = {}, "0"
repeat
  local r = redis.call("SCAN", cursor, "MATCH", ARGV[1] .. "*", "COUNT", 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do keys[#keys + 1] = k end
until cursor == "0"
table.sort(keys)
local out = {}
for _, k in ipairs(keys) do
  out[#out + 1] = k .. " " .. redis.call("TYPE", k).ok .. " " .. redis.sha1hex(redis.call("DUMP", k))
end
return out'
snapshot() {
    rcli eval "$SNAPSHOT_LUA" 0 "$P"
}

# expect_fail_unchanged WHAT NEEDLE FCALL-ARGS...: the call answers an error containing NEEDLE and
# no key under the prefix changed (type, value, stream groups and pending lists).
expect_fail_unchanged() {
    local what=$1 needle=$2 before after out
    shift 2
    before=$(snapshot)
    out=$(fcall "$@")
    after=$(snapshot)
    assert_contains "$out" "$needle" "$what: the error"
    [ "$after" == "$before" ] ||
        fail "$what: Redis changed: $(diff <(echo "$before") <(echo "$after") | head -n 10)"
}

# expect_noop WHAT WANT CMD...: CMD (a call wrapper) prints WANT and no key changed.
expect_noop() {
    local what=$1 want=$2 before
    shift 2
    before=$(snapshot)
    assert_eq "$("$@" | paste -sd' ')" "$want" "$what"
    assert_eq "$(snapshot)" "$before" "$what: nothing written"
}

# wrong_key TYPE KEY: KEY replaced by a throwaway value of TYPE (the wrong one for where it is).
wrong_key() {
    rcli del "$2" >/dev/null
    case $1 in
    string) rcli set "$2" x >/dev/null ;;
    list) rcli rpush "$2" x >/dev/null ;;
    hash) rcli hset "$2" x y >/dev/null ;;
    set) rcli sadd "$2" x >/dev/null ;;
    zset) rcli zadd "$2" 1 x >/dev/null ;;
    *) fail "wrong_key: type $1" ;;
    esac
}

# pending_entry FIELD VALUE ...: an entry of the leads stream delivered to consumer t of group
# l2a (made when missing); prints its id.
pending_entry() {
    local id
    rcli xgroup create "${P}leads" l2a '$' mkstream >/dev/null 2>&1 || true
    id=$(rcli xadd "${P}leads" '*' "$@")
    rcli xreadgroup group l2a t count 1 streams "${P}leads" '>' >/dev/null
    echo "$id"
}

start_redis ${LUA_REDIS_AOF:-}   # LUA_REDIS_AOF=--aof before sourcing: a server with AOF
P=$L2A_PREFIX
load_library
