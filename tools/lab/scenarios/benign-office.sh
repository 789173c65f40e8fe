#!/usr/bin/env bash
# Benign control, office file server: 6-10 clients each write 2-4 small office
# documents (real OOXML docx/xlsx/pptx, PDFs) to department folders on the
# `data` share of one server, and about half of them open a colleague's
# document. Many sources and over 1 MB in all, but nothing staging-like: the
# detector may note it at most at low severity.
#
# usage: scenarios/benign-office.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin benign-office "$@"

lab_rand 6 10
nclients=$REPLY
clients=()
for ((k = 1; k <= nclients; k++)); do clients+=("desk$k"); done
lab_scenario_host fs-office server
for h in "${clients[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start fs-office
data=$(lab_smb_share_dir fs-office data)
depts=(Finance Sales HR Marketing)
for d in "${depts[@]}"; do
    mkdir -p "$data/Shared/$d"
done
chown -R "$LAB_SMB_USER:" "$data/Shared"

plan=()
words=(minutes report budget plan slides invoice roster agenda summary draft)
for h in "${clients[@]}"; do
    lab_pick "${depts[@]}"
    dept=$REPLY
    lab_rand 2 4
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        lab_pick docx docx xlsx xlsx pptx pdf
        kind=$REPLY
        lab_rand 100000 250000
        size=$REPLY
        lab_pick "${words[@]}"
        w=$REPLY
        lab_rand 1 28
        name=$(printf '%s-%s-2026-11-%02d.%s' "$w" "$h" "$REPLY" "$kind")
        lab_rand 0 1000000
        lab_mkfile "$kind" "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
        plan+=("$h Shared\\$dept\\$name $name")
    done
done

lab_scenario_capture
written=()
for h in "${clients[@]}"; do
    lab_pick_dialect
    lab_smb_dialect_opts "$REPLY"
    cmds=""
    for p in "${plan[@]}"; do
        read -r ph remote local <<<"$p"
        [[ $ph == "$h" ]] && cmds+="put $LAB_TMP/src/$h/$local $remote; "
    done
    # About half of the users also open a document written before theirs.
    lab_rand 0 1
    read_one=""
    if ((REPLY == 1 && ${#written[@]} > 0)); then
        lab_pick "${written[@]}"
        read_one=$REPLY
        cmds+="get ${read_one#* } $LAB_TMP/read-$h.bin; "
    fi
    lab_smbclient "$h" fs-office data "$cmds" "${LAB_DIALECT_OPTS[@]}"
    for p in "${plan[@]}"; do
        read -r ph remote local <<<"$p"
        [[ $ph == "$h" ]] || continue
        cmp "$LAB_TMP/src/$h/$local" "$data/${remote//\\//}"
        lab_t_smb write "$h" fs-office data "$remote" "$LAB_TMP/src/$h/$local" --set-str dialect="$LAB_DIALECT_WIRE"
        written+=("$h $remote")
    done
    if [[ -n $read_one ]]; then
        r=${read_one#* }
        cmp "$LAB_TMP/read-$h.bin" "$data/${r//\\//}"
        lab_t_smb read "$h" fs-office data "${read_one#* }" "$LAB_TMP/read-$h.bin" --set-str dialect="$LAB_DIALECT_WIRE"
    fi
done

lab_truth set forbid_notices_above '"low"'
lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
