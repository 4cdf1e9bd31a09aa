# Smoke test for tools/xlrun (run by hand, not part of make check):
#   make && tools/xlrun tools/xlrun-smoke.sh build/tide-demo.elf
# Creates a PV domU from a Tide image, shows it in xl list, destroys it and
# exits 3 so the runner's status passing can be seen (expect exit status 3).
ms() { read -r u _ < /proc/uptime; echo "${u%.*}${u#*.}0"; }	# ms since dom0 boot
t=$(ms); xl info | grep -E '^(xen_version|total_memory|free_memory|xen_commandline)'
echo "smoke: xl info took $(( $(ms) - t )) ms"
xl list

cat > demo.cfg <<'CFG'
name = "demo"
type = "pv"
kernel = "build/tide-demo.elf"
memory = 32
maxmem = 64
on_crash = "preserve"
CFG

t=$(ms)
xl create -p demo.cfg || exit 1
echo "smoke: xl create -p took $(( $(ms) - t )) ms"
xl mem-max demo 64m
xl unpause demo
echo "smoke: create + mem-max + unpause took $(( $(ms) - t )) ms"
sleep 1
xl list
t=$(ms)
xl destroy demo || echo "smoke: demo was already gone"
echo "smoke: xl destroy took $(( $(ms) - t )) ms"
xl list
exit 3
