#!/usr/bin/env bash
# tests/lua/test_library.sh - the library as Redis holds it: its name carries CMake's
# PROJECT_VERSION (l2a_v<major>_<minor>_<patch>) and so does every function's; the names the C side
# calls are the names registered; an older version's library loads beside it without a clash. With
# AOF a restarted Redis keeps the library; a Redis that comes back empty makes `l2a
# import-accounts` and `l2a review resolve` load it and carry on.
LUA_REDIS_AOF=--aof
. "$(dirname "$0")/lua_lib.sh"

SRC_DIR=${L2A_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
version=$(sed -n 's/^project(l2a VERSION \([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/l2a_v\1_\2_\3/p' "$SRC_DIR/CMakeLists.txt")
assert_eq "$LIBRARY" "$version" "library name from PROJECT_VERSION"
registered=$(rcli function list libraryname "$LIBRARY" | awk 'p { print; p = 0 } $0 == "name" { p = 1 }' |
    grep -v "^$LIBRARY\$" | LC_ALL=C sort)
called=$(printf '%s\n' "$FN_RECORD" "$FN_RECORD_LEADS" "$FN_DEAD" "$FN_RESOLVE" "$FN_ACCOUNT_UPSERT" "$FN_ACCOUNT_DELETE" \
    "$FN_ACCOUNT_UPSERT_BATCH" "$FN_ACCOUNT_IMPORT_CHECK" \
    "$FN_FORGET_CONSUMERS" "$FN_LEARNED" "$FN_WEBHOOK_LEASE" "$FN_WEBHOOK_ADVANCE" \
    "$FN_WEBHOOK_SLA_CLAIM" "$FN_SNAPSHOT_PUBLISH" "$FN_SNAPSHOT_UNLOCK" |
    LC_ALL=C sort)
assert_eq "$registered" "$called" "registered functions = the names the C side calls"
for fn in $called; do
    case $fn in "${LIBRARY}_"*) ;; *) fail "function $fn lacks the library prefix" ;; esac
done

# ---- two versions side by side (a rolling upgrade): no name clashes, each calls its own ------------
sed "s/$LIBRARY/l2a_v0_0_9/g" "$TEST_TMP/library.lua" >"$TEST_TMP/older.lua"
assert_eq "$(rcli -x function load <"$TEST_TMP/older.lua")" l2a_v0_0_9 "an older version loaded beside"
assert_eq "$(rcli function list | grep -cE "^(l2a_v0_0_9|$LIBRARY)\$")" 2 "both libraries listed"
for v in l2a_v0_0_9 "$LIBRARY"; do
    assert_eq "$(fcall "${v}_account_upsert" 4 "${P}account:V-$v" "${P}accounts" "${P}accounts:changes" \
        "${P}accounts:digests" "V-$v" "$CHANGES_CAP" id "V-$v" name "By $v")" 2 "upsert through $v"
done
rcli function delete l2a_v0_0_9 >/dev/null
assert_eq "$(rcli function list | grep -c "^$LIBRARY\$")" 1 "the current library stays when the old one goes"

require_own_redis
write_config "$TEST_TMP/l2a.yaml"
# restart: restart_redis, then until the data set is loaded (PING answers during -LOADING)
restart() {
    restart_redis
    for _ in $(seq 1 100); do
        rcli info persistence | grep -q '^loading:0' && return 0
        sleep 0.05
    done
    fail "Redis still loading 5 s after the restart"
}
printf 'id,name,domains\n001A,Acme,acme.com\n' >"$TEST_TMP/accounts.csv"

# ---- AOF: the library survives a restart; FCALL works with no FUNCTION LOAD ----------------------------
restart
assert_eq "$(rcli function list libraryname "$LIBRARY" | sed -n 2p)" "$LIBRARY" "library after an AOF restart"
assert_eq "$("$L2A" import-accounts --config "$TEST_TMP/l2a.yaml" "$TEST_TMP/accounts.csv" 2>&1)" \
    "imported 1 accounts: 1 new, 0 updated, 0 unchanged, 0 deleted" "import after the restart"
stats=$(rcli info commandstats | tr -d '\r')
# two FCALLs: the batch's check and the publish of the account snapshot the import writes
assert_contains "$stats" "cmdstat_fcall:calls=2,usec=" "two FCALLs"
assert_contains "$(grep '^cmdstat_fcall:' <<<"$stats")" "failed_calls=0" "no failed FCALL"
! grep -q '^cmdstat_function|load' <<<"$stats" || fail "the library was loaded again after an AOF restart"

# ---- an empty Redis (no persistence): the tools load the library once and carry on -------------------
REDIS_AOF=no
restart
assert_eq "$(rcli function list | tr -d '\n' | wc -c)" 0 "no library in an empty Redis"
printf 'id,name,domains\n001B,Beta,beta.com\n' >"$TEST_TMP/accounts2.csv"
assert_eq "$("$L2A" import-accounts --config "$TEST_TMP/l2a.yaml" "$TEST_TMP/accounts2.csv" 2>&1)" \
    "imported 1 accounts: 1 new, 0 updated, 0 unchanged, 0 deleted" "import into an empty Redis"
assert_contains "$(rcli info commandstats | tr -d '\r')" "cmdstat_function|load:calls=1," "loaded once by the import"
rcli function flush >/dev/null
rcli config resetstat >/dev/null
rcli hset "${P}alert:R1" lead_id R1 status open kind review reason x candidates '[]' score 0.5 \
    created_at 2026-01-01T00:00:00.000Z created_ms 1767225600000 lead '{"id":"R1"}' >/dev/null
rcli zadd "${P}review:open" 1767225600000 R1 >/dev/null
out=$("$L2A" review resolve --config "$TEST_TMP/l2a.yaml" R1 --dismiss --by ann 2>&1) ||
    fail "review resolve after FUNCTION FLUSH: $out"
assert_eq "$(rcli hget "${P}alert:R1" status)" dismissed "resolved after FUNCTION FLUSH"
stats=$(rcli info commandstats | tr -d '\r')
assert_contains "$stats" "cmdstat_function|load:calls=1," "loaded once by review resolve"
assert_contains "$stats" "cmdstat_fcall:calls=2," "FCALL, not found, then FCALL again"
! grep -qE '^cmdstat_(evalsha|script)' <<<"$stats" || fail "EVALSHA or SCRIPT used"
echo "ok [$TEST_NAME]"
