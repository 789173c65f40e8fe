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
#   --file-caps   run a copy of the binary with file capabilities
#                 (cap_net_raw,cap_net_admin) as nobody, never root: check the
#                 process has exactly those two capabilities and no root ids
#   --mbps RATE   replay at RATE Mbit/s instead of top speed
#   --loop N      replay N times, new addresses each time, and check only
#                 drops and counts (rate search: find_zero_drop_rate.sh)
#   --keep DIR    keep the logs in DIR
# exit 77 = skipped (not root, no tcpreplay, no network namespaces)
set -euo pipefail
bin=$(readlink -f "$1")
src=$(readlink -f "$2")
pcap=$3
shift 3
user="" mbps="" loop=1 keep="" file_caps=0
while (($#)); do
    case $1 in
        --user) user=$2; shift 2 ;;
        --mbps) mbps=$2; shift 2 ;;
        --file-caps) file_caps=1; shift ;;
        --loop) loop=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        *) echo "usage: $0 STAGEWATCH SOURCE_DIR PCAP [--user NAME] [--mbps R] [--loop N] [--keep DIR]" >&2; exit 2 ;;
    esac
done
[[ $pcap = /* ]] || pcap=$src/pcaps/$pcap
[[ $(id -u) = 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v tcpreplay >/dev/null || { echo "SKIP: tcpreplay not installed (apt-get install tcpreplay)"; exit 77; }

here=$(cd "$(dirname "$0")" && pwd)
source "$here/veth_lib.sh"
work=$(mktemp -d /tmp/swlive.XXXXXX)
chmod 755 "$work"
sensor_pid=""

cleanup() {
    kill_sensor
    veth_cleanup
    if [[ -n $keep ]]; then
        rm -rf "$keep"; mkdir -p "$(dirname "$keep")"; mv "$work" "$keep"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; [[ -f $work/live.err ]] && sed 's/^/  sensor: /' "$work/live.err"; exit 1; }

veth_setup $$

mkdir -p "$work/live"
[[ -n $user ]] && chown "$user" "$work/live"
sensor_prefix=()
if ((file_caps)); then
    command -v setcap >/dev/null && command -v setpriv >/dev/null || { echo "SKIP: setcap/setpriv not found"; exit 77; }
    cp "$bin" "$work/stagewatch"
    bin=$work/stagewatch
    setcap cap_net_raw,cap_net_admin=eip "$bin" || { echo "SKIP: cannot set file capabilities here"; exit 77; }
    chown nobody "$work/live"
    sensor_prefix=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
# Per-file findings from low up, so that notice rows exist to compare (a
# single archive to a hidden share is a low finding).
policy=(--notice.file-min-severity low)
args=(-o "$work/live" --seed 1 --progress never "${policy[@]}")
[[ -n $user ]] && args+=(--user "$user")
start_sensor "$work/live.err" "${args[@]}" || fail "the sensor did not start capturing within 10 s"

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

if ((file_caps)); then
    read -r _ ruid euid _ < <(grep '^Uid:' "/proc/$sensor_pid/status")
    capeff=$(grep '^CapEff:' "/proc/$sensor_pid/status" | cut -f2)
    want=$(id -u nobody)
    [[ $ruid == "$want" && $euid == "$want" ]] || fail "sensor runs as uid $ruid/$euid, want nobody ($want)"
    # CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13: exactly 0x3000.
    [[ $capeff == 0000000000003000 ]] || fail "sensor capabilities $capeff, want only net_admin and net_raw (3000)"
    echo "sensor runs as nobody without root, with capabilities $capeff (net_admin, net_raw) from the file"
fi

rate=(--topspeed)
[[ -n $mbps ]] && rate=(--mbps="$mbps")
# Looped, every pass gets new addresses (--unique-ip): new flows, not replays.
((loop > 1)) && rate+=(--unique-ip)
replay "$pcap" "${rate[@]}" --loop="$loop"
[[ -n $sent ]] || { cat "$work/replay.out"; fail "cannot read tcpreplay's packet count"; }

# Let the kernel hand over its last block (the capture timeout is 100 ms).
sleep 1
stop_sensor 60 TERM || fail "the sensor did not exit within 60 s of SIGTERM"
[[ $sensor_rc == 0 ]] || fail "the sensor exited with $sensor_rc after SIGTERM"

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

# stats.log (live default: a row every minute and one at the end): its rows
# add up to the run's packets and to the kernel's drop counter.
[[ -f $work/live/stats.log ]] || fail "no stats.log"
read -r st_rows st_pkts st_drops st_link st_ifaces < <(awk -F'\t' '
    /^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
    /^#/ { next }
    { n++; p += $col["pkts_proc"]; d += $col["kernel_drops"]; l += $col["pkts_link"]; ifs = $col["interface"] }
    END { print n, p, d, l, ifs }' "$work/live/stats.log")
echo "stats.log: $st_rows rows, pkts_proc $st_pkts, pkts_link $st_link, kernel_drops $st_drops, interface $st_ifaces"
[[ $st_pkts == "$got" ]] || fail "stats.log counts $st_pkts packets, the run $got"
[[ $st_drops == "$drops" ]] || fail "stats.log counts $st_drops kernel drops, the summary $drops"
[[ $st_ifaces == "$if_sn" ]] || fail "stats.log names interface '$st_ifaces', not $if_sn"

if ((loop == 1)); then
    "$bin" -r "$pcap" -o "$work/offline" --seed 1 --progress never "${policy[@]}" 2>"$work/offline.err" || fail "offline run failed"
    python3 "$src/tests/live/compare_rows.py" "$work/live" "$work/offline" smb_files ssh notice ||
        fail "live rows differ from the offline run"
fi
echo PASS
