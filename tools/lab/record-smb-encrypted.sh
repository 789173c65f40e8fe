#!/usr/bin/env bash
# Record an encrypted SMB 3.1.1 capture: smbclient with
# --client-protection=encrypt puts one random file of known size to the share
# `secure` (smb encrypt = required) and lists it. Negotiate and session setup
# are cleartext; from the tree connect on, every message is an SMB3 TRANSFORM
# (0xFD 'SMB') PDU, so the file name and payload are not visible.
#
# usage: tools/lab/record-smb-encrypted.sh [--seed N] [--out-dir DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

out_dir="$here/../../pcaps"
seed=1
while (($#)); do
    case $1 in
        --seed) seed=$2; shift 2 ;;
        --out-dir) out_dir=$2; shift 2 ;;
        *) lab_die "usage: $0 [--seed N] [--out-dir DIR]" ;;
    esac
done
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
name=smb3-encrypted

lab_rand_seed "$seed" smb-encrypted
lab_rand 100000 140000
size=$REPLY

lab_init
lab_add_host ws2 10.74.0.41
lab_add_host fs2 10.74.0.40
lab_smbd_start fs2

f="$LAB_TMP/files"
lab_mkfile random "$size" "$seed" "$f/payroll-2026.bin" >/dev/null

lab_capture_start "$LAB_TMP/$name.pcap"
lab_smbclient ws2 fs2 secure "put $f/payroll-2026.bin payroll-2026.bin; ls" \
    -m SMB3_11 --option='client min protocol=SMB3_11' --client-protection=encrypt
lab_capture_stop
cmp "$f/payroll-2026.bin" "$(lab_smb_share_dir fs2 secure)/payroll-2026.bin"

tree=$(printf '\\\\%s\\secure' "$(lab_ip fs2)")
lab_truth init --scenario "$name" --seed "$seed" --capture "$name.pcap" \
    --set-str smb_user="$LAB_SMB_USER" --set-str smb_domain="$LAB_SMB_DOMAIN" \
    --set-str dialect=3.1.1 --set-str tree_path="$tree" --set encrypted=true
lab_truth host --name ws2 --ip "$(lab_ip ws2)" --role source
lab_truth host --name fs2 --ip "$(lab_ip fs2)" --role server
lab_truth transfer --proto smb --client "$(lab_ip ws2)" --server "$(lab_ip fs2)" --share secure \
    --name payroll-2026.bin --op write --file "$f/payroll-2026.bin" --set encrypted=true
lab_truth finish --out "$LAB_TMP/$name.truth.json"

lab_verify "$LAB_TMP/$name.pcap" "$LAB_TMP/$name.truth.json"
cp "$LAB_TMP/$name.pcap" "$out_dir/$name.pcap"
cp "$LAB_TMP/$name.truth.json" "$out_dir/$name.truth.json"
lab_log "wrote $out_dir/$name.pcap ($(stat -c %s "$out_dir/$name.pcap") bytes) and $name.truth.json"
