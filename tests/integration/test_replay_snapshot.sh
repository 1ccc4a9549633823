#!/usr/bin/env bash
# tests/integration/test_replay_snapshot.sh - l2a replay reads the accounts as l2ad starts: from
# the account snapshot (the first import wrote it) and the account changes made after it (here an import that adds
# an account and deletes another, changing two leads' decisions), and decides every lead as it
# does when it reads every account hash: with the snapshot off in its config, with no snapshot,
# and with one it may not read (a Redis user without GET). Its stderr line says which.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
setup_accounts 2000 600 17
PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT"
CSV=$TEST_TMP/data/accounts.csv

# Two leads of our own: one on an account of the data set (deleted below), one on a domain no
# account has yet (added below).
# The first account (after the tenth) with one plain domain of its own: its line and domain.
read -r GONE_LINE GONE_DOMAIN < <(python3 -c 'import collections, csv, re, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
count = collections.Counter(d.strip() for r in rows[1:] for d in r[2].split(";"))
for n, r in enumerate(rows[11:], 12):
    if re.fullmatch(r"[a-z0-9-]+(\.[a-z]+)+", r[2]) and count[r[2]] == 1:
        print(n, r[2])
        break' "$CSV")
GONE_ROW=$(sed -n "${GONE_LINE}p" "$CSV")
GONE_ID=${GONE_ROW%%,*}
{
    printf '{"id":"RPGONE","email":"bob@%s","company":""}\n' "$GONE_DOMAIN"
    printf '{"id":"RPNEW","email":"ann@quillfeather.example","company":""}\n'
} >"$TEST_TMP/own.jsonl"

# ---- the import wrote the snapshot (Redis held none); l2ad starts from it and records every lead --
assert_eq "$(rcli hget "${P}accounts:snapshot" accounts)/$(rcli hget "${P}accounts:snapshot" gen)" \
    2000/1 "the import's snapshot"
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
grep -q "event=accounts_loaded source=snapshot " "$TEST_TMP/l2ad.log" ||
    fail "l2ad did not start from the snapshot: $(grep accounts_loaded "$TEST_TMP/l2ad.log")"
push_leads "$TEST_TMP/data/leads.jsonl"
push_leads "$TEST_TMP/own.jsonl"
wait_drained 60 "the leads recorded"
stop_daemon "$PID" l2ad
assert_eq "$(rcli hget "${P}lead:RPGONE" decision)/$(rcli hget "${P}lead:RPGONE" account_id)" \
    "match/$GONE_ID" "RPGONE recorded ($(rcli hget "${P}lead:RPGONE" reason))"
assert_eq "$(rcli hget "${P}lead:RPNEW" decision)" no_match "RPNEW recorded"

# ---- account changes after the snapshot: one account deleted, one added ---------------------------
grep -vxF "$GONE_ROW" "$CSV" >"$TEST_TMP/changed.csv"
COLS=$(head -n 1 "$CSV" | tr ',' '\n' | wc -l)
printf '001RPNEW,Quillfeather Analytics,quillfeather.example%s\n' \
    "$(printf ',%.0s' $(seq 1 $((COLS - 3))))" >>"$TEST_TMP/changed.csv"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" --delete-missing "$TEST_TMP/changed.csv" \
    >/dev/null
assert_eq "$(rcli exists "${P}account:$GONE_ID")/$(rcli exists "${P}account:001RPNEW")" 0/1 \
    "the account deleted and the one added"
assert_eq "$(rcli hget "${P}accounts:snapshot" gen)" 1 "the snapshot is still the one l2ad wrote"

# replay NAME CONFIG [URL]: both outputs (NAME.json: --json; NAME.txt: the summary without its
# first line, which names the time and the config) and the stderr of the summary run (NAME.err).
replay() {
    local url=${3:-$REDIS_URL}
    "$L2A" replay --config "$2" --redis "$url" --json >"$TEST_TMP/$1.json" 2>/dev/null ||
        fail "replay $1 --json"
    "$L2A" replay --config "$2" --redis "$url" >"$TEST_TMP/$1.full" 2>"$TEST_TMP/$1.err" ||
        fail "replay $1: $(cat "$TEST_TMP/$1.err")"
    assert_contains "$(head -n 1 "$TEST_TMP/$1.full")" "602 leads recorded since" "$1: leads"
    assert_contains "$(head -n 1 "$TEST_TMP/$1.full")" "against 2000 accounts" "$1: accounts"
    tail -n +2 "$TEST_TMP/$1.full" >"$TEST_TMP/$1.txt"
    [ "$(wc -l <"$TEST_TMP/$1.err")" -eq 1 ] || fail "$1: stderr is not one line: $(cat "$TEST_TMP/$1.err")"
}

# same NAME: NAME's outputs are the snapshot run's.
same() {
    cmp -s "$TEST_TMP/snap.json" "$TEST_TMP/$1.json" ||
        fail "$1: --json differs from the snapshot's: $(diff "$TEST_TMP/snap.json" "$TEST_TMP/$1.json" | head -n 6)"
    cmp -s "$TEST_TMP/snap.txt" "$TEST_TMP/$1.txt" ||
        fail "$1: the summary differs from the snapshot's: $(diff "$TEST_TMP/snap.txt" "$TEST_TMP/$1.txt" | head -n 6)"
}

# ---- from the snapshot, the two changes applied ---------------------------------------------------
replay snap "$CFG"
python3 - "$TEST_TMP/snap.json" "$GONE_ID" <<'EOF' || fail "the changes after the snapshot are not in replay's decisions"
import json, sys
changed = {}
for line in open(sys.argv[1]):
    c = json.loads(line)
    changed[c["lead_id"]] = c
gone, new = changed.get("RPGONE"), changed.get("RPNEW")
assert gone and gone["old"]["account_id"] == sys.argv[2] and gone["new"]["account_id"] != sys.argv[2], gone
assert new and new["old"]["decision"] == "no_match", new
assert new["new"]["decision"] == "match" and new["new"]["account_id"] == "001RPNEW", new
EOF
assert_contains "$(cat "$TEST_TMP/snap.txt")" "changed: " "summary"
assert_contains "$(cat "$TEST_TMP/snap.err")" "l2a replay: accounts source=snapshot gen=1 snapshot_changes=2 accounts=2000 " \
    "the snapshot and the changes after it"

# ---- every account read instead: the same decisions ---------------------------------------------
sed 's/^lists:/accounts: {snapshot: false}\nlists:/' "$CFG" >"$TEST_TMP/nosnap.yaml"
replay off "$TEST_TMP/nosnap.yaml"
assert_contains "$(cat "$TEST_TMP/off.err")" 'l2a replay: accounts source=full accounts=2000 ' "snapshot off"
assert_contains "$(cat "$TEST_TMP/off.err")" 'reason="accounts.snapshot is false"' "snapshot off: why"
same off

# a user that may not GET the chunks: the load begins, fails, and starts again from every account
rcli acl setuser rp-noget on '>pw' resetchannels '%R~*' -@all +xrange +hmget +sscan +hgetall \
    +xrevrange '+xinfo|stream' +hscan >/dev/null
NOGET_URL=redis://rp-noget:pw@127.0.0.1:$REDIS_PORT
[ -z "${L2A_TEST_REDIS_URL:-}" ] || NOGET_URL=""
if [ -n "$NOGET_URL" ]; then
    replay noget "$CFG" "$NOGET_URL"
    assert_contains "$(cat "$TEST_TMP/noget.err")" "accounts source=full accounts=2000 " "without GET"
    assert_contains "$(cat "$TEST_TMP/noget.err")" "NOPERM" "without GET: why"
    same noget
fi

rcli del "${P}accounts:snapshot" >/dev/null
replay none "$CFG"
assert_contains "$(cat "$TEST_TMP/none.err")" 'accounts source=full accounts=2000 ' "no snapshot"
assert_contains "$(cat "$TEST_TMP/none.err")" 'reason="no snapshot' "no snapshot: why"
same none
echo "PASS [$TEST_NAME]"
