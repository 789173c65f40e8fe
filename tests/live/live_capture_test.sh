#!/usr/bin/env bash
# Acceptance for live capture (ctest label `live`): two network namespaces
# joined by a veth pair; the sensor end has no IP address (IPv6 off too), like
# a SPAN port. tcpreplay sends a capture from pcaps/ out of the other end;
# `stagewatch -i` captures on the sensor end and is stopped with SIGTERM. Then:
# exit status 0; smb_files, ssh and notice rows equal those of the offline run
# of the same capture (times and uids masked, tests/live/compare_rows.py);
# every log ends with #close; the end summary reports the kernel drop counter,
# which must be 0, and the packet count, which must equal what tcpreplay sent.
#
# usage: live_capture_test.sh STAGEWATCH SOURCE_DIR PCAP [options]
#   --user NAME   run the sensor with --user NAME and check the process runs
#                 as NAME while capturing (uid, gid and groups)
#   --mbps RATE   replay at RATE Mbit/s instead of top speed
#   --loop N      replay N times and check only drops and counts (rate search)
#   --keep DIR    keep the logs in DIR
# exit 77 = skipped (not root, no tcpreplay, no network namespaces)
set -euo pipefail
bin=$(readlink -f "$1")
src=$(readlink -f "$2")
pcap=$3
shift 3
user="" mbps="" loop=1 keep=""
while (($#)); do
    case $1 in
        --user) user=$2; shift 2 ;;
        --mbps) mbps=$2; shift 2 ;;
        --loop) loop=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        *) echo "usage: $0 STAGEWATCH SOURCE_DIR PCAP [--user NAME] [--mbps R] [--loop N] [--keep DIR]" >&2; exit 2 ;;
    esac
done
[[ $pcap = /* ]] || pcap=$src/pcaps/$pcap
[[ $(id -u) = 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v tcpreplay >/dev/null || { echo "SKIP: tcpreplay not installed (apt-get install tcpreplay)"; exit 77; }

tag=$$
ns_tx=swlive-tx-$tag
ns_sn=swlive-sn-$tag
if_tx=swtx$tag
if_sn=swsn$tag
work=$(mktemp -d /tmp/swlive.XXXXXX)
chmod 755 "$work"
sensor_pid=""

cleanup() {
    if [[ -n $sensor_pid ]] && kill -0 "$sensor_pid" 2>/dev/null; then
        kill -KILL "$sensor_pid" 2>/dev/null || true
        wait "$sensor_pid" 2>/dev/null || true
    fi
    ip netns del "$ns_tx" 2>/dev/null || true
    ip netns del "$ns_sn" 2>/dev/null || true
    if [[ -n $keep ]]; then
        rm -rf "$keep"; mkdir -p "$(dirname "$keep")"; mv "$work" "$keep"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; [[ -f $work/live.err ]] && sed 's/^/  sensor: /' "$work/live.err"; exit 1; }

# Waits up to $1 seconds for the command in $2... to succeed.
wait_for() {
    local limit=$1; shift
    local end=$((SECONDS + limit))
    until "$@"; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

ip netns add "$ns_tx" || { echo "SKIP: cannot create network namespaces"; exit 77; }
ip netns add "$ns_sn"
for ns in "$ns_tx" "$ns_sn"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$if_tx" netns "$ns_tx" type veth peer name "$if_sn" netns "$ns_sn"
for pair in "$ns_tx $if_tx" "$ns_sn $if_sn"; do
    set -- $pair
    ip -n "$1" link set "$2" mtu 9000 up
    # No offloads: the sensor must see the frames as they were sent.
    ip netns exec "$1" ethtool -K "$2" gro off gso off tso off >/dev/null 2>&1 || true
done
[[ -z $(ip -n "$ns_sn" -o addr show dev "$if_sn") ]] || fail "the sensor end has an address"

mkdir -p "$work/live"
[[ -n $user ]] && chown "$user" "$work/live"
args=(-i "$if_sn" -o "$work/live" --seed 1 --progress never)
[[ -n $user ]] && args+=(--user "$user")
ip netns exec "$ns_sn" "$bin" "${args[@]}" 2>"$work/live.err" &
sensor_pid=$!
wait_for 10 grep -q "capturing on $if_sn" "$work/live.err" || fail "the sensor did not start capturing within 10 s"

if [[ -n $user ]]; then
    want_uid=$(id -u "$user")
    want_gid=$(id -g "$user")
    read -r _ ruid euid suid fsuid < <(grep '^Uid:' "/proc/$sensor_pid/status")
    read -r _ rgid egid sgid fsgid < <(grep '^Gid:' "/proc/$sensor_pid/status")
    [[ "$ruid $euid $suid $fsuid" == "$want_uid $want_uid $want_uid $want_uid" ]] ||
        fail "sensor runs with uids $ruid $euid $suid $fsuid, want $want_uid ($user)"
    [[ "$rgid $egid $sgid $fsgid" == "$want_gid $want_gid $want_gid $want_gid" ]] ||
        fail "sensor runs with gids $rgid $egid $sgid $fsgid, want $want_gid"
    groups=$(grep '^Groups:' "/proc/$sensor_pid/status" | cut -f2 | xargs)
    want_groups=$(id -G "$user" | tr ' ' '\n' | sort -n | xargs)
    [[ $(echo "$groups" | tr ' ' '\n' | sort -n | xargs) == "$want_groups" ]] ||
        fail "sensor supplementary groups '$groups', want '$want_groups'"
    capeff=$(grep '^CapEff:' "/proc/$sensor_pid/status" | cut -f2)
    [[ $capeff == 0000000000000000 ]] || fail "sensor kept capabilities $capeff"
    echo "sensor runs as $user (uid $want_uid, gid $want_gid, groups '$groups', no capabilities)"
fi

rate=(--topspeed)
[[ -n $mbps ]] && rate=(--mbps="$mbps")
timeout 300 ip netns exec "$ns_tx" tcpreplay -i "$if_tx" "${rate[@]}" --loop="$loop" "$pcap" >"$work/replay.out" 2>&1 ||
    { cat "$work/replay.out"; fail "tcpreplay failed"; }
sent=$(sed -n 's/.*Successful packets: *\([0-9]*\).*/\1/p' "$work/replay.out")
rate_line=$(grep -m1 'Rated:' "$work/replay.out" | sed 's/^[[:space:]]*//')
[[ -n $sent ]] || { cat "$work/replay.out"; fail "cannot read tcpreplay's packet count"; }

# Let the kernel hand over its last block (the capture timeout is 100 ms).
sleep 1
kill -TERM "$sensor_pid"
rc=0
timeout_at=$((SECONDS + 60))
while kill -0 "$sensor_pid" 2>/dev/null; do
    ((SECONDS < timeout_at)) || fail "the sensor did not exit within 60 s of SIGTERM"
    sleep 0.1
done
wait "$sensor_pid" || rc=$?
sensor_pid=""
[[ $rc == 0 ]] || fail "the sensor exited with $rc after SIGTERM"

got=$(sed -n 's/.*captured on [^,]*, \([0-9]*\) packets.*/\1/p' "$work/live.err")
drops=$(sed -n 's/.*kernel drops \([0-9]*\).*/\1/p' "$work/live.err")
[[ -n $got && -n $drops ]] || fail "the end summary does not report the packet count and the kernel drops"
echo "replayed $(basename "$pcap") x$loop: sent $sent packets ($rate_line); sensor captured $got, kernel drops $drops"
[[ $drops == 0 ]] || fail "the kernel dropped $drops packets"
[[ $got == "$sent" ]] || fail "the sensor captured $got packets, tcpreplay sent $sent"

for f in "$work"/live/*.log; do
    [[ $(tail -n1 "$f") == "#close"* ]] || fail "$(basename "$f") does not end with #close"
    if [[ -n $user ]]; then
        [[ $(stat -c %U "$f") == "$user" ]] || fail "$(basename "$f") is owned by $(stat -c %U "$f"), not $user"
    fi
done
echo "every log ends with #close: $(cd "$work/live" && ls *.log | xargs)"

if ((loop == 1)); then
    "$bin" -r "$pcap" -o "$work/offline" --seed 1 --progress never 2>"$work/offline.err" || fail "offline run failed"
    python3 "$src/tests/live/compare_rows.py" "$work/live" "$work/offline" smb_files ssh notice ||
        fail "live rows differ from the offline run"
fi
echo PASS
