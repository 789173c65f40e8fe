#!/bin/sh
# Regenerates tests/reference/conn/*.tsv from the shared public captures with
# tshark. Run once when tshark or the corpus changes; the outputs are
# committed so the tests do not need tshark.
#   sh tools/reference/make_conn_references.sh [SHARED_PCAPS_DIR]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
src=${1:-${STAGEWATCH_SHARED_PCAPS:-$top/../shared/pcaps}}
out=$top/tests/reference/conn
find "$src" -path "$src/truth" -prune -o -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print | sort |
while IFS= read -r f; do
    rel=${f#"$src"/}
    mkdir -p "$out/$(dirname "$rel")"
    python3 "$top/tools/reference/conn_reference.py" "$f" > "$out/$rel.tsv"
    echo "wrote tests/reference/conn/$rel.tsv"
done
