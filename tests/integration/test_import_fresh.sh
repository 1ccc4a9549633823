#!/usr/bin/env bash
# tests/integration/test_import_fresh.sh - `l2a import-accounts` into a new Redis (no Function
# library yet) loads the library before its first batch: its pipelined checks (8 batches in
# flight) are not answered "Function not found" first, so INFO errorstats stays empty and no FCALL
# failed (what an ops alert on errorstats watches). A user without the FUNCTION LIST right (an
# ACL line older than docs/redis-acl.md's) still imports: its first checks find no function and load it, as before.
. "$(dirname "$0")/lib.sh"

require_own_redis
start_redis
CFG=$TEST_TMP/l2a.yaml
write_config "$CFG"

# 9,500 accounts: ten batches, more than the import has in flight.
python3 -c 'for i in range(1, 9501): print("A%05d,Account %d,a%d.com" % (i, i, i))' |
    sed '1i id,name,domains' >"$TEST_TMP/accounts.csv"

# fcall_failed: cmdstat_fcall's failed_calls (0 when FCALL was never called).
fcall_failed() {
    local n
    n=$(rcli info commandstats | tr -d '\r' | sed -n 's/^cmdstat_fcall:.*failed_calls=\([0-9]*\).*/\1/p')
    echo "${n:-0}"
}

assert_eq "$(rcli function list | tr -d '\n' | wc -c)" 0 "no library in the new Redis"
l2a_run import-accounts --config "$CFG" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 0 "import into a new Redis ($ERR)"
assert_eq "$ERR" "imported 9500 accounts: 9500 new, 0 updated, 0 unchanged, 0 deleted" "summary"
assert_eq "$(rcli info errorstats | tr -d '\r' | grep -c '^errorstat_')" 0 \
    "no error reply ($(rcli info errorstats | tr -d '\r' | grep '^errorstat_' | tr '\n' ' '))"
assert_eq "$(fcall_failed)" 0 "no failed FCALL"
assert_eq "$(rcli function list | grep -cE '^l2a_v[0-9]+_[0-9]+_[0-9]+$')" 1 "the library loaded"
assert_eq "$(rcli scard "${L2A_PREFIX}accounts")" 9500 "every account stored"

# A mixed re-import (some accounts changed, so the check Function runs): still no error.
sed -i 's/^A00007,Account 7,/A00007,Account Seven,/' "$TEST_TMP/accounts.csv"
l2a_run import-accounts --config "$CFG" "$TEST_TMP/accounts.csv"
assert_eq "$ERR" "imported 9500 accounts: 0 new, 1 updated, 9499 unchanged, 0 deleted" "re-import"
assert_eq "$(rcli info errorstats | tr -d '\r' | grep -c '^errorstat_')" 0 "no error reply on re-import"

# ---- a user who may not list functions, on a new Redis again: imports all the same ----------------
rcli function flush >/dev/null
rcli flushall >/dev/null
rcli config resetstat >/dev/null
rcli acl setuser nolist on '>pw' '~*' +@all -function\|list >/dev/null
REDIS_URL="redis://nolist:pw@127.0.0.1:$REDIS_PORT" write_config "$TEST_TMP/nolist.yaml"
l2a_run import-accounts --config "$TEST_TMP/nolist.yaml" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 0 "import without FUNCTION LIST ($ERR)"
assert_eq "$ERR" "imported 9500 accounts: 9500 new, 0 updated, 0 unchanged, 0 deleted" \
    "summary without FUNCTION LIST"
assert_eq "$(rcli scard "${L2A_PREFIX}accounts")" 9500 "every account stored without FUNCTION LIST"
