#!/usr/bin/env bash
# tests/integration/test_webhook_events.sh - the events webhook with two l2ad workers and a
# receiver that verifies every HMAC-SHA256 signature (401 when wrong) and closes its port for 10 s
# after its 100th accepted event, while leads keep coming; meanwhile the worker holding the
# sender's lease is killed. At the end every event of l2a:events was accepted, none that is not
# in the stream, exactly once after de-duplicating by event id, first accepted in stream order
# (so in order per lead), each body carrying its entry's fields; l2ad never sent a bad signature.
. "$(dirname "$0")/webhook_lib.sh"

outcomes_start 'id,name,domains,type,owner_id
001A,Acme Corp,acme.com,Prospect,005A
001D,Initech Software,initech.com,Customer,005D'
printf 'whsec-%s\n' "$RANDOM$RANDOM" >"$TEST_TMP/secret"
SECRET=$(head -n 1 "$TEST_TMP/secret")
start_receiver crm --secret-file "$TEST_TMP/secret" --down-after 100 --down-for 10

# ---- the receiver checks signatures as docs/operations.md tells a receiver to ----------------------
# post_signed KEY BODY: a POST signed with KEY (openssl, as in docs/operations.md); the status.
post_signed() {
    local ts sig
    ts=$(date +%s)
    sig=$(printf '%s.%s' "$ts" "$2" | openssl dgst -sha256 -hmac "$1" | sed 's/^.*= *//')
    curl -s -o /dev/null -w '%{http_code}' -H "X-L2A-Timestamp: $ts" \
        -H "X-L2A-Signature: sha256=$sig" -H 'Content-Type: application/json' \
        --data-binary "$2" "$RECEIVER_URL"
}
assert_eq "$(post_signed "$SECRET" '{"id":"selftest-1"}')" 200 "receiver: a rightly signed POST"
assert_eq "$(post_signed "not-the-secret" '{"id":"selftest-2"}')" 401 "receiver: a wrongly signed POST"

# ---- two workers, events flowing, the receiver down mid-run, the lease holder killed -------------
worker_config() {
    daemon_config "$1" "$2" "daemon:" "  consumer: $3" \
        "events:" "  webhook_url: \"$RECEIVER_URL\"" "  secret_file: \"$TEST_TMP/secret\"" \
        "webhooks:" "  timeout: 1s" "  retry_min: 100" "  retry_max: 1s" "  lease: 4s" \
        "opportunities:" "  enabled: true"
}
declare -A PORT PID
for w in w1 w2; do
    PORT[$w]=$(free_port)
    worker_config "$TEST_TMP/$w.yaml" "${PORT[$w]}" "$w"
    start_daemon "$w" "$TEST_TMP/$w.yaml"
    PID[$w]=$DAEMON_PID
done
wait_ready "${PORT[w1]}"
wait_ready "${PORT[w2]}"

# leads.py FIRST N: converted (with an opportunity and a contact role), account-less (flagged) and
# repeated leads: several events each.
LEADS_PY='
import json, sys
first, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(first, first + n):
    if i % 3 == 0:
        print(json.dumps({"id": "L%d" % i, "email": "p%d@acme.com" % i, "company": "Acme Corp",
                          "title": "VP Sales"}))
    elif i % 3 == 1:
        print(json.dumps({"id": "L%d" % i, "email": "p%d@init%d.io" % (i, i), "company": "Init %d" % i}))
    else:
        print(json.dumps({"id": "L%d" % (i - 1), "email": "q%d@acme.com" % i, "company": "Acme"}))'
push_batch() {
    python3 -c "$LEADS_PY" "$1" "$2" >"$TEST_TMP/batch.jsonl"
    "$L2A" push --config "$TOOLS_CFG" "$TEST_TMP/batch.jsonl" >/dev/null || fail "push"
}
push_batch 0 300
_receiver_down() { grep -q '"down"' "$TEST_TMP/crm.jsonl"; }
wait_until 30 "the receiver to close its port after 100 events" _receiver_down
HOLDER=$(rcli get "${P}webhooks:events:lease")
case "$HOLDER" in w1) OTHER=w2 ;; w2) OTHER=w1 ;; *) fail "lease holder '$HOLDER'" ;; esac
kill -KILL "${PID[$HOLDER]}"
wait_exit "${PID[$HOLDER]}" 10
push_batch 300 150
wait_group_idle 30

# ---- every event accepted once after de-duplication, in stream order, as it is in the stream -----
STREAM_LUA='
local out = {}
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
  local f = {}
  for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
  out[#out + 1] = {e[1], f}
end
return cjson.encode(out)'
CHECK_PY='
import json, sys
stream = json.loads(open(sys.argv[1]).read())
want = {e[0]: e[1] for e in stream}
first, seen, dups, bad_sig, wrong = [], set(), 0, 0, []
for line in open(sys.argv[2], encoding="utf-8"):
    d = json.loads(line)
    if "status" not in d:
        continue
    body = json.loads(d["body"])
    if body["id"].startswith("selftest-"):
        continue
    if d["status"] == 401:
        bad_sig += 1
    if d["status"] != 200:
        continue
    eid = body["id"]
    if d["headers"].get("X-L2A-Event-Id") != eid:
        wrong.append("header id of " + eid)
    if eid not in want or body["fields"] != want[eid] or body["type"] != want[eid].get("type") or \
            body["lead_id"] != want[eid].get("lead_id"):
        wrong.append(eid)
    if eid in seen:
        dups += 1
    else:
        seen.add(eid)
        first.append(eid)
key = lambda i: tuple(int(x) for x in i.split("-"))
in_order = all(key(a) < key(b) for a, b in zip(first, first[1:]))
missing = len(set(want) - seen)
print("events=%d accepted=%d missing=%d in_order=%s bad_signatures=%d wrong=%d" % (
    len(want), len(seen), missing, in_order, bad_sig, len(wrong)))
print("duplicates=%d" % dups, file=sys.stderr)'
_all_delivered() {
    rcli eval "$STREAM_LUA" 1 "${P}events" >"$TEST_TMP/stream.json"
    RESULT=$(python3 -c "$CHECK_PY" "$TEST_TMP/stream.json" "$TEST_TMP/crm.jsonl" 2>/dev/null)
    [[ "$RESULT" == *" missing=0 "* ]]
}
RESULT=""
within 60 _all_delivered || fail "not every event delivered after 60 s: $RESULT"
sleep 1
NEVENTS=$(rcli xlen "${P}events")
[ "$NEVENTS" -ge 500 ] || fail "only $NEVENTS events: the run is too small to say anything"
_all_delivered
assert_eq "$RESULT" "events=$NEVENTS accepted=$NEVENTS missing=0 in_order=True bad_signatures=0 wrong=0" \
    "events delivered"
python3 -c "$CHECK_PY" "$TEST_TMP/stream.json" "$TEST_TMP/crm.jsonl" 2>&1 >/dev/null | sed 's/^/  /'
assert_eq "$(rcli get "${P}webhooks:events:pos")" "$(rcli xrevrange "${P}events" + - COUNT 1 | head -n 1)" \
    "the stored position: the last event"
grep -q '"up"' "$TEST_TMP/crm.jsonl" || fail "the receiver never came back"
grep -q "webhook_event_failed.*connect" "$TEST_TMP/$OTHER.log" ||
    fail "$OTHER (the worker left) never found the receiver down: it did not take the lease over in time"
assert_eq "$(rcli get "${P}webhooks:events:lease")" "$OTHER" "the lease holder at the end"
stop_daemon "${PID[$OTHER]}" "$OTHER"
echo "ok [$TEST_NAME]"
