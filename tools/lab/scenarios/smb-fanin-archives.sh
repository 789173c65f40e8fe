#!/usr/bin/env bash
# SMB fan-in of archives: 3-6 source workstations each put 1-2 archives (real
# zip content, or 7z/rar signature + random bytes) to the hidden share stage$
# on one target, each with its own seeded dialect. Background: a guest reads a
# small file from another file server's public share, and an admin runs a
# short interactive ssh session to a jump host.
#
# usage: scenarios/smb-fanin-archives.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin smb-fanin-archives "$@"

lab_rand 3 6
nsrc=$REPLY
sources=()
for ((k = 1; k <= nsrc; k++)); do sources+=("ws$k"); done
lab_scenario_host fs-stage target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_scenario_host fs-pub background
lab_scenario_host reader background
lab_scenario_host admin background
lab_scenario_host jump background

lab_smbd_start fs-stage
lab_smbd_start fs-pub
lab_sshd_start jump
lab_bg_public_seed fs-pub
stage=$(lab_smb_share_dir fs-stage 'stage$')
# The intruder's staging folder already exists on the target.
lab_pick "" collect tmp
dir=$REPLY
[[ -z $dir ]] || mkdir -p "$stage/$dir"
[[ -z $dir ]] || chown "$LAB_SMB_USER:" "$stage/$dir"

# Plan every upload before the capture so file creation does not stretch it.
plan=()
for h in "${sources[@]}"; do
    lab_rand 1 2
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        lab_pick zip zip 7z rar
        kind=$REPLY
        lab_rand 400000 2000000
        size=$REPLY
        lab_rand_name "$h" "$kind"
        name=$REPLY
        lab_rand 0 1000000
        lab_mkfile "$kind" "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
        plan+=("$h $name")
    done
done

lab_scenario_capture
lab_bg_public_read reader fs-pub
for h in "${sources[@]}"; do
    lab_pick_dialect
    lab_smb_dialect_opts "$REPLY"
    cmds=""
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] || continue
        name=${p#* }
        cmds+="put $LAB_TMP/src/$h/$name ${dir:+$dir\\}$name; "
    done
    lab_smbclient "$h" fs-stage 'stage$' "$cmds" "${LAB_DIALECT_OPTS[@]}"
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] || continue
        name=${p#* }
        cmp "$LAB_TMP/src/$h/$name" "$stage/${dir:+$dir/}$name"
        lab_t_smb write "$h" fs-stage 'stage$' "${dir:+$dir\\}$name" "$LAB_TMP/src/$h/$name" \
            --set-str dialect="$LAB_DIALECT_WIRE"
    done
    if [[ $h == "${sources[1]}" ]]; then
        lab_bg_ssh admin jump
    fi
done

lab_truth notice --note Staging::Fan_In --dst "$(lab_ip fs-stage)" \
    --sources "$(lab_ips "${sources[@]}")" --detection-type FanInArchiveStaging --min-severity high
lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
