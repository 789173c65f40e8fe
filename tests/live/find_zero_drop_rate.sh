#!/usr/bin/env bash
# Finds the highest tcpreplay rate at which `stagewatch -i` drops nothing on
# this machine: replays PCAP LOOPS times (new addresses each pass) at top
# speed, then at falling --mbps rates, with live_capture_test.sh, and prints
# the first rate with zero kernel drops and every packet captured. CPU-heavy:
# run it under the build lock on a shared machine.
#
# usage: find_zero_drop_rate.sh STAGEWATCH SOURCE_DIR [PCAP] [LOOPS] [RATES...]
set -uo pipefail
bin=$1
src=$2
pcap=${3:-smb311-ops.pcap}
loops=${4:-400}
shift $(($# < 4 ? $# : 4))
rates=("$@")
((${#rates[@]})) || rates=(top 8000 4000 2000 1000 500 200 100)
here=$(cd "$(dirname "$0")" && pwd)
for r in "${rates[@]}"; do
    opts=(--loop "$loops")
    [[ $r != top ]] && opts+=(--mbps "$r")
    out=$("$here/live_capture_test.sh" "$bin" "$src" "$pcap" "${opts[@]}" 2>&1)
    rc=$?
    echo "rate $r: $(echo "$out" | grep -m1 -E '^replayed|^FAIL' )"
    ((rc == 77)) && { echo "$out"; exit 77; }
    if ((rc == 0)); then
        echo "highest zero-drop rate: $r (Mbit/s; top = tcpreplay --topspeed)"
        exit 0
    fi
done
echo "no zero-drop rate among: ${rates[*]}"
exit 1
