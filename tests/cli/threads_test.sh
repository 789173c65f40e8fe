#!/bin/sh
# --threads N gives the logs of --threads 1: on every capture of the public
# corpus (../shared/pcaps), of pcaps/, of the lab scenarios (their cached
# captures under LAB_CACHE, and STAGEWATCH_EXTRA_PCAPS if set) and on a
# pcapgen corpus (mixed small transfers, retransmissions and reordering, an
# enterprise day), every log written with 2 and 3 workers equals the one
# written with 1, once uids are masked and rows sorted (rows of several
# workers come out in a different order; uids depend on the worker).
#
#   tests/cli/threads_test.sh STAGEWATCH PCAPGEN SOURCE_DIR [LAB_CACHE]
set -eu
bin=$1
pcapgen=$2
src=$3
lab=${4:-}
shared=${STAGEWATCH_SHARED_PCAPS:-$src/../shared/pcaps}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pcapgen corpus (seeded: the same bytes every run).
mkdir -p "$work/gen"
"$pcapgen" --out "$work/gen/mixed.pcap" --seed 5 --clients 200 --servers 20 --size 24M \
    --file-size 1K..32K --write-size 4K..64K --reorder-rate 0.01 --retransmit-rate 0.01 \
    --read-fraction 0.2 --smb21-fraction 0.3 >/dev/null
"$pcapgen" --out "$work/gen/bulk.pcap" --seed 6 --clients 3 --servers 2 --size 16M \
    --file-size 32K..2M --write-size 64K..512K >/dev/null
"$pcapgen" --out "$work/gen/enterprise-day.pcap" --seed 7 --workload enterprise-day --clients 20 --servers 3 \
    --size 16M >/dev/null

# SMB multichannel: pcaps/smb311-ops.pcap's session spread over two TCP
# connections (tests/cli/make_multichannel.py); the second never connects a tree.
python3 "$src/tests/cli/make_multichannel.py" "$src/pcaps/smb311-ops.pcap" "$work/gen/smb-multichannel.pcap"

# Log rotation on packet time (three captures an hour apart, as
# tests/cli/rotation_test.sh makes them) and a packet stamped ten days off
# (a time_jump weird, processed at packet time): the reader's timers.
mkdir -p "$work/timers"
if command -v editcap >/dev/null && command -v mergecap >/dev/null; then
    base=1795871400
    parts=""
    i=0
    for p in demo-smb smb311-ops ssh-ops; do
        first=$(python3 -c 'import struct,sys; print(struct.unpack("<I", open(sys.argv[1],"rb").read(28)[24:28])[0])' "$src/pcaps/$p.pcap")
        editcap -F pcap -t "$((base + i * 3600 - first))" "$src/pcaps/$p.pcap" "$work/timers/part$i.pcap"
        parts="$parts $work/timers/part$i.pcap"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    mergecap -F pcap -a -w "$work/timers/three-hours.pcap" $parts
fi
python3 - "$src/pcaps/demo-smb.pcap" "$work/timers/time-warp.pcap" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off, k = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack_from("<I", d, off + 8)[0]
    if k == 40:  # one packet ten days ahead
        struct.pack_into("<I", d, off, struct.unpack_from("<I", d, off)[0] + 864000)
    off += 16 + incl
    k += 1
open(sys.argv[2], "wb").write(d)
PY

list=$work/list
{
    [ -d "$shared" ] && find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' \)
    find "$src/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \)
    [ -n "$lab" ] && [ -d "$lab" ] && find "$lab" -type f -name 'capture.pcap'
    [ -n "${STAGEWATCH_EXTRA_PCAPS:-}" ] && find "$STAGEWATCH_EXTRA_PCAPS" -type f \( -name '*.pcap' -o -name '*.pcapng' \)
    find "$work/gen" "$work/timers" -type f \( -name '*.pcap' ! -name 'part*' \)
} | sort >"$list"

# Log rows without header lines, uids (C... connection, F... file, as
# UidGenerator makes them) masked, stats.log's resident memory and memory_used
# masked, sorted.
normalise() {
    grep -v '^#' "$1" |
        awk -F '\t' -v OFS='\t' -v stats="$(case $(basename "$1") in stats.*) echo 1 ;; esac)" '{
            for (i = 1; i <= NF; i++) {
                k = split($i, part, ",")
                if (k < 1) continue
                v = ""
                for (j = 1; j <= k; j++) {
                    if (part[j] ~ /^[CF][0-9A-Za-z][0-9A-Za-z][0-9A-Za-z][0-9A-Za-z][0-9A-Za-z][0-9A-Za-z][0-9A-Za-z][0-9A-Za-z][0-9A-Za-z]+$/) part[j] = "(uid)"
                    v = v (j > 1 ? "," : "") part[j]
                }
                $i = v
            }
            # resident memory, and memory_used (the budget at the row:
            # with threads it also depends on where each worker is).
            if (stats) { $3 = "(mem)"; $(NF - 1) = "(memory_used)" }
            print
        }' | LC_ALL=C sort
}

failed=0
n=0
while IFS= read -r pcap; do
    n=$((n + 1))
    for t in 1 2 3; do
        out=$work/run/$n/$t
        mkdir -p "$out"
        rc=0
        rotate=0
        case $pcap in */three-hours.pcap) rotate=1h ;; esac
        "$bin" -r "$pcap" -o "$out" --seed 1 --progress never --log-level error --threads "$t" \
            --staging.min-bytes=1MB --log.rotate-interval "$rotate" >/dev/null 2>"$out/.stderr" || rc=$?
        echo "$rc" >"$out/.exit"
    done
    for t in 2 3; do
        a=$work/run/$n/1
        b=$work/run/$n/$t
        if ! cmp -s "$a/.exit" "$b/.exit"; then
            echo "FAIL $pcap: exit $(cat "$a/.exit") with 1 thread, $(cat "$b/.exit") with $t"
            failed=$((failed + 1))
        fi
        logs_a=$(cd "$a" && ls ./*.log 2>/dev/null | sort | tr '\n' ' ')
        logs_b=$(cd "$b" && ls ./*.log 2>/dev/null | sort | tr '\n' ' ')
        if [ "$logs_a" != "$logs_b" ]; then
            echo "FAIL $pcap: logs [$logs_a] with 1 thread, [$logs_b] with $t"
            failed=$((failed + 1))
            continue
        fi
        for log in $logs_a; do
            if ! normalise "$a/$log" >"$work/x" || ! normalise "$b/$log" >"$work/y" || ! cmp -s "$work/x" "$work/y"; then
                echo "FAIL $pcap: ${log#./} differs with $t threads:"
                diff "$work/x" "$work/y" | head -n 10
                failed=$((failed + 1))
            fi
        done
    done
done <"$list"
# The timers did run: rotated files and the time_jump weird exist.
th=$(grep -n 'three-hours.pcap$' "$list" | cut -d: -f1 || true)
if [ -n "$th" ] && [ "$(ls "$work/run/$th/2" | grep -cE '\.[0-9]{4}-[0-9]{2}-[0-9]{2}-')" -lt 5 ]; then
    echo "FAIL: fewer than 5 rotated logs with 2 threads"
    failed=$((failed + 1))
fi
tw=$(grep -n 'time-warp.pcap$' "$list" | cut -d: -f1)
if ! grep -q time_jump "$work/run/$tw/2/weird.log" 2>/dev/null; then
    echo "FAIL: no time_jump weird with 2 threads"
    failed=$((failed + 1))
fi

# On the multichannel capture every handle of the second channel is named
# through the directory (its tree was connected on the first): one
# smb_files.log row per successful CREATE on it (counted by tshark), each with
# the tree's path, whatever the number of threads.
mc=$(grep -n 'smb-multichannel.pcap$' "$list" | cut -d: -f1)
if command -v tshark >/dev/null 2>&1; then
    creates=$(tshark -r "$work/gen/smb-multichannel.pcap" \
        -Y 'tcp.port==50002 && smb2.cmd==5 && smb2.flags.response==1 && smb2.nt_status==0' 2>/dev/null | wc -l)
else
    creates=12
fi
for t in 1 2 3; do
    f=$work/run/$mc/$t/smb_files.log
    rows=$(grep -v '^#' "$f" | awk -F '\t' '$4 == 50002' | wc -l)
    named=$(grep -v '^#' "$f" | awk -F '\t' '$4 == 50002 && $9 == "\\\\\\\\10.74.0.30\\\\data" && $10 != "-"' | wc -l)
    if [ "$creates" -lt 10 ] || [ "$rows" -ne "$creates" ] || [ "$named" -ne "$creates" ]; then
        echo "FAIL multichannel with $t threads: $creates CREATEs on the second channel, $rows rows, $named named"
        failed=$((failed + 1))
    fi
done

echo "threads: $n captures, 1 vs 2 and 3 threads, $failed differences"
[ "$n" -gt 40 ] || { echo "FAIL: only $n captures found"; exit 1; }
[ "$failed" -eq 0 ]
