#!/usr/bin/env bash
# Signals of a live sensor (ctest label `live`), on the veth pair of
# veth_lib.sh:
#  - SIGHUP reopens every log, as logrotate expects: the logs are renamed to
#    X.log.1, SIGHUP, more traffic; every X.log.1 ends with #close, the new
#    X.log files start with a full header and end with #close, and together
#    they hold exactly the rows of the offline runs (times and uids masked).
#  - --log.rotate-interval 1s live: files rotate on the wall clock while the
#    link is idle, each closed; together they hold the offline run's rows.
#  - Two quick SIGTERMs: the sensor exits promptly (2 s) with status 0 and
#    every log it wrote ends with #close.
#
# usage: signals_test.sh STAGEWATCH SOURCE_DIR
# exit 77 = skipped (not root, no tcpreplay)
set -euo pipefail
bin=$(readlink -f "$1")
src=$(readlink -f "$2")
[[ $(id -u) = 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v tcpreplay >/dev/null || { echo "SKIP: tcpreplay not installed (apt-get install tcpreplay)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/veth_lib.sh"
live_scratch swsig
fail() { echo "FAIL: $*"; for f in "$work"/*.err; do [[ -f $f ]] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
veth_setup $$

# --- SIGHUP: logrotate's rename, then reopen -------------------------------
# Per-file findings from low up, so that demo-smb has notice rows to compare.
policy=(--notice.file-min-severity low)
start_sensor "$work/hup.err" -o "$work/hup" --seed 1 --progress never "${policy[@]}" || fail "the sensor did not start"
replay "$src/pcaps/demo-smb.pcap" --topspeed
sleep 1
# SMB rows are written as files close, so some are in the logs already; flush
# happens when the link is idle.
for f in "$work"/hup/*.log; do mv "$f" "$f.1"; done
ls "$work"/hup/*.log.1 >/dev/null 2>&1 || fail "no log written before SIGHUP"
kill -HUP "$sensor_pid"
wait_for 5 bash -c "ls '$work'/hup/*.log >/dev/null 2>&1 || exit 1; for f in '$work'/hup/*.log.1; do tail -n1 \"\$f\" | grep -q '^#close' || exit 1; done" ||
    fail "the renamed logs were not closed within 5 s of SIGHUP"
replay "$src/pcaps/ssh-ops.pcap" --topspeed
sleep 1
stop_sensor 60 TERM || fail "no exit within 60 s of SIGTERM"
[[ $sensor_rc == 0 ]] || fail "exit status $sensor_rc after SIGTERM"
for f in "$work"/hup/*.log "$work"/hup/*.log.1; do
    [[ $(head -n1 "$f") == "#separator \\x09" ]] || fail "$(basename "$f") does not start with a header"
    [[ $(tail -n1 "$f") == "#close"* ]] || fail "$(basename "$f") does not end with #close"
    [[ $(grep -c '^#close' "$f") == 1 ]] || fail "$(basename "$f") has more than one #close"
done
echo "after SIGHUP: $(cd "$work/hup" && ls | xargs)"
[[ -f $work/hup/ssh.log && ! -f $work/hup/ssh.log.1 ]] || fail "ssh rows (after SIGHUP) must be in the new ssh.log only"

"$bin" -r "$src/pcaps/demo-smb.pcap" -o "$work/off-smb" --seed 1 --progress never "${policy[@]}" 2>"$work/off.err" || fail "offline run"
"$bin" -r "$src/pcaps/ssh-ops.pcap" -o "$work/off-ssh" --seed 1 --progress never 2>"$work/off.err" || fail "offline run"
# The renamed and the new file together: the offline rows, in order.
mkdir "$work/joined"
for log in smb_files notice; do
    [[ -f $work/off-smb/$log.log ]] || continue
    parts=()
    for f in "$work/hup/$log.log.1" "$work/hup/$log.log"; do [[ -f $f ]] && parts+=("$f"); done
    ((${#parts[@]})) || fail "no $log rows live"
    { cat "${parts[0]}"; [[ ${#parts[@]} == 2 ]] && grep -v '^#' "${parts[1]}" || true; } >"$work/joined/$log.log"
done
cp "$work/hup/ssh.log" "$work/joined/ssh.log"
python3 "$here/compare_rows.py" "$work/joined" "$work/off-smb" smb_files notice || fail "SMB rows differ across the reopen"
python3 "$here/compare_rows.py" "$work/joined" "$work/off-ssh" ssh || fail "SSH rows differ after the reopen"

# --- rotation on the wall clock ---------------------------------------------
start_sensor "$work/rot.err" -o "$work/rot" --seed 1 --progress never "${policy[@]}" --log.rotate-interval 1s ||
    fail "the sensor did not start"
replay "$src/pcaps/demo-smb.pcap" --topspeed
sleep 2.5  # an idle link: the wall clock passes at least two rotation times
stop_sensor 60 TERM || fail "no exit within 60 s of SIGTERM"
[[ $sensor_rc == 0 ]] || fail "exit status $sensor_rc after SIGTERM"
rotated=$(cd "$work/rot" && ls | grep -cE '^[a-z_]+\.[0-9]{4}(-[0-9]{2}){5}\.log$' || true)
((rotated > 0)) || fail "nothing rotated live: $(ls "$work/rot" | xargs)"
for f in "$work"/rot/*; do
    [[ $(tail -n1 "$f") == "#close"* ]] || fail "$(basename "$f") does not end with #close"
done
mkdir "$work/rot-joined"
for log in smb_files notice; do
    files=()  # rotated files in time order (the names sort by time), then the current one
    for f in "$work/rot/$log".20*.log "$work/rot/$log.log"; do [[ -f $f ]] && files+=("$f"); done
    ((${#files[@]})) || fail "no $log rows live"
    { grep '^#' "${files[0]}" | grep -v '^#close'; grep -hv '^#' "${files[@]}" || true; } >"$work/rot-joined/$log.log"
done
python3 "$here/compare_rows.py" "$work/rot-joined" "$work/off-smb" smb_files notice || fail "rows differ across live rotation"
echo "live rotation every 1s: $rotated rotated files, all closed, rows equal the offline run's"

# --- two SIGTERMs: prompt exit, logs still closed ---------------------------
start_sensor "$work/twice.err" -o "$work/twice" --seed 1 --progress never || fail "the sensor did not start"
replay "$src/pcaps/smb311-ops.pcap" --topspeed
sleep 1
t0=$(date +%s%N)
stop_sensor 2 TERM TERM || fail "no exit within 2 s of two SIGTERMs"
ms=$((($(date +%s%N) - t0) / 1000000))
[[ $sensor_rc == 0 ]] || fail "exit status $sensor_rc after two SIGTERMs"
n=0
for f in "$work"/twice/*.log; do
    [[ -f $f ]] || continue
    n=$((n + 1))
    [[ $(tail -n1 "$f") == "#close"* ]] || fail "$(basename "$f") does not end with #close"
done
((n > 0)) || fail "no log written before the two SIGTERMs"
echo "two SIGTERMs: exit 0 after $ms ms, $n logs closed"
echo PASS
