#!/usr/bin/env bash
# Temp file renamed to .zip: 1-2 sources each write 1-2 archives (real zip
# content) under a temp name (~zi<hex>.tmp, as archivers do) to the `data`
# share of one server, then rename each to its final .zip name in the same
# session.
#
# usage: scenarios/tmp-rename-zip.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin tmp-rename-zip "$@"

lab_rand 1 2
nsrc=$REPLY
sources=()
for ((k = 1; k <= nsrc; k++)); do sources+=("wks$k"); done
lab_scenario_host nas target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start nas
data=$(lab_smb_share_dir nas data)

plan=()
for h in "${sources[@]}"; do
    lab_rand 1 2
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        lab_rand 300000 1500000
        size=$REPLY
        lab_rand 4096 65535
        tmp=$(printf '~zi%04X.tmp' "$REPLY")
        lab_rand_name "$h" zip
        final=$REPLY
        lab_rand 0 1000000
        lab_mkfile zip "$size" "$REPLY" "$LAB_TMP/src/$h/$tmp" >/dev/null
        plan+=("$h $tmp $final")
    done
done

lab_scenario_capture
for h in "${sources[@]}"; do
    lab_pick_dialect
    lab_smb_dialect_opts "$REPLY"
    cmds=""
    for p in "${plan[@]}"; do
        read -r ph tmp final <<<"$p"
        [[ $ph == "$h" ]] && cmds+="put $LAB_TMP/src/$h/$tmp $tmp; rename $tmp $final; "
    done
    lab_smbclient "$h" nas data "$cmds" "${LAB_DIALECT_OPTS[@]}"
    for p in "${plan[@]}"; do
        read -r ph tmp final <<<"$p"
        [[ $ph == "$h" ]] || continue
        cmp "$LAB_TMP/src/$h/$tmp" "$data/$final"
        lab_t_smb write "$h" nas data "$tmp" "$LAB_TMP/src/$h/$tmp" --set-str dialect="$LAB_DIALECT_WIRE"
        lab_t_smb rename "$h" nas data "$tmp" "$data/$final" --new-name "$final"
    done
    lab_truth notice --note Staging::Archive_Write --src "$(lab_ip "$h")" --dst "$(lab_ip nas)" \
        --min-severity low --set-str also_acceptable=Staging::Archive_Masquerade
done

lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
