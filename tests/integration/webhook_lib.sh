# shellcheck shell=bash disable=SC2034  # RECEIVER_URL, RECEIVER_PID: for the tests that source this
# tests/integration/webhook_lib.sh - helpers for the webhook tests on top of outcomes_lib.sh: a
# local receiver (webhook_receiver.py) started in the background, its log read back.
#
# Usage: start_receiver NAME [receiver options...]   # sets RECEIVER_PID, RECEIVER_URL; log in
#                                                    # $TEST_TMP/NAME.jsonl
. "$(dirname "$0")/outcomes_lib.sh"

RECEIVER=$SRC_DIR/tests/integration/webhook_receiver.py

_port_file_there() {
    [ -s "$1" ]
}

# start_receiver NAME [OPTIONS...]: the receiver on a free loopback port; RECEIVER_URL its address.
start_receiver() {
    local name=$1
    shift
    rm -f "$TEST_TMP/$name.port"
    python3 "$RECEIVER" "$TEST_TMP/$name.port" "$TEST_TMP/$name.jsonl" "$@" \
        >>"$TEST_TMP/$name.stderr" 2>&1 &
    RECEIVER_PID=$!
    track_pid "$RECEIVER_PID"
    wait_until 10 "the $name receiver to listen" _port_file_there "$TEST_TMP/$name.port"
    RECEIVER_URL="http://127.0.0.1:$(cat "$TEST_TMP/$name.port")/hook"
    touch "$TEST_TMP/$name.jsonl"
}

# received NAME STATUS: requests the receiver answered with STATUS so far.
received() {
    grep -c "\"status\": $2," "$TEST_TMP/$1.jsonl" || true
}
