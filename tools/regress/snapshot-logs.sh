#!/bin/sh
# Runs one stagewatch binary over every capture the project can read (the public
# corpus in ../shared/pcaps and the project's own pcaps/), in TSV and in JSON,
# with a fixed seed, and stores the logs under OUT/<capture>/<format>/ with the
# run-time lines (#open, #close) masked. Two snapshots of two binaries are then
# compared with tools/regress/compare-logs.sh: a refactoring must leave them
# byte-identical.
#
#   tools/regress/snapshot-logs.sh BINARY OUT [extra stagewatch options...]
#
# STAGEWATCH_EXTRA_PCAPS=DIR adds the captures below DIR (e.g. copies of the
# lab scenarios' build/lab-cache/*/capture.pcap) under extra/.
set -eu
bin=$1
out=$2
shift 2
here=$(cd "$(dirname "$0")/../.." && pwd)
shared=${STAGEWATCH_SHARED_PCAPS:-$here/../shared/pcaps}
rm -rf "$out"
mkdir -p "$out"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
{
    [ -d "$shared" ] && find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sed "s|^$shared/|shared/|"
    find "$here/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sed "s|^$here/pcaps/|pcaps/|"
    if [ -n "${STAGEWATCH_EXTRA_PCAPS:-}" ]; then
        find "$STAGEWATCH_EXTRA_PCAPS" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sed "s|^$STAGEWATCH_EXTRA_PCAPS/|extra/|"
    fi
} | sort >"$list"
n=0
while IFS= read -r rel; do
    case "$rel" in
        shared/*) file=$shared/${rel#shared/} ;;
        extra/*) file=$STAGEWATCH_EXTRA_PCAPS/${rel#extra/} ;;
        *) file=$here/$rel ;;
    esac
    for fmt in tsv json; do
        dir=$out/$rel/$fmt
        mkdir -p "$dir"
        rc=0
        "$bin" -r "$file" -o "$dir" --format "$fmt" --seed 1 --progress never --log-level error "$@" \
            >/dev/null 2>"$dir/.stderr" || rc=$?
        echo "$rc" >"$dir/.exit"
        for log in "$dir"/*.log; do
            [ -f "$log" ] || continue
            sed -i -e 's/^#open\t.*/#open\t(masked)/' -e 's/^#close\t.*/#close\t(masked)/' "$log"
        done
        # stats.log's mem (resident MiB) differs from run to run.
        if [ -f "$dir/stats.log" ]; then
            sed -i -e '/^#/!s/^\([^\t]*\t[^\t]*\t\)[0-9]*\t/\1(mem)\t/' -e 's/"mem":[0-9]*/"mem":"(mem)"/' "$dir/stats.log"
        fi
    done
    n=$((n + 1))
done <"$list"
echo "snapshot: $n captures -> $out"
