#!/usr/bin/env bash
# tests/integration/test_cluster_hashtag.sh - the sharding plan of docs/scaling.md on a real Redis
# Cluster (one node holding every slot, cluster-enabled): two tenants, each with a hash tag in its
# key prefix (l2a:{acme}:, l2a:{globex}:), each with its own l2ad (create_account, opportunities:
# every record Function writes result, contact, account, opportunity and events). A Cluster node
# refuses a command or Function call whose keys span slots (CROSSSLOT, "non local key"), so a run
# with no dead letter and every lead recorded shows that every call stayed in its tenant's slot;
# then every key of each tenant is checked to be in that tenant's slot, and no key outside them.
. "$(dirname "$0")/daemon_lib.sh"

[ -z "${L2A_TEST_REDIS_URL:-}" ] || { echo "SKIP [$TEST_NAME]: needs a server of its own" >&2; exit 77; }
REDIS_ARGS=(--cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000)
start_redis
rcli cluster addslotsrange 0 16383 >/dev/null
_cluster_ok() { rcli cluster info | tr -d '\r' | grep -qx 'cluster_state:ok'; }
wait_until 10 "cluster_state:ok" _cluster_ok

N=1500
declare -A SLOT PID
i=0
for tenant in acme globex; do
    i=$((i + 1))
    L2A_PREFIX="l2a:{$tenant}:"
    gen_data "$TEST_TMP/$tenant" 200 "$N" "$((30 + i))"
    write_config "$TEST_TMP/$tenant-tools.yaml"
    "$L2A" import-accounts --config "$TEST_TMP/$tenant-tools.yaml" "$TEST_TMP/$tenant/accounts.csv" \
        >/dev/null || fail "import-accounts for $tenant"
    port=$(free_port)
    daemon_config "$TEST_TMP/$tenant.yaml" "$port" "no_match:" "  policy: create_account" \
        "opportunities:" "  enabled: true" "daemon:" "  consumer: \"$tenant-1\""
    start_daemon "$tenant" "$TEST_TMP/$tenant.yaml"
    PID[$tenant]=$DAEMON_PID
    wait_ready "$port"
    "$L2A" push --config "$TEST_TMP/$tenant-tools.yaml" "$TEST_TMP/$tenant/leads.jsonl" >/dev/null ||
        fail "push for $tenant"
    SLOT[$tenant]=$(rcli cluster keyslot "l2a:{$tenant}:leads")
done
[ "${SLOT[acme]}" != "${SLOT[globex]}" ] || fail "both tenants hash to slot ${SLOT[acme]}"

for tenant in acme globex; do
    L2A_PREFIX="l2a:{$tenant}:"
    wait_group_idle 60
    assert_eq "$(result_stats)" "$N 0" "$tenant: result hashes (and hashes naming no entry)"
    assert_eq "$(dead_count)" 0 "$tenant: dead letters (a CROSSSLOT refusal would be one)"
    [ "$(rcli xlen "${L2A_PREFIX}events")" -ge "$N" ] || fail "$tenant: fewer events than leads"
done
# every key of the database, its slot (quoted for redis-cli, which reads one command a line)
rcli --scan >"$TEST_TMP/keys"
sed 's/^/CLUSTER KEYSLOT "/; s/$/"/' "$TEST_TMP/keys" | rcli >"$TEST_TMP/slots"
paste "$TEST_TMP/keys" "$TEST_TMP/slots" | awk -F'\t' -v a="${SLOT[acme]}" -v g="${SLOT[globex]}" '
    index($1, "l2a:{acme}:") == 1 && $2 == a { next }
    index($1, "l2a:{globex}:") == 1 && $2 == g { next }
    { print }' >"$TEST_TMP/stray"
[ ! -s "$TEST_TMP/stray" ] || fail "keys outside their tenant's slot: $(head -n 3 "$TEST_TMP/stray" | tr '\n' ' ')"
echo "$(wc -l <"$TEST_TMP/keys") keys, tenant slots acme=${SLOT[acme]} globex=${SLOT[globex]}" >&2
stop_daemon "${PID[acme]}" acme
stop_daemon "${PID[globex]}" globex
echo "ok [$TEST_NAME]"
