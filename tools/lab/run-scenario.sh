#!/usr/bin/env bash
# Record one lab scenario: <out>/capture.pcap, <out>/truth.json, <out>/verify.txt.
#
# usage: tools/lab/run-scenario.sh NAME [--seed N] [--out DIR]
#        tools/lab/run-scenario.sh --list
#   default seed 7, default out lab-out/scenarios/NAME-seedN
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
    echo "usage: $0 NAME [--seed N] [--out DIR] | --list" >&2
    exit 2
}
(($# >= 1)) || usage
if [[ $1 == --list ]]; then
    for f in "$here"/scenarios/*.sh; do
        basename "$f" .sh
    done
    exit 0
fi
name=$1
shift
[[ $name =~ ^[a-z0-9-]+$ && -f "$here/scenarios/$name.sh" ]] || {
    echo "run-scenario: no scenario '$name' (try --list)" >&2
    exit 2
}
exec bash "$here/scenarios/$name.sh" "$@"
