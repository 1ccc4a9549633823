#!/usr/bin/env bash
# tests/integration/test_replay.sh - l2a replay: with the config l2ad ran, nothing changes; with a
# new config, --json lists exactly the leads whose offline decision (`l2a match` with the new
# config on the CSV in its file order; l2ad loads the accounts in SSCAN's, replay from the
# snapshot l2ad wrote of them) differs from the recorded one, each once, even a lead sent twice;
# the summary counts agree; --since keeps only the window; more entries than a page (1,000) are
# read; it runs as a Redis user with read-only rights (the snapshot read too) and changes nothing.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT"
gen_data "$TEST_TMP/data" 300 1200 5
LEADS=$TEST_TMP/data/leads.jsonl
"$L2A" import-accounts --config "$CFG" "$TEST_TMP/data/accounts.csv" >/dev/null 2>&1
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
first=$(head -n 1 "$LEADS")
{
    cat "$LEADS"
    echo '{"id":"RPBROKEN",'                                     # dead-lettered: no result
    sed 's/"company": *"[^"]*"/"company":"Other Name"/' <<<"$first"  # a lead sent again
} >"$TEST_TMP/all.jsonl"
"$L2A" push --config "$CFG" "$TEST_TMP/all.jsonl" >/dev/null 2>&1
wait_drained 60 "the leads recorded"
assert_eq "$(dead_count)" 1 "dead letters"
assert_eq "$(result_count)" 1200 "result hashes"

# A Redis user that may only read the commands replay uses (docs/redis-acl.md).
rcli acl setuser l2a-replay on '>rpw' resetchannels '%R~*' -@all +xrange +hmget +sscan +hgetall \
    +xrevrange +get '+xinfo|stream' >/dev/null
RO_URL=redis://l2a-replay:rpw@127.0.0.1:$REDIS_PORT
[ -z "${L2A_TEST_REDIS_URL:-}" ] || RO_URL=$REDIS_URL
before=$(rcli dbsize)/$(rcli xlen "${P}leads")/$(rcli xinfo groups "${P}leads" | paste -sd,)

# ---- the config l2ad ran: nothing changes ----------------------------------------------------------
"$L2A" replay --config "$CFG" --redis "$RO_URL" >"$TEST_TMP/same.txt" 2>"$TEST_TMP/err" ||
    fail "replay with the same config: $(cat "$TEST_TMP/err")"
assert_contains "$(head -n 1 "$TEST_TMP/same.txt")" "1200 leads recorded since" "leads replayed"
assert_contains "$(cat "$TEST_TMP/err")" "l2a replay: accounts source=snapshot " \
    "the accounts read from l2ad's snapshot as the read-only user"
assert_contains "$(cat "$TEST_TMP/same.txt")" "changed: 0 of 1200 leads (0.0%)" "no change"
assert_contains "$(cat "$TEST_TMP/same.txt")" "0 entries without a result" "every readable lead recorded"
assert_contains "$(cat "$TEST_TMP/same.txt")" "1 unreadable entries" "the dead letter"
assert_contains "$(cat "$TEST_TMP/same.txt")" "1 repeats of a lead" "the lead sent again"
assert_eq "$("$L2A" replay --config "$CFG" --redis "$RO_URL" --json | wc -l)" 0 "--json: no line"

# ---- a new config: what changes is what l2a match says with it --------------------------------------
NEW=$TEST_TMP/new.yaml
sed -e 's/^lists:/thresholds: {match: 0.75, match_freemail: 0.8, review: 0.3, margin: 0.02}\nlists:/' "$CFG" >"$NEW"
"$L2A" replay --config "$NEW" --redis "$RO_URL" --json >"$TEST_TMP/changes.jsonl" ||
    fail "replay --json with a new config"
"$L2A" replay --config "$NEW" --redis "$RO_URL" >"$TEST_TMP/summary.txt"
"$L2A" match --config "$NEW" --accounts "$TEST_TMP/data/accounts.csv" --leads "$LEADS" \
    >"$TEST_TMP/offline.jsonl"
for id in $(python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1])]' "$LEADS"); do
    printf '%s\t%s\t%s\n' "$id" "$(rcli hget "${P}lead:$id" decision)" "$(rcli hget "${P}lead:$id" account_id)"
done >"$TEST_TMP/recorded.tsv"
python3 - "$TEST_TMP/recorded.tsv" "$TEST_TMP/offline.jsonl" "$TEST_TMP/changes.jsonl" \
    "$TEST_TMP/summary.txt" <<'EOF' || fail "replay's changes differ from l2a match's"
import json, re, sys
rec = {}
for line in open(sys.argv[1]):
    i, d, a = line.rstrip("\n").split("\t")
    rec[i] = (d, a or None)
want = {}
for line in open(sys.argv[2]):
    o = json.loads(line)
    old, new = rec[o["lead_id"]], (o["decision"], o["account_id"])
    if old[0] != new[0] or (old[0] == "match" and old[1] != new[1]):
        want[o["lead_id"]] = (old, new)
got = {}
for line in open(sys.argv[3]):
    c = json.loads(line)
    assert c["lead_id"] not in got, "listed twice: " + c["lead_id"]
    assert c["old"]["reason"] and c["new"]["reason"], line
    got[c["lead_id"]] = ((c["old"]["decision"], c["old"]["account_id"]),
                         (c["new"]["decision"], c["new"]["account_id"]))
assert len(want) >= 20, "the new thresholds change only %d leads: the test proves little" % len(want)
assert got == want, "missing %s, extra %s" % (sorted(set(want) - set(got))[:5], sorted(set(got) - set(want))[:5])
summary = open(sys.argv[4]).read()
assert "changed: %d of 1200 leads" % len(want) in summary, summary
kinds = ["match", "review", "no_match", "invalid"]
table = {}
for line in open(sys.argv[2]):
    o = json.loads(line)
    k = (rec[o["lead_id"]][0], o["decision"])
    table[k] = table.get(k, 0) + 1
for a in kinds:
    row = re.search(r"^%s\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$" % a, summary, re.M)
    assert row, "no table row " + a
    assert [int(x) for x in row.groups()] == [table.get((a, b), 0) for b in kinds], row.group(0)
moves = {(o[0], w[0]) for o, w in want.values()}
assert len(moves) >= 2, "the new thresholds move leads between only %s" % moves
assert "    was: " in summary and "    now: " in summary, "examples with both reasons"
print("replay: %d of 1200 leads change with the new thresholds" % len(want))
EOF

# ---- --since: only the window ----------------------------------------------------------------------
sleep 3
t0=$(now_ms)
gen_data "$TEST_TMP/late" 10 5 9 LATE
"$L2A" push --config "$CFG" "$TEST_TMP/late/leads.jsonl" >/dev/null 2>&1
wait_drained 30 "the late leads recorded"
win=$(($(now_ms) - t0 + 1000))
"$L2A" replay --config "$CFG" --redis "$RO_URL" --since "${win}ms" >"$TEST_TMP/win.txt"
assert_contains "$(head -n 1 "$TEST_TMP/win.txt")" "5 leads recorded since" "--since ${win}ms"
"$L2A" replay --config "$CFG" --redis "$RO_URL" --since 1d >"$TEST_TMP/day.txt"
assert_contains "$(head -n 1 "$TEST_TMP/day.txt")" "1205 leads recorded since" "--since 1d"

# ---- read-only: nothing changed in Redis --------------------------------------------------------------
before_late=$(rcli dbsize)/$(rcli xlen "${P}leads")/$(rcli xinfo groups "${P}leads" | paste -sd,)
"$L2A" replay --config "$NEW" --redis "$RO_URL" >/dev/null
assert_eq "$(rcli dbsize)/$(rcli xlen "${P}leads")/$(rcli xinfo groups "${P}leads" | paste -sd,)" \
    "$before_late" "keys, entries and the group after a replay"
[ "$before" != "$before_late" ] || fail "the late leads changed nothing (the check above proves little)"

# ---- errors: exit 1 with the reason -------------------------------------------------------------------
rc=0
"$L2A" replay --config "$CFG" --redis "redis://127.0.0.1:1" >/dev/null 2>"$TEST_TMP/err" || rc=$?
assert_eq "$rc" 1 "replay with Redis unreachable"
assert_contains "$(cat "$TEST_TMP/err")" "l2a: " "says why"

stop_daemon "$PID" l2ad
echo "PASS [$TEST_NAME]"
