#!/usr/bin/env bash
# Record an SMB dissector capture: one smbclient session to the `data` share
# with mkdir, puts of a 0-byte, a 1-byte, a 70000-byte and a large file,
# gets of the small ones, an overwrite of an existing file with a shorter
# one, a rename and a delete.
#
# usage: tools/lab/record-smb-ops.sh --dialect SMB3_11|SMB2_10|SMB3_00|SMB2_02
#            [--seed N] [--out-dir DIR] [--name NAME] [--big-size BYTES]
#   defaults: seed 1, the repository's pcaps/, name smb311-ops / smb21-ops /
#   smb30-ops / smb202-ops, big file 1.25-1.35 MB (seeded) for SMB3_11 and
#   150-200 KB for the others (keeps pcaps/ well under 5 MB).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

out_dir="$here/../../pcaps"
seed=1
dialect=""
name=""
big=""
while (($#)); do
    case $1 in
        --dialect) dialect=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --out-dir) out_dir=$2; shift 2 ;;
        --name) name=$2; shift 2 ;;
        --big-size) big=$2; shift 2 ;;
        *) lab_die "usage: $0 --dialect SMB3_11|SMB2_10|SMB3_00|SMB2_02 [--seed N] [--out-dir DIR] [--name NAME] [--big-size BYTES]" ;;
    esac
done
case $dialect in
    SMB3_11) wire=3.1.1 ;;
    SMB3_00) wire=3.0 ;;
    SMB2_10) wire=2.1 ;;
    SMB2_02) wire=2.0.2 ;;
    *) lab_die "--dialect must be SMB3_11, SMB3_00, SMB2_10 or SMB2_02" ;;
esac
[[ -n $name ]] || name="smb$(tr -d . <<<"$wire")-ops"
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

lab_rand_seed "$seed" smb-ops
if [[ -z $big ]]; then
    if [[ $dialect == SMB3_11 ]]; then lab_rand 1250000 1350000; else lab_rand 150000 200000; fi
    big=$REPLY
fi

lab_init
lab_add_host ws1 10.74.0.31
lab_add_host fs1 10.74.0.30
lab_smbd_start fs1

f="$LAB_TMP/files"
lab_mkfile zero 0 "$seed" "$f/empty.txt" >/dev/null
lab_mkfile text 1 "$seed" "$f/one.txt" >/dev/null
lab_mkfile random 70000 "$seed" "$f/data-70000.bin" >/dev/null
lab_mkfile zip "$big" "$seed" "$f/bundle.zip" >/dev/null
lab_mkfile text 5000 "$seed" "$f/notes-v1.txt" >/dev/null
lab_mkfile text 2000 "$((seed + 1))" "$f/notes-v2.txt" >/dev/null
back="$LAB_TMP/back"
mkdir -p "$back"

lab_capture_start "$LAB_TMP/$name.pcap"
lab_smbclient ws1 fs1 data "mkdir reports; cd reports; put $f/empty.txt empty.txt; put $f/one.txt one.txt; put $f/data-70000.bin data-70000.bin; put $f/bundle.zip bundle.zip; put $f/notes-v1.txt notes.txt; ls; get empty.txt $back/empty.txt; get one.txt $back/one.txt; get data-70000.bin $back/data-70000.bin; put $f/notes-v2.txt notes.txt; rename data-70000.bin data-70000.old; del one.txt" \
    -m "$dialect" --option="client min protocol=$dialect"
lab_capture_stop

share=$(lab_smb_share_dir fs1 data)/reports
for x in empty.txt one.txt data-70000.bin; do cmp "$f/$x" "$back/$x"; done
cmp "$f/bundle.zip" "$share/bundle.zip"
cmp "$f/notes-v2.txt" "$share/notes.txt"
cmp "$f/data-70000.bin" "$share/data-70000.old"
[[ ! -e $share/one.txt && ! -e $share/data-70000.bin ]] || lab_die "rename/del did not happen"

tree=$(printf '\\\\%s\\data' "$(lab_ip fs1)")
lab_truth init --scenario "$name" --seed "$seed" --capture "$name.pcap" \
    --set-str smb_user="$LAB_SMB_USER" --set-str smb_domain="$LAB_SMB_DOMAIN" \
    --set-str dialect="$wire" --set-str tree_path="$tree"
lab_truth host --name ws1 --ip "$(lab_ip ws1)" --role source
lab_truth host --name fs1 --ip "$(lab_ip fs1)" --role server
c=$(lab_ip ws1) s=$(lab_ip fs1)
t() { lab_truth transfer --proto smb --client "$c" --server "$s" --share data "$@"; }
t --name reports --op mkdir
t --name 'reports\empty.txt' --op write --file "$f/empty.txt"
t --name 'reports\one.txt' --op write --file "$f/one.txt"
t --name 'reports\data-70000.bin' --op write --file "$f/data-70000.bin"
t --name 'reports\bundle.zip' --op write --file "$f/bundle.zip"
t --name 'reports\notes.txt' --op write --file "$f/notes-v1.txt"
t --name 'reports\empty.txt' --op read --file "$back/empty.txt"
t --name 'reports\one.txt' --op read --file "$back/one.txt"
t --name 'reports\data-70000.bin' --op read --file "$back/data-70000.bin"
t --name 'reports\notes.txt' --op write --file "$f/notes-v2.txt" --set overwrite=true
t --name 'reports\data-70000.bin' --op rename --new-name 'reports\data-70000.old' --file "$share/data-70000.old"
t --name 'reports\one.txt' --op delete --file "$f/one.txt"
lab_truth finish --out "$LAB_TMP/$name.truth.json"

lab_verify "$LAB_TMP/$name.pcap" "$LAB_TMP/$name.truth.json"
cp "$LAB_TMP/$name.pcap" "$out_dir/$name.pcap"
cp "$LAB_TMP/$name.truth.json" "$out_dir/$name.truth.json"
lab_log "wrote $out_dir/$name.pcap ($(stat -c %s "$out_dir/$name.pcap") bytes) and $name.truth.json"
