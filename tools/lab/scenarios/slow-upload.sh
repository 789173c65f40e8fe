#!/usr/bin/env bash
# Slow concurrent SMB uploads (issue 11): 3 source workstations each put one
# 5.0-5.6 MB zip to the hidden share stage$ on one target at the same time,
# each over a link throttled to 1 Mbit/s (tc tbf on the source's veth), so
# every upload lasts about 45 s and crosses several 10 s volume intervals.
# The fan-in is real and must be found; tests/lab/check_progress.py also
# checks that the bytes show up in volume.log interval by interval while the
# uploads run, and that the fan-in notice is raised before they end.
#
# Samba's max write is 8 MiB, so each upload is one SMB2 WRITE whose body
# crosses the wire for the whole transfer.
#
# usage: scenarios/slow-upload.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

rate_bits=1000000   # per source, tc tbf (counts Ethernet frames)
interval_s=10       # --volume.interval of the detector options

lab_scenario_begin slow-upload "$@"

sources=(up1 up2 up3)
lab_scenario_host fs-stage target
for h in "${sources[@]}"; do lab_scenario_host "$h" source; done
lab_smbd_start fs-stage
stage=$(lab_smb_share_dir fs-stage 'stage$')
mkdir -p "$stage/collect"
chown "$LAB_SMB_USER:" "$stage/collect"

# Throttle each source's sending: a token bucket at rate_bits (replaces the
# lab's default 400 Mbit/s shaping on that veth). The source's TCP send buffer
# is capped at 256 KB so that what TCP has in flight (about 2 s at 1 Mbit/s)
# always fits the bucket's 1 MB queue: no drops, no retransmissions, and the
# wire shows the data at the throttled rate for the whole upload.
for h in "${sources[@]}"; do
    ns=${LAB_HOST_NS[$h]}
    dev=$(ip -n "$ns" -o link show type veth | awk -F': ' 'NR == 1 { sub(/@.*/, "", $2); print $2 }')
    [[ -n $dev ]] || lab_die "no veth in $ns"
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_wmem="4096 65536 262144" >/dev/null
    tc -n "$ns" qdisc replace dev "$dev" root tbf rate "${rate_bits}bit" burst 8kb limit 1mb ||
        lab_die "cannot throttle $h ($dev) with tc tbf"
done

plan=()
for h in "${sources[@]}"; do
    lab_rand 5000000 5600000
    size=$REPLY
    lab_rand_name "$h" zip
    name=$REPLY
    lab_rand 0 1000000
    lab_mkfile zip "$size" "$REPLY" "$LAB_TMP/src/$h/$name" >/dev/null
    plan+=("$h $name")
done

lab_scenario_capture
lab_smb_dialect_opts SMB3_11
# One smbclient per source, all at once; each put takes ~45 s, so the
# per-operation timeout (-t, default 20 s) and the command bound are raised.
LAB_CMD_TIMEOUT=150
pids=()
for p in "${plan[@]}"; do
    h=${p%% *}
    name=${p#* }
    lab_smbclient "$h" fs-stage 'stage$' "put $LAB_TMP/src/$h/$name collect\\$name" \
        "${LAB_DIALECT_OPTS[@]}" -t 120 &
    pids+=("$!")
done
for pid in "${pids[@]}"; do
    wait "$pid" || lab_die "an upload failed"
done
for p in "${plan[@]}"; do
    h=${p%% *}
    name=${p#* }
    cmp "$LAB_TMP/src/$h/$name" "$stage/collect/$name"
    lab_t_smb write "$h" fs-stage 'stage$' "collect\\$name" "$LAB_TMP/src/$h/$name" \
        --set-str dialect="$LAB_DIALECT_WIRE"
done

lab_truth notice --note Staging::Fan_In --dst "$(lab_ip fs-stage)" \
    --sources "$(lab_ips "${sources[@]}")" --detection-type FanInArchiveStaging --min-severity high
lab_truth set throttle "{\"rate_bits_per_s\": $rate_bits, \"qdisc\": \"tbf\", \"sources\": ${#sources[@]}}"
lab_truth set detector_options "[\"--staging.min-bytes=1MB\", \"--volume.interval=${interval_s}s\"]"
lab_scenario_end
