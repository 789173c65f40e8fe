#!/usr/bin/env bash
# Pull then push: one collector `get`s 1-2 files from the `data` share of each
# of 3-4 SMB servers, zips what it collected (a real zip of the downloaded
# files) and `put`s the zip to the `data` share of another host.
#
# usage: scenarios/pull-then-push.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin pull-then-push "$@"

lab_rand 3 4
nsrv=$REPLY
servers=()
for ((k = 1; k <= nsrv; k++)); do servers+=("srv$k"); done
lab_scenario_host coll collector
for s in "${servers[@]}"; do lab_scenario_host "$s" server; done
lab_scenario_host drop target
for s in "${servers[@]}" drop; do lab_smbd_start "$s"; done

# Files already on the servers' shares.
plan=()
for s in "${servers[@]}"; do
    lab_rand 1 2
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        lab_pick docx xlsx pdf random
        kind=$REPLY
        ext=$kind
        [[ $kind == random ]] && ext=bak
        lab_rand 300000 1200000
        size=$REPLY
        lab_rand_name "$s" "$ext"
        name=$REPLY
        lab_rand 0 1000000
        f="$(lab_smb_share_dir "$s" data)/$name"
        lab_mkfile "$kind" "$size" "$REPLY" "$f" >/dev/null
        chown "$LAB_SMB_USER:" "$f"
        plan+=("$s $name")
    done
done
lab_rand_name loot zip
zipname=$REPLY

lab_scenario_capture
got=()
for s in "${servers[@]}"; do
    lab_pick_dialect
    lab_smb_dialect_opts "$REPLY"
    cmds=""
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$s" ]] && cmds+="get ${p#* } $LAB_TMP/pulled/${p#* }; "
    done
    mkdir -p "$LAB_TMP/pulled"
    lab_smbclient coll "$s" data "$cmds" "${LAB_DIALECT_OPTS[@]}"
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$s" ]] || continue
        name=${p#* }
        cmp "$(lab_smb_share_dir "$s" data)/$name" "$LAB_TMP/pulled/$name"
        lab_t_smb read coll "$s" data "$name" "$LAB_TMP/pulled/$name" --set-str dialect="$LAB_DIALECT_WIRE"
        got+=("$LAB_TMP/pulled/$name")
    done
done
lab_mkfile zip-of 0 0 "$LAB_TMP/$zipname" "${got[@]}" >/dev/null
lab_pick_dialect
lab_smb_dialect_opts "$REPLY"
lab_smbclient coll drop data "put $LAB_TMP/$zipname $zipname" "${LAB_DIALECT_OPTS[@]}"
cmp "$LAB_TMP/$zipname" "$(lab_smb_share_dir drop data)/$zipname"
lab_t_smb write coll drop data "$zipname" "$LAB_TMP/$zipname" --set-str dialect="$LAB_DIALECT_WIRE"

lab_truth notice --note Staging::Pull_Collector --src "$(lab_ip coll)" --sources "$(lab_ips "${servers[@]}")" \
    --detection-type PullThenPush --min-severity high --set-str push_dst="$(lab_ip drop)"
lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
