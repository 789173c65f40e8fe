#!/usr/bin/env bash
# Rotation reading a capture (ctest label `cli`): three project captures are
# moved in time (editcap -t) to start at 13:10, 14:10 and 15:10 UTC on
# 2026-11-22 and joined (mergecap -a) into one capture spanning three hours.
# Read with --log.rotate-interval 1h (TZ=UTC), every log must be rotated at
# 14:00 and 15:00 of packet time with Zeek's naming: files of the first
# period carry the first packet's time (13-10-00), those of the second
# 14-00-00; the current <log>.log holds the rest. Every file ends with #close,
# and the files of one log, in time order, hold exactly the rows of an
# unrotated run. --log.rotate-command runs once per rotated file with its path.
#
# usage: rotation_test.sh STAGEWATCH SOURCE_DIR
# exit 77 = skipped (no editcap/mergecap)
set -euo pipefail
bin=$(readlink -f "$1")
src=$(readlink -f "$2")
command -v editcap >/dev/null && command -v mergecap >/dev/null ||
    { echo "SKIP: editcap/mergecap not found (wireshark-common)"; exit 77; }
work=$(mktemp -d /tmp/swrot.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export TZ=UTC

first_ts() {  # seconds of a pcap's first packet (little-endian classic pcap)
    python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(28); print(struct.unpack("<I", d[24:28])[0])' "$1"
}
base=$(date -u -d '2026-11-22 13:10:00' +%s)
parts=()
i=0
for p in demo-smb smb311-ops ssh-ops; do
    delta=$((base + i * 3600 - $(first_ts "$src/pcaps/$p.pcap")))
    editcap -F pcap -t "$delta" "$src/pcaps/$p.pcap" "$work/$p.pcap"
    parts+=("$work/$p.pcap")
    i=$((i + 1))
done
mergecap -F pcap -a -w "$work/three-hours.pcap" "${parts[@]}"

"$bin" -r "$work/three-hours.pcap" -o "$work/plain" --seed 1 --progress never 2>/dev/null || fail "unrotated run"
"$bin" -r "$work/three-hours.pcap" -o "$work/rot" --seed 1 --progress never --log.rotate-interval 1h \
    --log.rotate-command "echo >>'$work/rotated.txt'" 2>"$work/rot.err" || { cat "$work/rot.err"; fail "rotated run"; }

p1=2026-11-22-13-10-00
p2=2026-11-22-14-00-00
for f in "$work"/rot/*.log; do
    [[ $(tail -n1 "$f") == "#close"* ]] || fail "$(basename "$f") does not end with #close"
done
n_rotated=0
for plain in "$work"/plain/*.log; do
    log=$(basename "$plain" .log)
    files=()
    for stamp in $p1 $p2; do
        [[ -f $work/rot/$log.$stamp.log ]] && files+=("$work/rot/$log.$stamp.log")
    done
    [[ -f $work/rot/$log.log ]] && files+=("$work/rot/$log.log")
    ((${#files[@]})) || fail "no $log files in the rotated run"
    n_rotated=$((n_rotated + ${#files[@]} - $([[ -f $work/rot/$log.log ]] && echo 1 || echo 0)))
    # stats.log's mem (resident MiB, third column) is the process's, not the input's.
    mask=(cat)
    [[ $log == stats ]] && mask=(awk -F'\t' -v OFS='\t' '{$3 = "(mem)"; print}')
    diff <(grep -hv '^#' "$plain" | "${mask[@]}") <(grep -hv '^#' "${files[@]}" | "${mask[@]}") >/dev/null ||
        fail "$log: rotated files do not hold exactly the rows of the unrotated run"
    echo "$log: $(for f in "${files[@]}"; do printf '%s(%s) ' "$(basename "$f")" "$(grep -cv '^#' "$f")"; done)"
done
# No file with another name: only the current logs and the two periods.
extra=$(cd "$work/rot" && ls | grep -Ev "^[a-z_]+\.log$|^[a-z_]+\.($p1|$p2)\.log$" || true)
[[ -z $extra ]] || fail "unexpected files: $extra"
# Each period had rows of its own capture: smb_files in both SMB hours.
[[ -f $work/rot/smb_files.$p1.log && -f $work/rot/smb_files.$p2.log ]] || fail "smb_files not rotated in both SMB hours"
[[ -f $work/rot/ssh.log && ! -f $work/rot/ssh.$p1.log && ! -f $work/rot/ssh.$p2.log ]] ||
    fail "ssh rows (third hour only) must all be in the current ssh.log"
# The command ran once per rotated file, with its path (it runs detached: wait).
for _ in $(seq 50); do [[ -f $work/rotated.txt && $(wc -l <"$work/rotated.txt") -ge $n_rotated ]] && break; sleep 0.1; done
[[ $(sort "$work/rotated.txt") == $(cd "$work/rot" && ls -d "$PWD"/*.20*.log | sort) ]] ||
    fail "rotate command ran for: $(cat "$work/rotated.txt" 2>/dev/null)"
echo "$n_rotated rotated files, rotate command run for each"
echo PASS
