#!/usr/bin/env bash
# Archives under innocent names: 1-2 sources each put 1-2 files whose content
# is a real zip, or a 7z/rar signature + random bytes, named .txt/.dat/.log,
# plus one genuine text file with the same kind of name (the control), to the
# normal share `data` of one file server. Too few sources for fan-in.
#
# usage: scenarios/archive-masquerade.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin archive-masquerade "$@"

lab_rand 1 2
nsrc=$REPLY
sources=()
for ((k = 1; k <= nsrc; k++)); do sources+=("lap$k"); done
lab_scenario_host fs-docs target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start fs-docs
data=$(lab_smb_share_dir fs-docs data)

plan=()
for h in "${sources[@]}"; do
    lab_rand 1 2
    nfiles=$REPLY
    for ((j = 0; j <= nfiles; j++)); do
        if ((j == nfiles)); then
            kind=text   # the control: a real text file
            lab_rand 20000 120000
        else
            lab_pick zip 7z rar rar4
            kind=$REPLY
            lab_rand 200000 1200000
        fi
        size=$REPLY
        lab_pick txt dat log
        lab_rand_name "$h" "$REPLY"
        name=$REPLY
        lab_rand 0 1000000
        lab_mkfile "$kind" "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
        plan+=("$h $name")
    done
done

lab_scenario_capture
for h in "${sources[@]}"; do
    lab_pick_dialect
    lab_smb_dialect_opts "$REPLY"
    cmds=""
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] && cmds+="put $LAB_TMP/src/$h/${p#* } ${p#* }; "
    done
    lab_smbclient "$h" fs-docs data "$cmds" "${LAB_DIALECT_OPTS[@]}"
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] || continue
        name=${p#* }
        cmp "$LAB_TMP/src/$h/$name" "$data/$name"
        lab_t_smb write "$h" fs-docs data "$name" "$LAB_TMP/src/$h/$name" --set-str dialect="$LAB_DIALECT_WIRE"
    done
    lab_truth notice --note Staging::Archive_Masquerade --src "$(lab_ip "$h")" --dst "$(lab_ip fs-docs)" \
        --detection-type ArchiveMasquerade --min-severity medium
done

lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
