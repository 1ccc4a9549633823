#!/usr/bin/env bash
# tests/integration/test_daemon_snapshot.sh - l2ad's account snapshot (docs/redis-schema.md
# "Account snapshot"): the first import writes one, and a first start from it decides every lead
# as a full load does; without one a first start reads every account and writes it; a restart
# builds its index from it and decides every lead as the full load did; a change made after the
# snapshot is seen; a deleted chunk, a damaged chunk, a trimmed change stream and another format
# each make l2ad say why and load every account instead; a worker does not write while another
# holds the lock; enough changes make the running worker rewrite it, deletions included.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
setup_accounts 2000 300 11
PORT=$(free_port)
daemon_config "$TEST_TMP/l2a.yaml" "$PORT" "accounts:" "  snapshot_after_changes: 3"
NLEADS=$(wc -l <"$TEST_TMP/data/leads.jsonl")

# The leads of the data set pushed again with ids TAG-<id>; once every one is recorded, their
# decisions by lead id (the tag taken off) in $TEST_TMP/TAG.txt.
DUMP_LUA='
local out, cursor = {}, "0"
repeat
  local r = redis.call("SCAN", cursor, "MATCH", ARGV[1] .. "lead:" .. ARGV[2] .. "-*", "COUNT", 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do
    local v = redis.call("HMGET", k, "lead_id", "decision", "account_id", "score", "rule",
                         "reason", "candidates")
    for i = 1, 7 do v[i] = v[i] or "" end
    v[1] = string.sub(v[1], #ARGV[2] + 2)
    out[#out + 1] = table.concat(v, "|")
  end
until cursor == "0"
return out'
_recorded() { [ "$(rcli exists "${P}lead:$1")" == 1 ]; }
_recorded_n() { [ "$(rcli --scan --pattern "${P}lead:$1-*" | wc -l)" -ge "$2" ]; }
decide() {
    python3 -c 'import json, sys
for line in sys.stdin:
    lead = json.loads(line); lead["id"] = sys.argv[1] + "-" + str(lead["id"]); print(json.dumps(lead))' \
        "$1" <"$TEST_TMP/data/leads.jsonl" >"$TEST_TMP/$1.jsonl"
    push_leads "$TEST_TMP/$1.jsonl"
    wait_until 60 "the $NLEADS leads tagged $1" _recorded_n "$1" "$NLEADS"
    rcli eval "$DUMP_LUA" 0 "$P" "$1" | LC_ALL=C sort >"$TEST_TMP/$1.txt"
}

# One lead (id, email); DEC and ACC its decision and account.
lead() {
    printf '{"id":"%s","email":"%s","company":""}\n' "$1" "$2" >"$TEST_TMP/one.jsonl"
    push_leads "$TEST_TMP/one.jsonl"
    wait_until 30 "the result of lead $1" _recorded "$1"
    DEC=$(rcli hget "${P}lead:$1" decision)
    ACC=$(rcli hget "${P}lead:$1" account_id)
}

# start NAME: l2ad started and ready.
start() {
    start_daemon "$1" "$TEST_TMP/l2a.yaml"
    PID=$DAEMON_PID
    wait_ready "$PORT"
}

source_is() {
    assert_eq "$(metric "$PORT" 'l2a_accounts_load_source{source="'"$2"'"}')" 1 "$1: index source"
    grep -q "event=accounts_loaded source=$2 " "$TEST_TMP/$1.log" ||
        fail "$1: no accounts_loaded source=$2 line: $(grep accounts_loaded "$TEST_TMP/$1.log")"
    grep -Eq "event=accounts_loaded .* huge_pages=(yes|no) huge_page_probes=[0-9]+ slow=[0-9]+ slowest_ms=[0-9.]+" \
        "$TEST_TMP/$1.log" || fail "$1: accounts_loaded says nothing of the huge pages"
}

# unusable NAME TEXT: NAME's log says the snapshot was not used, with TEXT in the reason, and
# that it loaded every account instead.
unusable() {
    grep -q "event=snapshot_unusable reason=\"[^\"]*$2" "$TEST_TMP/$1.log" ||
        fail "$1: no snapshot_unusable line saying '$2': $(grep -h snapshot_ "$TEST_TMP/$1.log")"
    source_is "$1" full
}

# row ID,NAME,DOMAINS: a CSV row of the data set's columns (id, name, domains first), the
# others empty.
COLS=$(head -n 1 "$TEST_TMP/data/accounts.csv" | tr ',' '\n' | wc -l)
row() {
    printf '%s%s\n' "$1" "$(printf ',%.0s' $(seq 1 $((COLS - 3))))"
}

# import_row ID,NAME,DOMAINS: the row added to the CSV and imported.
import_row() {
    row "$1" >>"$TEST_TMP/data/accounts.csv"
    "$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/data/accounts.csv" >/dev/null
}

# ---- the first import wrote a snapshot (Redis held none): a first start builds from it --------
assert_eq "$(rcli hget "${P}accounts:snapshot" accounts)" 2000 "accounts in the import's snapshot"
assert_eq "$(rcli hget "${P}accounts:snapshot" written_by | cut -d/ -f1)" import-accounts \
    "who wrote the first snapshot"
start imp1
source_is imp1 snapshot
decide I
stop_daemon "$PID" imp1
# A store without one from here on (as one filled before imports wrote snapshots).
rcli del "${P}accounts:snapshot" "${P}accounts:snapshot:seq" \
    $(rcli --scan --pattern "${P}accounts:snapshot:*") >/dev/null

# ---- a first start: no snapshot, every account read, the snapshot written from them ---------
start full1
unusable full1 "no snapshot"
grep -q "event=snapshot_written gen=1 accounts=2000 " "$TEST_TMP/full1.log" ||
    fail "full1 wrote no snapshot of 2000 accounts: $(grep snapshot_ "$TEST_TMP/full1.log")"
assert_eq "$(rcli hget "${P}accounts:snapshot" accounts)" 2000 "accounts in the snapshot"
assert_eq "$(rcli exists "${P}accounts:snapshot:lock")" 0 "the lock released"
assert_eq "$(rcli ttl "${P}accounts:snapshot:1:0")" -1 "a published chunk does not expire"
decide F
stop_daemon "$PID" full1
cmp -s "$TEST_TMP/F.txt" "$TEST_TMP/I.txt" ||
    fail "decisions differ between the full load and the import's snapshot: $(diff "$TEST_TMP/F.txt" "$TEST_TMP/I.txt" | head -n 6)"

# ---- a start from it decides every lead as the full load did -----------------------------------
start snap1
source_is snap1 snapshot
assert_eq "$(metric "$PORT" l2a_accounts_indexed)" 2000 "accounts indexed from the snapshot"
decide S
[ "$(wc -l <"$TEST_TMP/S.txt")" -eq "$NLEADS" ] || fail "$(wc -l <"$TEST_TMP/S.txt") decisions"
cmp -s "$TEST_TMP/F.txt" "$TEST_TMP/S.txt" ||
    fail "decisions differ between the full load and the snapshot: $(diff "$TEST_TMP/F.txt" "$TEST_TMP/S.txt" | head -n 6)"
stop_daemon "$PID" snap1

# ---- a change after the snapshot is seen ---------------------------------------------------------
import_row "001SNAPNEW,Quillfeather Analytics,quillfeather.example"
start snap2
source_is snap2 snapshot
assert_eq "$(metric "$PORT" l2a_accounts_indexed)" 2001 "the account added after the snapshot"
assert_eq "$(metric "$PORT" l2a_accounts_snapshot_changes_behind)" 1 "changes behind"
lead L1 ann@quillfeather.example
assert_eq "$DEC/$ACC" match/001SNAPNEW "a lead on the account added after the snapshot"
stop_daemon "$PID" snap2

# ---- what makes it unusable, each time said and answered by the full load ------------------------
gen() { rcli hget "${P}accounts:snapshot" gen; }
# a deleted chunk (the full load of full1 wrote generation 1; none was written since)
rcli del "${P}accounts:snapshot:$(gen):0" >/dev/null
start full2
unusable full2 "chunk 1:0 of the snapshot is missing"
assert_eq "$(metric "$PORT" l2a_accounts_indexed)" 2001 "accounts after the missing chunk"
stop_daemon "$PID" full2
assert_eq "$(gen)" 2 "the full load wrote a new snapshot"

# a damaged chunk: one letter of a domain changed (the same rows, one account's website wrong)
OFF=$(rcli get "${P}accounts:snapshot:2:0" |
    python3 -c 'import sys; print(sys.stdin.buffer.read().index(b"quillfeather.example"))')
rcli setrange "${P}accounts:snapshot:2:0" "$OFF" "x" >/dev/null
start full3
unusable full3 "chunk 2:0 is damaged (checksum mismatch)"
stop_daemon "$PID" full3

# another format
rcli hset "${P}accounts:snapshot" format 99 >/dev/null
start full4
unusable full4 "snapshot format 99, this l2ad reads format 1"
stop_daemon "$PID" full4

# changes after the snapshot trimmed from the stream: the account added then must still be there
import_row "001SNAPTRIM,Brindlewood Ceramics,brindlewood.example"
rcli xtrim "${P}accounts:changes" MAXLEN 0 >/dev/null
start full5
unusable full5 "changes after the snapshot's id [0-9-]* were trimmed from the stream"
lead L2 bo@brindlewood.example
assert_eq "$DEC/$ACC" match/001SNAPTRIM "the account whose change was trimmed"
stop_daemon "$PID" full5

# ---- another worker holds the lock: no snapshot written ------------------------------------------
rcli del "${P}accounts:snapshot" >/dev/null
rcli set "${P}accounts:snapshot:lock" "other-worker" px 60000 >/dev/null
start full6
unusable full6 "no snapshot"
grep -q 'event=snapshot_not_written reason="the snapshot lock .* is held by other-worker"' \
    "$TEST_TMP/full6.log" || fail "full6: $(grep -h snapshot_ "$TEST_TMP/full6.log")"
assert_eq "$(rcli exists "${P}accounts:snapshot")" 0 "no snapshot written under another's lock"
stop_daemon "$PID" full6
rcli del "${P}accounts:snapshot:lock" >/dev/null

# ---- enough changes: the running worker rewrites it (changed, new and deleted accounts) ----------
start full7
grep -q "event=snapshot_written" "$TEST_TMP/full7.log" || fail "full7 wrote no snapshot"
G=$(gen)
sed -i "s#^001SNAPNEW,.*#$(row "001SNAPNEW,Quillfeather Analytics,quill-moved.example")#" \
    "$TEST_TMP/data/accounts.csv"
row "001SNAPNEW2,Marrowind Optics,marrowind.example" >>"$TEST_TMP/data/accounts.csv"
grep -v '^001SNAPTRIM,' "$TEST_TMP/data/accounts.csv" >"$TEST_TMP/without.csv"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" --delete-missing "$TEST_TMP/without.csv" >/dev/null
_rewritten() { [ "$(gen)" != "$G" ] && [ "$(metric "$PORT" l2a_accounts_snapshot_changes_behind)" == 0 ]; }
wait_until 20 "the snapshot rewritten after 3 changes" _rewritten
assert_eq "$(rcli hget "${P}accounts:snapshot" changes_id)" \
    "$(rcli xrevrange "${P}accounts:changes" + - count 1 | head -n 1)" "the rewrite's changes id"
assert_eq "$(rcli hget "${P}accounts:snapshot" accounts)" 2002 "accounts in the rewrite"
assert_eq "$(rcli --scan --pattern "${P}accounts:snapshot:$G:*" | wc -l)" 0 "the old generation deleted"
stop_daemon "$PID" full7
start snap3
source_is snap3 snapshot
assert_eq "$(metric "$PORT" l2a_accounts_snapshot_changes_behind)" 0 "nothing behind the rewrite"
lead L3 cy@quill-moved.example
assert_eq "$DEC/$ACC" match/001SNAPNEW "a changed account, from the rewritten snapshot"
lead L4 cy@marrowind.example
assert_eq "$DEC/$ACC" match/001SNAPNEW2 "a new account, from the rewritten snapshot"
lead L5 cy@brindlewood.example
assert_eq "$DEC" no_match "a deleted account is not in the rewritten snapshot"
stop_daemon "$PID" snap3
echo "ok [$TEST_NAME]"
