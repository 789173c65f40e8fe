#!/usr/bin/env bash
# Slow SMB staging: 3-5 source workstations each put 1-2 archives (real zip
# content, or 7z/rar signature + random bytes) into the same folder
# stage$\collect on one target, as in smb-fanin-archives. The sessions are
# recorded back to back, then spread over a working day: every packet to or
# from source k is moved k x 2 h later (editcap -t per host, mergecap), so no
# hour holds more than one source and only a longer horizon
# (staging.long-windows) sees the fan-in. It must still be found, at least
# medium.
#
# usage: scenarios/slow-staging.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin slow-staging "$@"

lab_rand 3 5
nsrc=$REPLY
sources=()
for ((k = 1; k <= nsrc; k++)); do sources+=("op$k"); done
lab_scenario_host fs-stage target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start fs-stage
stage=$(lab_smb_share_dir fs-stage 'stage$')
mkdir -p "$stage/collect"
chown "$LAB_SMB_USER:" "$stage/collect"

plan=()
for h in "${sources[@]}"; do
    lab_rand 1 2
    nfiles=$REPLY
    for ((j = 0; j < nfiles; j++)); do
        lab_pick zip 7z rar
        kind=$REPLY
        lab_rand 400000 1500000
        size=$REPLY
        lab_rand_name "$h" "$kind"
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
        [[ ${p%% *} == "$h" ]] || continue
        cmds+="put $LAB_TMP/src/$h/${p#* } collect\\${p#* }; "
    done
    lab_smbclient "$h" fs-stage 'stage$' "$cmds" "${LAB_DIALECT_OPTS[@]}"
    for p in "${plan[@]}"; do
        [[ ${p%% *} == "$h" ]] || continue
        name=${p#* }
        cmp "$LAB_TMP/src/$h/$name" "$stage/collect/$name"
        lab_t_smb write "$h" fs-stage 'stage$' "collect\\$name" "$LAB_TMP/src/$h/$name" \
            --set-str dialect="$LAB_DIALECT_WIRE"
    done
done

lab_truth notice --note Staging::Fan_In --dst "$(lab_ip fs-stage)" \
    --sources "$(lab_ips "${sources[@]}")" --detection-type FanInArchiveStaging --min-severity medium
lab_truth set time_shift "{\"per_source_seconds\": 7200}"
lab_truth set detector_options '["--staging.min-bytes=1MB", "--staging.long-min-bytes=1MB"]'
lab_scenario_end

# Spread the sessions over the day: source k (1-based) moves (k-1) x 2 h.
# verify.txt was checked on the recording; the shift keeps every packet.
cap="$LAB_OUT/capture.pcap"
parts=()
others=()
for ((k = 1; k <= nsrc; k++)); do
    h=${sources[k - 1]}
    ip=$(lab_ip "$h")
    others+=("host $ip")
    tcpdump -q -r "$cap" -w "$LAB_TMP/part-$k.pcap" "host $ip" 2>/dev/null
    editcap -F pcap -t $(((k - 1) * 7200)) "$LAB_TMP/part-$k.pcap" "$LAB_TMP/shifted-$k.pcap"
    parts+=("$LAB_TMP/shifted-$k.pcap")
done
rest_filter="not ($(IFS='|'; printf '%s' "${others[*]}" | sed 's/|/ or /g'))"
tcpdump -q -r "$cap" -w "$LAB_TMP/rest.pcap" "$rest_filter" 2>/dev/null
mergecap -F pcap -w "$LAB_TMP/spread.pcap" "$LAB_TMP/rest.pcap" "${parts[@]}"
before=$(tcpdump -r "$cap" 2>/dev/null | wc -l)
after=$(tcpdump -r "$LAB_TMP/spread.pcap" 2>/dev/null | wc -l)
((before == after)) || lab_die "slow-staging: spreading lost packets ($before -> $after)"
cp "$LAB_TMP/spread.pcap" "$cap"
lab_log "slow-staging: $nsrc sources spread over $(((nsrc - 1) * 2)) h"
