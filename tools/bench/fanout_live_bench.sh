#!/usr/bin/env bash
# Live with threads, measured both ways (issue 12; docs/performance.md "Live:
# one reader vs PACKET_FANOUT"): replays a capture with tcpreplay over a veth
# pair between two network namespaces (tests/live/veth_lib.sh) into
#   sw1  stagewatch -i IF --threads 1
#   sw2  stagewatch -i IF --threads 2      (one reader, two flow workers)
#   fb2  fanout_bench IF 2                 (PACKET_FANOUT hash, two sockets)
#   fb1  fanout_bench IF 1                 (one socket in a group of one)
# at each rate, interleaved, RUNS rounds, and prints one row per run: replay
# rate, packets the receiver processed, pcap_stats received and kernel drops,
# CPU time of the receiver (/usr/bin/time: user + sys, whole run: start,
# idle, replay, the end-of-run flush), its CPU per second while idle before
# the replay, and per thread the CPU used from the start of the replay until
# the receiver has drained its ring (/proc/PID/task). A
# measurement, not a test. fanout_bench does less work than stagewatch: no
# merge, no analytics, no logs (it counts events and drops them).
#
#   tools/bench/fanout_live_bench.sh BUILD_DIR [RUNS] [RATE...]
#     RUNS: rounds (default 2); RATE: "top" or packets per second (default: top 50000)
#     PCAP=...      capture to replay (default /tmp/sw-bench/mixed-b.pcap, workload (b)
#                   of issue 12, generated with BUILD_DIR/tools/pcapgen if missing)
#     CONFIGS=...   subset of "sw1 sw2 fb2 fb1"
#     BUFFER=64MiB  kernel ring per socket (--capture.buffer-size), both tools
# Root, network namespaces and tcpreplay needed (77 otherwise); everything it
# creates is removed on exit. Run it under flock /tmp/sw-build.lock.
set -euo pipefail
build=$(readlink -f "$1")
runs=${2:-2}
shift $(($# >= 2 ? 2 : 1))
rates=("$@")
(($# == 0)) && rates=(top 50000)
pcap=${PCAP:-/tmp/sw-bench/mixed-b.pcap}
configs=(${CONFIGS:-sw1 sw2 fb2 fb1})
buffer=${BUFFER:-64MiB}
sw=$build/stagewatch
fb=$build/tools/fanout_bench
[[ $(id -u) = 0 ]] || { echo "SKIP: needs root"; exit 77; }
command -v tcpreplay >/dev/null || { echo "SKIP: no tcpreplay"; exit 77; }
[[ -x /usr/bin/time ]] || { echo "SKIP: no /usr/bin/time"; exit 77; }
[[ -x $sw && -x $fb ]] || { echo "build stagewatch and fanout_bench first"; exit 2; }
if [[ ! -s $pcap ]]; then
    mkdir -p "$(dirname "$pcap")"
    "$build/tools/pcapgen" --out "$pcap" --seed 1 --clients 5000 --servers 500 --size 360M \
        --file-size 1K..32K --write-size 4K..64K -q
fi
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../tests/live/veth_lib.sh"
work=$(mktemp -d /tmp/swfanout.XXXXXX)
timer_pid=""  # /usr/bin/time, whose child is the receiver
rx_pid=""
cleanup() {
    if [[ -n $rx_pid ]] && kill -0 "$rx_pid" 2>/dev/null; then kill -KILL "$rx_pid" 2>/dev/null || true; fi
    if [[ -n $timer_pid ]]; then wait "$timer_pid" 2>/dev/null || true; fi
    veth_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
veth_setup $$

# CPU seconds (utime + stime) of a process or thread from its stat file.
cpu_of() {
    local f=$1 hz
    hz=$(getconf CLK_TCK)
    # Fields after the ")" of comm: utime is the 12th, stime the 13th.
    sed 's/.*) //' "$f" | awk -v hz="$hz" '{ printf "%.2f", ($12 + $13) / hz }'
}

# Per-thread CPU of rx_pid, one "tid name seconds" line per thread.
thread_cpu() {
    local t
    for t in /proc/"$rx_pid"/task/*; do
        echo "${t##*/} $(cat "$t/comm" 2>/dev/null) $(cpu_of "$t/stat" 2>/dev/null)"
    done
}

# "name=seconds ..." of what each thread used between two thread_cpu lists.
thread_delta() {
    awk 'NR == FNR { before[$1] = $3; next } { printf "%s%s=%.2f", sep, $2, $3 - before[$1]; sep = " " }' "$1" "$2"
}

# Waits (30 s at most) until the receiver's CPU grows over 0.5 s by no more
# than its idle rate (IDLE, CPU seconds per second, measured before the
# replay) plus 0.02 s: it has drained the kernel ring.
wait_drained() {
    local before after end=$((SECONDS + 30))
    before=$(cpu_of /proc/"$rx_pid"/stat)
    while ((SECONDS < end)); do
        sleep 0.5
        after=$(cpu_of /proc/"$rx_pid"/stat)
        awk -v a="$after" -v b="$before" -v i="$idle" 'BEGIN { exit !(a - b <= i * 0.5 + 0.02) }' && return 0
        before=$after
    done
    return 1
}

# run CONFIG RATE ROUND
run() {
    local cfg=$1 rate=$2 round=$3 cmd
    rm -rf "$work/logs" "$work/out" "$work/err" "$work/time"
    mkdir -p "$work/logs"
    case $cfg in
        sw1|sw2) cmd=("$sw" -i "$if_sn" -o "$work/logs" --seed 1 --progress never --threads "${cfg#sw}"
                      --capture.buffer-size "$buffer") ;;
        fb1|fb2) cmd=("$fb" "$if_sn" "${cfg#fb}" --seed 1 --capture.buffer-size "$buffer") ;;
    esac
    ip netns exec "$ns_sn" /usr/bin/time -f "%U %S %e %M" -o "$work/time" "${cmd[@]}" >"$work/out" 2>"$work/err" &
    timer_pid=$!
    wait_for 10 grep -qs "capturing on $if_sn" "$work/err" ||
        { cat "$work/err"; echo "FAIL: $cfg did not start"; exit 1; }
    rx_pid=$(pgrep -P "$timer_pid")
    [[ -n $rx_pid ]] || { echo "FAIL: no receiver process under $timer_pid"; exit 1; }
    # Idle cost (CPU seconds per second with no traffic), then the replay.
    local c0 c1 idle
    sleep 0.5
    c0=$(cpu_of /proc/"$rx_pid"/stat)
    sleep 2
    c1=$(cpu_of /proc/"$rx_pid"/stat)
    idle=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", (b - a) / 2 }')
    thread_cpu >"$work/t0"
    local ropt=(--topspeed)
    [[ $rate != top ]] && ropt=(--pps "$rate")
    replay "$pcap" "${ropt[@]}"
    wait_drained || echo "note: $cfg still busy 30 s after the replay"
    thread_cpu >"$work/t1"
    local threads
    threads=$(thread_delta "$work/t0" "$work/t1")
    kill -TERM "$rx_pid"
    local end=$((SECONDS + 120))
    while kill -0 "$timer_pid" 2>/dev/null; do
        ((SECONDS < end)) || { echo "FAIL: $cfg did not stop"; exit 1; }
        sleep 0.1
    done
    local rc=0
    wait "$timer_pid" || rc=$?
    ((rc == 0)) || { cat "$work/err" "$work/out"; echo "FAIL: $cfg exited with $rc"; exit 1; }
    timer_pid="" rx_pid=""
    local processed recv drops
    if [[ $cfg = sw* ]]; then
        processed=$(sed -n 's/.*captured on [^,]*, \([0-9]*\) packets.*/\1/p' "$work/err")
        recv=$(sed -n 's/.*interface [^:]*: received \([0-9]*\),.*/\1/p' "$work/err")
        drops=$(sed -n 's/.*kernel drops \([0-9]*\),.*/\1/p' "$work/err")
    else
        processed=$(sed -n 's/^total: .* processed \([0-9]*\) .*/\1/p' "$work/out")
        recv=$(sed -n 's/^total: received \([0-9]*\) .*/\1/p' "$work/out")
        drops=$(sed -n 's/^total: .* kernel_drops \([0-9]*\) .*/\1/p' "$work/out")
    fi
    local user sys wall rss
    read -r user sys wall rss <"$work/time"
    local pps
    pps=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$work/replay.out")
    local secs
    secs=$(sed -n 's/.*Actual: [0-9]* packets ([0-9]* bytes) sent in \([0-9.]*\) seconds.*/\1/p' "$work/replay.out")
    printf '%s rate=%s round=%s sent=%s replay_pps=%s replay_s=%s processed=%s received=%s kernel_drops=%s cpu=%.2f (user %s sys %s) wall=%s rss_kb=%s idle_cpu_per_s=%s replay_cpu: %s\n' \
        "$cfg" "$rate" "$round" "$sent" "$pps" "$secs" "$processed" "$recv" "$drops" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$user" "$sys" "$wall" "$rss" "$idle" "$threads"
    if [[ $cfg = fb* ]]; then
        sed -n 's/^\(socket [0-9]*\): received \([0-9]*\) kernel_drops \([0-9]*\) .* processed \([0-9]*\) flows \([0-9]*\) .* cpu \([0-9.]*\) s$/    \1: received \2 drops \3 processed \4 flows \5 cpu \6 s/p' "$work/out"
        sed -n 's/^check: /    check: /p' "$work/out"
    fi
}

echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# pcap $pcap ($(stat -c %s "$pcap") bytes); buffer $buffer per socket; rates: ${rates[*]}; rounds: $runs"
busiest() { top -b -n 1 -w 110 | sed -n '7,11p' | sed 's/^/#   /'; }
echo "# busiest processes at the start:"; busiest
for ((round = 1; round <= runs; round++)); do
    for rate in "${rates[@]}"; do
        for cfg in "${configs[@]}"; do
            run "$cfg" "$rate" "$round"
        done
    done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg); busiest processes:"; busiest
