#!/usr/bin/env bash
# test_systemd_unit.sh BUILD_DIR - systemd/l2ad.service passes `systemd-analyze verify` without a
# warning about the unit and `systemd-analyze security --offline` rates its exposure <= 2.0.
set -euo pipefail

build=${1:?usage: test_systemd_unit.sh BUILD_DIR}
src=${L2A_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
unit_src=$src/systemd/l2ad.service
max_exposure=2.0

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# scripts/deps installs systemd: a missing systemd-analyze is a failure, not a skip.
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (install the systemd package: scripts/deps)"
[ -f "$unit_src" ] || fail "$unit_src not found"

# verify checks that ExecStart's binary exists: point it at one from this build.
bin=$build/l2ad
[ -x "$bin" ] || bin=$build/l2a
[ -x "$bin" ] || fail "neither $build/l2ad nor $build/l2a is built"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

unit=$tmp/l2ad.service
grep -q '^ExecStart=/usr/local/bin/l2ad --config /etc/l2a/l2a.yaml$' "$unit_src" ||
    fail "ExecStart is not the documented /usr/local/bin/l2ad --config /etc/l2a/l2a.yaml"
sed "s|^ExecStart=/usr/local/bin/l2ad |ExecStart=$bin |" "$unit_src" >"$unit"

# --- verify: exit status 0 and no line about the unit (warnings about the container's own
# units, e.g. missing /proc files, are left out: only lines naming our unit count). ---
set +e
(cd "$tmp" && systemd-analyze verify "$unit") >"$tmp/verify.out" 2>&1
rc=$?
set -e
cat "$tmp/verify.out"
[ "$rc" -eq 0 ] || fail "systemd-analyze verify exited $rc"
if grep -E 'l2ad\.service|l2ad-test|'"$(basename "$bin")"'' "$tmp/verify.out" >"$tmp/about-unit.out"; then
    cat "$tmp/about-unit.out" >&2
    fail "systemd-analyze verify warns about the unit"
fi
echo "ok: systemd-analyze verify"

# --- security: the overall exposure level (0.0 best .. 10.0 worst). ---
set +e
(cd "$tmp" && systemd-analyze security --offline=true --threshold=20 "$unit") >"$tmp/security.out" 2>&1
rc=$?
set -e
grep -v '^✓' "$tmp/security.out" || true
level=$(sed -n 's/.*Overall exposure level for l2ad\.service: \([0-9][0-9.]*\).*/\1/p' "$tmp/security.out")
[ -n "$level" ] || fail "no 'Overall exposure level' in systemd-analyze security output (exit $rc)"
# --threshold=20 is 2.0 on systemd's 0..100 scale: a non-zero exit means the level is above it.
[ "$rc" -eq 0 ] || fail "exposure level $level > $max_exposure (systemd-analyze security exited $rc)"
awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l + 0 <= m + 0) }' ||
    fail "exposure level $level > $max_exposure"
echo "ok: exposure level $level <= $max_exposure"

# --- directives the operations guide relies on are present. ---
for d in 'Type=notify' 'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' 'WatchdogSec=30s' \
         'DynamicUser=yes' 'ProtectSystem=strict' 'MemoryDenyWriteExecute=yes' \
         'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'SystemCallFilter=@system-service' \
         'CapabilityBoundingSet=' 'UMask=0077'; do
    grep -qxF "$d" "$unit_src" || fail "missing directive: $d"
done
# Every directive in [Service] is explained by a comment line right above it or above its group.
awk '/^\[Service\]/ { s = 1; next } /^\[/ { s = 0 }
     s && /^[A-Za-z]/ && prev !~ /^#/ && prev !~ /^[A-Za-z]/ { print "uncommented: " $0; bad = 1 }
     { prev = $0 } END { exit bad }' "$unit_src" || fail "a directive has no comment"
echo "PASS"
