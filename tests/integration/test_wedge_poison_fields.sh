#!/usr/bin/env bash
# tests/integration/test_wedge_poison_fields.sh - an entry of 5,000 field/value pairs among good leads: dead-lettered once with all its data, the good leads recorded, pending 0.
#
# Wedge on the code this was written against: the dead-letter script passes the entry's fields
# through unpack(ARGV, 5), which fails above ~8,000 values ("too many results to unpack"); the
# entry is never acknowledged, is claimed again and again and stays pending for good, and the
# dead-letter stream stays empty.
# Observed there (de55f5c): "with the 5000-pair entry among good leads: not every entry delivered
# and acknowledged after 60 s: 400 results, 1 pending, lag 0, 0 dead letters"; the log repeats
# record_failed "ERR user_script:4: too many results to unpack" with deliveries 1, 2, 3... Fails
# in ~61 s.
# shellcheck disable=SC2119  # start_redis takes an optional --aof
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
setup_accounts 100 400 37
head -n 200 "$TEST_TMP/data/leads.jsonl" >"$TEST_TMP/first.jsonl"
tail -n 200 "$TEST_TMP/data/leads.jsonl" >"$TEST_TMP/second.jsonl"

PORT=$(free_port)
daemon_config "$TEST_TMP/l2a.yaml" "$PORT" "daemon:" "  batch_size: 50" "  claim_idle_ms: 1000"
start_daemon l2ad "$TEST_TMP/l2a.yaml"
PID=$DAEMON_PID
wait_ready "$PORT"

# ---- good leads, the poison entry (no id: bad by itself), good leads -----------------------------
NPAIRS=5000
pairs=()
for i in $(seq -f '%05g' 1 "$NPAIRS"); do pairs+=("f$i" "v$i"); done
push_leads "$TEST_TMP/first.jsonl"
poison=$(rcli xadd "${P}leads" '*' "${pairs[@]}") || fail "XADD of $NPAIRS pairs"
push_leads "$TEST_TMP/second.jsonl"

wait_drained 60 "with the $NPAIRS-pair entry among good leads"
assert_recorded_once 400 1

# ---- the dead letter keeps the whole entry: every field and value, flat or as JSON in one field -----
# Prints: the dead letter's stream_id, then how many of f00001 v00001 ... f05000 v05000 are missing
# from it (as flat fields and values, or as strings of a JSON array or object in one value).
DEAD_LUA='
local e = redis.call("XRANGE", KEYS[1], "-", "+")[1]
local have = {}
local function take(s)
  have[s] = true
  local c = s:sub(1, 1)
  if c == "[" or c == "{" then
    local ok, t = pcall(cjson.decode, s)
    if ok and type(t) == "table" then
      for k, v in pairs(t) do
        if type(k) == "string" then have[k] = true end
        if type(v) == "string" then have[v] = true end
      end
    end
  end
end
local sid = ""
for i = 1, #e[2], 2 do
  take(e[2][i]); take(e[2][i + 1])
  if e[2][i] == "stream_id" then sid = e[2][i + 1] end
end
local missing = 0
for i = 1, tonumber(ARGV[1]) do
  local n = string.format("%05d", i)
  if not have["f" .. n] then missing = missing + 1 end
  if not have["v" .. n] then missing = missing + 1 end
end
return {sid, missing}'
assert_eq "$(rcli eval "$DEAD_LUA" 1 "${P}leads:dead" "$NPAIRS" | paste -sd' ')" "$poison 0" \
    "the dead letter's stream_id, and field names or values of the entry it lacks"
assert_eq "$(metric "$PORT" l2a_dead_letters_total)" 1 "metric dead letters"

stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
