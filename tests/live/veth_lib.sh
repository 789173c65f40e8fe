# Shared by the live tests (sourced, bash): a veth pair between two fresh
# network namespaces, the sensor end with no address (IPv6 off, no offloads),
# like a SPAN port; sensor start and bounded waits. Callers set a trap that
# calls veth_cleanup.

# live_scratch PREFIX: a scratch directory in $work and the usual exit trap
# (the sensor killed, the veth pair removed, the directory deleted). Scripts
# that clean up more set their own trap instead.
live_scratch() {
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    sensor_pid=""
    trap 'kill_sensor; veth_cleanup; rm -rf "$work"' EXIT
}

# veth_setup TAG: sets ns_tx, ns_sn (namespaces) and if_tx, if_sn (ends).
veth_setup() {
    local tag=$1
    ns_tx=swlive-tx-$tag
    ns_sn=swlive-sn-$tag
    if_tx=swtx$tag
    if_sn=swsn$tag
    ip netns add "$ns_tx" || { echo "SKIP: cannot create network namespaces"; exit 77; }
    ip netns add "$ns_sn"
    for ns in "$ns_tx" "$ns_sn"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    ip link add "$if_tx" netns "$ns_tx" type veth peer name "$if_sn" netns "$ns_sn"
    local pair
    for pair in "$ns_tx $if_tx" "$ns_sn $if_sn"; do
        set -- $pair
        ip -n "$1" link set "$2" mtu 9000 up
        # No offloads: the sensor must see the frames as they were sent.
        ip netns exec "$1" ethtool -K "$2" gro off gso off tso off >/dev/null 2>&1 || true
    done
    if [[ -n $(ip -n "$ns_sn" -o addr show dev "$if_sn") ]]; then
        echo "FAIL: the sensor end has an address"
        exit 1
    fi
}

# veth_add_second TAG: a second sender namespace ns_tx2 whose veth end if_tx2
# is joined to if_sn2, a second sensor interface in ns_sn.
veth_add_second() {
    local tag=$1
    ns_tx2=swlive-tx2-$tag
    if_tx2=swtx2$tag
    if_sn2=swsn2$tag
    ip netns add "$ns_tx2"
    ip netns exec "$ns_tx2" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link add "$if_tx2" netns "$ns_tx2" type veth peer name "$if_sn2" netns "$ns_sn"
    ip -n "$ns_tx2" link set "$if_tx2" mtu 9000 up
    ip -n "$ns_sn" link set "$if_sn2" mtu 9000 up
    ip netns exec "$ns_tx2" ethtool -K "$if_tx2" gro off gso off tso off >/dev/null 2>&1 || true
    ip netns exec "$ns_sn" ethtool -K "$if_sn2" gro off gso off tso off >/dev/null 2>&1 || true
}

veth_cleanup() {
    [[ -n ${ns_tx2:-} ]] && ip netns del "$ns_tx2" 2>/dev/null
    [[ -n ${ns_tx:-} ]] && ip netns del "$ns_tx" 2>/dev/null
    [[ -n ${ns_sn:-} ]] && ip netns del "$ns_sn" 2>/dev/null
    return 0
}

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
    local limit=$1; shift
    local end=$((SECONDS + limit))
    until "$@"; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

# start_sensor ERRFILE ARGS...: runs the sensor (after the command in the
# array sensor_prefix, if set) in ns_sn on if_sn; sets
# sensor_pid; waits (10 s at most) until it captures.
start_sensor() {
    local err=$1; shift
    ip netns exec "$ns_sn" ${sensor_prefix[@]+"${sensor_prefix[@]}"} "$bin" -i "$if_sn" "$@" 2>"$err" &
    sensor_pid=$!
    wait_for 10 grep -qs "capturing on $if_sn" "$err"
}

# stop_sensor LIMIT [SIGNAL...]: sends the signals (default TERM), waits
# LIMIT seconds at most for the exit; sets sensor_rc; 1 on timeout.
stop_sensor() {
    local limit=$1; shift
    local sig
    for sig in "${@:-TERM}"; do kill -"$sig" "$sensor_pid"; done
    local end=$((SECONDS + limit))
    while kill -0 "$sensor_pid" 2>/dev/null; do
        ((SECONDS < end)) || return 1
        sleep 0.05
    done
    sensor_rc=0
    wait "$sensor_pid" || sensor_rc=$?
    sensor_pid=""
}

kill_sensor() {
    if [[ -n ${sensor_pid:-} ]] && kill -0 "$sensor_pid" 2>/dev/null; then
        kill -KILL "$sensor_pid" 2>/dev/null || true
        wait "$sensor_pid" 2>/dev/null || true
    fi
    return 0
}

# replay PCAP [tcpreplay options...]: sends PCAP out of if_tx; sets sent.
replay() {
    local pcap=$1; shift
    timeout 300 ip netns exec "$ns_tx" tcpreplay -i "$if_tx" "$@" "$pcap" >"$work/replay.out" 2>&1 ||
        { cat "$work/replay.out"; echo "FAIL: tcpreplay failed"; exit 1; }
    sent=$(sed -n 's/.*Successful packets: *\([0-9]*\).*/\1/p' "$work/replay.out")
    rate_line=$(grep -m1 'Rated:' "$work/replay.out" | sed 's/^[[:space:]]*//')
}
