#!/usr/bin/env bash
# The Debian package of the host side (tools/mkdeb), built into a temporary
# directory from build/tided, build/tidectl and build/tided-qemu: it holds
# each file it should (dpkg-deb -c), /etc/tided.conf as a conffile, and a
# Depends on the libxen packages; lintian finds no error in it (its E:
# lines fail the test, its W: lines are listed as comments); and the
# example config it installs is one tided accepts (tided -t), while a bad
# one is refused. Prints "ok - unit/NAME" or "not ok - unit/NAME" per
# check; run by tools/run-tests in the unit suite.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$here/tests/tools/verdict.sh"

for b in tided tidectl tided-qemu; do
	[[ -x $here/build/$b ]] || { echo "not ok - unit/deb_build # no build/$b (make build/$b)"; exit 1; }
done
deb=$tmp/tide-host_0.0.1-1_amd64.deb
if ! "$here/tools/mkdeb" 0.0.1-1 "$here/build" "$deb" > "$tmp/mkdeb.log" 2>&1; then
	sed 's/^/# /' "$tmp/mkdeb.log"
	echo "not ok - unit/deb_build # tools/mkdeb failed"
	exit 1
fi

problems=()
dpkg-deb -c "$deb" | awk '{ print $6 }' > "$tmp/list"
for f in ./usr/sbin/tided ./usr/sbin/tidectl ./usr/sbin/tided-qemu ./lib/systemd/system/tided.service \
	./etc/tided.conf ./usr/share/man/man8/tided.8.gz ./usr/share/man/man8/tidectl.8.gz \
	./usr/share/man/man8/tided-qemu.8.gz ./usr/share/man/man5/tided.conf.5.gz \
	./usr/share/doc/tide-host/copyright ./usr/share/doc/tide-host/changelog.Debian.gz; do
	grep -q -x -F -- "$f" "$tmp/list" || problems+=("no $f in the package")
done
dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./conffiles > "$tmp/conffiles" 2>/dev/null
grep -q -x /etc/tided.conf "$tmp/conffiles" || problems+=("/etc/tided.conf is not a conffile")
depends=$(dpkg-deb -f "$deb" Depends)
for p in libxenstore4 libxenmisc4.17 libc6; do
	[[ $depends == *"$p"* ]] || problems+=("Depends has no $p: $depends")
done
verdict deb_contents "${problems[@]}"

if command -v lintian > /dev/null; then
	lintian "$deb" > "$tmp/lintian" 2>&1
	grep '^W: ' "$tmp/lintian" | sed 's/^/# lintian: /'
	mapfile -t errors < <(grep '^E: ' "$tmp/lintian")
	verdict deb_lintian "${errors[@]}"
else
	verdict deb_lintian "no lintian (make deps installs it)"
fi

problems=()
dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./etc/tided.conf > "$tmp/tided.conf"
out=$("$here/build/tided" -t -c "$tmp/tided.conf" 2>&1) || problems+=("tided -t refuses the packaged /etc/tided.conf: $out")
printf 'reserve=64\npolicy=fast\n' > "$tmp/bad.conf"
rc=0
out=$("$here/build/tided" -t -c "$tmp/bad.conf" 2>&1) || rc=$?
[[ $rc == 2 && $out == *"line 2"* ]] || problems+=("tided -t on a bad file: exit $rc: $out")
verdict deb_example_config "${problems[@]}"
[[ $failed == 0 ]]
