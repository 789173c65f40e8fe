#!/usr/bin/env bash
# Acceptance: a real smbclient upload of SIZE bytes (8 MiB WRITEs, recorded by
# tools/lab/record-smb-bulk.sh with Samba in network namespaces) through
# build/stagewatch: bytes_written and size of the file's smb_files.log row
# must equal the file size exactly, and peak RSS must stay flat (far below
# the file size). With --tshark, tshark independently counts the WRITE
# requests and their lengths in the same capture.
#
# usage: smb_bulk_upload.sh STAGEWATCH SOURCE_DIR SIZE [--tshark] [--max-rss-mb N]
# exit 77 = skipped (no lab scripts, not root, not enough disk)
set -euo pipefail
bin=$1
src=$2
size=$3
shift 3
tshark_check=0
max_rss_mb=100
while (($#)); do
    case $1 in
        --tshark) tshark_check=1; shift ;;
        --max-rss-mb) max_rss_mb=$2; shift 2 ;;
        *) echo "usage: $0 STAGEWATCH SOURCE_DIR SIZE [--tshark] [--max-rss-mb N]" >&2; exit 2 ;;
    esac
done

lab=${STAGEWATCH_LAB_DIR:-$src/tools/lab}
if [[ ! -x $lab/record-smb-bulk.sh ]]; then
    echo "SKIP: $lab/record-smb-bulk.sh not found (tools/lab comes from the lab branch)"
    exit 77
fi
if [[ $(id -u) != 0 ]]; then
    echo "SKIP: recording needs root (network namespaces)"
    exit 77
fi
case $size in
    *[kK]) bytes=$((${size%?} * 1024)) ;;
    *[mM]) bytes=$((${size%?} * 1024 * 1024)) ;;
    *[gG]) bytes=$((${size%?} * 1024 * 1024 * 1024)) ;;
    *) bytes=$size ;;
esac
tmp=${TMPDIR:-/tmp}
need_kb=$((bytes / 1024 * 4 + 1048576))  # source, Samba's copy, capture, slack
free_kb=$(df -Pk "$tmp" | awk 'NR == 2 {print $4}')
if ((free_kb < need_kb)); then
    echo "SKIP: need ~$((need_kb / 1024)) MiB free in $tmp, have $((free_kb / 1024)) MiB"
    exit 77
fi

work=$(mktemp -d "$tmp/stagewatch-smb-bulk.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== recording a $size upload"
# The lab refuses a capture in which tcpdump dropped packets (it happens when
# the machine is busy); that is the environment, not the dissector: retry.
recorded=0
for attempt in 1 2 3 4; do
    if "$lab/record-smb-bulk.sh" --size "$size" --out "$work/bulk.pcap" --no-verify; then
        recorded=1
        break
    fi
    echo "recording attempt $attempt failed; retrying"
    sleep 2
done
((recorded)) || { echo "FAIL: could not record a complete capture in 4 attempts"; exit 1; }
rm -rf "$work/lab-tmp"
ls -l "$work/bulk.pcap"

echo "== stagewatch"
# Peak RSS of one run, from getrusage (ru_maxrss, KiB on Linux). A child's
# figure includes the pages of the forked python before exec, so the same is
# measured on a small capture of the project as the baseline: "flat" means
# the bulk run needs no more than that plus a few MB.
peak_rss() {
    python3 - "$bin" "$1" "$2" <<'PY'
import resource, subprocess, sys
bin, pcap, out = sys.argv[1], sys.argv[2], sys.argv[3]
p = subprocess.run([bin, "-r", pcap, "-o", out, "--seed", "1"])
if p.returncode != 0:
    sys.exit("stagewatch exited %d" % p.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
rss_kb=$(peak_rss "$work/bulk.pcap" "$work/logs")
base_kb=$(peak_rss "$src/pcaps/smb311-ops.pcap" "$work/base-logs")

python3 - "$work" "$bytes" "$rss_kb" "$max_rss_mb" "$base_kb" <<'PY'
import json, sys
work, size, rss_kb, max_rss_mb, base_kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
truth = json.load(open(work + "/bulk.truth.json"))
t = [x for x in truth["transfers"] if x["op"] == "write"][0]
assert t["bytes"] == size, ("truth size", t["bytes"], size)

def rows(path):
    fields, out = None, []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif not line.startswith("#"):
            out.append(dict(zip(fields, line.split("\t"))))
    return out

files = [r for r in rows(work + "/logs/smb_files.log") if r["name"] == t["name"]]
fails = []
def check(what, got, want):
    ok = got == want
    print("%-4s %s: %s (want %s)" % ("ok" if ok else "FAIL", what, got, want))
    if not ok:
        fails.append(what)
check("rows for " + t["name"], len(files), 1)
if files:
    f = files[0]
    check("action", f["action"], "SMB::FILE_WRITE")
    check("bytes_written", int(f["bytes_written"]), size)
    check("size", int(f["size"]), size)
    check("write_ranges", int(f["write_ranges"]), 1)
    check("missed_bytes", int(f["missed_bytes"]), 0)
    check("share", f["share"], t["share"])
    check("client", f["id.orig_h"], t["client"])
    check("server", f["id.resp_h"], t["server"])
    check("content_type", f["content_type"], "data")
rss_mb, base_mb = rss_kb / 1024.0, base_kb / 1024.0
ok = rss_mb < max_rss_mb and rss_mb - base_mb < 8
print("%-4s peak RSS %.1f MB for a %d MiB upload; %.1f MB for a 1.5 MB capture (limits: %d MB, +8 MB)"
      % ("ok" if ok else "FAIL", rss_mb, size >> 20, base_mb, max_rss_mb))
if not ok:
    fails.append("rss")
sys.exit(1 if fails else 0)
PY

if ((tshark_check)); then
    echo "== tshark cross-check (independent count of the WRITEs)"
    tshark -n -r "$work/bulk.pcap" -Y "smb2.cmd == 9 && smb2.flags.response == 0" \
        -T fields -e smb2.write_length -e smb2.file_offset >"$work/writes.tsv"
    python3 - "$work/writes.tsv" "$bytes" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
n, total = len(rows), sum(int(r[0]) for r in rows)
ends = sorted((int(r[1]), int(r[1]) + int(r[0])) for r in rows)
contiguous = all(a[1] == b[0] for a, b in zip(ends, ends[1:])) and ends[0][0] == 0
size = int(sys.argv[2])
print("tshark: %d WRITE requests, %d bytes, contiguous from 0: %s" % (n, total, contiguous))
if total != size or not contiguous:
    sys.exit("tshark disagrees with the file size: %d != %d" % (total, size))
PY
fi
echo "PASS"
