#!/usr/bin/env bash
# tests/integration/test_import_snapshot.sh - `l2a import-accounts` writes the account snapshot
# (docs/redis-schema.md "Account snapshot") when Redis holds none, and publishes it only when it
# is the store: the file's accounts alone, each id once, no other writer meanwhile. Not when the
# store holds other accounts too, when the file repeats an id, when a snapshot is there already,
# nor with accounts.snapshot: false. The snapshot's rows read back are the accounts imported
# (what l2ad builds its index from; test_daemon_snapshot compares the decisions).
. "$(dirname "$0")/lib.sh"

require_own_redis
start_redis
P=$L2A_PREFIX
CFG=$TEST_TMP/l2a.yaml
write_config "$CFG"
write_config "$TEST_TMP/nosnap.yaml" "accounts:" "  snapshot: false"

python3 -c 'for i in range(1, 2501): print("A%05d,Account %d,a%d.com;www.a%d.org" % (i, i, i, i))' |
    sed '1i id,name,domains' >"$TEST_TMP/accounts.csv"
head -n 1001 "$TEST_TMP/accounts.csv" >"$TEST_TMP/first1000.csv"

import() {
    l2a_run import-accounts --config "${2:-$CFG}" "$1"
    assert_eq "$RC" 0 "import of $1 ($ERR)"
}
snap_field() { rcli hget "${P}accounts:snapshot" "$1"; }
# wipe: a new store (accounts, changes, snapshot all gone).
wipe() { rcli flushall >/dev/null; }

# ---- a first import: written, published, the store's accounts as rows --------------------------
import "$TEST_TMP/accounts.csv"
assert_eq "$(snap_field accounts)" 2500 "accounts in the snapshot"
assert_eq "$(snap_field written_by | cut -d/ -f1)" import-accounts "written by the import"
assert_eq "$(snap_field changes_id)" "$(rcli xinfo stream "${P}accounts:changes" | tr -d '\r' |
    awk '/^last-generated-id$/{getline; print}')" "tagged with the change stream's last id"
assert_eq "$(rcli exists "${P}accounts:snapshot:lock")" 0 "the lock released"
assert_eq "$(rcli info errorstats | tr -d '\r' | grep -c '^errorstat_')" 0 "no error reply"
# every chunk's rows, the header lines left out, against the file's (ids, names, domains)
for k in $(rcli --scan --pattern "${P}accounts:snapshot:$(snap_field gen):*"); do
    rcli --raw get "$k"
done | grep -E '^A[0-9]{5},' | cut -d, -f1-3 | LC_ALL=C sort >"$TEST_TMP/rows.txt"
tail -n +2 "$TEST_TMP/accounts.csv" | LC_ALL=C sort >"$TEST_TMP/want.txt"
cmp -s "$TEST_TMP/rows.txt" "$TEST_TMP/want.txt" ||
    fail "snapshot rows differ from the file: $(diff "$TEST_TMP/want.txt" "$TEST_TMP/rows.txt" | head -n 4)"

# ---- several chunks (a chunk's SET still awaited when the import ends): written ------------------
wipe
python3 -c 'for i in range(1, 60001): print("B%06d,Company Number %d With A Longer Name Holdings,b%d.example.com;www.b%d.example.org" % (i, i, i, i))' |
    sed '1i id,name,domains' >"$TEST_TMP/big.csv"
import "$TEST_TMP/big.csv"
assert_eq "$(snap_field accounts)" 60000 "accounts in a snapshot of several chunks"
[ "$(snap_field chunks)" -ge 2 ] || fail "expected several chunks, got $(snap_field chunks)"
assert_eq "$(rcli info errorstats | tr -d '\r' | grep -c '^errorstat_')" 0 "no error reply (several chunks)"
wipe
import "$TEST_TMP/accounts.csv"

# ---- a snapshot there already: not written again ----------------------------------------------
gen=$(snap_field gen)
sed -i 's/^A00007,Account 7,/A00007,Account Seven,/' "$TEST_TMP/accounts.csv"
import "$TEST_TMP/accounts.csv"
assert_eq "$(snap_field gen)" "$gen" "the snapshot l2ad follows the changes after is kept"

# ---- the store holds other accounts too: none written ------------------------------------------
wipe
import "$TEST_TMP/accounts.csv" "$TEST_TMP/nosnap.yaml"
assert_eq "$(rcli exists "${P}accounts:snapshot")" 0 "accounts.snapshot: false writes none"
import "$TEST_TMP/first1000.csv"
assert_eq "$(rcli exists "${P}accounts:snapshot")" 0 "none when Redis holds 2500 accounts, the file 1000"
assert_eq "$(rcli keys "${P}accounts:snapshot:*:*" | grep -c .)" 0 "its chunks given up"
assert_eq "$(rcli exists "${P}accounts:snapshot:lock")" 0 "the lock released"

# ---- a file repeating an id: none written (its later row wins in the store) -----------------------
wipe
{ cat "$TEST_TMP/first1000.csv"; echo "A00005,Account Five Again,a5.com"; } >"$TEST_TMP/repeat.csv"
import "$TEST_TMP/repeat.csv"
assert_eq "$(rcli exists "${P}accounts:snapshot")" 0 "none when the file repeats an id"

# ---- the file without its repeat into that store: the store is the file now, written -----------
import "$TEST_TMP/first1000.csv"
assert_eq "$(snap_field accounts)" 1000 "written once the store is the file (the first import's repeat is gone)"
