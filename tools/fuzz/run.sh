#!/bin/sh
# Runs one libFuzzer target for a while and prints what it did.
#   tools/fuzz/run.sh TARGET SECONDS [libFuzzer options...]
#   tools/fuzz/run.sh all SECONDS      every target in turn (CI)
# Builds build-fuzz/ if needed (cmake --preset fuzz, clang-14; the build and
# the run take /tmp/sw-build.lock), extracts the seed corpora from pcaps/ and
# the public corpus (../shared/pcaps, or $STAGEWATCH_SHARED_PCAPS) once into
# build-fuzz/seeds/, and keeps the growing corpus in build-fuzz/corpus/TARGET.
# Prints execs/s, edges covered (cov), corpus size and the findings (inputs
# that crashed, leaked, timed out or ran out of memory, kept under
# build-fuzz/findings/TARGET/). Exit status: 0 if nothing was found.
set -eu
cd "$(dirname "$0")/../.."
src=$(pwd)
build=${STAGEWATCH_FUZZ_BUILD:-$src/build-fuzz}
lock=/tmp/sw-build.lock
targets="fuzz_decode fuzz_reassembler fuzz_smb_framer fuzz_smb_conn fuzz_records fuzz_ssh fuzz_probes fuzz_engine fuzz_escape"

if [ $# -lt 2 ]; then
    echo "usage: tools/fuzz/run.sh TARGET|all SECONDS [libFuzzer options...]" >&2
    echo "targets: $targets" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2

if [ "$target" = all ]; then
    status=0
    for t in $targets; do
        "$0" "$t" "$seconds" "$@" || status=1
    done
    exit $status
fi
case " $targets " in
    *" $target "*) ;;
    *) echo "run.sh: unknown target $target (targets: $targets)" >&2; exit 2 ;;
esac

if [ ! -f "$build/CMakeCache.txt" ]; then
    launcher=""
    command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache"
    # shellcheck disable=SC2086
    cmake --preset fuzz -B "$build" $launcher >/dev/null
fi
flock "$lock" cmake --build "$build" -j2 --target "$target" >/dev/null

seeds=$build/seeds
if [ ! -f "$seeds/.done" ]; then
    rm -rf "$seeds"
    shared=${STAGEWATCH_SHARED_PCAPS:-$src/../shared/pcaps}
    dirs="$src/pcaps"
    [ -d "$shared" ] && dirs="$dirs $shared"
    # shellcheck disable=SC2086
    python3 "$src/tools/fuzz/seeds.py" "$seeds" $dirs
    touch "$seeds/.done"
fi
mkdir -p "$seeds/$target" "$build/corpus/$target" "$build/findings/$target"

case "$target" in
    fuzz_smb_*) dict=$src/tools/fuzz/smb.dict ;;
    fuzz_ssh) dict=$src/tools/fuzz/ssh.dict ;;
    fuzz_records|fuzz_probes|fuzz_engine)
        dict=$build/smb_ssh.dict
        cat "$src/tools/fuzz/smb.dict" "$src/tools/fuzz/ssh.dict" > "$dict" ;;
    *) dict="" ;;
esac

log=$build/findings/$target.log
before=$(ls "$build/findings/$target" | wc -l)
set +e
# shellcheck disable=SC2046
flock "$lock" nice -n 19 "$build/fuzz/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/findings/$target/" \
    $( [ -n "$dict" ] && echo "-dict=$dict" ) "$@" \
    "$build/corpus/$target" "$seeds/$target" > "$log" 2>&1
rc=$?
set -e
after=$(ls "$build/findings/$target" | wc -l)
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
echo "$target: ${seconds}s execs ${execs:-?} execs/s ${rate:-?} cov ${cov:-?} ft ${ft:-?} corpus ${corp:-?} findings $((after - before)) (exit $rc; log $log)"
if [ "$rc" -ne 0 ]; then
    grep -E 'ERROR: |SUMMARY: |fuzz check failed|runtime error' "$log" | head -n 5 >&2
    ls -t "$build/findings/$target" | head -n 3 | sed "s|^|  finding: $build/findings/$target/|" >&2
fi
exit $rc
