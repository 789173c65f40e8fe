#!/usr/bin/env bash
# Lateral tool transfer (T1570): an operator host reads an executable (a
# Windows PE image) off the C$ administrative share of a server, and a small
# text file off its ADMIN$ (the scanner-like read that must stay quiet).
# Expected: one Staging::Tool_Transfer (medium, ToolTransfer) for the PE
# read, naming the reader as src and the server as dst; smb_files logs the
# read's read_content_type `pe` (and `text` for the text file).
#
# usage: scenarios/tool-transfer.sh [--seed N] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

lab_scenario_begin tool-transfer "$@"

lab_scenario_host op source
lab_scenario_host srv1 server
lab_smbd_start srv1
c=$(lab_smb_share_dir srv1 'C$')
a=$(lab_smb_share_dir srv1 'ADMIN$')
mkdir -p "$c/Tools" "$a/System32"
lab_rand 0 1000000
# A PE image: DOS header "MZ" with e_lfanew = 0x80, "PE\0\0" there, then
# pseudo-random bytes (seeded) up to 180000 bytes.
python3 - "$c/Tools/psx.exe" "$REPLY" <<'PY'
import random, sys
path, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
head = bytearray(0x80)
head[0:2] = b"MZ"
head[0x3C:0x40] = (0x80).to_bytes(4, "little")
body = bytes(rng.getrandbits(8) for _ in range(180000 - 0x84))
open(path, "wb").write(bytes(head) + b"PE\0\0" + body)
PY
lab_rand 0 1000000
lab_mkfile text 900 "$REPLY" "$a/System32/version.txt" >/dev/null
chown -R "$LAB_SMB_USER:" "$c" "$a"

lab_scenario_capture
lab_smbclient op srv1 'C$' "cd Tools; get psx.exe $LAB_TMP/psx.exe"
cmp "$LAB_TMP/psx.exe" "$c/Tools/psx.exe"
lab_t_smb read op srv1 'C$' 'Tools\psx.exe' "$LAB_TMP/psx.exe"
lab_smbclient op srv1 'ADMIN$' "get System32\\version.txt $LAB_TMP/version.txt"
cmp "$LAB_TMP/version.txt" "$a/System32/version.txt"
lab_t_smb read op srv1 'ADMIN$' 'System32\version.txt' "$LAB_TMP/version.txt"

lab_truth notice --note Staging::Tool_Transfer --src "$(lab_ip op)" --dst "$(lab_ip srv1)" \
    --sources "$(lab_ips srv1)" --detection-type ToolTransfer --min-severity medium
lab_truth set forbid_notices_above '"medium"'
lab_truth set detector_options '["--staging.min-bytes=1MB"]'
lab_scenario_end
