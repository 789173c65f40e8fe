#!/usr/bin/env bash
# SCP fan-in: 3-5 sources copy 1-2 files each to one target's sshd with scp
# (seeded mix of OpenSSH 9's default SFTP-based scp and legacy `scp -O`), one
# TCP connection per file. Contents: real zip, 7z/rar signature + random, or
# plain random bytes; names are not visible on the wire (encrypted).
#
# usage: scenarios/scp-fanin.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin scp-fanin "$@"

lab_rand 3 5
nsrc=$REPLY
sources=()
for ((k = 1; k <= nsrc; k++)); do sources+=("src$k"); done
lab_scenario_host drop target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_sshd_start drop
sd=$(lab_sshd_dir drop)
dip=$(lab_ip drop)

plan=()
for h in "${sources[@]}"; do
    lab_rand 1 2
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        lab_pick zip 7z rar random
        kind=$REPLY
        ext=$kind
        [[ $kind == random ]] && ext=bin
        lab_rand 300000 1500000
        size=$REPLY
        lab_rand_name "$h" "$ext"
        name=$REPLY
        lab_rand 0 1000000
        lab_mkfile "$kind" "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
        lab_pick sftp scp
        plan+=("$h $REPLY $name")
    done
done

lab_scenario_capture
for p in "${plan[@]}"; do
    read -r h proto name <<<"$p"
    legacy=()
    [[ $proto == scp ]] && legacy=(-O)
    lab_scp "$h" "${legacy[@]}" "$LAB_TMP/src/$h/$name" "root@$dip:$sd/incoming/$name"
    cmp "$LAB_TMP/src/$h/$name" "$sd/incoming/$name"
    lab_t_ssh write "$h" drop "incoming/$name" "$LAB_TMP/src/$h/$name" \
        --set-str tool=scp --set-str scp_protocol="$proto"
    lab_truth connection --client "$(lab_ip "$h")" --server "$dip" --kind upload --auth-success true \
        --file "$LAB_TMP/src/$h/$name" --set-str tool=scp --set-str scp_protocol="$proto"
done

lab_truth notice --note Staging::Fan_In --dst "$dip" --sources "$(lab_ips "${sources[@]}")" \
    --min-severity medium
lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
