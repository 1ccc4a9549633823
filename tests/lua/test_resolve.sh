#!/usr/bin/env bash
# tests/lua/test_resolve.sh - the resolve Function on a real redis-server: an open alert resolved
# into an account (contact, alert closed, out of the open set, lead hash updated, event), a second
# resolution returns {0, status} and writes nothing, a dismissal, a lead without an alert, and
# wrong key types failing before any write.
. "$(dirname "$0")/lua_lib.sh"

NOW='"now":"2026-02-01T00:00:00.000Z","now_ms":1769904000000'

# open_alert LEAD: an open alert and a result hash, as the record Function's flag step leaves them.
open_alert() {
    rcli hset "${P}alert:$1" lead_id "$1" status open kind review reason "close call" candidates '[]' \
        score 0.8 created_at 2026-01-01T00:00:00.000Z created_ms 1767225600000 \
        lead "{\"id\":\"$1\",\"email\":\"$1@acme.com\"}" >/dev/null
    rcli zadd "${P}review:open" 1767225600000 "$1" >/dev/null
    rcli hset "${P}lead:$1" lead_id "$1" decision review outcome flagged >/dev/null
}

plan() { # ACTION LEAD [ACCOUNT]
    local target=""
    [ -n "${3:-}" ] && target=",\"account_id\":\"$3\",\"role\":\"User\""
    echo "{\"action\":\"$1\",\"lead\":{\"id\":\"$2\",\"email\":\"$2@acme.com\"},$NOW$target}"
}

# resolve LEAD PLAN: the Function's reply, one element a line.
resolve() {
    fcall "$FN_RESOLVE" 0 "$P" "$1" "$2" ann "checked the website" "account $3" "$EVENTS_CAP" "$CHANGES_CAP"
}

# ---- resolved into an account ----------------------------------------------------------------------
open_alert R1
assert_eq "$(resolve R1 "$(plan convert R1 001A)" 001A | paste -sd' ')" "1 C-R1 001A" "resolve R1"
assert_eq "$(rcli hget "${P}alert:R1" status)" resolved "alert status"
assert_eq "$(rcli hget "${P}alert:R1" resolved_by)" ann "resolved_by"
assert_eq "$(rcli hget "${P}alert:R1" note)" "checked the website" "note"
assert_eq "$(rcli zscore "${P}review:open" R1)" "" "out of the open set"
assert_eq "$(rcli hget "${P}lead:R1" outcome)" converted "lead outcome"
assert_eq "$(rcli hget "${P}lead:R1" resolution)" "account 001A" "lead resolution"
assert_eq "$(rcli hget "${P}lead:R1" account_id)" 001A "lead account"
assert_eq "$(rcli hget "${P}contact:C-R1" account_id)" 001A "contact"
assert_eq "$(rcli xrange "${P}events" - + | grep -c '^alert.resolved$')" 1 "alert.resolved event"

# ---- again: {0, status}, nothing written ---------------------------------------------------------------
expect_noop "a second resolution" "0 resolved" resolve R1 "$(plan convert R1 001B)" 001B

# ---- a dismissal; a lead without an alert ----------------------------------------------------------------
open_alert R2
assert_eq "$(resolve R2 "$(plan dismiss R2)" none | paste -sd' ')" "1  " "dismiss R2"
assert_eq "$(rcli hget "${P}alert:R2" status)" dismissed "dismissed status"
assert_eq "$(rcli hget "${P}lead:R2" outcome)" dismissed "dismissed outcome"
expect_fail_unchanged "a lead without an alert" "no review alert for lead R9" \
    "$FN_RESOLVE" 0 "$P" R9 "$(plan dismiss R9)" ann "" dismissed "$EVENTS_CAP" "$CHANGES_CAP"

# ---- wrong types: nothing written -----------------------------------------------------------------------
# wrong_type_case TYPE KEY LEAD PLAN: KEY replaced by TYPE for the call, then put back.
wrong_type_case() {
    local type=$1 key=$2 lead=$3 plan=$4
    rcli rename "$key" "$key:saved" >/dev/null 2>&1 || true
    wrong_key "$type" "$key"
    expect_fail_unchanged "$key as a $type" "WRONGTYPE l2a: key $key is a $type" \
        "$FN_RESOLVE" 0 "$P" "$lead" "$plan" ann "" "account 001A" "$EVENTS_CAP" "$CHANGES_CAP"
    rcli del "$key" >/dev/null
    rcli rename "$key:saved" "$key" >/dev/null 2>&1 || true
}
open_alert R3
wrong_type_case string "${P}alert:R3" R3 "$(plan convert R3 001A)"
wrong_type_case list "${P}review:open" R3 "$(plan convert R3 001A)"
wrong_type_case string "${P}lead:R3" R3 "$(plan convert R3 001A)"
wrong_type_case hash "${P}events" R3 "$(plan convert R3 001A)"
wrong_type_case string "${P}contact:C-R3" R3 "$(plan convert R3 001A)"
wrong_type_case string "${P}account_contacts:001A" R3 "$(plan convert R3 001A)"
assert_eq "$(rcli hget "${P}alert:R3" status)" open "R3 still open after the failures"
assert_eq "$(resolve R3 "$(plan convert R3 001A)" 001A | paste -sd' ')" "1 C-R3 001A" "resolve R3"
echo "ok [$TEST_NAME]"
