#!/usr/bin/env bash
# tests/lua/test_dead.sh - the dead Function on a real redis-server: an entry of 5,000 fields is
# dead-lettered with its raw entry intact (one JSON argument, stored as field `entry`), once: read
# again after its group is made anew, it is only acknowledged (return 2) and nothing else is
# written; an entry no longer pending returns 0; wrong key types fail before any write.
. "$(dirname "$0")/lua_lib.sh"

GUARD=${P}leads:dead:ids

# dead ENTRY ERROR ENTRY-JSON-FILE: the Function's reply (the JSON goes last, from the file).
dead() {
    rcli -x fcall "$FN_DEAD" 3 "${P}leads" "${P}leads:dead" "$GUARD" l2a "$1" "$2" 1 <"$3" 2>&1 || true
}

# ---- 5,000 field/value pairs: dead-lettered, the entry as it was ------------------------------------
mapfile -t many < <(for i in $(seq 1 5000); do printf 'field%d\nvalue %d\n' "$i" "$i"; done)
big=$(pending_entry "${many[@]}")
# the entry as the daemon passes it: [field, value, ...] in stream order
rcli eval 'return cjson.encode(redis.call("XRANGE", KEYS[1], ARGV[1], ARGV[1]))' 1 "${P}leads" "$big" \
    >"$TEST_TMP/xrange.json"
python3 - "$TEST_TMP/xrange.json" >"$TEST_TMP/entry.json" <<'EOF'
import json, sys
fields = json.load(open(sys.argv[1]))[0][1]
assert len(fields) == 10000, len(fields)
sys.stdout.write(json.dumps(fields, separators=(",", ":")))
EOF
assert_eq "$(dead "$big" "entry too large" "$TEST_TMP/entry.json")" 1 "dead-lettered"
assert_eq "$(rcli xlen "${P}leads:dead")" 1 "one dead letter"
assert_eq "$(rcli xpending "${P}leads" l2a | head -n 1)" 0 "entry acknowledged"
dead_id=$(rcli hget "$GUARD" "$big")
[ -n "$dead_id" ] || fail "no guard entry for $big"
rcli xrange "${P}leads:dead" "$dead_id" "$dead_id" | tail -n +2 | paste - - >"$TEST_TMP/dead.tsv"
assert_eq "$(cut -f1 "$TEST_TMP/dead.tsv" | paste -sd' ')" "stream_id error deliveries entry" "dead-letter fields"
assert_eq "$(sed -n 1p "$TEST_TMP/dead.tsv" | cut -f2)" "$big" "stream_id"
assert_eq "$(sed -n 2p "$TEST_TMP/dead.tsv" | cut -f2)" "entry too large" "error"
sed -n 4p "$TEST_TMP/dead.tsv" | cut -f2- >"$TEST_TMP/stored.json"
cmp -s <(tr -d '\n' <"$TEST_TMP/stored.json") "$TEST_TMP/entry.json" || fail "the stored entry differs from the raw entry"

# ---- read again after the group is made anew: acknowledged, nothing written --------------------------
rcli xgroup destroy "${P}leads" l2a >/dev/null
rcli xgroup create "${P}leads" l2a 0 >/dev/null
rcli xreadgroup group l2a t2 count 10 streams "${P}leads" '>' >/dev/null
assert_eq "$(rcli xpending "${P}leads" l2a | head -n 1)" 1 "pending again"
before=$(snapshot | grep -v "^${P}leads stream")
assert_eq "$(dead "$big" "entry too large" "$TEST_TMP/entry.json")" 2 "already dead-lettered"
assert_eq "$(snapshot | grep -v "^${P}leads stream")" "$before" "nothing but the XACK written"
assert_eq "$(rcli xpending "${P}leads" l2a | head -n 1)" 0 "acknowledged the second time"
assert_eq "$(rcli xlen "${P}leads:dead")" 1 "still one dead letter"

# ---- not pending: 0, nothing written ------------------------------------------------------------------
expect_noop "an entry no longer pending" 0 dead "$big" "again" "$TEST_TMP/entry.json"

# ---- wrong types: nothing written, the entry stays pending --------------------------------------------
echo '["id","X"]' >"$TEST_TMP/small.json"
e=$(pending_entry id X)
for case in "string ${P}leads:dead" "list $GUARD"; do
    set -- $case
    rcli rename "$2" "$2:saved" >/dev/null
    wrong_key "$1" "$2"
    expect_fail_unchanged "$2 as a $1" "WRONGTYPE l2a: key $2 is a $1" \
        "$FN_DEAD" 3 "${P}leads" "${P}leads:dead" "$GUARD" l2a "$e" "bad" 1 "$(cat "$TEST_TMP/small.json")"
    rcli del "$2" >/dev/null
    rcli rename "$2:saved" "$2" >/dev/null
done
assert_eq "$(rcli xpending "${P}leads" l2a | head -n 1)" 1 "still pending after the failures"
expect_fail_unchanged "a missing argument" "takes 5 arguments" \
    "$FN_DEAD" 3 "${P}leads" "${P}leads:dead" "$GUARD" l2a "$e" "bad" 1
assert_eq "$(dead "$e" "bad" "$TEST_TMP/small.json")" 1 "dead-lettered once the keys are right"
assert_eq "$(rcli xlen "${P}leads:dead")" 2 "two dead letters"
echo "ok [$TEST_NAME]"
