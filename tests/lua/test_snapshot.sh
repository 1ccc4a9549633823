#!/usr/bin/env bash
# tests/lua/test_snapshot.sh - the account snapshot's Functions on a real redis-server: publish
# moves the pointer to a generation only while the caller holds the writers' lock (else nothing
# written), makes its chunks permanent, deletes the previous generation's chunks and releases the
# lock; a missing chunk, a wrong-type key or bad arguments fail with nothing written; unlock
# releases only its holder's lock.
. "$(dirname "$0")/lua_lib.sh"

LOCK=${P}accounts:snapshot:lock
PTR=${P}accounts:snapshot
chunk() { echo "${P}accounts:snapshot:$1"; }
publish() { fcall "$FN_SNAPSHOT_PUBLISH" 2 "$LOCK" "$PTR" "$P" "$@"; }
unlock() { fcall "$FN_SNAPSHOT_UNLOCK" 1 "$LOCK" "$1"; }

# generation 1, two chunks, published by w1
rcli set "$LOCK" w1 px 60000 >/dev/null
rcli set "$(chunk 1:0)" a px 60000 >/dev/null
rcli set "$(chunk 1:1)" b px 60000 >/dev/null
expect_noop "w2 publishes nothing without the lock" 0 publish w2 1 2 format 1
expect_fail_unchanged "a missing chunk" "chunk ${P}accounts:snapshot:1:2 is missing" \
    "$FN_SNAPSHOT_PUBLISH" 2 "$LOCK" "$PTR" "$P" w1 1 3 format 1
expect_fail_unchanged "a generation that is not a number" "bad generation" \
    "$FN_SNAPSHOT_PUBLISH" 2 "$LOCK" "$PTR" "$P" w1 "1:x" 2 format 1
expect_fail_unchanged "an odd field list" "field/value pairs" \
    "$FN_SNAPSHOT_PUBLISH" 2 "$LOCK" "$PTR" "$P" w1 1 2 format
assert_eq "$(publish w1 1 2 format 1 changes_id 5-0)" 1 "w1 publishes generation 1"
assert_eq "$(rcli hget "$PTR" gen)/$(rcli hget "$PTR" chunks)/$(rcli hget "$PTR" changes_id)" 1/2/5-0 \
    "the pointer"
assert_eq "$(rcli ttl "$(chunk 1:0)")/$(rcli ttl "$(chunk 1:1)")" -1/-1 "its chunks made permanent"
assert_eq "$(rcli exists "$LOCK")" 0 "the lock released"

# generation 2 replaces it: generation 1's chunks deleted, the pointer's old fields gone
rcli set "$LOCK" w2 px 60000 >/dev/null
rcli set "$(chunk 2:0)" c px 60000 >/dev/null
assert_eq "$(publish w2 2 1 format 1)" 1 "w2 publishes generation 2"
assert_eq "$(rcli exists "$(chunk 1:0)" "$(chunk 1:1)")" 0 "generation 1's chunks deleted"
assert_eq "$(rcli hget "$PTR" gen)/$(rcli hexists "$PTR" changes_id)" 2/0 "the pointer replaced whole"

# wrong types: nothing written
rcli set "$LOCK" w3 px 60000 >/dev/null
rcli set "$(chunk 3:0)" d px 60000 >/dev/null
wrong_key hash "${P}otherlock"
expect_fail_unchanged "a hash where the lock should be" WRONGTYPE \
    "$FN_SNAPSHOT_PUBLISH" 2 "${P}otherlock" "$PTR" "$P" w3 3 1 format 1
wrong_key list "$(chunk 2:0)"
expect_fail_unchanged "an old chunk of another type" WRONGTYPE \
    "$FN_SNAPSHOT_PUBLISH" 2 "$LOCK" "$PTR" "$P" w3 3 1 format 1
wrong_key string "$(chunk 2:0)"

# unlock: only the holder's
expect_noop "w4 cannot release w3's lock" 0 unlock w4
assert_eq "$(unlock w3)" 1 "w3 releases its lock"
assert_eq "$(rcli exists "$LOCK")" 0 "the lock gone"
echo "ok [$TEST_NAME]"
