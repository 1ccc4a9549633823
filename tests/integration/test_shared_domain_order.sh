#!/usr/bin/env bash
# tests/integration/test_shared_domain_order.sh - a domain shared by more accounts than one lead's
# candidates hold (128): l2ad (accounts loaded from Redis, in SSCAN order) records for every lead
# exactly the decision, reason and candidates `l2a match` gives on the CSV in its file order and
# in reverse; a lead naming only the domain goes to review saying how many accounts share it, and
# one naming an account of the domain matches it.
. "$(dirname "$0")/daemon_lib.sh"

python3 - "$TEST_TMP" <<'EOF'
import csv, json, sys
d = sys.argv[1]
syl = ["zor", "vex", "qui", "tam", "bri", "kor", "mar", "ost", "fen", "lum", "pex", "sal"]
def word(i):
    return (syl[i % 12] + syl[i // 12 % 12] + syl[i // 144 % 12]).capitalize()
rows = [["id", "name", "domains", "type"]]
for i in range(300):   # 300 accounts on brontex.com, 60 elsewhere
    dom = "https://www.brontex.com/" if i < 300 - 60 else "www.%s.com" % word(i).lower()
    rows.append(["001SD%05d" % i, "Brontex %s" % word(i), dom, ["Customer", "Prospect"][i % 2]])
rows.append(["001SDNAMED", "Brontex Aerospace", "brontex.com", "Customer"])
with open(d + "/accounts.csv", "w", newline="") as f:
    csv.writer(f).writerows(rows)
with open(d + "/reversed.csv", "w", newline="") as f:
    csv.writer(f).writerows([rows[0]] + rows[:0:-1])
leads = [("L-ALONE", "kim@brontex.com", ""), ("L-NAMED", "lee@brontex.com", "Brontex Aerospace"),
         ("L-ONE", "ann@brontex.com", "Brontex " + word(17)), ("L-OTHER", "bo@brontex.com",
         "Quiet Harbour Logistics")]
leads += [("L-W%d" % i, "x%d@brontex.com" % i, "Brontex " + word(i * 7)) for i in range(40)]
with open(d + "/leads.jsonl", "w") as f:
    for lid, email, company in leads:
        f.write(json.dumps({"id": lid, "email": email, "company": company}) + "\n")
EOF
LEADS=$TEST_TMP/leads.jsonl
N=$(wc -l <"$LEADS")
start_redis
PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT"
"$L2A" import-accounts --config "$CFG" "$TEST_TMP/accounts.csv" >/dev/null 2>&1
for order in accounts reversed; do
    "$L2A" match --config "$CFG" --accounts "$TEST_TMP/$order.csv" --leads "$LEADS" \
        >"$TEST_TMP/$order.jsonl"
done
cp "$TEST_TMP/accounts.jsonl" "$TEST_TMP/fwd.jsonl"
cmp -s "$TEST_TMP/accounts.jsonl" "$TEST_TMP/reversed.jsonl" ||
    fail "l2a match decides differently with the CSV reversed:" \
        "$(diff "$TEST_TMP/accounts.jsonl" "$TEST_TMP/reversed.jsonl" | head -4)"

alone=$(grep '"L-ALONE"' "$TEST_TMP/fwd.jsonl")
assert_contains "$alone" '"decision":"review"' "a lead naming only the shared domain"
assert_contains "$alone" "241 accounts share 'brontex.com', more than the 128 compared" \
    "the review's reason"
assert_contains "$(grep '"L-NAMED"' "$TEST_TMP/fwd.jsonl")" '"account_id":"001SDNAMED"' \
    "a lead naming the account loaded last"
assert_contains "$(grep '"L-ONE"' "$TEST_TMP/fwd.jsonl")" '"account_id":"001SD00017"' \
    "a lead naming one account of the shared domain"

start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
"$L2A" push --config "$CFG" "$LEADS" >/dev/null 2>&1
wait_drained 60 "the leads recorded"
assert_eq "$(result_count)" "$N" "result hashes"
lead_hashes_json "$TEST_TMP/fwd.jsonl" "$TEST_TMP/hashes.json"
python3 - "$TEST_TMP/fwd.jsonl" "$TEST_TMP/hashes.json" <<'EOF' || fail "l2ad's records differ from l2a match"
import json, sys
hashes = json.load(open(sys.argv[2]))
bad = 0
for line in open(sys.argv[1]):
    off = json.loads(line)
    h = hashes.get(off["lead_id"]) or {}
    got = (h.get("decision"), h.get("account_id"), h.get("reason"),
           json.loads(h.get("candidates", "null")))
    want = (off["decision"], off["account_id"], off["reason"], off["candidates"])
    if got != want:
        bad += 1
        print("lead %s: daemon %r, offline %r" % (off["lead_id"], got[:3], want[:3]))
print("%d leads compared, %d differ" % (len(hashes), bad))
sys.exit(1 if bad or len(hashes) < 44 else 0)
EOF
stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
