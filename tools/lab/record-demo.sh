#!/usr/bin/env bash
# Record pcaps/demo-smb.pcap + demo-smb.truth.json: one short smbclient
# session (SMB 3.1.1, NTLMSSP as the lab user) against Samba's hidden share
# stage$: put a .docx, a .zip and a .txt, ls, get, rename, del.
#
# usage: tools/lab/record-demo.sh [--out-dir DIR] [--seed N]
#        (default: the repository's pcaps/, seed 1)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

out_dir="$here/../../pcaps"
seed=1
while (($#)); do
    case $1 in
        --out-dir) out_dir=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        *) lab_die "usage: $0 [--out-dir DIR] [--seed N]" ;;
    esac
done
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
name=demo-smb

lab_init
lab_add_host ws1 10.74.0.21
lab_add_host fs1 10.74.0.10
lab_smbd_start fs1

src="$LAB_TMP/files"
lab_mkfile docx 23817 "$seed" "$src/Q3-board-minutes.docx" >/dev/null
lab_mkfile zip 61440 "$seed" "$src/hr-export-2026.zip" >/dev/null
lab_mkfile text 3311 "$seed" "$src/notes.txt" >/dev/null

tree=$(printf '\\\\%s\\stage$' "$(lab_ip fs1)")
lab_truth init --scenario "$name" --seed "$seed" --capture "$name.pcap" \
    --set-str smb_user="$LAB_SMB_USER" --set-str smb_domain="$LAB_SMB_DOMAIN" \
    --set-str dialect=3.1.1 --set-str tree_path="$tree"
lab_truth host --name ws1 --ip "$(lab_ip ws1)" --role source
lab_truth host --name fs1 --ip "$(lab_ip fs1)" --role target

lab_capture_start "$LAB_TMP/$name.pcap"
lab_smbclient ws1 fs1 'stage$' "put $src/Q3-board-minutes.docx Q3-board-minutes.docx; put $src/hr-export-2026.zip hr-export-2026.zip; put $src/notes.txt notes.txt; ls; get notes.txt $LAB_TMP/notes.back.txt; rename hr-export-2026.zip hr-2026.zip; del notes.txt" \
    -m SMB3_11 --option='client min protocol=SMB3_11'
lab_capture_stop

# The share must now hold exactly what the session left there.
share=$(lab_smb_share_dir fs1 'stage$')
cmp "$src/Q3-board-minutes.docx" "$share/Q3-board-minutes.docx"
cmp "$src/hr-export-2026.zip" "$share/hr-2026.zip"
cmp "$src/notes.txt" "$LAB_TMP/notes.back.txt"
[[ ! -e $share/notes.txt && ! -e $share/hr-export-2026.zip ]] || lab_die "rename/del did not happen"

c=$(lab_ip ws1) s=$(lab_ip fs1)
t() { lab_truth transfer --proto smb --client "$c" --server "$s" --share 'stage$' "$@"; }
t --name Q3-board-minutes.docx --op write --file "$src/Q3-board-minutes.docx"
t --name hr-export-2026.zip --op write --file "$src/hr-export-2026.zip"
t --name notes.txt --op write --file "$src/notes.txt"
t --name notes.txt --op read --file "$LAB_TMP/notes.back.txt"
t --name hr-export-2026.zip --op rename --new-name hr-2026.zip --file "$share/hr-2026.zip"
t --name notes.txt --op delete --file "$src/notes.txt"
lab_truth finish --out "$LAB_TMP/$name.truth.json"

lab_verify "$LAB_TMP/$name.pcap" "$LAB_TMP/$name.truth.json"
cp "$LAB_TMP/$name.pcap" "$out_dir/$name.pcap"
cp "$LAB_TMP/$name.truth.json" "$out_dir/$name.truth.json"
lab_log "wrote $out_dir/$name.pcap ($(stat -c %s "$out_dir/$name.pcap") bytes) and $name.truth.json"
