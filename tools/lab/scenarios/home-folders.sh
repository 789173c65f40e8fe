#!/usr/bin/env bash
# Benign control, folder redirection: 4-6 workstations each save 3-5 files
# (office documents and personal zip archives, real zip content) into their
# own folder on the hidden home share `home$` of one file server
# (home$\<workstation>\Documents\...), the way redirected Documents folders
# and home drives look on the wire. Many sources, archives, a hidden share
# and over 1 MB: the textbook look-alike of fan-in staging. Each source only
# ever writes into a folder of its own, so nothing may be raised above low.
#
# usage: scenarios/home-folders.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin home-folders "$@"

lab_rand 4 6
nclients=$REPLY
clients=()
for ((k = 1; k <= nclients; k++)); do clients+=("pc$k"); done
lab_scenario_host fs-home server
for h in "${clients[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start fs-home
home=$(lab_smb_share_dir fs-home 'home$')
for h in "${clients[@]}"; do mkdir -p "$home/$h/Documents"; done
chown -R "$LAB_SMB_USER:" "$home"

plan=()
for h in "${clients[@]}"; do
    lab_rand 3 5
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        # At least one personal archive per user.
        if ((j == 0)); then kind=zip; else lab_pick zip docx xlsx pdf; kind=$REPLY; fi
        lab_rand 200000 600000
        size=$REPLY
        lab_rand_name "$h" "$kind"
        name=$REPLY
        lab_rand 0 1000000
        lab_mkfile "$kind" "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
        plan+=("$h $name")
    done
done

lab_scenario_capture
for h in "${clients[@]}"; do
    lab_pick_dialect
    lab_smb_dialect_opts "$REPLY"
    cmds=""
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] || continue
        name=${p#* }
        cmds+="put $LAB_TMP/src/$h/$name $h\\Documents\\$name; "
    done
    lab_smbclient "$h" fs-home 'home$' "$cmds" "${LAB_DIALECT_OPTS[@]}"
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] || continue
        name=${p#* }
        cmp "$LAB_TMP/src/$h/$name" "$home/$h/Documents/$name"
        lab_t_smb write "$h" fs-home 'home$' "$h\\Documents\\$name" "$LAB_TMP/src/$h/$name" \
            --set-str dialect="$LAB_DIALECT_WIRE"
    done
done

lab_truth set forbid_notices_above '"low"'
lab_truth set detector_options '["--staging.min-bytes=1MB", "--staging.long-min-bytes=1MB"]'
lab_scenario_end
