#!/usr/bin/env bash
# Re-record every capture committed in pcaps/ (same seeds, so the same file
# names and sizes; timestamps, ports and keys differ). ~35 s in all.
#
# usage: tools/lab/record-pcaps.sh [--out-dir DIR]   (default: pcaps/)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out_dir="$here/../../pcaps"
if (($#)); then
    [[ $1 == --out-dir && $# -eq 2 ]] || { echo "usage: $0 [--out-dir DIR]" >&2; exit 2; }
    out_dir=$2
fi
"$here/record-demo.sh" --seed 1 --out-dir "$out_dir"
"$here/record-smb-ops.sh" --dialect SMB3_11 --seed 1 --out-dir "$out_dir"
"$here/record-smb-ops.sh" --dialect SMB2_10 --seed 1 --out-dir "$out_dir"
"$here/record-smb-encrypted.sh" --seed 1 --out-dir "$out_dir"
"$here/record-ssh-ops.sh" --seed 1 --out-dir "$out_dir"
du -cb "$out_dir"/*.pcap
