#!/usr/bin/env bash
# Record a bulk SMB upload: one smbclient `put` of a random file of exactly
# SIZE bytes to Samba's `data` share (Samba's default max write is 8 MiB, so
# the file crosses the wire as 8 MiB WRITE requests), plus a truth file with
# the exact size. Output is large and is not committed: write it under
# lab-out/ (gitignored) or anywhere else.
#
# usage: tools/lab/record-smb-bulk.sh --size SIZE --out FILE.pcap
#            [--dialect SMB3_11|SMB3_00|SMB2_10] [--seed N] [--no-verify]
#   SIZE: bytes, or with a binary suffix K/M/G (400M = 400 MiB = 50 writes
#   of 8 MiB; 1G = 1 GiB = 128 writes). The truth goes to FILE.truth.json
#   (FILE without .pcap). The capture is checked with tshark unless
#   --no-verify (sequence holes, every WRITE's length and offset).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

size_arg=""
out=""
dialect=SMB3_11
seed=1
verify=1
while (($#)); do
    case $1 in
        --size) size_arg=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --dialect) dialect=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --no-verify) verify=0; shift ;;
        *) lab_die "usage: $0 --size SIZE --out FILE.pcap [--dialect SMB3_11] [--seed N] [--no-verify]" ;;
    esac
done
[[ -n $size_arg && -n $out ]] || lab_die "--size and --out are required"
case $size_arg in
    *[kK]) size=$((${size_arg%?} * 1024)) ;;
    *[mM]) size=$((${size_arg%?} * 1024 * 1024)) ;;
    *[gG]) size=$((${size_arg%?} * 1024 * 1024 * 1024)) ;;
    *) size=$size_arg ;;
esac
[[ $size =~ ^[0-9]+$ ]] || lab_die "bad --size '$size_arg'"
case $dialect in
    SMB3_11) wire=3.1.1 ;;
    SMB3_00) wire=3.0 ;;
    SMB2_10) wire=2.1 ;;
    *) lab_die "--dialect must be SMB3_11, SMB3_00 or SMB2_10" ;;
esac
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
truth="${out%.pcap}.truth.json"
[[ $truth != "$out" ]] || truth="$out.truth.json"

# Room for the source file, Samba's copy and the capture (~1.1 x size).
need_kb=$(((size / 1024) * 3 + 1048576))
lab_init
free_kb=$(df -Pk "$LAB_TMP" | awk 'NR == 2 {print $4}')
((free_kb > need_kb)) || lab_die "need ~$((need_kb / 1024)) MiB free in $LAB_TMP, have $((free_kb / 1024)) MiB"

lab_add_host ws9 10.74.0.91
lab_add_host fs9 10.74.0.90
lab_smbd_start fs9

src="$LAB_TMP/files/bulk-$size_arg.bin"
t0=$(date +%s.%N)
lab_mkfile random "$size" "$seed" "$src" >/dev/null
t1=$(date +%s.%N)
cap="$out.part"
lab_capture_start "$cap"
LAB_CMD_TIMEOUT=$((120 + size / 4000000)) \
    lab_smbclient ws9 fs9 data "put $src bulk.bin" -m "$dialect" --option="client min protocol=$dialect"
lab_capture_stop
t2=$(date +%s.%N)
dst="$(lab_smb_share_dir fs9 data)/bulk.bin"
[[ $(stat -c %s "$dst") == "$size" ]] || lab_die "Samba's copy has the wrong size"
cmp "$src" "$dst"

lab_truth init --scenario "smb-bulk-$size_arg" --seed "$seed" --capture "$(basename "$out")" \
    --set-str smb_user="$LAB_SMB_USER" --set-str dialect="$wire" \
    --set smb_max_write=8388608
lab_truth host --name ws9 --ip "$(lab_ip ws9)" --role source
lab_truth host --name fs9 --ip "$(lab_ip fs9)" --role server
lab_truth transfer --proto smb --client "$(lab_ip ws9)" --server "$(lab_ip fs9)" --share data \
    --name bulk.bin --op write --file "$src"
lab_truth finish --out "$truth.part"

if ((verify)); then
    python3 "$here/verify.py" --bulk --capture "$cap" --truth "$truth.part"
fi
t3=$(date +%s.%N)
mv "$cap" "$out"
mv "$truth.part" "$truth"
lab_log "$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$(stat -c %s "$out")" -v s="$size" \
    'BEGIN { printf "file %.1fs, record %.1fs, verify %.1fs; capture %d bytes for a %d-byte upload", b - a, c - b, d - c, n, s }')"
lab_log "wrote $out and $truth"
