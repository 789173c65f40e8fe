#!/usr/bin/env bash
# Encrypted SMB3 fan-in: 3-5 sources put 1-2 files each (archives or random
# data, seeded) to the share `secure` (smb encrypt = required) on one target
# with SMB 3.0 or 3.1.1 and client-side encryption: names and sizes are
# hidden, only volume per client/server is visible.
#
# usage: scenarios/smb-encrypted-fanin.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin smb-encrypted-fanin "$@"

lab_rand 3 5
nsrc=$REPLY
sources=()
for ((k = 1; k <= nsrc; k++)); do sources+=("pc$k"); done
lab_scenario_host vault target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start vault
secure=$(lab_smb_share_dir vault secure)

plan=()
for h in "${sources[@]}"; do
    lab_rand 1 2
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        lab_pick zip 7z random
        kind=$REPLY
        ext=$kind
        [[ $kind == random ]] && ext=dat
        lab_rand 400000 1800000
        size=$REPLY
        lab_rand_name "$h" "$ext"
        name=$REPLY
        lab_rand 0 1000000
        lab_mkfile "$kind" "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
        plan+=("$h $name")
    done
done

lab_scenario_capture
for h in "${sources[@]}"; do
    lab_pick SMB3_11 SMB3_11 SMB3_00
    lab_smb_dialect_opts "$REPLY"
    cmds=""
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] && cmds+="put $LAB_TMP/src/$h/${p#* } ${p#* }; "
    done
    lab_smbclient "$h" vault secure "$cmds" "${LAB_DIALECT_OPTS[@]}" --client-protection=encrypt
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] || continue
        name=${p#* }
        cmp "$LAB_TMP/src/$h/$name" "$secure/$name"
        lab_t_smb write "$h" vault secure "$name" "$LAB_TMP/src/$h/$name" \
            --set encrypted=true --set-str dialect="$LAB_DIALECT_WIRE"
    done
done

lab_truth notice --note Staging::Fan_In --dst "$(lab_ip vault)" --sources "$(lab_ips "${sources[@]}")" \
    --detection-type EncryptedFanIn --min-severity medium
lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
