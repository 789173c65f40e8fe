#!/usr/bin/env bash
# Live capture with the reader design of --threads (a measurement, not a
# test): replays PCAP at tcpreplay's top speed over a veth pair into
# `stagewatch -i` once per thread count and prints what the sensor received
# and what the kernel dropped (pcap_stats) for each. Root, network namespaces
# and tcpreplay needed; everything it creates is removed on exit.
#
#   tests/live/threads_live_bench.sh STAGEWATCH PCAP [THREADS...]   (default: 1 2)
set -euo pipefail
bin=$(readlink -f "$1")
pcap=$(readlink -f "$2")
shift 2
counts=("${@:-1}")
(($# == 0)) && counts=(1 2)
[[ $(id -u) = 0 ]] || { echo "SKIP: needs root"; exit 77; }
command -v tcpreplay >/dev/null || { echo "SKIP: no tcpreplay"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/veth_lib.sh"
live_scratch swthr
veth_setup $$
for n in "${counts[@]}"; do
    rm -rf "$work/logs"
    mkdir -p "$work/logs"
    start_sensor "$work/err" -o "$work/logs" --seed 1 --progress never --threads "$n" --capture.buffer-size 64MiB ||
        { cat "$work/err"; echo "FAIL: sensor did not start"; exit 1; }
    replay "$pcap" --topspeed
    sleep 1
    stop_sensor 60 || { echo "FAIL: sensor did not stop"; exit 1; }
    line=$(grep -m1 'interface ' "$work/err" | sed 's/^[[:space:]]*//')
    echo "threads=$n sent=$sent ($rate_line) sensor: $line"
done
