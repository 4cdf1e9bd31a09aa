#!/usr/bin/env bash
# make install, and an application built outside the tree on what it
# installed (the README's "Writing an application" recipe): install into a
# temporary DESTDIR and PREFIX, copy examples/hello to a directory outside
# the tree and build it there for each platform with its own three-line
# Makefile. Also: the install holds the public headers and nothing else, a
# private header cannot be reached from outside, and a wrong platform is
# refused by name. The PV image boots as a dom0 of Xen and the direct one
# by QEMU alone. Needs `make all` first (make check does it).
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/opt/tide-test dest=$tmp/dest
tide=$dest$prefix

. "$here/tests/tools/verdict.sh"

problems=()
make -s -C "$here" install PREFIX=$prefix DESTDIR="$dest" > "$tmp/install.log" 2>&1 ||
	problems+=("make install failed: $(tail -n 3 "$tmp/install.log" | tr '\n' ' ')")
for f in lib/libtide.a lib/libtide-pvh.a lib/libtide-direct.a share/tide/app.mk share/tide/flags.mk \
	lib/pkgconfig/tide-pv.pc lib/pkgconfig/tide-pvh.pc lib/pkgconfig/tide-direct.pc \
	share/tide/tide-pv.ld share/tide/tide-pvh.ld sbin/tided sbin/tidectl share/man/man8/tided.8 \
	share/man/man5/tided.conf.5 lib/systemd/system/tided.service; do
	[[ -f $tide/$f ]] || problems+=("make install did not install $prefix/$f under DESTDIR")
done
[[ ! -e $prefix ]] || problems+=("make install wrote outside DESTDIR: $prefix exists")
verdict install_files "${problems[@]}"

problems=()
want=$(cd "$here/include/tide" && ls *.h)
have=$(cd "$tide/include/tide" 2>/dev/null && ls *.h)
[[ $want == "$have" ]] || problems+=("installed headers differ from include/tide/:" "$(diff <(echo "$want") <(echo "$have") | tr '\n' ' ')")
for h in "$here"/kernel/include/tide/*.h; do
	[[ ! -e $tide/include/tide/$(basename "$h") ]] || problems+=("a private header is installed: $(basename "$h")")
done
# every public header compiles on its own with the application's flags, and includes only public ones
for h in "$tide"/include/tide/*.h; do
	echo "#include <tide/$(basename "$h")>" > "$tmp/one.c"
	gcc -std=gnu11 -ffreestanding -Wall -Wextra -Werror -I"$tide/include" -c "$tmp/one.c" -o "$tmp/one.o" 2> "$tmp/one.err" ||
		problems+=("tide/$(basename "$h") does not compile alone: $(head -n 2 "$tmp/one.err" | tr '\n' ' ')")
done
echo '#include <tide/frame.h>' > "$tmp/private.c"
gcc -std=gnu11 -ffreestanding -I"$tide/include" -c "$tmp/private.c" -o "$tmp/private.o" 2>/dev/null &&
	problems+=("<tide/frame.h> (private) compiles against the install")
verdict install_public_headers_only "${problems[@]}"

for platform in pv pvh direct; do
	problems=()
	app=$tmp/app-$platform
	cp -r "$here/examples/hello" "$app"
	if ! make -s -C "$app" TIDE="$tide" TIDE_PLATFORM=$platform > "$tmp/app.log" 2>&1; then
		problems+=("hello did not build: $(tail -n 3 "$tmp/app.log" | tr '\n' ' ')")
	elif ! readelf -n "$app/hello.elf" > "$tmp/notes" 2>&1; then
		problems+=("hello.elf is not an ELF file")
	else
		# what each boot path reads: Xen's PV notes (GUEST_OS, type 6), or the PVH entry note
		# (PHYS32_ENTRY, type 18, which QEMU's -kernel reads too) that a PV image has not
		pvh_note=0
		grep -q 'note type: (0x00000012)' "$tmp/notes" && pvh_note=1
		grep -q 'note type: (0x00000006)' "$tmp/notes" || problems+=("no Xen GUEST_OS note")
		case $platform in
		pv) [[ $pvh_note == 0 ]] || problems+=("a PV image with a PVH entry note") ;;
		*) [[ $pvh_note == 1 ]] || problems+=("no PVH entry note") ;;
		esac
	fi
	# and it runs: PV as a dom0 of Xen (tools/xenrun), direct by QEMU alone (tools/qemurun); PV and PVH
	# under xl are the domu suite's (domu/hello_shrinks_below_used)
	runner=()
	case $platform in
	pv) runner=("$here/tools/xenrun" --mem 64 --max 512) ;;
	direct) runner=("$here/tools/qemurun" --mem 128) ;;
	esac
	if [[ ${#problems[@]} == 0 && ${#runner[@]} -gt 0 ]]; then
		"${runner[@]}" --quiet --log "$tmp/boot.log" "$app/hello.elf" run_s=2 cache_mib=4 > /dev/null 2>&1
		rc=$?
		[[ $rc == 0 ]] || problems+=("hello exited $rc: $(tr -d '\r' < "$tmp/boot.log" | tail -n 3 | tr '\n' ' ')")
		for line in "hello from Tide" "hello: holds .*cache 4 MiB" "hello: goodbye"; do
			grep -a -q -e "$line" "$tmp/boot.log" || problems+=("hello never printed /$line/")
		done
	fi
	verdict "app_outside_tree_$platform" "${problems[@]}"
done

# The same application built without make, by the pkg-config file (the prefix moved to where DESTDIR put it)
problems=()
pc() { PKG_CONFIG_PATH=$tide/lib/pkgconfig pkg-config --define-variable=prefix="$tide" "$@"; }
if ! pc --exists tide-pv tide-pvh tide-direct; then
	problems+=("pkg-config finds no tide-pv, tide-pvh or tide-direct in $prefix/lib/pkgconfig")
else
	# shellcheck disable=SC2046 # the flags are words
	gcc $(pc --cflags tide-pv) -c "$here/examples/hello/main.c" -o "$tmp/pc-main.o" 2> "$tmp/pc.err" &&
		gcc -o "$tmp/pc-hello.elf" "$tmp/pc-main.o" $(pc --libs tide-pv) 2>> "$tmp/pc.err" ||
		problems+=("hello did not build by pkg-config: $(head -n 3 "$tmp/pc.err" | tr '\n' ' ')")
	if [[ ${#problems[@]} == 0 ]]; then
		"$here/tools/xenrun" --mem 64 --max 512 --quiet --log "$tmp/pc-boot.log" "$tmp/pc-hello.elf" run_s=1 \
			cache_mib=4 > /dev/null 2>&1 || problems+=("the pkg-config build of hello exited $?")
		grep -a -q "hello: goodbye" "$tmp/pc-boot.log" || problems+=("the pkg-config build of hello never said goodbye")
	fi
fi
verdict app_by_pkg_config "${problems[@]}"

problems=()
cp -r "$here/examples/hello" "$tmp/app-bad"
if make -s -C "$tmp/app-bad" TIDE="$tide" TIDE_PLATFORM=arm > "$tmp/bad.log" 2>&1; then
	problems+=("TIDE_PLATFORM=arm built")
elif ! grep -q 'TIDE_PLATFORM=arm: Tide builds for pv, pvh or direct' "$tmp/bad.log"; then
	problems+=("TIDE_PLATFORM=arm refused without saying why: $(tail -n 2 "$tmp/bad.log" | tr '\n' ' ')")
fi
verdict app_unknown_platform_refused "${problems[@]}"
[[ $failed == 0 ]]
