#!/usr/bin/env bash
# tests/lua/test_record.sh - the record Function on a real redis-server: a match becomes a contact
# (deduplicated by email) with an opportunity, role and stage move; a flag becomes an alert; a
# create_account plan makes the account once; return codes 1 / 2 / 3 / 0; and every key it writes,
# when it exists with the wrong type, makes the call fail before its first write.
. "$(dirname "$0")/lua_lib.sh"

NOW='"now":"2026-01-01T00:00:00.000Z","now_ms":1767225600000'
OPP='"opp":{"create":true,"type":"Acquisition","first_stage":"Marketing Qualified","owner_id":"U1","advance_score":50,"next":{"Marketing Qualified":"Sales Accepted"}}'

# lead_json ID EMAIL SCORE
lead_json() {
    echo "{\"id\":\"$1\",\"email\":\"$2\",\"first_name\":\"Ann\",\"title\":\"CTO\",\"score\":\"$3\"}"
}

convert_plan() { # LEAD EMAIL ACCOUNT [SCORE]
    echo "{\"action\":\"convert\",\"lead\":$(lead_json "$1" "$2" "${4:-80}"),$NOW,\"account_id\":\"$3\",\"role\":\"Decision Maker\",$OPP}"
}

create_plan() { # LEAD EMAIL NEW-ACCOUNT-DOMAIN
    echo "{\"action\":\"create_account\",\"lead\":$(lead_json "$1" "$2" 10),$NOW,\"new_account\":{\"id\":\"new:$3\",\"name\":\"New $3\",\"domains\":\"$3\",\"type\":\"Prospect\"},\"role\":\"User\"}"
}

flag_plan() { # LEAD
    echo "{\"action\":\"flag\",\"lead\":$(lead_json "$1" "x@$1.example" 5),$NOW,\"alert\":{\"kind\":\"review\",\"reason\":\"close call\",\"score\":0.8,\"candidates\":\"[{\\\"account_id\\\":\\\"001A\\\",\\\"score\\\":0.8}]\"}}"
}

# record ENTRY LEAD PLAN: the Function's reply.
record() {
    fcall "$FN_RECORD" 2 "${P}leads" "${P}lead:$2" l2a "$1" "$P" \
        "{\"lead_id\":\"$2\",\"decision\":\"match\"}" "$3" "$EVENTS_CAP" "$CHANGES_CAP"
}

# ---- match: contact, account set, opportunity with role and stage move, events ----------------------
e1=$(pending_entry id L1)
assert_eq "$(record "$e1" L1 "$(convert_plan L1 ann@acme.com 001A)")" 1 "record L1"
assert_eq "$(rcli hget "${P}lead:L1" outcome)" converted "L1 outcome"
assert_eq "$(rcli hget "${P}lead:L1" contact_id)" C-L1 "L1 contact"
assert_eq "$(rcli hget "${P}lead:L1" opportunity_id)" O-1 "L1 opportunity"
assert_eq "$(rcli hget "${P}contact:C-L1" account_id)" 001A "contact's account"
assert_eq "$(rcli hget "${P}contacts:by_email" ann@acme.com)" C-L1 "email index"
assert_eq "$(rcli smembers "${P}account_contacts:001A")" C-L1 "account's contacts"
assert_eq "$(rcli get "${P}opportunity:open:001A")" O-1 "open opportunity"
assert_eq "$(rcli get "${P}seq:opportunity")" 1 "opportunity counter"
assert_eq "$(rcli hget "${P}opportunity:O-1" role:C-L1)" "Decision Maker" "contact role"
assert_eq "$(rcli hget "${P}opportunity:O-1" stage)" "Sales Accepted" "stage moved (score 80 > 50)"
assert_eq "$(rcli hget "${P}opportunity:O-1" stage_sales_accepted_at)" 2026-01-01T00:00:00.000Z "stage date"
assert_eq "$(rcli xrange "${P}events" - + | grep -c '^\(lead.converted\|opportunity.created\|contact_role.added\|opportunity.stage_changed\)$')" 4 \
    "events of the conversion"
assert_eq "$(rcli xpending "${P}leads" l2a | head -n 1)" 0 "entry acknowledged"

# ---- return codes: not pending 0, same lead id again 2 (acknowledged, nothing else written) ----------
expect_noop "an entry no longer pending" 0 record "$e1" L1 "$(convert_plan L1 ann@acme.com 001A)"
e2=$(pending_entry id L1)
before=$(snapshot | grep -v "^${P}leads ")
assert_eq "$(record "$e2" L1 "$(convert_plan L1 ann@acme.com 001A)")" 2 "lead id already recorded"
assert_eq "$(snapshot | grep -v "^${P}leads ")" "$before" "only the XACK for a lead already recorded"
assert_eq "$(rcli xpending "${P}leads" l2a | head -n 1)" 0 "duplicate entry acknowledged"

# ---- a lead id again with another lead_digest: 3, acknowledged, a lead.repeated event, nothing else --
record_digest() { # ENTRY LEAD DIGEST
    fcall "$FN_RECORD" 2 "${P}leads" "${P}lead:$2" l2a "$1" "$P" \
        "{\"lead_id\":\"$2\",\"decision\":\"invalid\",\"lead_digest\":\"$3\"}" \
        "{\"action\":\"none\",\"lead\":{\"id\":\"$2\"},$NOW}" "$EVENTS_CAP" "$CHANGES_CAP"
}
assert_eq "$(record_digest "$(pending_entry id L7)" L7 aaaa)" 1 "record L7 with a digest"
assert_eq "$(record_digest "$(pending_entry id L7)" L7 aaaa)" 2 "the same digest again: a resend"
before=$(snapshot | grep -v "^${P}leads \|^${P}events ")
repeated() { rcli xrange "${P}events" - + | grep -cx 'lead.repeated' || true; }
assert_eq "$(repeated)" 0 "no lead.repeated event for a resend"
assert_eq "$(record_digest "$(pending_entry id L7)" L7 bbbb)" 3 "another digest: other fields"
assert_eq "$(snapshot | grep -v "^${P}leads \|^${P}events ")" "$before" \
    "only the XACK and an event for other fields"
assert_eq "$(rcli hget "${P}lead:L7" lead_digest)" aaaa "the first result is kept"
assert_eq "$(repeated)" 1 "a lead.repeated event for other fields"
ev=$(rcli xrevrange "${P}events" + - count 1 | paste -sd' ')
assert_contains "$ev" "lead_id L7" "the event names the lead"
assert_contains "$ev" "recorded_digest aaaa digest bbbb" "the event has both digests"

# ---- the same email again, into another account: one contact, moved -------------------------------------
e3=$(pending_entry id L2)
assert_eq "$(record "$e3" L2 "$(convert_plan L2 ann@acme.com 001B 10)")" 1 "record L2"
assert_eq "$(rcli hget "${P}lead:L2" contact_id)" C-L1 "same email, same contact"
assert_eq "$(rcli hget "${P}contact:C-L1" account_id)" 001B "contact moved"
assert_eq "$(rcli scard "${P}account_contacts:001A")" 0 "left the old account's set"
assert_eq "$(rcli hget "${P}contact:C-L1" first_lead_id)" L1 "attribution kept"

# ---- flag: an alert, once ----------------------------------------------------------------------------
e4=$(pending_entry id F1)
assert_eq "$(record "$e4" F1 "$(flag_plan F1)")" 1 "record F1"
assert_eq "$(rcli hget "${P}alert:F1" status)" open "alert status"
assert_eq "$(rcli hget "${P}alert:F1" created_ms)" 1767225600000 "alert created_ms"
assert_eq "$(rcli zscore "${P}review:open" F1)" 1767225600000 "in the open set"
assert_eq "$(rcli hget "${P}lead:F1" outcome)" flagged "F1 outcome"

# ---- create_account: made once; the second lead converts into it -----------------------------------
e5=$(pending_entry id N1)
rcli hset "${P}accounts:digests" new:newco.io 0123456789abcdef >/dev/null # a stale one
assert_eq "$(record "$e5" N1 "$(create_plan N1 bo@newco.io newco.io)")" 1 "record N1"
assert_eq "$(rcli hexists "${P}accounts:digests" new:newco.io)" 0 "a made account has no import digest"
assert_eq "$(rcli hget "${P}lead:N1" account_created)" 1 "N1 made the account"
assert_eq "$(rcli hget "${P}lead:N1" outcome)" account_created "N1 outcome"
assert_eq "$(rcli hget "${P}account:new:newco.io" name)" "New newco.io" "account hash"
assert_eq "$(rcli sismember "${P}accounts" new:newco.io)" 1 "in the accounts set"
assert_eq "$(rcli xrange "${P}accounts:changes" - + | sed -n 2,5p | paste -sd' ')" "op upsert id new:newco.io" \
    "changes entry"
e6=$(pending_entry id N2)
assert_eq "$(record "$e6" N2 "$(create_plan N2 cy@newco.io newco.io)")" 1 "record N2"
assert_eq "$(rcli hget "${P}lead:N2" account_created)" 0 "N2 found the account"
assert_eq "$(rcli hget "${P}lead:N2" outcome)" converted "N2 outcome"
assert_eq "$(rcli xlen "${P}accounts:changes")" 1 "one changes entry"

# ---- wrong types: the call fails before its first write --------------------------------------------
# wrong_type_case WHAT TYPE KEY LEAD PLAN: KEY made of TYPE, a pending entry for LEAD, then the call
# must fail with the Function's own WRONGTYPE naming KEY (its check, not a failing write) and
# change nothing; KEY is removed afterwards.
wrong_type_case() {
    local what=$1 type=$2 key=$3 lead=$4 plan=$5 entry
    entry=$(pending_entry id "$lead")
    wrong_key "$type" "$key"
    expect_fail_unchanged "$what" "WRONGTYPE l2a: key $key is a $type" "$FN_RECORD" 2 \
        "${P}leads" "${P}lead:$lead" l2a \
        "$entry" "$P" "{\"lead_id\":\"$lead\"}" "$plan" "$EVENTS_CAP" "$CHANGES_CAP"
    rcli del "$key" >/dev/null
    rcli xack "${P}leads" l2a "$entry" >/dev/null
}
wrong_type_case "contact as a string" string "${P}contact:C-W1" W1 "$(convert_plan W1 w1@acme.com 001A)"
wrong_type_case "account_contacts as a string" string "${P}account_contacts:001C" W2 \
    "$(convert_plan W2 w2@acme.com 001C)"
# C-L1 is on 001B: a lead with its email moves it, and the old account's set is a string
wrong_type_case "the old account's contacts as a string" string "${P}account_contacts:001B" W3 \
    "$(convert_plan W3 ann@acme.com 001D)"
wrong_type_case "opportunity:open as a list" list "${P}opportunity:open:001E" W4 \
    "$(convert_plan W4 w4@acme.com 001E)"
wrong_type_case "the opportunity counter as a hash" hash "${P}seq:opportunity" W5 \
    "$(convert_plan W5 w5@acme.com 001F)"
rcli set "${P}seq:opportunity" 1 >/dev/null   # restore
wrong_type_case "the new opportunity as a set" set "${P}opportunity:O-2" W6 \
    "$(convert_plan W6 w6@acme.com 001G)"
wrong_type_case "the lead hash as a list" list "${P}lead:W7" W7 "$(convert_plan W7 w7@acme.com 001A)"
wrong_type_case "events as a string" string "${P}events" W8 "$(convert_plan W8 w8@acme.com 001A)"
wrong_type_case "contacts:by_email as a list" list "${P}contacts:by_email" W9 \
    "$(convert_plan W9 w9@acme.com 001A)"
wrong_type_case "the new account as a string" string "${P}account:new:w10.io" W10 \
    "$(create_plan W10 a@w10.io w10.io)"
wrong_type_case "accounts as a list" list "${P}accounts" W11 "$(create_plan W11 a@w11.io w11.io)"
wrong_type_case "accounts:changes as a hash" hash "${P}accounts:changes" W12 \
    "$(create_plan W12 a@w12.io w12.io)"
wrong_type_case "the alert as a string" string "${P}alert:W13" W13 "$(flag_plan W13)"
wrong_type_case "review:open as a set" set "${P}review:open" W14 "$(flag_plan W14)"
wrong_key hash "${P}otherleads"
expect_fail_unchanged "the leads stream as a hash" "WRONGTYPE l2a: key ${P}otherleads is a hash" \
    "$FN_RECORD" 2 "${P}otherleads" \
    "${P}lead:W15" l2a 1-1 "$P" '{}' "$(flag_plan W15)" "$EVENTS_CAP" "$CHANGES_CAP"

# A counter that is not a number, a stream cap that is not a length: refused before any write.
e7=$(pending_entry id W16)
rcli set "${P}seq:opportunity" abc >/dev/null
expect_fail_unchanged "a counter that is not a number" "not a counter" "$FN_RECORD" 2 "${P}leads" \
    "${P}lead:W16" l2a "$e7" "$P" '{}' "$(convert_plan W16 w16@acme.com 001H)" "$EVENTS_CAP" "$CHANGES_CAP"
rcli set "${P}seq:opportunity" 1 >/dev/null
expect_fail_unchanged "a cap that is not a length" "not a length" "$FN_RECORD" 2 "${P}leads" \
    "${P}lead:W16" l2a "$e7" "$P" '{}' "$(convert_plan W16 w16@acme.com 001H)" "~1" "$CHANGES_CAP"
expect_fail_unchanged "a missing argument" "takes 7 arguments" "$FN_RECORD" 2 "${P}leads" \
    "${P}lead:W16" l2a "$e7" "$P" '{}' "$(convert_plan W16 w16@acme.com 001H)" "$EVENTS_CAP"
# and the same entry goes through once the keys are right
assert_eq "$(record "$e7" W16 "$(convert_plan W16 w16@acme.com 001H)")" 1 "record W16"
echo "ok [$TEST_NAME]"
