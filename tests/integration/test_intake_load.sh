#!/usr/bin/env bash
# tests/integration/test_intake_load.sh - 20,000 leads POSTed to /v1/leads by 20 concurrent
# clients (keep-alive connections; single leads and arrays of 1 to 100 mixed) while l2ad consumes:
# every request answered 202, 20,000 distinct stream ids, XLEN 20,000, and every lead recorded
# exactly once (20,000 result hashes, each naming its entry; nothing pending). Prints the rate.
. "$(dirname "$0")/daemon_lib.sh"

CLIENTS=${L2A_INTAKE_CLIENTS:-20}
PER_CLIENT=${L2A_INTAKE_PER_CLIENT:-1000}
TOTAL=$((CLIENTS * PER_CLIENT))

start_redis
PORT=$(free_port)
WPORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
echo "load-token" >"$TEST_TMP/tokens"
daemon_config "$CFG" "$PORT" "web:" "  listen: \"127.0.0.1:$WPORT\"" \
    "  tokens_file: \"$TEST_TMP/tokens\""
setup_accounts 300 10 11
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"

# The clients: each sends its leads in requests of 1, 7, 100, 1, 30 ... leads (cycling), on one
# keep-alive connection, and writes every stream id it was given to ids.txt.
python3 - "$WPORT" "$CLIENTS" "$PER_CLIENT" "$TEST_TMP/ids.txt" <<'EOF' || fail "intake clients"
import http.client, json, sys, threading, time

port, clients, per_client, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
SIZES = [1, 7, 100, 1, 30, 1, 64]
ids, errors, lock = [], [], threading.Lock()

def lead(c, i):
    return {"id": "LD%02d-%05d" % (c, i), "email": "p%d@firm%d.example.com" % (i, i % 97),
            "company": "Firm %d" % (i % 97), "first_name": "P%d" % i, "score": i % 100}

def client(c):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i, k, mine = 0, 0, []
    while i < per_client:
        n = min(SIZES[k % len(SIZES)], per_client - i)
        k += 1
        batch = [lead(c, j) for j in range(i, i + n)]
        body = json.dumps(batch[0] if n == 1 and k % 2 else batch)
        conn.request("POST", "/v1/leads", body, {"Authorization": "Bearer load-token",
                                                 "Content-Type": "application/json"})
        r = conn.getresponse()
        answer = r.read()
        if r.status != 202:
            with lock:
                errors.append("client %d: %d %s" % (c, r.status, answer[:200]))
            return
        a = json.loads(answer)
        if a["accepted"] != n or len(a["ids"]) != n:
            with lock:
                errors.append("client %d: %s for %d leads" % (c, answer[:200], n))
            return
        mine += a["ids"]
        i += n
    conn.close()
    with lock:
        ids.extend(mine)

t0 = time.monotonic()
threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
secs = time.monotonic() - t0
with open(out, "w") as f:
    f.write("\n".join(ids) + "\n")
if errors:
    sys.exit("; ".join(errors[:5]))
print("intake: %d leads from %d clients accepted in %.2f s (%.0f leads/s)"
      % (len(ids), clients, secs, len(ids) / secs))
EOF

assert_eq "$(wc -l <"$TEST_TMP/ids.txt")" "$TOTAL" "stream ids answered"
assert_eq "$(sort -u "$TEST_TMP/ids.txt" | wc -l)" "$TOTAL" "distinct stream ids answered"
assert_eq "$(rcli xlen "${L2A_PREFIX}leads")" "$TOTAL" "entries in the input stream"
wait_drained 120 "$TOTAL leads from the intake"
assert_recorded_once "$TOTAL" 0
assert_eq "$(metric "$PORT" l2a_intake_leads_total)" "$TOTAL" "l2a_intake_leads_total"
stop_daemon "$PID" l2ad
echo "PASS [$TEST_NAME]"
