#!/bin/sh
# Throughput of stagewatch against the ceiling (a bare libpcap read loop) and
# against tshark, on the same capture, in the same run. A benchmark, not a
# test: it prints numbers and ratios and never fails on speed.
#
#   tools/bench/bench.sh CAPTURE [RUNS]      (build first: cmake --build build)
#
# tshark gets a tap (-z conv,tcp) so that it really dissects; it runs once.
# Each program reads the file RUNS times (default 3) after one warm-up read
# that puts the file in the page cache; the best run counts. stagewatch runs
# with all its dissectors and analytics, writing logs to a temp directory.
set -eu
cap=${1:?usage: tools/bench/bench.sh CAPTURE [RUNS]}
runs=${2:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
sw=$top/build/stagewatch
loop=$top/build/tools/pcap_read_loop
[ -x "$sw" ] && [ -x "$loop" ] || { echo "bench: build first (cmake --build build)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

size=$(stat -c %s "$cap")
cat "$cap" > /dev/null  # warm the page cache

best() {  # best wall-clock seconds of $runs runs of "$@"
    b=""
    i=0
    while [ $i -lt "$runs" ]; do
        s=$(date +%s.%N)
        "$@" > /dev/null 2>&1
        e=$(date +%s.%N)
        t=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
        i=$((i + 1))
    done
    echo "$b"
}

t_loop=$(best "$loop" "$cap")
t_sw=$(best "$sw" -r "$cap" -o "$out/logs" --seed 1 --progress never --log-level warn)
# Peak RSS (KiB) of one run, from getrusage of the finished child.
rss=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
    "$sw" -r "$cap" -o "$out/logs" --seed 1 --progress never --log-level warn)
if command -v tshark > /dev/null 2>&1 && [ "${BENCH_TSHARK:-1}" = 1 ]; then
    # -q alone makes tshark skip dissection entirely; a tap makes it dissect
    # every packet (TCP analysis and reassembly, SMB2, SSH) as an analyst's run would.
    t_ts=$(runs=1 best tshark -n -q -r "$cap" -z conv,tcp)
else
    t_ts=""
fi

gbps() { awk -v s="$size" -v t="$1" 'BEGIN { printf "%.2f", s * 8 / t / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN { printf "%.1f", m * a / b }'; }
printf 'capture: %s (%s bytes)\n' "$cap" "$size"
printf '%-22s %10s s %8s Gbps\n' "libpcap read loop" "$t_loop" "$(gbps "$t_loop")"
printf '%-22s %10s s %8s Gbps   %s%% of the read loop, peak RSS %s MB\n' "stagewatch" "$t_sw" "$(gbps "$t_sw")" \
    "$(ratio "$t_loop" "$t_sw" 100)" "$((rss / 1024))"
if [ -n "$t_ts" ]; then
    printf '%-22s %10s s %8s Gbps   stagewatch is %sx faster\n' "tshark -z conv,tcp" "$t_ts" "$(gbps "$t_ts")" \
        "$(ratio "$t_ts" "$t_sw" 1)"
fi
