#!/usr/bin/env bash
# Record an SSH dissector capture against one OpenSSH server, one TCP
# connection per case, each from its own client host so the client address
# identifies the case:
#   up1  scp upload of a random file (OpenSSH 9 scp: SFTP protocol), key auth
#   term interactive `ssh -tt` session, commands typed key by key, key auth
#   dl   sftp -b download of a random file, key auth
#   bad  one password attempt with a wrong password (fails), then gives up
#
# usage: tools/lab/record-ssh-ops.sh [--seed N] [--out-dir DIR]
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
name=ssh-ops

lab_rand_seed "$seed" ssh-ops
lab_rand 1600000 1800000
up_size=$REPLY
lab_rand 120000 160000
dl_size=$REPLY

lab_init
lab_add_host srv 10.74.0.50
lab_add_host up1 10.74.0.51
lab_add_host term 10.74.0.52
lab_add_host dl 10.74.0.53
lab_add_host bad 10.74.0.54
lab_sshd_start srv
sd=$(lab_sshd_dir srv)
sip=$(lab_ip srv)

f="$LAB_TMP/files"
lab_mkfile random "$up_size" "$seed" "$f/db-dump.bin" >/dev/null
lab_mkfile random "$dl_size" "$((seed + 1))" "$sd/outgoing/keys.bin" >/dev/null
printf 'get %s %s\n' "$sd/outgoing/keys.bin" "$f/keys.bin" >"$LAB_TMP/dl.batch"

lab_capture_start "$LAB_TMP/$name.pcap"
lab_scp up1 "$f/db-dump.bin" "root@$sip:$sd/incoming/db-dump.bin"
lab_ssh_interactive term srv 'hostname' 'ls -la /etc | head -5' 'df -h /' 'uptime'
lab_sftp_batch dl srv "$LAB_TMP/dl.batch"
lab_ssh_wrong_password bad srv
lab_capture_stop
cmp "$f/db-dump.bin" "$sd/incoming/db-dump.bin"
cmp "$sd/outgoing/keys.bin" "$f/keys.bin"
grep -q 'Failed password for root' "$sd/sshd.log" || lab_die "sshd logged no failed password"

lab_truth init --scenario "$name" --seed "$seed" --capture "$name.pcap" \
    --set-str remote_paths="relative to the lab sshd's temp dir"
for h in srv up1 term dl bad; do
    role=client
    [[ $h == srv ]] && role=server
    lab_truth host --name "$h" --ip "$(lab_ip "$h")" --role "$role"
done
lab_truth connection --client "$(lab_ip up1)" --server "$sip" --kind upload --auth-success true \
    --file "$f/db-dump.bin" --set-str tool=scp --set-str scp_protocol=sftp --set-str name=incoming/db-dump.bin
lab_truth connection --client "$(lab_ip term)" --server "$sip" --kind interactive --auth-success true \
    --set-str tool="ssh -tt" --set commands=5
lab_truth connection --client "$(lab_ip dl)" --server "$sip" --kind download --auth-success true \
    --file "$f/keys.bin" --set-str tool="sftp -b" --set-str name=outgoing/keys.bin
lab_truth connection --client "$(lab_ip bad)" --server "$sip" --kind failed-auth --auth-success false \
    --set-str tool=ssh --set password_attempts=1
lab_truth transfer --proto ssh --client "$(lab_ip up1)" --server "$sip" --name incoming/db-dump.bin \
    --op write --file "$f/db-dump.bin"
lab_truth transfer --proto ssh --client "$(lab_ip dl)" --server "$sip" --name outgoing/keys.bin \
    --op read --file "$f/keys.bin"
lab_truth finish --out "$LAB_TMP/$name.truth.json"

lab_verify "$LAB_TMP/$name.pcap" "$LAB_TMP/$name.truth.json"
cp "$LAB_TMP/$name.pcap" "$out_dir/$name.pcap"
cp "$LAB_TMP/$name.truth.json" "$out_dir/$name.truth.json"
lab_log "wrote $out_dir/$name.pcap ($(stat -c %s "$out_dir/$name.pcap") bytes) and $name.truth.json"
