#!/usr/bin/env bash
# tests/integration/test_outcomes_paths.sh - every outcome path end to end through l2ad (shipped
# config, no_match.policy create_account, opportunities on): match -> contact; the same person
# twice -> one contact that keeps its first source and first touch; a new account for an unknown
# company, in the set and on the changes stream, that the company's next lead matches by domain;
# one opportunity per Prospect account, none for a Customer; contact roles from the shipped title
# rules; a score above advance_score moves Marketing Qualified -> Sales Accepted once, stamped;
# free-mail no match flagged, never an account; disposable dropped (even a match); invalid ->
# lead.invalid; a lead id pushed twice changes nothing but a lead.repeated event; every event
# exactly once.
. "$(dirname "$0")/outcomes_lib.sh"

outcomes_start 'id,name,domains,type,owner_id
001D,Initech Software,https://www.initech.com/en/,Prospect,005D
001C,Contoso Ltd,contoso.com,Customer,005C'

PORT=$(free_port)
shipped_config "$TEST_TMP/l2ad.yaml" "$PORT" no_match.policy=create_account \
    opportunities.enabled=true daemon.batch_size=10
start_daemon d "$TEST_TMP/l2ad.yaml"
PID=$DAEMON_PID
wait_ready "$PORT"

h() { rcli hget "$P$1" "$2"; }
ISO='^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'

# ---- phase 1: the first lead of a person ---------------------------------------------------------
push_json '{"id":"P1","email":"ann@initech.com","company":"Initech","first_name":"Ann","last_name":"Lee","title":"VP Marketing","phone":"+1 555 0100","source":"Webinar","score":20}'
wait_group_idle 20
assert_eq "$(h lead:P1 decision)" match "P1 decision"
assert_eq "$(h lead:P1 account_id)" 001D "P1 account"
assert_eq "$(h lead:P1 outcome)" converted "P1 outcome"
assert_eq "$(h lead:P1 contact_id)" C-P1 "P1 contact"
assert_eq "$(h lead:P1 opportunity_id)" O-1 "P1 opportunity"
assert_eq "$(rcli hget "${P}contacts:by_email" ann@initech.com)" C-P1 "email index"
assert_eq "$(h contact:C-P1 account_id)" 001D "contact's account"
assert_eq "$(h contact:C-P1 lead_source)" Webinar "contact's lead source"
FIRST_TOUCH=$(h contact:C-P1 first_touch_at)
[[ "$FIRST_TOUCH" =~ $ISO ]] || fail "first_touch_at '$FIRST_TOUCH' is not an ISO time"
assert_eq "$(h contact:C-P1 title)" "VP Marketing" "contact's title"
assert_eq "$(h opportunity:O-1 account_id)" 001D "opportunity's account"
assert_eq "$(h opportunity:O-1 type)" Acquisition "opportunity's type"
assert_eq "$(h opportunity:O-1 stage)" "Marketing Qualified" "first stage"
assert_eq "$(h opportunity:O-1 owner_id)" 005D "opportunity owner = the account's"
[[ "$(h opportunity:O-1 stage_marketing_qualified_at)" =~ $ISO ]] || fail "first stage stamp"
assert_eq "$(h opportunity:O-1 role:C-P1)" "Decision Maker" "role of a VP"
assert_eq "$(rcli get "${P}opportunity:open:001D")" O-1 "open opportunity of 001D"
sleep 0.01     # the next leads' times differ from the first touch (ms resolution)

# ---- phase 2: the same person again, the buying group, a Customer, a new company, segments -------
push_json \
    '{"id":"P2","email":" ANN@Initech.COM ","company":"Initech","first_name":"Ann","last_name":"Lee-Smith","title":"Chief Marketing Officer","phone":"+1 555 0199","source":"Paid Search","score":40}' \
    '{"id":"P3","email":"bob@initech.com","company":"Initech","title":"Senior Software Engineer","score":10}' \
    '{"id":"P4","email":"cat@initech.com","company":"Initech","title":"Procurement Manager"}' \
    '{"id":"P5","email":"dan@initech.com","company":"Initech","title":"Finance Controller"}' \
    '{"id":"P6","email":"eve@initech.com","company":"Initech","title":"Marketing Manager"}' \
    '{"id":"P7","email":"gus@contoso.com","company":"Contoso","title":"VP Sales","score":500}' \
    '{"id":"P8","email":"hal@newco.io","company":"NewCo Robotics","title":"CTO","score":10}' \
    '{"id":"P9","email":"jo@gmail.com","company":"Zebra Lantern Studio","first_name":"Jo"}' \
    '{"id":"P10","email":"kim@mailinator.com","company":"Whatever Co"}' \
    '{"id":"P11","email":"lu@mailinator.com","company":"Initech Software"}' \
    '{"id":"P12","email":"x at gmail.com","company":"n/a"}' \
    '{"id":"P3","email":"bob@initech.com","company":"Initech","title":"CEO","score":999}'
wait_group_idle 20

# the same email (case and blanks aside): one contact, first source and first touch kept
assert_eq "$(h lead:P2 contact_id)" C-P1 "P2 converts into the existing contact"
assert_eq "$(rcli exists "${P}contact:C-P2")" 0 "no second contact for the same email"
assert_eq "$(h contact:C-P1 lead_source)" Webinar "lead source kept from the first lead"
assert_eq "$(h contact:C-P1 first_touch_at)" "$FIRST_TOUCH" "first touch kept"
assert_eq "$(h contact:C-P1 first_lead_id)" P1 "first lead kept"
assert_eq "$(h contact:C-P1 last_lead_id)" P2 "last lead updated"
assert_eq "$(h contact:C-P1 last_name)" Lee-Smith "last name updated"
assert_eq "$(h contact:C-P1 title)" "Chief Marketing Officer" "title updated"
assert_eq "$(h contact:C-P1 phone)" "+1 555 0199" "phone updated"
assert_eq "$(h contact:C-P1 last_score)" 40 "score updated"
[ "$(h contact:C-P1 updated_at)" \> "$FIRST_TOUCH" ] || fail "updated_at not after the first touch"

# contact roles from the shipped rules; one opportunity for the account
assert_eq "$(h opportunity:O-1 role:C-P3)" "Technical Evaluator" "role of an engineer"
assert_eq "$(h opportunity:O-1 role:C-P4)" Purchasing "role of procurement"
assert_eq "$(h opportunity:O-1 role:C-P5)" "Economic Buyer" "role of a controller"
assert_eq "$(h opportunity:O-1 role:C-P6)" Influencer "default role"
assert_eq "$(rcli hkeys "${P}opportunity:O-1" | grep -c '^role:')" 5 "roles on O-1"
for l in P2 P3 P4 P5 P6; do assert_eq "$(h lead:$l opportunity_id)" O-1 "$l joins O-1"; done
assert_eq "$(h opportunity:O-1 stage)" "Marketing Qualified" "scores up to 100 move nothing"

# the lead id pushed twice: the second entry changed nothing
assert_eq "$(h contact:C-P3 title)" "Senior Software Engineer" "duplicate lead id ignored"
assert_eq "$(rcli xlen "${P}leads")" 13 "entries pushed"

# a Customer: a contact, no opportunity (even with a high score)
assert_eq "$(h lead:P7 outcome)" converted "P7 outcome"
assert_eq "$(h contact:C-P7 account_id)" 001C "P7 contact's account"
assert_eq "$(rcli hexists "${P}lead:P7" opportunity_id)" 0 "no opportunity for a Customer"
assert_eq "$(rcli exists "${P}opportunity:open:001C")" 0 "no open opportunity for 001C"

# create_account: the new account, in the set and on the changes stream, with an opportunity
A=account:new:newco.io
assert_eq "$(h lead:P8 decision)" no_match "P8 decision"
assert_eq "$(h lead:P8 outcome)" account_created "P8 outcome"
assert_eq "$(h lead:P8 account_created)" 1 "P8 account_created"
assert_eq "$(h lead:P8 account_id)" new:newco.io "P8 account"
assert_eq "$(h $A name)" "NewCo Robotics" "new account's name"
assert_eq "$(h $A domains)" newco.io "new account's domain"
assert_eq "$(h $A type)" Prospect "new account's type (no_match.new_account_type)"
assert_eq "$(h $A source_lead_id)" P8 "new account's source lead"
assert_eq "$(rcli sismember "${P}accounts" new:newco.io)" 1 "new account in the set"
assert_eq "$(rcli scard "${P}accounts")" 3 "accounts in the set"
CHANGE=$(rcli xrange "${P}accounts:changes" - + | grep -A3 -x op | paste -sd' ')
assert_contains "$CHANGE" "op upsert id new:newco.io" "new account on the changes stream"
assert_eq "$(h contact:C-P8 account_id)" new:newco.io "P8 contact on the new account"
assert_eq "$(h lead:P8 opportunity_id)" O-2 "opportunity of the new account"
assert_eq "$(h opportunity:O-2 account_id)" new:newco.io "O-2's account"
assert_eq "$(h opportunity:O-2 role:C-P8)" "Decision Maker" "role of a CTO"

# free-mail no match: flagged, no account
assert_eq "$(h lead:P9 decision)" no_match "P9 decision"
assert_eq "$(h lead:P9 outcome)" flagged "P9 outcome (free-mail is never created)"
assert_eq "$(h lead:P9 alert_id)" P9 "P9 alert id"
assert_eq "$(h alert:P9 status)" open "P9 alert open"
assert_eq "$(h alert:P9 kind)" no_match "P9 alert kind"
assert_contains "$(h alert:P9 reason)" "free-mail address (gmail.com)" "P9 alert reason"
assert_eq "$(h alert:P9 candidates)" "[]" "P9 alert candidates"
assert_contains "$(h alert:P9 lead)" '"company":"Zebra Lantern Studio"' "P9 alert keeps the lead"
[ -n "$(rcli zscore "${P}review:open" P9)" ] || fail "P9 not in review:open"
assert_eq "$(rcli exists "${P}account:new:zebralanternstudio")" 0 "no account from free-mail"
assert_eq "$(rcli exists "${P}contact:C-P9")" 0 "no contact for a flagged lead"

# disposable: dropped, whatever the decision; nothing else written
assert_eq "$(h lead:P10 outcome)" dropped "P10 outcome"
assert_eq "$(h lead:P11 decision)" match "P11 decision (its company names an account)"
assert_eq "$(h lead:P11 outcome)" dropped "P11 outcome (disposable drops a match too)"
for l in P10 P11; do
    assert_eq "$(rcli exists "${P}contact:C-$l" "${P}alert:$l")" 0 "$l: no contact, no alert"
done
assert_eq "$(rcli hexists "${P}contacts:by_email" kim@mailinator.com)" 0 "no email index entry"
assert_eq "$(rcli exists "${P}account:new:mailinator.com" "${P}account:new:whateverco")" 0 \
    "no account from a disposable lead"

# invalid
assert_eq "$(h lead:P12 decision)" invalid "P12 decision"
assert_eq "$(h lead:P12 outcome)" invalid "P12 outcome"
assert_eq "$(rcli exists "${P}leads:dead")" 0 "an invalid lead is a result, not a dead letter"

# ---- phase 3: the new company's next leads, score-driven stage moves -----------------------------
sleep 0.01
push_json \
    '{"id":"P13","email":"ivy@newco.io","title":"Head of Sales","score":120}' \
    '{"id":"P14","email":"mo@initech.com","company":"Initech","title":"Intern","score":150}' \
    '{"id":"P15","email":"ned@initech.com","company":"Initech","title":"Director IT","score":300}' \
    '{"id":"P16","email":"ola@newco.io","company":"NewCo Robotics","title":"Engineer"}'
wait_group_idle 20
assert_eq "$(h lead:P13 decision)" match "the next lead of the new company"
assert_eq "$(h lead:P13 rule)" domain "... matches by domain"
assert_eq "$(h lead:P13 account_id)" new:newco.io "... into the new account"
assert_eq "$(h lead:P13 outcome)" converted "... converted"
assert_eq "$(h lead:P16 decision)" match "a lead naming the new company"
assert_eq "$(h lead:P16 account_id)" new:newco.io "... into the new account"
assert_eq "$(rcli scard "${P}accounts")" 3 "no second account for newco.io"
assert_eq "$(h lead:P13 opportunity_id)" O-2 "P13 joins O-2"

assert_eq "$(h opportunity:O-1 stage)" "Sales Accepted" "score 150 > 100: next stage"
SA=$(h opportunity:O-1 stage_sales_accepted_at)
[[ "$SA" =~ $ISO ]] || fail "stage_sales_accepted_at '$SA'"
[ "$SA" \> "$(h opportunity:O-1 stage_marketing_qualified_at)" ] || fail "stamps out of order"
assert_eq "$(rcli hexists "${P}opportunity:O-1" stage_discovery_at)" 0 \
    "Sales Accepted is not a marketing stage: score 300 moves nothing"
assert_eq "$(h opportunity:O-2 stage)" "Sales Accepted" "O-2 moved by P13's score"
assert_eq "$(h opportunity:O-1 role:C-P15)" "Decision Maker" "role of a director"

# ---- results and events: every lead once, every event once ---------------------------------------
assert_eq "$(result_stats)" "16 0" "result hashes (and hashes not naming a stream entry)"
assert_eq "$(key_count 'contact:*')" 11 "contacts (P1=P2; none flagged, dropped, invalid)"
assert_eq "$(rcli hlen "${P}contacts:by_email")" 11 "email index entries"
assert_eq "$(rcli get "${P}seq:opportunity")" 2 "opportunities made"
assert_eq "$(events_dump)" 30 "events"
assert_eq "$(ev_dups)" "" "events repeated"
assert_eq "$(ev_count lead.converted)" 12 "lead.converted"
assert_eq "$(ev_count lead.converted contact_id=C-P1)" 2 "lead.converted into C-P1 (P1, P2)"
assert_eq "$(ev_count lead.converted lead_id=P2 new_contact=0)" 1 "P2: an existing contact"
assert_eq "$(ev_count lead.converted lead_id=P1 new_contact=1)" 1 "P1: a new contact"
assert_eq "$(ev_count account.created)" 1 "account.created"
assert_eq "$(ev_count account.created lead_id=P8 account_id=new:newco.io 'name=NewCo Robotics')" 1 \
    "account.created names the account"
assert_eq "$(ev_count opportunity.created)" 2 "opportunity.created"
assert_eq "$(ev_count opportunity.created lead_id=P1 opportunity_id=O-1 account_id=001D \
    opportunity_type=Acquisition 'stage=Marketing Qualified')" 1 "opportunity.created of O-1"
assert_eq "$(ev_count opportunity.created lead_id=P8 opportunity_id=O-2 \
    account_id=new:newco.io)" 1 "opportunity.created of O-2"
assert_eq "$(ev_count contact_role.added)" 10 "contact_role.added (7 on O-1, 3 on O-2)"
assert_eq "$(ev_count contact_role.added contact_id=C-P1)" 1 "C-P1's role added once"
assert_eq "$(ev_count contact_role.added opportunity_id=O-1 contact_id=C-P4 role=Purchasing)" 1 \
    "contact_role.added names the role"
assert_eq "$(ev_count opportunity.stage_changed)" 2 "opportunity.stage_changed"
assert_eq "$(ev_count opportunity.stage_changed lead_id=P14 opportunity_id=O-1 \
    'from=Marketing Qualified' 'to=Sales Accepted')" 1 "stage_changed of O-1"
assert_eq "$(ev_count lead.flagged)" 1 "lead.flagged"
assert_eq "$(ev_count lead.flagged lead_id=P9 alert_id=P9 kind=no_match)" 1 "lead.flagged of P9"
assert_eq "$(ev_count lead.invalid)" 1 "lead.invalid"
assert_eq "$(ev_count lead.invalid lead_id=P12)" 1 "lead.invalid of P12"
# the lead id pushed twice with other fields: the first result kept, the second said so
assert_eq "$(ev_count lead.repeated)" 1 "lead.repeated"
assert_eq "$(ev_count lead.repeated lead_id=P3)" 1 "lead.repeated of P3"
for l in P10 P11; do
    assert_eq "$(grep -c "lead_id=$l	" "$TEST_TMP/events.tsv")" 0 "no event for dropped $l"
done

assert_eq "$(leads_total "$PORT")" 16 "leads counted in /metrics (the duplicate id not)"
assert_eq "$(metric "$PORT" 'l2a_leads_total{decision="invalid"}')" 1 "invalid in /metrics"
stop_daemon "$PID" d
echo "ok [$TEST_NAME]"
