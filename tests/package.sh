#!/usr/bin/env bash
# tests/package.sh - the .deb as built by CPack from this build: its files where Debian expects
# them, the unit's and the config's paths pointing at installed files, conffiles and the l2a
# system user's postinst, unpacked into a scratch root whose l2a accepts the installed config;
# lintian finds nothing. Usage: package.sh BUILD_DIR (skipped unless a release build into /usr).
set -euo pipefail
build=$1
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
if [ "$prefix" != /usr ] || grep -q '^L2A_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "package: $build is not a release build into /usr: skipped" >&2
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL [package]: $*" >&2; exit 1; }

cmake --build "$build" --target man changelog >/dev/null
(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >/dev/null)
deb=$(ls "$tmp"/out/l2a_*.deb)
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/l2a ./usr/sbin/l2ad ./etc/l2a/l2a.yaml ./lib/systemd/system/l2ad.service \
    ./usr/share/l2a/freemail-domains.txt ./usr/share/l2a/disposable-email-domains.txt \
    ./usr/share/l2a/legal-forms.tsv ./usr/share/man/man1/l2a.1.gz ./usr/share/man/man8/l2ad.8.gz \
    ./usr/share/man/man5/l2a.yaml.5.gz ./usr/share/doc/l2a/copyright ./usr/share/doc/l2a/changelog.gz; do
    grep -qx -- "$f" <<<"$files" || fail "$f missing from the package"
done
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/l2a/l2a.yaml "$tmp/control/conffiles" || fail "the config is not a conffile"
grep -q 'adduser --system .* l2a' "$tmp/control/postinst" || fail "postinst makes no l2a user"
grep -q '^Depends:.*libhiredis0.14' "$tmp/control/control" || fail "no shared-library dependencies"

root=$tmp/root
dpkg-deb -x "$deb" "$root"
unit=$root/lib/systemd/system/l2ad.service
grep -qx 'ExecStart=/usr/sbin/l2ad --config /etc/l2a/l2a.yaml' "$unit" || fail "unit ExecStart"
grep -qx 'User=l2a' "$unit" || fail "the unit does not run as l2a"
lists=$(sed -nE 's/^  (freemail|disposable|legal_forms): (\/.*)$/\2/p' "$root/etc/l2a/l2a.yaml")
[ "$(wc -w <<<"$lists")" -eq 3 ] || fail "the installed config names $(wc -w <<<"$lists") list files"
for list in $lists; do
    [ -s "$root$list" ] || fail "the installed config names $list, which the package lacks"
done
sed "s|: /usr/share/l2a/|: $root/usr/share/l2a/|" "$root/etc/l2a/l2a.yaml" >"$tmp/l2a.yaml"
"$root/usr/bin/l2a" check-config "$tmp/l2a.yaml" >/dev/null || fail "the installed config"
"$root/usr/sbin/l2ad" --version | grep -q '^l2ad ' || fail "l2ad --version"
zcat "$root/usr/share/man/man8/l2ad.8.gz" | grep -q '^\.TH "l2ad" "8"' || fail "l2ad(8) page"
if command -v lintian >/dev/null; then
    lintian --tag-display-limit 0 --fail-on error,warning "$deb" || fail "lintian"
fi
echo "ok [package]"
