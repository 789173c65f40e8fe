#!/usr/bin/env bash
# Several interfaces at once (ctest label `live`): one sensor with
# `-i A -i B`; demo-smb.pcap is replayed into A and ssh-ops.pcap into B at
# the same time. Each interface's kernel counters equal what was sent into
# it, nothing is dropped, and the smb_files, notice and ssh rows equal those
# of the offline runs of each capture (times and uids masked).
#
# usage: two_interfaces_test.sh STAGEWATCH SOURCE_DIR
# exit 77 = skipped (not root, no tcpreplay)
set -euo pipefail
bin=$(readlink -f "$1")
src=$(readlink -f "$2")
[[ $(id -u) = 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v tcpreplay >/dev/null || { echo "SKIP: tcpreplay not installed (apt-get install tcpreplay)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/veth_lib.sh"
work=$(mktemp -d /tmp/swtwo.XXXXXX)
sensor_pid=""
replay_pid=""
cleanup() {
    [[ -n $replay_pid ]] && kill "$replay_pid" 2>/dev/null
    kill_sensor
    veth_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [[ -f $work/live.err ]] && sed 's/^/  sensor: /' "$work/live.err"; exit 1; }
veth_setup $$
veth_add_second $$

start_sensor "$work/live.err" -i "$if_sn2" -o "$work/live" --seed 1 --progress never || fail "the sensor did not start"
timeout 300 ip netns exec "$ns_tx2" tcpreplay -i "$if_tx2" --topspeed "$src/pcaps/ssh-ops.pcap" >"$work/replay2.out" 2>&1 &
replay_pid=$!
replay "$src/pcaps/demo-smb.pcap" --topspeed
sent_a=$sent
wait "$replay_pid" || fail "tcpreplay into $if_tx2 failed"
replay_pid=""
sent_b=$(sed -n 's/.*Successful packets: *\([0-9]*\).*/\1/p' "$work/replay2.out")
sleep 1
stop_sensor 60 TERM || fail "no exit within 60 s of SIGTERM"
[[ $sensor_rc == 0 ]] || fail "exit status $sensor_rc after SIGTERM"

for pair in "$if_sn $sent_a" "$if_sn2 $sent_b"; do
    set -- $pair
    line=$(grep "interface $1:" "$work/live.err") || fail "no counters for $1"
    echo "sent $2 into $1; sensor: ${line#  }"
    [[ $line == *"received $2, kernel drops 0,"* ]] || fail "$1: want received $2 and no kernel drops"
done
"$bin" -r "$src/pcaps/demo-smb.pcap" -o "$work/off-smb" --seed 1 --progress never 2>/dev/null || fail "offline run"
"$bin" -r "$src/pcaps/ssh-ops.pcap" -o "$work/off-ssh" --seed 1 --progress never 2>/dev/null || fail "offline run"
python3 "$here/compare_rows.py" "$work/live" "$work/off-smb" smb_files notice || fail "SMB rows differ"
python3 "$here/compare_rows.py" "$work/live" "$work/off-ssh" ssh || fail "SSH rows differ"
echo PASS
