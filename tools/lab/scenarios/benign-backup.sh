#!/usr/bin/env bash
# Benign control, nightly backups: 3-5 servers push 1.5-4 MB backup files
# each (real gzip .tar.gz or random .bak over SMB to backup01's `data`
# share, or a .tar.gz over scp) to one backup server. It is a textbook
# fan-in of archives, so the truth allow-lists backup01: the detector must
# suppress it (staging.log row with suppressed=T) and raise no notice above
# low.
#
# usage: scenarios/benign-backup.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin benign-backup "$@"

lab_rand 3 5
nsrc=$REPLY
sources=()
for ((k = 1; k <= nsrc; k++)); do sources+=("app$k"); done
lab_scenario_host backup01 target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start backup01
lab_sshd_start backup01
data=$(lab_smb_share_dir backup01 data)
sd=$(lab_sshd_dir backup01)
bip=$(lab_ip backup01)

plan=()
for h in "${sources[@]}"; do
    mkdir -p "$data/backups/$h"
    chown -R "$LAB_SMB_USER:" "$data/backups"
    lab_pick smb smb scp
    via=$REPLY
    lab_pick gz random
    kind=$REPLY
    ext=tar.gz
    [[ $kind == random ]] && ext=bak
    [[ $via == scp ]] && { kind=gz; ext=tar.gz; }
    lab_rand 1500000 4000000
    size=$REPLY
    name="$h-nightly-20261122.$ext"
    lab_rand 0 1000000
    lab_mkfile "$kind" "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
    plan+=("$h $via $name")
done

lab_scenario_capture
for p in "${plan[@]}"; do
    read -r h via name <<<"$p"
    if [[ $via == smb ]]; then
        lab_pick_dialect
        lab_smb_dialect_opts "$REPLY"
        lab_smbclient "$h" backup01 data "put $LAB_TMP/src/$h/$name backups\\$h\\$name" "${LAB_DIALECT_OPTS[@]}"
        cmp "$LAB_TMP/src/$h/$name" "$data/backups/$h/$name"
        lab_t_smb write "$h" backup01 data "backups\\$h\\$name" "$LAB_TMP/src/$h/$name" \
            --set-str dialect="$LAB_DIALECT_WIRE"
    else
        lab_scp "$h" "$LAB_TMP/src/$h/$name" "root@$bip:$sd/incoming/$name"
        cmp "$LAB_TMP/src/$h/$name" "$sd/incoming/$name"
        lab_t_ssh write "$h" backup01 "incoming/$name" "$LAB_TMP/src/$h/$name" --set-str tool=scp
        lab_truth connection --client "$(lab_ip "$h")" --server "$bip" --kind upload --auth-success true \
            --file "$LAB_TMP/src/$h/$name" --set-str tool=scp
    fi
done

lab_truth set forbid_notices_above '"none"'
lab_truth set allowlist "{\"targets\": [\"$bip\"]}"
lab_truth set expected_suppressed "[{\"note\": \"Staging::Fan_In\", \"dst\": \"$bip\", \"sources\": $(python3 -c 'import json,sys; print(json.dumps(sorted(sys.argv[1].split(","), key=lambda a: tuple(map(int, a.split("."))))))' "$(lab_ips "${sources[@]}")")}]"
lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
