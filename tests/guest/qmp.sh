# QMP for the qemu suite's checks: sourced by tests/guest/qemu_balloon*.sh,
# which set here, log, name and port. QEMU listens on a TCP port of this
# machine (bash's /dev/tcp speaks to it; no other tool is needed).

# fail WHY: the test's "not ok" line, and its QEMU stopped
fail() { echo "not ok - $name # $1; log: ${log#$here/}"; pkill -f "tcp:127.0.0.1:$port,"; exit 0; }

# qmp_connect: fd 3 to QEMU's QMP (up to 10 s for it to listen), in command mode
qmp_connect() {
	for _ in $(seq 50); do { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && break; sleep 0.2; done
	{ true >&3; } 2>/dev/null || fail "no QMP on port $port"
	read -r -t 10 _ <&3 || fail "no QMP greeting"
	qmp '{"execute":"qmp_capabilities"}' > /dev/null || fail "QMP did not answer"
}

# qmp JSON: send a command, print its reply (events in between are skipped)
qmp() {
	local line
	echo "$1" >&3
	while read -r -t 10 line <&3; do
		case $line in *'"return"'* | *'"error"'*) echo "$line"; return 0 ;; esac
	done
	return 1
}

# balloon MIB: the guest's target, as QEMU counts it (all of its memory)
balloon() { qmp "{\"execute\":\"balloon\",\"arguments\":{\"value\":$(($1 * 1048576))}}" > /dev/null; }
# actual: what QEMU says the guest holds, in bytes
actual() { qmp '{"execute":"query-balloon"}' | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p'; }
# wait_actual BYTES: until QEMU says the guest holds BYTES, up to 20 s
wait_actual() {
	for _ in $(seq 100); do [[ $(actual) == "$1" ]] && return 0; sleep 0.2; done
	return 1
}
# wait_actual_above BYTES: until QEMU says the guest holds more than BYTES, up
# to 20 s (the guest writes actual from its follower thread, which may run a
# moment after the allocation that grew it)
wait_actual_above() {
	local now
	for _ in $(seq 100); do now=$(actual); [[ -n $now && $now -gt $1 ]] && return 0; sleep 0.2; done
	return 1
}
# guest_says REGEX SECONDS: until the guest's console has a line matching REGEX
guest_says() {
	for _ in $(seq $(($2 * 5))); do grep -a -q "$1" "$log" && return 0; sleep 0.2; done
	return 1
}
# holding: the guest's last word on the frames it holds
holding() { tr -d '\0' < "$log" | sed -n 's/^holding \([0-9]*\) frames$/\1/p' | tail -n 1; }

# mem_request MIB: virtio-mem vm0's requested size
mem_request() { qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"vm0\",\"property\":\"requested-size\",\"value\":$(($1 * 1048576))}}" | grep -q '"return"'; }
# mem_size: what QEMU says vm0 has plugged, in bytes
mem_size() { qmp '{"execute":"qom-get","arguments":{"path":"vm0","property":"size"}}' | sed -n 's/.*"return": *\([0-9]*\).*/\1/p'; }
# wait_mem_size BYTES SECONDS: until vm0 has BYTES plugged
wait_mem_size() {
	for _ in $(seq $(($2 * 5))); do [[ $(mem_size) == "$1" ]] && return 0; sleep 0.2; done
	return 1
}
# held: the frames the guest said it holds last
held() { tr -d '\0' < "$log" | sed -n 's/^holding \([0-9]*\) frames$/\1/p' | tail -n 1; }
# wait_held FRAMES SECONDS: until the guest says it holds FRAMES
wait_held() {
	for _ in $(seq $(($2 * 5))); do [[ $(held) == "$1" ]] && return 0; sleep 0.2; done
	return 1
}
