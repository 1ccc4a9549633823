#!/usr/bin/env bash
# tests/lua/test_accounts.sh - the account_upsert and account_delete Functions on a real
# redis-server: new 2, unchanged 0, updated 1 (hash replaced, an upsert entry on the changes
# stream), deleted 1 then 0; both drop the account's import digest; wrong key types and an
# oversized account fail before any write.
. "$(dirname "$0")/lua_lib.sh"

KEYS4=("${P}account:001A" "${P}accounts" "${P}accounts:changes" "${P}accounts:digests")

upsert() { # ID FIELD VALUE ...
    local id=$1
    shift
    fcall "$FN_ACCOUNT_UPSERT" 4 "${P}account:$id" "${P}accounts" "${P}accounts:changes" \
        "${P}accounts:digests" "$id" "$CHANGES_CAP" id "$id" "$@"
}

delete() { # ID
    fcall "$FN_ACCOUNT_DELETE" 4 "${P}account:$1" "${P}accounts" "${P}accounts:changes" \
        "${P}accounts:digests" "$1" "$CHANGES_CAP"
}

assert_eq "$(upsert 001A name Acme domains acme.com)" 2 "new account"
assert_eq "$(rcli hget "${P}account:001A" domains)" acme.com "hash written"
assert_eq "$(rcli sismember "${P}accounts" 001A)" 1 "in the set"
assert_eq "$(rcli xrange "${P}accounts:changes" - + | tail -n +2 | paste -sd' ')" \
    "op upsert id 001A name Acme domains acme.com" "upsert entry"
expect_noop "an unchanged account" 0 upsert 001A name Acme domains acme.com
rcli hset "${P}accounts:digests" 001A 0123456789abcdef 001B 0123456789abcdef >/dev/null
assert_eq "$(upsert 001A name "Acme Corp")" 1 "updated"
assert_eq "$(rcli hexists "${P}accounts:digests" 001A)" 0 "an upsert drops the import's digest"
assert_eq "$(rcli hget "${P}account:001A" domains)" "" "the hash is replaced, not merged"
assert_eq "$(rcli xlen "${P}accounts:changes")" 2 "second upsert entry"

# ---- wrong types and bad arguments: nothing written ------------------------------------------------------
for case in "list ${KEYS4[0]}" "string ${KEYS4[1]}" "hash ${KEYS4[2]}" "set ${KEYS4[3]}"; do
    set -- $case
    rcli rename "$2" "$2:saved" >/dev/null
    wrong_key "$1" "$2"
    expect_fail_unchanged "upsert, $2 as a $1" "WRONGTYPE l2a: key $2 is a $1" \
        "$FN_ACCOUNT_UPSERT" 4 "${KEYS4[@]}" 001A "$CHANGES_CAP" id 001A name Other
    expect_fail_unchanged "delete, $2 as a $1" "WRONGTYPE l2a: key $2 is a $1" \
        "$FN_ACCOUNT_DELETE" 4 "${KEYS4[@]}" 001A "$CHANGES_CAP"
    rcli del "$2" >/dev/null
    rcli rename "$2:saved" "$2" >/dev/null
done
mapfile -t wide < <(for i in $(seq 1 3001); do printf 'c%d\nv\n' "$i"; done)
expect_fail_unchanged "an account of 3,001 fields" "over 3000" \
    "$FN_ACCOUNT_UPSERT" 4 "${KEYS4[@]}" 001A "$CHANGES_CAP" "${wide[@]}"
expect_fail_unchanged "an odd field list" "field/value pairs" \
    "$FN_ACCOUNT_UPSERT" 4 "${KEYS4[@]}" 001A "$CHANGES_CAP" id 001A name
expect_fail_unchanged "a cap that is not a length" "not a length" \
    "$FN_ACCOUNT_UPSERT" 4 "${KEYS4[@]}" 001A "" id 001A name Other

# ---- delete --------------------------------------------------------------------------------------------
rcli hset "${P}accounts:digests" 001A 0123456789abcdef >/dev/null
assert_eq "$(delete 001A)" 1 "deleted"
assert_eq "$(rcli hexists "${P}accounts:digests" 001A)" 0 "a delete drops the import's digest"
assert_eq "$(rcli hexists "${P}accounts:digests" 001B)" 1 "another account's digest stays"
assert_eq "$(rcli exists "${P}account:001A")" 0 "hash gone"
assert_eq "$(rcli sismember "${P}accounts" 001A)" 0 "out of the set"
assert_eq "$(rcli xrevrange "${P}accounts:changes" + - count 1 | tail -n +2 | paste -sd' ')" \
    "op delete id 001A" "delete entry"
expect_noop "a missing account" 0 delete 001A
echo "ok [$TEST_NAME]"
