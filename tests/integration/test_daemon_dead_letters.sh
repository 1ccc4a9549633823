#!/usr/bin/env bash
# tests/integration/test_daemon_dead_letters.sh - malformed stream entries among good ones: the good
# leads are recorded, each bad entry lands once in l2a:leads:dead with the reason (error), its
# stream id, its delivery count and its original entry (field `entry`, a JSON array, every byte
# kept: 5,000 fields, a NUL byte, bytes that are not UTF-8); counts exact, pending empty. An entry
# a dead consumer got daemon.max_deliveries times is claimed once more and dead-lettered. The
# group destroyed and made again at 0 (everything read again): no dead letter is written twice.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
setup_accounts 100 200 19
head -n 100 "$TEST_TMP/data/leads.jsonl" >"$TEST_TMP/first.jsonl"
tail -n 100 "$TEST_TMP/data/leads.jsonl" >"$TEST_TMP/second.jsonl"

BAD=()   # "stream id|expected error text|deliveries|original fields, each ended by \x1f"

# ---- an entry a dead consumer got 5 times: claimed once more (the 6th delivery), dead-lettered -------
rcli xgroup create "${P}leads" l2a 0 mkstream >/dev/null
ghost=$(rcli xadd "${P}leads" '*' id G0 email ghost@example.org)
rcli xreadgroup group l2a ghost count 1 streams "${P}leads" '>' >/dev/null
for _ in 1 2 3 4; do rcli xclaim "${P}leads" l2a ghost 0 "$ghost" >/dev/null; done
assert_eq "$(rcli xpending "${P}leads" l2a - + 1 | tail -n 1)" 5 "deliveries to the dead consumer"
BAD+=("$ghost|delivered 6 times (daemon.max_deliveries 5)|6|$(printf '%s\x1f' id G0 email ghost@example.org)")

PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT" "daemon:" "  max_entry_bytes: 2048" "  max_field_bytes: 256" \
    "  claim_idle_ms: 1000"
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"

# ---- good and bad, interleaved ---------------------------------------------------------------------
x300=$(printf 'x%.0s' $(seq 1 300))
x200=$(printf 'y%.0s' $(seq 1 200))
bad() {  # bad "EXPECTED ERROR" FIELD VALUE ...
    local want=$1 id
    shift
    id=$(rcli xadd "${P}leads" '*' "$@") || fail "XADD $*"
    BAD+=("$id|$want|1|$(printf '%s\x1f' "$@")")
}
"$L2A" push --config "$TEST_TMP/tools.yaml" "$TEST_TMP/first.jsonl" >/dev/null
bad "field 'json': invalid JSON at column" json '{"id":"B1","email":'
bad "field 'json': not an object" json '["B2"]'
bad "field 'json': missing id" json '{"email":"b3@example.com","company":"Acme"}'
bad "field 'json': empty id" json '{"id":"","email":"b4@example.com"}'
bad "field 'json': field 'company' is not a string" json '{"id":"B5","company":{"name":"Acme"}}'
bad "no 'id' field and no 'json' field" email b6@example.com company "Flat Without Id"
bad "no 'id' field and no 'json' field" id "" email b7@example.com
bad "over daemon.max_entry_bytes 2048" id B8 c1 "$x200" c2 "$x200" c3 "$x200" c4 "$x200" \
    c5 "$x200" c6 "$x200" c7 "$x200" c8 "$x200" c9 "$x200" c10 "$x200" c11 "$x200"
bad "over daemon.max_entry_bytes 2048" json "{\"id\":\"B9\",\"company\":\"$x300$x300$x300$x300$x300$x300$x300\"}"
bad "field 'company' is 300 bytes, over daemon.max_field_bytes 256" id B10 company "$x300"
bad "a lead field is over daemon.max_field_bytes 256" json "{\"id\":\"B11\",\"company\":\"$x300\"}"
bad "is 300 bytes, over daemon.max_field_bytes 256" id B12 \
    $'co\n2026-01-01T00:00:00.000Z l2ad level=error event=forged' "$x300"
# 5,000 fields (Lua's unpack fails above ~8,000 values: the entry travels as one JSON argument)
mapfile -t many < <(for i in $(seq 1 5000); do printf 'f%d\nv%d\n' "$i" "$i"; done)
bad "entry has 5000 fields, over daemon.max_entry_fields 64" "${many[@]}"
# an id and 100 short fields (under max_entry_bytes): the field limit alone refuses it
mapfile -t some < <(for i in $(seq 1 100); do printf 'f%d\nv\n' "$i"; done)
bad "entry has 101 fields, over daemon.max_entry_fields 64" id B13 "${some[@]}"
# a NUL byte and bytes that are not UTF-8, sent as raw RESP (redis-cli cannot)
BINARY_ID=$(python3 - "$REDIS_PORT" "${P}leads" <<'PY'
import socket, sys
args = [b"XADD", sys.argv[2].encode(), b"*", b"email", b"a\x00b@example.com", b"note", b"\xff\xfe ok"]
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
reply = s.recv(100)
assert reply.startswith(b"$"), reply
print(reply.split(b"\r\n")[1].decode())
PY
) || fail "XADD of the binary entry"
# good ones pushed flat by hand, and with a field l2a does not know (ignored)
rcli xadd "${P}leads" '*' id G1 email ann@example.org company "Good Flat" >/dev/null
rcli xadd "${P}leads" '*' id G2 email bob@example.org utm_campaign spring >/dev/null
"$L2A" push --config "$TEST_TMP/tools.yaml" --flat "$TEST_TMP/second.jsonl" >/dev/null
NBAD=$((${#BAD[@]} + 1))   # and the binary entry
NGOOD=202     # G0 is dead

wait_group_idle 60
assert_eq "$(result_stats)" "$NGOOD 0" "result hashes of the good leads"
assert_eq "$(rcli xlen "${P}leads:dead")" "$NBAD" "dead letters"
assert_eq "$(rcli xlen "${P}leads")" "$((NGOOD + NBAD))" "input entries"
assert_eq "$(acked_stats)" "$((NGOOD + NBAD)) 0" "acknowledged entries, and those without a result or dead letter"
assert_eq "$(metric "$PORT" l2a_dead_letters_total)" "$NBAD" "metric dead letters"
assert_eq "$(leads_total "$PORT")" "$NGOOD" "metric leads recorded"
assert_eq "$(rcli hget "${P}lead:G2" lead_id)" G2 "a flat lead with an unknown field is recorded"
for id in G0 B1 B5 B8 B9 B10 B11; do
    assert_eq "$(rcli exists "${P}lead:$id")" 0 "no result for dead-lettered $id"
done

# ---- each dead letter: stream_id, error, deliveries, entry (the original fields as they were) -------
# One JSON array of field, value, ... per dead entry.
DEAD_LUA='local out = {}
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
  table.insert(out, cjson.encode(e[2]))
end
return out'
rcli eval "$DEAD_LUA" 1 "${P}leads:dead" >"$TEST_TMP/dead.jsonl"
for entry in "${BAD[@]}"; do
    sid=${entry%%|*} rest=${entry#*|}
    want=${rest%%|*} rest=${rest#*|}
    deliveries=${rest%%|*} want_fields=${rest#*|}
    line=$(grep -F "\"stream_id\",\"$sid\"" "$TEST_TMP/dead.jsonl") ||
        fail "no dead letter for entry $sid (expected error '$want')"
    python3 - "$line" "$sid" "$want" "$want_fields" "$deliveries" <<'EOF' || fail "dead letter of $sid"
import json, sys
got = json.loads(sys.argv[1])
sid, want, fields = sys.argv[2], sys.argv[3], sys.argv[4].split("\x1f")[:-1]
head = dict(zip(got[0::2], got[1::2]))
ok = got[0::2] == ["stream_id", "error", "deliveries", "entry"] and head["stream_id"] == sid \
    and want in head["error"] and head["deliveries"] == sys.argv[5] \
    and json.loads(head["entry"]) == fields
if not ok:
    print("dead letter %s: got %s; expected error containing %r and fields %r"
          % (sid, json.dumps(got)[:400], want, [f[:40] for f in fields[:8]]))
sys.exit(0 if ok else 1)
EOF
done

line=$(grep -F "\"stream_id\",\"$BINARY_ID\"" "$TEST_TMP/dead.jsonl") ||
    fail "no dead letter for the binary entry"
python3 - "$line" <<'EOF' || fail "dead letter of the binary entry"
import base64, json, sys
got = json.loads(sys.argv[1])
entry = json.loads(dict(zip(got[0::2], got[1::2]))["entry"])
want = ["email", "a\x00b@example.com", "note", {"base64": base64.b64encode(b"\xff\xfe ok").decode()}]
if entry != want:
    print("binary entry: got %r, expected %r" % (entry, want))
    sys.exit(1)
EOF
assert_eq "$(rcli hlen "${P}leads:dead:ids")" "$NBAD" "guard entries (entry id -> dead-letter id)"
sid=${BAD[0]%%|*}
assert_eq "$(rcli xrange "${P}leads:dead" "$(rcli hget "${P}leads:dead:ids" "$sid")" + count 1 | sed -n 3p)" \
    "$sid" "the guard names the dead letter of its entry"

# One event a line: lead text in an error cannot forge log lines; quotes inside values escaped.
grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z l2ad level=[a-z]+ event=[a-z_]+( |$)' "$TEST_TMP/l2ad.log" |
    head -n 3 >"$TEST_TMP/odd.log" || true
[ ! -s "$TEST_TMP/odd.log" ] || fail "log lines that are not events: $(cat "$TEST_TMP/odd.log")"
grep -q 'event=forged' "$TEST_TMP/l2ad.log" && ! grep -q '^2026-01-01' "$TEST_TMP/l2ad.log" ||
    fail "the newline of the bad lead was not escaped in the log"
grep 'event=lead_dead_lettered' "$TEST_TMP/l2ad.log" | grep -q 'error="field .json.: not an object"' ||
    fail "dead-letter log line"

stop_daemon "$PID" l2ad

# ---- the group made again at 0: every entry read again, no dead letter twice ------------------------
# G0 was dead-lettered for its deliveries; with the new group it is delivered once and recorded.
rcli xgroup destroy "${P}leads" l2a >/dev/null
rcli xgroup create "${P}leads" l2a 0 >/dev/null
start_daemon l2ad-again "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
wait_group_idle 60
assert_eq "$(rcli xlen "${P}leads:dead")" "$NBAD" "dead letters after everything was read again"
assert_eq "$(metric "$PORT" l2a_dead_letters_total)" 0 "metric dead letters of the second daemon"
assert_eq "$(result_stats)" "$((NGOOD + 1)) 0" "result hashes (G0 recorded this time)"
assert_eq "$(acked_stats)" "$((NGOOD + NBAD)) 0" "acknowledged entries after the second read"
stop_daemon "$PID" l2ad-again
echo "ok [$TEST_NAME]"
