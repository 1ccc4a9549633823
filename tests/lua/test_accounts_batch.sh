#!/usr/bin/env bash
# tests/lua/test_accounts_batch.sh - the account_upsert_batch Function on a real redis-server: one
# code per account (2 new, 0 unchanged, 1 updated), the same hashes, set members and changes
# entries as one account_upsert per account; an id twice in one call replaces its hash; wrong key
# types, a bad shape or an oversized account anywhere in the batch fail before any write.
. "$(dirname "$0")/lua_lib.sh"

SET=${P}accounts
CHANGES=${P}accounts:changes
DIGESTS=${P}accounts:digests

batch() { # ID ... : one account per id, fields id and name "Name <id>" (or "<id> again" with -2)
    local keys=() args=() suffix="" id
    [ "$1" != -2 ] || { suffix=" again"; shift; }
    for id in "$@"; do
        keys+=("${P}account:$id")
        args+=("$id" 4 id "$id" name "Name $id$suffix")
    done
    fcall "$FN_ACCOUNT_UPSERT_BATCH" $((3 + $#)) "$SET" "$CHANGES" "$DIGESTS" "${keys[@]}" "$CHANGES_CAP" \
        "${args[@]}"
}

assert_eq "$(batch 001A 001B | paste -sd' ')" "2 2" "two new accounts"
assert_eq "$(rcli hgetall "${P}account:001B" | paste -sd' ')" "id 001B name Name 001B" "hash written"
assert_eq "$(rcli smembers "$SET" | sort | paste -sd' ')" "001A 001B" "both in the set"
assert_eq "$(rcli xrange "$CHANGES" - + | grep -v -- '-' | paste -sd' ')" \
    "op upserts id 001A name Name 001A id 001B name Name 001B" "one entry listing both, in order"
expect_noop "an unchanged batch" "0 0" batch 001A 001B
rcli hset "$DIGESTS" 001B 0123456789abcdef 001A 0123456789abcdef >/dev/null
assert_eq "$(batch -2 001B 001C | paste -sd' ')" "1 2" "updated and new in one call"
assert_eq "$(rcli hkeys "$DIGESTS")" 001A "the updated account's import digest dropped, the other kept"
assert_eq "$(rcli hget "${P}account:001B" name)" "Name 001B again" "updated hash"
assert_eq "$(fcall "$FN_ACCOUNT_UPSERT_BATCH" 5 "$SET" "$CHANGES" "$DIGESTS" "${P}account:D" "${P}account:D" \
    "$CHANGES_CAP" D 6 id D name First extra x D 4 id D name Second | paste -sd' ')" "2 1" \
    "an id twice: new, then updated"
assert_eq "$(rcli hgetall "${P}account:D" | paste -sd' ')" "id D name Second" \
    "the second row replaces the first's hash (no field left over)"
assert_eq "$(rcli xlen "$CHANGES")" 3 "an entry per call that changed something"
assert_eq "$(rcli xrevrange "$CHANGES" + - count 1 | tail -n +2 | paste -sd' ')" \
    "op upserts id D name First extra x id D name Second" "both rows of an id, in order"
assert_eq "$(batch -2 001A 001B 001C | paste -sd' ')" "1 0 0" "one account changed of three"
assert_eq "$(rcli xrevrange "$CHANGES" + - count 1 | tail -n +2 | paste -sd' ')" \
    "op upsert id 001A name Name 001A again" "one changed account: the one-account form"

# ---- wrong types and bad arguments: nothing written ------------------------------------------------------
for case in "string $SET" "hash $CHANGES" "set $DIGESTS" "list ${P}account:001C"; do
    set -- $case
    rcli rename "$2" "$2:saved" >/dev/null
    wrong_key "$1" "$2"
    expect_fail_unchanged "batch, $2 as a $1" "WRONGTYPE l2a: key $2 is a $1" \
        "$FN_ACCOUNT_UPSERT_BATCH" 5 "$SET" "$CHANGES" "$DIGESTS" "${P}account:001E" "${P}account:001C" \
        "$CHANGES_CAP" 001E 4 id 001E name New 001C 4 id 001C name Other
    rcli del "$2" >/dev/null
    rcli rename "$2:saved" "$2" >/dev/null
done
# the first hash key existing (a re-import: each key's TYPE asked) and a later one a list
rcli rename "${P}account:001C" "${P}account:001C:saved" >/dev/null
wrong_key list "${P}account:001C"
expect_fail_unchanged "batch, an existing account first, then ${P}account:001C as a list" \
    "WRONGTYPE l2a: key ${P}account:001C is a list" \
    "$FN_ACCOUNT_UPSERT_BATCH" 5 "$SET" "$CHANGES" "$DIGESTS" "${P}account:001A" "${P}account:001C" \
    "$CHANGES_CAP" 001A 4 id 001A name Changed 001C 4 id 001C name Other
rcli del "${P}account:001C" >/dev/null
rcli rename "${P}account:001C:saved" "${P}account:001C" >/dev/null
K2=("$SET" "$CHANGES" "$DIGESTS" "${P}account:001E" "${P}account:001F")
expect_fail_unchanged "a count past the end" "count of the values" \
    "$FN_ACCOUNT_UPSERT_BATCH" 5 "${K2[@]}" "$CHANGES_CAP" 001E 4 id 001E name New 001F 6 id 001F
expect_fail_unchanged "a count that is not a number" "count of the values" \
    "$FN_ACCOUNT_UPSERT_BATCH" 5 "${K2[@]}" "$CHANGES_CAP" 001E 4 id 001E name New 001F x id 001F
expect_fail_unchanged "an odd field list in the second account" "field/value pairs" \
    "$FN_ACCOUNT_UPSERT_BATCH" 5 "${K2[@]}" "$CHANGES_CAP" 001E 4 id 001E name New 001F 3 id 001F x
expect_fail_unchanged "fewer accounts than keys" "2 account keys but 1 accounts" \
    "$FN_ACCOUNT_UPSERT_BATCH" 5 "${K2[@]}" "$CHANGES_CAP" 001E 4 id 001E name New
expect_fail_unchanged "a cap that is not a length" "not a length" \
    "$FN_ACCOUNT_UPSERT_BATCH" 5 "${K2[@]}" "" 001E 4 id 001E name New 001F 2 id 001F
expect_fail_unchanged "no account" "1 to 1000 accounts" "$FN_ACCOUNT_UPSERT_BATCH" 3 "$SET" "$CHANGES" "$DIGESTS" \
    "$CHANGES_CAP"
mapfile -t wide < <(for i in $(seq 1 3001); do printf 'c%d\nv\n' "$i"; done)
expect_fail_unchanged "a second account of 3,001 fields" "over 3000" \
    "$FN_ACCOUNT_UPSERT_BATCH" 5 "${K2[@]}" "$CHANGES_CAP" 001E 4 id 001E name New 001F 6002 "${wide[@]}"
echo "ok [$TEST_NAME]"
