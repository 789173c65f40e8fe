#!/bin/sh
# False-positive budget and recall of the staging analytics on pcapgen's
# enterprise day (docs/detection.md#false-positive-budget): for every size and
# seed, generate a day with injected staging, run stagewatch on it and score
# its notice.log against the truth with tools/bench/fp_eval.py. Prints one
# row per run and the total: notices per 1000 benign host-days by severity
# (goal: 0 high, at most 1 medium) and recall on the injected staging (goal:
# every case at medium or high).
#
#   tools/bench/fp-bench.sh [BUILD_DIR] [-- extra stagewatch options]
#
# SIZES (workstations, default "50 200 500"), SEEDS (default "1 2 3"), DAYS
# (default 1) and CASES (staging cases per run, default 6) change the grid;
# ALLOW_TARGET_ROLES (e.g. build-share) also allow-lists the hosts of those
# roles as targets; KEEP=DIR keeps the captures and logs. Takes a minute or so on 2 cores: run
# it under the shared build lock (flock /tmp/sw-build.lock ...).
#
# pcapgen's files are about 1/1000 of real sizes (a 5 MB document is 5 KB),
# so the byte thresholds are scaled the same way (SCALED below); everything
# else is stagewatch's default. As a SOC would, the backup server is
# allow-listed as a collector and the build share as a share of its server
# (--staging.allow-shares='\\BUILD01\artifacts$'; addresses and names come
# from the truth; ALLOW_BUILD_SHARE=0 leaves the share out).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
extra="$*"
pcapgen=$build/tools/pcapgen
stagewatch=$build/stagewatch
sizes=${SIZES:-50 200 500}
seeds=${SEEDS:-1 2 3}
days=${DAYS:-1}
cases=${CASES:-6}
SCALED="--staging.min-bytes=50KB --staging.long-min-bytes=50KB --baseline.min-bytes=100KB --staging.push-min-bytes=1KB"

work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
: >"$results"
for n in $sizes; do
    servers=$(( n / 50 > 1 ? n / 50 : 1 ))
    for seed in $seeds; do
        run=$work/c$n-s$seed
        mkdir -p "$run"
        "$pcapgen" --workload enterprise-day --clients "$n" --servers "$servers" --days "$days" \
            --staging-cases "$cases" --seed "$seed" --out "$run/day.pcap" --truth "$run/truth.json" -q
        allow=$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["enterprise"]["allow_collectors"]))' "$run/truth.json")
        shares=""
        if [ "${ALLOW_BUILD_SHARE:-1}" != 0 ]; then
            shares="--staging.allow-shares=$(python3 -c 'import json,sys; print(",".join("\\\\%s\\artifacts$" % h["name"] for h in json.load(open(sys.argv[1]))["enterprise"]["hosts"] if h["role"] == "build-share"))' "$run/truth.json")"
        fi
        targets=""
        if [ -n "${ALLOW_TARGET_ROLES:-}" ]; then
            targets="--staging.allow-targets=$(python3 -c 'import json,sys; print(",".join(h["ip"] for h in json.load(open(sys.argv[1]))["enterprise"]["hosts"] if h["role"] in sys.argv[2].split(",")))' "$run/truth.json" "$ALLOW_TARGET_ROLES")"
        fi
        # shellcheck disable=SC2086
        "$stagewatch" -r "$run/day.pcap" -o "$run/logs" --seed "$seed" $SCALED \
            --staging.allow-collectors="$allow" ${shares:+"$shares"} $targets $extra >"$run/stagewatch.out" 2>&1
        python3 "$here/tools/bench/fp_eval.py" "$run/truth.json" "$run/logs/notice.log" --json |
            python3 -c 'import json,sys; r=json.load(sys.stdin); r["clients"]=int(sys.argv[1]); r["seed"]=int(sys.argv[2]); r["pcap_mb"]=int(sys.argv[3])/1e6; print(json.dumps(r))' \
                "$n" "$seed" "$(stat -c %s "$run/day.pcap")" >>"$results"
        [ -n "${KEEP:-}" ] || rm -f "$run/day.pcap"
    done
done

python3 - "$results" <<'EOF'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| workstations | seed | pcap MB | benign host-days | high | medium | low | high/1000 | medium/1000 | recall | cases (kind speed: severity) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
tot = collections.Counter()
caught = ncases = 0
for r in rows:
    b, p = r["benign"], r["benign_per_1000"]
    cs = ", ".join("%s %s: %s" % (c["kind"], c["speed"], c["severity"]) for c in r["cases"])
    print("| %d | %d | %.0f | %d | %d | %d | %d | %.1f | %.1f | %d/%d | %s |" % (
        r["clients"], r["seed"], r["pcap_mb"], r["benign_host_days"], b["high"], b["medium"], b["low"],
        p["high"], p["medium"], sum(c["caught"] for c in r["cases"]), len(r["cases"]), cs))
    tot["hd"] += r["benign_host_days"]
    for s in ("high", "medium", "low"):
        tot[s] += b[s]
    caught += sum(c["caught"] for c in r["cases"])
    ncases += len(r["cases"])
hd = max(tot["hd"], 1)
print("| all | | | %d | %d | %d | %d | %.1f | %.1f | %d/%d | |" % (
    tot["hd"], tot["high"], tot["medium"], tot["low"], 1000.0 * tot["high"] / hd, 1000.0 * tot["medium"] / hd,
    caught, ncases))
print()
print("Benign notices by host role and pattern (all runs):")
detail = collections.Counter()
for r in rows:
    for d in r["benign_detail"]:
        detail[(d["severity"], d["role"], d["note"], d["detection_type"])] += d["n"]
order = {"high": 0, "medium": 1, "low": 2}
for (sev, role, note, dt), n in sorted(detail.items(), key=lambda kv: (order.get(kv[0][0], 3), -kv[1])):
    print("  %-6s %5d  %-18s %-24s %s" % (sev, n, role, note, dt))
goal = tot["high"] == 0 and 1000.0 * tot["medium"] / hd <= 1.0 and caught == ncases
print()
print("goal (0 high, <= 1 medium per 1000 benign host-days, every case caught):", "met" if goal else "NOT met")
EOF
