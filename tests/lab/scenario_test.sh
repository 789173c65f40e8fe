#!/usr/bin/env bash
# One end-to-end lab test: record (or reuse) a labelled scenario with real
# Samba/OpenSSH in network namespaces, run build/stagewatch on it and check
# its findings against the scenario's truth.json (tests/lab/check_scenario.py).
#
# usage: tests/lab/scenario_test.sh SCENARIO BINARY CACHEDIR [SEED]
#
# Needs root and network namespaces. Without them the test FAILS with a loud
# message: it never skips silently, because a green run must mean the
# detections were checked on real traffic.
set -euo pipefail
name=${1:?scenario}
binary=${2:?stagewatch binary}
cache=${3:?cache dir}
seed=${4:-7}
top=$(cd "$(dirname "$0")/../.." && pwd)

fail() {
    echo "LAB TEST FAILED ($name): $*" >&2
    exit 1
}
[[ $(id -u) -eq 0 ]] || fail "the lab needs root (network namespaces, tcpdump, smbd, sshd); run the tests as root"
probe="swprobe$$"
ip netns add "$probe" 2>/dev/null || fail "cannot create a network namespace (ip netns add); the lab cannot run here"
ip netns del "$probe"

mkdir -p "$cache"
dir=$("$top/tools/lab/cached-scenario.sh" "$name" "$cache" --seed "$seed") || fail "recording the scenario failed"
python3 "$top/tests/lab/check_scenario.py" --binary "$binary" "$dir"
