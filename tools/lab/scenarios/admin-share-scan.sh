#!/usr/bin/env bash
# Benign control, vulnerability scanner: one scanner host connects to the
# administrative shares C$ and ADMIN$ of 4-6 servers, lists them and reads a
# few small files from each (a system.ini, a version file), the way
# authenticated vulnerability scans check patch levels. Many servers and
# admin shares, but reads of a few KB: not a collector, nothing may be raised
# above low.
#
# usage: scenarios/admin-share-scan.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin admin-share-scan "$@"

lab_rand 4 6
nsrv=$REPLY
servers=()
for ((k = 1; k <= nsrv; k++)); do servers+=("srv$k"); done
lab_scenario_host scanner source
for s in "${servers[@]}"; do lab_scenario_host "$s" server; done
for s in "${servers[@]}"; do
    lab_smbd_start "$s"
    c=$(lab_smb_share_dir "$s" 'C$')
    a=$(lab_smb_share_dir "$s" 'ADMIN$')
    mkdir -p "$c/Windows" "$a/System32"
    lab_rand 0 1000000
    lab_mkfile text 2400 "$REPLY" "$c/Windows/system.ini" >/dev/null
    lab_rand 0 1000000
    lab_mkfile text 900 "$REPLY" "$a/System32/version.txt" >/dev/null
    chown -R "$LAB_SMB_USER:" "$c" "$a"
done

lab_scenario_capture
for s in "${servers[@]}"; do
    lab_smbclient scanner "$s" 'C$' "ls; cd Windows; ls; get system.ini $LAB_TMP/scan-$s-system.ini"
    cmp "$LAB_TMP/scan-$s-system.ini" "$(lab_smb_share_dir "$s" 'C$')/Windows/system.ini"
    lab_t_smb read scanner "$s" 'C$' 'Windows\system.ini' "$LAB_TMP/scan-$s-system.ini"
    lab_smbclient scanner "$s" 'ADMIN$' "ls; get System32\\version.txt $LAB_TMP/scan-$s-version.txt"
    cmp "$LAB_TMP/scan-$s-version.txt" "$(lab_smb_share_dir "$s" 'ADMIN$')/System32/version.txt"
    lab_t_smb read scanner "$s" 'ADMIN$' 'System32\version.txt' "$LAB_TMP/scan-$s-version.txt"
done

lab_truth set forbid_notices_above '"low"'
lab_truth set detector_options '["--staging.min-bytes=1MB", "--staging.long-min-bytes=1MB"]'
lab_scenario_end
