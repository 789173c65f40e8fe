#!/usr/bin/env bash
# The invariant PACKET_FANOUT hash mode must keep for tools/bench/fanout_bench
# (and its measurement in docs/performance.md) to mean anything: both
# directions of every flow reach the same socket. Replays the captures of
# pcaps/ and a small pcapgen corpus (hundreds of SMB, SSH and background
# flows) over a veth pair into `fanout_bench IF 2`, then checks: exit 0; no
# flow on two sockets; as many distinct flows as tshark has TCP + UDP
# conversations; every packet tcpreplay sent processed (= capinfos' count),
# received, none dropped; both sockets got packets. Then the same with
# --mode lb (round robin, no regard to flows): the check must now find split
# flows and fanout_bench exit with 6, so a check that never fires fails.
#
# usage: fanout_test.sh FANOUT_BENCH PCAPGEN SOURCE_DIR
# exit 77 = skipped (not root, no tcpreplay/tshark, no network namespaces)
set -euo pipefail
bin=$(readlink -f "$1")
pcapgen=$(readlink -f "$2")
src=$(readlink -f "$3")
[[ $(id -u) = 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in tcpreplay tshark capinfos; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
source "$here/veth_lib.sh"
live_scratch swfan
fail() { echo "FAIL: $*"; sed "s/^/  fanout_bench: /" "$work/out" "$work/err" 2>/dev/null || true; exit 1; }

"$pcapgen" --out "$work/gen.pcap" --seed 7 --clients 300 --servers 20 --size 4M --file-size 1K..32K \
    --write-size 4K..64K -q
pcaps=("$src"/pcaps/*.pcap "$work/gen.pcap")
expected=0 convs=0
for p in "${pcaps[@]}"; do
    expected=$((expected + $(capinfos -c -M "$p" | awk '/Number of packets/ { print $NF }')))
    convs=$((convs + $(tshark -r "$p" -q -z conv,tcp -z conv,udp 2>/dev/null | grep -c '<->')))
done
((expected > 1000 && convs > 100)) || fail "test input too small: $expected packets, $convs conversations"

veth_setup $$
# run MODE: fanout_bench IF 2 --mode MODE while everything is replayed; sets sensor_rc.
run() {
    ip netns exec "$ns_sn" "$bin" "$if_sn" 2 --mode "$1" --seed 1 --capture.buffer-size 16MiB >"$work/out" 2>"$work/err" &
    sensor_pid=$!
    wait_for 10 grep -qs "capturing on $if_sn" "$work/err" || fail "fanout_bench did not start"
    replay "${pcaps[0]}" --mbps 200 "${pcaps[@]:1}"
    ((sent == expected)) || fail "tcpreplay sent $sent packets of $expected"
    sleep 1
    stop_sensor 30 || fail "fanout_bench did not stop"
}
field() { sed -n "s/^total: .* $1 \([0-9]*\) .*/\1/p; s/^total: $1 \([0-9]*\) .*/\1/p" "$work/out"; }
check_line() {
    split=$(sed -n 's/^check: flows on more than one socket: \([0-9]*\) of \([0-9]*\)$/\1 \2/p' "$work/out")
    [[ -n $split ]] || fail "no check line"
    read -r on_two distinct <<<"$split"
}

run hash
((sensor_rc == 0)) || fail "exit status $sensor_rc"
check_line
((on_two == 0)) || fail "$on_two flows were seen on two sockets"
((distinct == convs)) || fail "$distinct distinct flows, tshark counts $convs conversations"
[[ $(field processed) = "$expected" ]] || fail "processed $(field processed) packets of $expected"
[[ $(field received) = "$expected" ]] || fail "the kernel received $(field received) packets of $expected"
[[ $(field kernel_drops) = 0 ]] || fail "kernel drops $(field kernel_drops)"
for s in 0 1; do
    got=$(sed -n "s/^socket $s: .* processed \([0-9]*\) .*/\1/p" "$work/out")
    ((got > 0)) || fail "socket $s processed no packet"
done
balance=$(sed -n 's/^socket \([0-9]\): .* processed \([0-9]*\) .*/\1:\2/p' "$work/out" | tr '\n' ' ')

run lb
((sensor_rc == 6)) || fail "--mode lb: exit status $sensor_rc, not 6 (split flows)"
check_line
((on_two > distinct / 2)) || fail "--mode lb: only $on_two of $distinct flows split over the sockets"
[[ $(field processed) = "$expected" ]] || fail "--mode lb: processed $(field processed) packets of $expected"
echo "PASS: $expected packets, $distinct flows; hash: none split (${balance% }); lb: $on_two split"
