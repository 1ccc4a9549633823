#!/usr/bin/env bash
# tests/integration/test_import_push.sh - l2a import-accounts and l2a push against a real redis-server.
. "$(dirname "$0")/lib.sh"

start_redis
P=$L2A_PREFIX
CFG=$TEST_TMP/l2a.yaml
write_config "$CFG"

# run ARGS...: runs l2a; OUT gets stdout+stderr, RC the exit status.
run() {
    RC=0
    OUT=$("$L2A" "$@" 2>&1) || RC=$?
}

# "field=value" lines of a hash, sorted.
hash_dump() {
    rcli hgetall "$1" | paste -d= - - | sort
}

# "field=value" lines of the Nth newest entry of a stream (1 = newest), in order.
nth_entry() {
    rcli xrevrange "$1" + - count "$2" | awk -v n="$2" '/^[0-9]+-[0-9]+$/ { e++; next } e == n' |
        paste -d= - -
}

last_entry() {
    nth_entry "$1" 1
}

lines() {
    printf '%s\n' "$@"
}

# ---- import: quotes, embedded commas, several domains, an extra column, empty values ----------
cat >"$TEST_TMP/accounts.csv" <<'EOF'
id,name,domains,type,parent_id,country,owner_id,employees,last_activity,Region
001A,"Acme, Inc.","acme.com; https://www.acme.de/en/",Customer,,US,005X,1200,2024-01-15,"EMEA, North"
001B,"Globex ""Intl""",globex.com,Prospect,001A,DE,,,,
001C,Initech,,,,,,,,APAC
EOF
run import-accounts --config "$CFG" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 0 "first import exit status ($OUT)"
assert_eq "$OUT" "imported 3 accounts: 3 new, 0 updated, 0 unchanged, 0 deleted" "first import summary"

assert_eq "$(hash_dump "${P}account:001A")" "$(lines "Region=EMEA, North" country=US \
    "domains=acme.com; https://www.acme.de/en/" employees=1200 id=001A last_activity=2024-01-15 \
    "name=Acme, Inc." owner_id=005X type=Customer)" "hash of 001A"
assert_eq "$(hash_dump "${P}account:001B")" "$(lines country=DE domains=globex.com id=001B \
    'name=Globex "Intl"' parent_id=001A type=Prospect)" "hash of 001B"
assert_eq "$(hash_dump "${P}account:001C")" "$(lines Region=APAC id=001C name=Initech)" \
    "hash of 001C (empty values are not stored)"
assert_eq "$(rcli smembers "${P}accounts" | sort | tr '\n' ' ')" "001A 001B 001C " "accounts set"
assert_eq "$(rcli xlen "${P}accounts:changes")" 1 "one changes entry for the first import's batch"
assert_eq "$(rows_entry "${P}accounts:changes")" \
    "$(lines "id=001A|name=Acme, Inc.|domains=acme.com; https://www.acme.de/en/|type=Customer|country=US|owner_id=005X|employees=1200|last_activity=2024-01-15|Region=EMEA, North" \
        'id=001B|name=Globex "Intl"|domains=globex.com|type=Prospect|parent_id=001A|country=DE' \
        "id=001C|name=Initech|Region=APAC")" \
    "the batch's entry (op rows): per account its fields, in column order"
assert_eq "$(rcli hlen "${P}accounts:digests")" 3 "a digest per account written"

# ---- re-import unchanged: nothing written -----------------------------------------------------
run import-accounts --config "$CFG" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 0 "unchanged import exit status ($OUT)"
assert_eq "$OUT" "imported 3 accounts: 0 new, 0 updated, 3 unchanged, 0 deleted" "unchanged summary"
assert_eq "$(rcli xlen "${P}accounts:changes")" 1 "no changes entry for an unchanged import"

# ---- one row changed: one update entry ---------------------------------------------------------
sed -i 's/^001B,"Globex ""Intl"""/001B,Globex Corporation/' "$TEST_TMP/accounts.csv"
run import-accounts --redis "$REDIS_URL" --config "$CFG" "$TEST_TMP/accounts.csv"
assert_eq "$OUT" "imported 3 accounts: 0 new, 1 updated, 2 unchanged, 0 deleted" "update summary"
assert_eq "$(rcli xlen "${P}accounts:changes")" 2 "one changes entry for one changed row"
assert_eq "$(last_entry "${P}accounts:changes")" "$(lines op=upsert id=001B \
    "name=Globex Corporation" domains=globex.com type=Prospect parent_id=001A country=DE)" \
    "update entry carries every field"
assert_eq "$(rcli hget "${P}account:001B" name)" "Globex Corporation" "updated name"

# ---- a value emptied: the field goes (the hash is replaced, not merged) ---------------------------
sed -i 's/^001C,Initech,,,,,,,,APAC$/001C,Initech,,,,,,,,/' "$TEST_TMP/accounts.csv"
run import-accounts --config "$CFG" "$TEST_TMP/accounts.csv"
assert_eq "$OUT" "imported 3 accounts: 0 new, 1 updated, 2 unchanged, 0 deleted" "emptied summary"
assert_eq "$(hash_dump "${P}account:001C")" "$(lines id=001C name=Initech)" "emptied field removed"
assert_eq "$(last_entry "${P}accounts:changes")" "$(lines op=upsert id=001C name=Initech)" \
    "entry after emptying a field"

# ---- --delete-missing ----------------------------------------------------------------------------
grep -v '^001C,' "$TEST_TMP/accounts.csv" >"$TEST_TMP/accounts2.csv"
# an account l2ad made (create_account) is in no CRM file and must survive
rcli hset "${P}account:new:newco.io" id new:newco.io name Newco >/dev/null
rcli sadd "${P}accounts" new:newco.io >/dev/null
run import-accounts --config "$CFG" --delete-missing "$TEST_TMP/accounts2.csv"
assert_eq "$RC" 0 "delete-missing exit status ($OUT)"
assert_eq "$OUT" "imported 2 accounts: 0 new, 0 updated, 2 unchanged, 1 deleted" "delete summary"
assert_eq "$(rcli exists "${P}account:001C")" 0 "deleted hash"
assert_eq "$(rcli smembers "${P}accounts" | sort | tr '\n' ' ')" "001A 001B new:newco.io " \
    "set after delete (l2ad's new account kept)"
assert_eq "$(rcli exists "${P}account:new:newco.io")" 1 "l2ad's new account kept"
rcli del "${P}account:new:newco.io" >/dev/null
rcli srem "${P}accounts" new:newco.io >/dev/null
assert_eq "$(rcli xlen "${P}accounts:changes")" 4 "one delete entry"
assert_eq "$(last_entry "${P}accounts:changes")" "$(lines op=delete id=001C)" "delete entry"

# A file without accounts, or with skipped rows, never deletes.
head -n 1 "$TEST_TMP/accounts.csv" >"$TEST_TMP/empty.csv"
run import-accounts --config "$CFG" --delete-missing "$TEST_TMP/empty.csv"
assert_eq "$RC" 1 "delete-missing with an empty file fails"
assert_contains "$OUT" "--delete-missing refused" "empty file message"
printf '001A,,x.com,,,,,,,\n' >>"$TEST_TMP/accounts2.csv"
run import-accounts --config "$CFG" --delete-missing "$TEST_TMP/accounts2.csv"
assert_eq "$RC" 1 "delete-missing with a skipped row fails"
assert_contains "$OUT" "skipped rows" "skipped row message"
assert_eq "$(rcli scard "${P}accounts")" 2 "nothing deleted by refused runs"
assert_eq "$(rcli xlen "${P}accounts:changes")" 4 "no entries from refused runs"

# ---- errors: bad file, reserved column, unreachable Redis, wrong key type ------------------------
printf 'id,title\n1,x\n' >"$TEST_TMP/bad.csv"
run import-accounts --config "$CFG" "$TEST_TMP/bad.csv"
assert_eq "$RC" 1 "missing name column exit status"
assert_contains "$OUT" "missing 'name' column" "missing name column message"
printf 'id,name,op\n9,Nine,x\n' >"$TEST_TMP/op.csv"
run import-accounts --config "$CFG" "$TEST_TMP/op.csv"
assert_eq "$RC" 1 "reserved column exit status"
assert_contains "$OUT" "column 'op' is reserved" "reserved column message"
assert_eq "$(rcli exists "${P}account:9")" 0 "nothing written for a reserved column"
run import-accounts --redis "redis://127.0.0.1:1" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 1 "unreachable Redis exit status"
assert_contains "$OUT" "cannot connect" "unreachable Redis message"
printf 'redis:\n  url: "%s"\n  prefix: "%sbad:"\n' "$REDIS_URL" "$P" >"$TEST_TMP/bad.yaml"
rcli set "${P}bad:accounts:changes" notastream >/dev/null
run import-accounts --config "$TEST_TMP/bad.yaml" "$TEST_TMP/accounts2.csv"
assert_eq "$RC" 1 "wrong key type exit status"
assert_contains "$OUT" "WRONGTYPE" "wrong key type message"
assert_eq "$(rcli exists "${P}bad:account:001A" "${P}bad:accounts")" 0 \
    "a failing script writes nothing (types checked before the first write)"

# ---- --redis URL with a database, overriding the config's URL ------------------------------------
if [ -z "$REDIS_EXTERNAL" ]; then
    head -n 3 "$TEST_TMP/accounts.csv" >"$TEST_TMP/db3.csv"
    run import-accounts --config "$CFG" --redis "$REDIS_URL/3" "$TEST_TMP/db3.csv"
    assert_eq "$OUT" "imported 2 accounts: 2 new, 0 updated, 0 unchanged, 0 deleted" "db 3 summary"
    assert_eq "$(rcli -n 3 scard "${P}accounts")" 2 "accounts in db 3"
    assert_eq "$(rcli scard "${P}accounts")" 2 "db 0 untouched"
fi

# ---- FUNCTION FLUSH between two pipelined batches: "Function not found", load, resend ----------
# The CSV comes through a FIFO: the first 8,500 rows (1 KB each) make 8 batches of 1,000 accounts,
# as many as the import has in flight, so all 8 are checked and written; then FUNCTION FLUSH, then
# the rest: the checks of the later batches find no function, and the import must load the
# library, send them again and write every batch. (A batch after an all-new one is pre-checked
# with EXISTS, which needs no Function: A09500, stored beforehand, sends its batch to the check.)
if [ -z "$REDIS_EXTERNAL" ]; then
    write_config "$TEST_TMP/fifo.yaml"
    sed -i "s/prefix: .*/prefix: \"fifo:\"/" "$TEST_TMP/fifo.yaml"
    rows() { # rows FIRST LAST
        python3 -c 'import sys
for i in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    print("A%05d,Account %d,a%d.com,%s" % (i, i, i, "x" * 1000))' "$1" "$2"
    }
    mkfifo "$TEST_TMP/accounts.fifo"
    rcli config resetstat >/dev/null
    rcli hset fifo:account:A09500 id A09500 name "Stored before" >/dev/null
    "$L2A" import-accounts --config "$TEST_TMP/fifo.yaml" "$TEST_TMP/accounts.fifo" \
        >"$TEST_TMP/fifo.out" 2>&1 &
    import_pid=$!
    track_pid "$import_pid"
    exec 3>"$TEST_TMP/accounts.fifo"
    { echo "id,name,domains,Notes"; rows 1 8500; } >&3
    for _ in $(seq 1 200); do
        [ "$(rcli scard fifo:accounts)" == 8000 ] && break
        sleep 0.05
    done
    assert_eq "$(rcli scard fifo:accounts)" 8000 "first round stored before the flush"
    rcli function flush >/dev/null
    rows 8501 17000 >&3
    exec 3>&-
    rc=0
    wait "$import_pid" || rc=$?
    assert_eq "$rc" 0 "import across FUNCTION FLUSH exit status ($(cat "$TEST_TMP/fifo.out"))"
    assert_eq "$(cat "$TEST_TMP/fifo.out")" \
        "imported 17000 accounts: 16999 new, 1 updated, 0 unchanged, 0 deleted" \
        "summary across the flush"
    assert_eq "$(rcli hget fifo:account:A09500 name)" "Account 9500" "the stored one replaced"
    assert_eq "$(rcli scard fifo:accounts)" 17000 "every account stored across the flush"
    # the ids in the entries: rows' id items ("6:A00001"), or a lone account's id value
    assert_eq "$(rcli xrange fifo:accounts:changes - + | grep -oE '6:A[0-9]{5}|^A[0-9]{5}$' | sed 's/^6://' |
        sort -u | wc -l)" 17000 "every change recorded across the flush"
    stats=$(rcli info commandstats | tr -d '\r')
    assert_contains "$stats" "cmdstat_function|load:calls=1," \
        "the library was loaded again, once, after FUNCTION FLUSH"
    calls=$(sed -n 's/^cmdstat_fcall:calls=\([0-9]*\),.*/\1/p' <<<"$stats")
    [ "$calls" -gt 17 ] || fail "$calls check calls: none sent again after the flush"
    ! grep -qE 'cmdstat_(eval|evalsha|script)' <<<"$stats" || fail "EVAL or SCRIPT commands used"
fi

# ---- push: 1,000 leads as one "json" field each, blank lines skipped -----------------------------
python3 - "$TEST_TMP/leads.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write('{"id":"00Q0000","email":"José.Ü@acme.com","company":"Acme, \\"Intl\\"","score":45}\r\n')
    for i in range(1, 999):
        f.write(json.dumps({"id": "00Q%04d" % i, "email": "u%d@x%d.com" % (i, i % 7)}) + "\n")
        if i % 100 == 0:
            f.write("\n   \n")
    f.write("this line is not JSON\n")
EOF
run push --config "$CFG" "$TEST_TMP/leads.jsonl"
assert_eq "$RC" 0 "push exit status ($OUT)"
assert_eq "$OUT" "pushed 1000 leads" "push summary"
assert_eq "$(rcli xlen "${P}leads")" 1000 "XLEN after pushing 1000 leads"
first=$(head -n 1 "$TEST_TMP/leads.jsonl" | tr -d '\r')
assert_eq "$(rcli xrange "${P}leads" - + count 1 | tail -n +2 | paste -d= - -)" "json=$first" \
    "first entry: one field json = the first line"
assert_eq "$(rcli xrange "${P}leads" - + count 2 | tail -n 2 | paste -d= - -)" \
    'json={"id": "00Q0001", "email": "u1@x1.com"}' "second entry"
assert_eq "$(last_entry "${P}leads")" "json=this line is not JSON" "invalid JSON is pushed too"

# ---- push --flat: the known fields of the lead, flat --------------------------------------------
printf '%s\n' '{"id":"F1","email":"f@x.io","company":"Foo","score":45,"unknown":"u","title":null}' \
    '{"id":"F2","first_name":"Ann","last_name":"Lee","title":"CTO","country":"FR","phone":"1","source":"web","website":"x.fr"}' \
    '{"email":"noid@x.io"}' >"$TEST_TMP/flat.jsonl"
run push --redis "$REDIS_URL" --config "$CFG" --flat "$TEST_TMP/flat.jsonl"
assert_eq "$RC" 0 "push --flat exit status ($OUT)"
assert_contains "$OUT" "pushed 3 leads" "push --flat summary"
assert_contains "$OUT" "1 lines were not valid leads" "push --flat unparsed count"
assert_eq "$(rcli xlen "${P}leads")" 1003 "XLEN after --flat"
assert_eq "$(nth_entry "${P}leads" 3)" "$(lines id=F1 email=f@x.io company=Foo score=45)" \
    "first flat entry: known fields only, in order, numbers as text"
assert_eq "$(nth_entry "${P}leads" 2)" "$(lines id=F2 website=x.fr first_name=Ann last_name=Lee \
    title=CTO country=FR phone=1 source=web)" "second flat entry"
assert_eq "$(nth_entry "${P}leads" 1)" 'json={"email":"noid@x.io"}' \
    "a line that is not a valid lead is pushed as json"

# ---- no MAXLEN on the input stream ---------------------------------------------------------------
assert_eq "$(rcli xinfo stream "${P}leads" | grep -A1 -x length | tail -n 1)" 1003 "input stream never capped"

echo "ok [$TEST_NAME]"
