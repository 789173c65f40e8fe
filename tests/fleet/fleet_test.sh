#!/usr/bin/env bash
# One fleet acceptance test (label `fleet`): record (or reuse) a lab staging
# scenario as tests/lab/scenario_test.sh does, then run
# tests/fleet/fleet_scenario.py in one MODE on it (logs, jetstream, restart,
# server-late, partitions).
#
# usage: tests/fleet/fleet_test.sh SCENARIO MODE BINARY CACHEDIR
#
# Recording a scenario that is not cached needs root and network namespaces;
# the JetStream modes need nats-server (Debian package nats-server). Missing
# either FAILS loudly: a green run must mean the fleet was checked.
set -euo pipefail
name=${1:?scenario}
mode=${2:?mode}
binary=${3:?stagewatch binary}
cache=${4:?cache dir}
top=$(cd "$(dirname "$0")/../.." && pwd)

fail() {
    echo "FLEET TEST FAILED ($name, $mode): $*" >&2
    exit 1
}
command -v tcpdump >/dev/null || fail "tcpdump is needed to split the capture into sensor views"
if [[ $mode != logs ]]; then
    command -v nats-server >/dev/null || fail "nats-server is needed (apt-get install nats-server)"
fi
mkdir -p "$cache"
dir=$("$top/tools/lab/cached-scenario.sh" "$name" "$cache") || fail "recording the scenario failed"
python3 "$top/tests/fleet/fleet_scenario.py" --binary "$binary" --mode "$mode" "$dir"
