#!/usr/bin/env bash
# tests/integration/test_import_contract.sh - what `l2a import-accounts` promises since issue 11
# (account fields written without Lua): a re-import of unchanged accounts writes nothing; a
# concurrent writer's change (or a store from before the digests) is noticed; a repeated id's later
# row wins across batches; a key of the wrong type stops the import with its name, and the
# accounts set and the hashes still agree.
. "$(dirname "$0")/lib.sh"

start_redis
P=$L2A_PREFIX
CFG=$TEST_TMP/l2a.yaml
write_config "$CFG"

run() {
    RC=0
    OUT=$("$L2A" import-accounts --config "$CFG" "$@" 2>&1) || RC=$?
}

# csv FIRST LAST [NAME-SUFFIX]: a header, then accounts A<n> "Account <n><suffix>", a domain and a
# region.
csv() {
    python3 -c 'import sys
first, last, suffix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
print("id,name,domains,Region")
for i in range(first, last + 1):
    print("A%05d,Account %d%s,a%d.example,R%d" % (i, i, suffix, i, i % 3))' "$1" "$2" "${3:-}"
}

# The set and the hashes agree: every member has a hash, every account hash is a member.
agree() {
    local members hashes
    members=$(rcli smembers "${P}accounts" | sort)
    hashes=$(rcli --scan --pattern "${P}account:*" | sed "s/^${P}account://" | sort)
    assert_eq "$hashes" "$members" "$1: the accounts set holds exactly the ids of the hashes"
}

writes() { rcli info persistence | tr -d '\r' | sed -n 's/^rdb_changes_since_last_save://p'; }

# ---- new, then again: the second import writes nothing ---------------------------------------------
csv 1 2500 >"$TEST_TMP/a.csv"
run "$TEST_TMP/a.csv"
assert_eq "$OUT" "imported 2500 accounts: 2500 new, 0 updated, 0 unchanged, 0 deleted" "first import"
assert_eq "$(rcli hgetall "${P}account:A00007" | paste -sd' ')" \
    "id A00007 name Account 7 domains a7.example Region R1" "a hash, fields in order"
agree "after the first import"
n0=$(rcli xlen "${P}accounts:changes")
w0=$(writes)
run "$TEST_TMP/a.csv"
assert_eq "$OUT" "imported 2500 accounts: 0 new, 0 updated, 2500 unchanged, 0 deleted" "again"
assert_eq "$(writes)" "$w0" "an unchanged re-import writes nothing (rdb_changes_since_last_save)"
assert_eq "$(rcli xlen "${P}accounts:changes")" "$n0" "and announces nothing"

# ---- another writer changed accounts: the import notices ----------------------------------------------
# A Function that writes an account hash (here account_upsert; l2ad's learned domains and
# create_account alike) drops its digest: the import then compares the hash itself.
fn_upsert=$(rcli function list | grep -m1 '_account_upsert$')
rcli fcall "$fn_upsert" 4 "${P}account:A00042" "${P}accounts" "${P}accounts:changes" \
    "${P}accounts:digests" A00042 1000000 id A00042 name "Account 42" domains a42.example \
    Region R0 learned learned.example >/dev/null
n1=$(rcli xlen "${P}accounts:changes")
# a store imported before the digests: none kept, every hash compared (and its digest kept)
rcli hdel "${P}accounts:digests" A01001 A02002 >/dev/null
rcli hset "${P}account:A02002" name "Changed by hand" >/dev/null
run "$TEST_TMP/a.csv"
assert_eq "$OUT" "imported 2500 accounts: 0 new, 2 updated, 2498 unchanged, 0 deleted" \
    "the accounts another writer changed are replaced, no other"
assert_eq "$(rcli hget "${P}account:A00042" learned)" "" "the hash replaced whole"
assert_eq "$(rcli hget "${P}account:A02002" name)" "Account 2002" "the hand-changed one replaced"
assert_eq "$(rcli hexists "${P}accounts:digests" A01001)" 1 "a lost digest is kept again"
assert_eq "$(rcli xlen "${P}accounts:changes")" $((n1 + 2)) "one entry each (lone accounts)"
assert_eq "$(rcli xrevrange "${P}accounts:changes" + - count 1 | sed -n 2,5p | paste -sd' ')" \
    "op upsert id A02002" "a lone account's entry is an upsert"

# ---- an id twice, in two batches: the later row wins, even when it is what the store holds ----------
{ csv 1 1 " renamed"; csv 2 1500 | tail -n +2; csv 1 1 | tail -n +2; } >"$TEST_TMP/twice.csv"
run "$TEST_TMP/twice.csv"
assert_eq "$RC" 0 "import with a repeated id ($OUT)"
assert_contains "$OUT" "account id 'A00001' already on line 2 (the later row wins)" "warned"
assert_eq "$(rcli hget "${P}account:A00001" name)" "Account 1" "the later row wins"
printf 'id,name,domains,Region\nB1,Bee,b.example,North\nB2,Two,,\nB1,Bee again,,\n' >"$TEST_TMP/one.csv"
run "$TEST_TMP/one.csv"
assert_eq "$(rcli hgetall "${P}account:B1" | paste -sd' ')" "id B1 name Bee again" \
    "an id twice in one batch: the later row replaces the hash whole"
assert_contains "$OUT" "imported 2 accounts: 2 new," "counted once"

# ---- a key of the wrong type: an error naming it; the set and the hashes still agree ------------------
csv 2001 4500 " v2" >"$TEST_TMP/b.csv"
rcli set "${P}account:A03700" "not a hash" >/dev/null
run "$TEST_TMP/b.csv"
assert_eq "$RC" 1 "wrong type exit status"
assert_contains "$OUT" "WRONGTYPE l2a: key ${P}account:A03700 is a string, expected a hash" \
    "the error names the key"
assert_eq "$(rcli get "${P}account:A03700")" "not a hash" "the key of the wrong type untouched"
assert_eq "$(rcli hget "${P}account:A03701" name)" "" "nothing of its batch written"
rcli del "${P}account:A03700" >/dev/null
agree "after the failed import"
run "$TEST_TMP/b.csv"
assert_eq "$RC" 0 "the same import once the key is gone ($OUT)"
assert_eq "$(rcli hget "${P}account:A03700" name)" "Account 3700 v2" "written then"
agree "at the end"
echo "ok [$TEST_NAME]"
