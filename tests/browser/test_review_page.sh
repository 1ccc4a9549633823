#!/usr/bin/env bash
# tests/browser/test_review_page.sh - the review page in a real browser (Debian's chromium through
# chromium-driver and python3-selenium): Redis, l2ad and alerts as in tests/integration/web_lib.sh,
# then review_page.py drives the browser (screenshots in BUILD_DIR/browser-shots/). Exit 77 (skip)
# when chromium, chromedriver or selenium is missing, unless L2A_REQUIRE_BROWSER=1 (scripts/test,
# which installs them first): then a missing one fails the test instead of hiding it.
set -euo pipefail
. "$(dirname "$0")/../integration/web_lib.sh"

missing() {
    echo "no $1 (scripts/deps installs it)"
    [ "${L2A_REQUIRE_BROWSER:-0}" = 1 ] && exit 1
    exit 77
}
for tool in chromium chromedriver; do
    command -v "$tool" >/dev/null || missing "$tool"
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || missing python3-selenium

web_start '{"id":"B1","email":"bob@acme.com","first_name":"Bob","last_name":"Stone","title":"VP Sales"}' \
    '{"id":"B2","email":"kim@acme.com","first_name":"Kim"}' \
    '{"id":"B3","email":"eve@evil.io","company":"<script>alert(1)</script>"}'
# B1 is the oldest alert, 5 hours old (overdue against the 1h SLA), whatever the order the
# daemon wrote them in
old=$(($(now_ms) - 5 * 3600 * 1000))
rcli zadd "${P}review:open" "$old" B1 >/dev/null
rcli hset "${P}alert:B1" created_ms "$old" >/dev/null

SHOTS=$BUILD_DIR/browser-shots
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
L2A_WEB=$WEB L2A_USER=alice L2A_PASSWORD=$PASSWORD L2A_REDIS_CLI="redis-cli -u $REDIS_URL" \
    L2A_PREFIX_KEYS=$P L2A_SHOTS=$SHOTS \
    /usr/bin/python3 "$SRC_DIR/tests/browser/review_page.py" || fail "review_page.py"
# what the browser did, as Redis holds it
account=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["account"])' \
    "$SHOTS/result.json")
second=$(rcli hget "${P}alert:B1" candidates | /usr/bin/python3 -c 'import json, sys
print(json.load(sys.stdin)[1]["account_id"])')
assert_eq "$account" "$second" "the browser linked B1 to its second candidate"
assert_eq "$(rcli hget "${P}alert:B1" status)" resolved "B1 resolved"
assert_eq "$(rcli hget "${P}alert:B1" resolved_by)" alice "B1 resolved by alice"
assert_eq "$(rcli hget "${P}alert:B1" note)" "second candidate, from the browser test" "B1's note"
contact=$(rcli hget "${P}lead:B1" contact_id)
[ -n "$contact" ] || fail "B1 has no contact"
assert_eq "$(rcli hget "${P}contact:$contact" account_id)" "$account" "B1's contact's account"
assert_eq "$(rcli hget "${P}contact:$contact" email)" bob@acme.com "B1's contact's email"
assert_eq "$(rcli hget "${P}alert:B2" status)" open "the forged POST changed nothing"
for s in 01-login 02-wrong-password 03-list 04-alert 05-after-link 06-forged-post \
    07-no-javascript-filter; do
    [ -s "$SHOTS/$s.png" ] || fail "no screenshot $s.png"
done
stop_daemon "$PID" d
echo "ok: review page in chromium (screenshots in $SHOTS)"
