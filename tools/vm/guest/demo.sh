#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: make run: the whole stack on a device of every type it drives
# devices: virtio-rng-pci,addr=0x4
# devices: netdev:user,id=n0,restrict=on
# devices: virtio-net-pci,addr=0x5,netdev=n0,romfile=,mac=52:54:00:12:34:56
# devices: img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
# devices: chardev:file:con chardev:socket:p1
# devices: virtio-serial-pci,addr=0x7,id=ser0,max_ports=2
# devices: virtconsole,bus=ser0.0,chardev=con,id=con0
# devices: virtserialport,bus=ser0.0,chardev=p1,id=p1,nr=1,name=org.vireo.demo
# devices: virtio-balloon-pci,addr=0x8,id=bal0
# timeout: 300
#
# Loads the stack next to one legacy device of each type vireo drives,
# shows what each became and that each works:
#
#   00:04.0 rng      the hwrng vireo_rng.0 gives random bytes;
#   00:05.0 net      an ethN on QEMU's user network (slirp, restrict=on:
#                    nothing leaves the VM) gets a DHCP lease from QEMU
#                    and pings the gateway 10.0.2.2, which slirp answers
#                    itself, so every packet crosses vireo_net's rings;
#   00:06.0 blk      the disk vblkN has the size QEMU gave it and reads
#                    back what was written;
#   00:07.0 console  a virtio-serial device with a virtconsole (an hvc
#                    terminal; its host end a file, which needs no
#                    reader) and the port org.vireo.demo
#                    (/dev/vportvireo<D>p1; its host end a socket the
#                    runner serves): a line each way;
#   00:08.0 balloon  inflated by 32 MiB through QMP and deflated again,
#                    the host's and the guest's counts agreeing.
#
# The host ends (the port's socket, the file, QMP) are driven through the
# runner's relay (tools/vm/chrhost.py), which tools/vm/demo.py runs in
# both of its modes.  Run by tools/vm/demo.py (make run), which then
# leaves a terminal user in a shell with the stack still loaded.

RNG_BDF=0000:00:04.0
NIC_BDF=0000:00:05.0
# lib.sh's defaults are those of the console and balloon tests (00:04.0).
CON_BDF=0000:00:07.0
BAL_BDF=0000:00:08.0
DEMO_PORT=org.vireo.demo
# Which driver each function must end up with.
DEMO_DRIVERS="$RNG_BDF=vireo_rng $NIC_BDF=vireo_net $BLK_BDF=vireo_blk
$CON_BDF=vireo_console $BAL_BDF=vireo_balloon"
DEMO_MODULES="$VIREO_MODULES vireo_blk vireo_net vireo_console vireo_balloon"
# What slirp hands out (QEMU's defaults for -netdev user).
SLIRP_GW=10.0.2.2
SLIRP_IP=10.0.2.15
BAL_MIB=32

say() {
	echo
	echo "==> $*"
}

# con_has TEXT: the host's file behind the virtconsole holds TEXT.
con_has() {
	console_file con "$1" >/dev/null
	[ "$(jval "$HOSTR" found)" = true ]
}

# bal_actual: query-balloon's actual in MiB (0 if QMP did not answer).
bal_actual() {
	_q=$(balloon_query)
	echo $((${_q:-0} / MIB))
}

# demo_bound: every function has its vireo device bound to a driver.
demo_bound() {
	for _e in $DEMO_DRIVERS; do
		_v=$(vireo_dev_of "${_e%=*}") || return 1
		[ -e "/sys/bus/vireo/devices/$_v/driver" ] || return 1
	done
}

# The back channel (ttyS1) carries the runner's answers to QMP and to
# port requests; the port's host end is open before the driver comes,
# so the guest finds it connected.
console_back_open
console_connect p1
# query-balloon answers before any driver: the VM's RAM, in MiB.
BAL_RAM=$(bal_actual)
check "query-balloon answers (${BAL_RAM} MiB of RAM)" test "$BAL_RAM" -gt 0

say "insmod $DEMO_MODULES"
# shellcheck disable=SC2086 # module names: split on purpose
load_stack $DEMO_MODULES || return 1
wait_for 15 demo_bound
for e in $DEMO_DRIVERS; do
	v=$(vireo_dev_of "${e%=*}")
	expect_eq "${e%=*} (${v:-no vireo device}) is bound to" \
		"$(vireo_driver_of "${v:-none}")" "${e#*=}"
done
say "lsmod"
lsmod | grep -E '^(Module|vireo)'
say "/sys/bus/vireo/devices/"
for d in /sys/bus/vireo/devices/*; do
	[ -e "$d" ] || continue
	n=$(basename "$d")
	echo "    $n -> $(readlink -f "$d")"
	echo "        driver   $(vireo_driver_of "$n")"
	for a in device vendor status features modalias; do
		echo "        $(printf '%-8s' $a) $(cat "$d/$a")"
	done
done
say "/proc/interrupts (vireo)"
grep vireo /proc/interrupts

say "rng: rng_available lists $(cat "$RNG_SYS/rng_available")"
rng_select vireo_rng.0 >/dev/null
echo "    rng_current: $(cat "$RNG_SYS/rng_current")"
echo "    head -c 64 /dev/hwrng | hexdump -C"
head -c 64 /dev/hwrng >/tmp/demo
hexdump -C /tmp/demo
expect_eq "bytes from vireo_rng.0" "$(wc -c </tmp/demo)" 64
check_not "the rng's data is not all zero" all_zero /tmp/demo

say "net: the NIC on $NIC_BDF"
if net_wait_if $NIC_BDF; then
	net_expect_driver "$NETIF"
	expect_eq "$NETIF MAC" "$(cat "/sys/class/net/$NETIF/address")" 52:54:00:12:34:56
	command -v ethtool >/dev/null && ethtool -i "$NETIF" | sed 's/^/    /'
	ip link set "$NETIF" up
	wait_for 10 net_has_carrier a "$NETIF"
	check "$NETIF is up with carrier" net_has_carrier a "$NETIF"
	ip link show "$NETIF" | sed 's/^/    /'
	# udhcpc configures nothing itself: its script does, and keeps the
	# lease for the checks below.  With restrict=on slirp offers no
	# router or DNS server, so no default route: the server's address
	# (serverid) is the gateway's.
	cat >/tmp/udhcpc.sh <<-'EOF'
	#!/bin/sh
	case $1 in
	bound|renew)
		ip addr add "$ip/${mask:-24}" dev "$interface"
		echo "$ip $serverid" >/tmp/lease ;;
	esac
	EOF
	chmod +x /tmp/udhcpc.sh
	echo "    udhcpc -i $NETIF (QEMU's DHCP server)"
	run_deadline 20 udhcpc -i "$NETIF" -n -q -t 5 -T 1 -s /tmp/udhcpc.sh 2>&1 |
		sed 's/^/    /'
	expect_eq "DHCP lease on $NETIF (address, server)" "$(cat /tmp/lease 2>/dev/null)" \
		"$SLIRP_IP $SLIRP_GW"
	ip addr show "$NETIF" | sed 's/^/    /'
	tx0=$(cat "/sys/class/net/$NETIF/statistics/tx_packets")
	rx0=$(cat "/sys/class/net/$NETIF/statistics/rx_packets")
	echo "    ping -c 3 $SLIRP_GW"
	ping -c 3 -W 2 $SLIRP_GW >/tmp/ping 2>&1
	p=$?
	sed 's/^/    /' /tmp/ping
	expect_eq "ping the gateway $SLIRP_GW (exit status)" $p 0
	tx1=$(cat "/sys/class/net/$NETIF/statistics/tx_packets")
	rx1=$(cat "/sys/class/net/$NETIF/statistics/rx_packets")
	echo "    $NETIF: tx_packets $tx0 -> $tx1, rx_packets $rx0 -> $rx1"
	check "$NETIF received the replies" test $((rx1 - rx0)) -ge 3
fi

if blk_wait_disk $BLK_BDF; then
	bytes=$(blk_bytes "$DISK")
	say "disk: /dev/$DISK, $((bytes / MIB)) MiB, on $(blk_vdev "$DISK")"
	expect_eq "$DISK size" "$bytes" $((64 * MIB))
	echo "    writing 1 MiB of random data at 1 MiB and reading it back"
	head -c $MIB /dev/urandom >/tmp/w
	check "write to /dev/$DISK" dd if=/tmp/w of=/dev/$DISK bs=64k seek=16 conv=fsync
	check "read from /dev/$DISK" dd if=/dev/$DISK of=/tmp/r bs=64k skip=16 count=16 iflag=direct
	check "what was read is what was written" cmp /tmp/w /tmp/r
fi

# port_roundtrip (fd 3: the port, open): a line to the host end and one
# back.  The guest holds the port open before the host sends: data that
# arrives while no one has it open is dropped, as virtio_console does.
port_roundtrip() {
	_g2h="hello host, this is $PORT"
	echo "    echo '$_g2h' >$PORT"
	echo "$_g2h" >&3
	console_expect p1 "$_g2h" 10
	check "the host end of $DEMO_PORT received the guest's line" \
		test "$(jval "$HOSTR" found)" = true
	_h2g="hello $PORT, this is the host"
	console_text p1 "$_h2g\n"
	_l=$(backline 10 <&3)
	echo "    read <$PORT: $_l"
	expect_eq "the guest read the host's line from $PORT" "$_l" "$_h2g"
}

say "console: virtio-serial on $CON_BDF"
if console_wait_port $DEMO_PORT; then
	ls -l /dev/vportvireo* | sed 's/^/    /'
	for p in /sys/class/vireo-ports/*; do
		echo "    ${p#/sys/class/}: name '$(cat "$p/name" 2>/dev/null)'" \
			"console $(cat "$p/console")"
	done
	port_roundtrip 3<>"$PORT"
fi
wait_for 5 console_hvc
HVC=$(console_hvc)
check "the virtconsole has an hvc terminal (${HVC:-none})" test -n "$HVC"
if [ -n "$HVC" ]; then
	line="hello from $HVC, $(uname -r)"
	echo "    echo '$line' >$HVC"
	echo "$line" >"$HVC"
	wait_for 5 con_has "$line"
	check "the line reached the virtconsole's file on the host" con_has "$line"
fi

say "balloon: on $BAL_BDF"
BVDEV=$(balloon_vdev_of $BAL_BDF)
if balloon_bound; then
	echo "    $BVDEV, QEMU negotiated: $(balloon_negotiated | tr '\n' ' ')"
	echo "    MemTotal $(bal_mem_kb MemTotal) kB; query-balloon actual $(bal_actual) MiB"
	expect_eq "the balloon starts empty (vireo_balloon's num_pages)" \
		"$(balloon_counter num_pages)" 0
	want=$((BAL_RAM - BAL_MIB))
	echo "    QMP balloon $want MiB (inflate by $BAL_MIB MiB)"
	balloon_set $want
	balloon_expect $want 30 "inflate by $BAL_MIB MiB"
	echo "    MemTotal $(bal_mem_kb MemTotal) kB; query-balloon actual $(bal_actual) MiB"
	sed 's/^/    /' "/sys/kernel/debug/vireo_balloon/$BVDEV/counters" | head -n 8
	echo "    QMP balloon $BAL_RAM MiB (deflate)"
	balloon_set "$BAL_RAM"
	balloon_expect "$BAL_RAM" 30 "deflate to the whole $BAL_RAM MiB"
	echo "    MemTotal $(bal_mem_kb MemTotal) kB; query-balloon actual $(bal_actual) MiB"
fi

echo
echo "The stack stays loaded; try: cat /sys/block/$DISK/size," \
	"head -c 16 /dev/hwrng | hexdump, ping $SLIRP_GW, ls /dev/vportvireo*"
