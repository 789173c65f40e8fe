#!/usr/bin/env bash
# Lab test of the analyst report: record (or reuse) a staging scenario with real
# Samba/OpenSSH (tools/lab/cached-scenario.sh), run stagewatch on it with the
# scenario's detector options and --report, load the page in a real browser
# (chromium-headless-shell: --dump-dom and --screenshot) and check the rendered
# DOM against the scenario's truth.json: every expected finding is there with
# its detection type, its target and every source; the finding's convergence
# picture has exactly one source node per source; nothing in the page points
# outside it (no http/https resource).
#
# usage: tests/lab/report_test.sh SCENARIO BINARY CACHEDIR [--screenshot OUT.png]
#
# Needs root and network namespaces unless the scenario is already in CACHEDIR.
# Without them, or without the browser, the test FAILS loudly (never skips).
set -euo pipefail
name=${1:?scenario}
binary=${2:?stagewatch binary}
cache=${3:?cache dir}
shot_out=""
if [[ ${4:-} == --screenshot ]]; then shot_out=${5:?png path}; fi
top=$(cd "$(dirname "$0")/../.." && pwd)
browser=${STAGEWATCH_BROWSER:-chromium-headless-shell}

fail() {
    echo "REPORT LAB TEST FAILED ($name): $*" >&2
    exit 1
}
command -v "$browser" >/dev/null || fail "$browser not found (tools/quickstart.sh installs the test packages)"
mkdir -p "$cache"
dir=$("$top/tools/lab/cached-scenario.sh" "$name" "$cache" --seed 7) || fail "recording the scenario failed (needs root and network namespaces)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t opts < <(python3 - "$dir/truth.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for o in t.get("detector_options") or []:
    print(o if isinstance(o, str) else "--%s=%s" % (o[0], o[1]))
PY
)
"$binary" -r "$dir/capture.pcap" -o "$work/logs" --seed 7 --progress never --log-level warn "${opts[@]}" \
    --report "$work/report.html" || fail "stagewatch failed"
[[ -s $work/report.html ]] || fail "no report written"
"$browser" --no-sandbox --disable-gpu --user-data-dir="$work/profile" --dump-dom "file://$work/report.html" \
    >"$work/dom.html" 2>/dev/null || fail "the browser could not load the page"
"$browser" --no-sandbox --disable-gpu --user-data-dir="$work/profile" --hide-scrollbars --window-size=1000,1450 \
    --screenshot="$work/shot.png" "file://$work/report.html" >/dev/null 2>&1 || fail "the browser could not take a screenshot"
[[ $(head -c 8 "$work/shot.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "the screenshot is not a PNG"

python3 - "$dir/truth.json" "$work/dom.html" <<'PY' || fail "the rendered page does not show the scenario's findings (see above)"
import json, re, sys
truth = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()
bad = []
# One <section class="finding ..."> per finding; its convergence picture is the first svg.convergence in it.
sections = re.findall(r'<section class="finding[^"]*" id="f\d+">.*?</section>', dom, re.S)
for exp in truth.get("expected_notices") or []:
    dst, sources, dtype = exp.get("dst"), sorted(exp.get("sources") or []), exp.get("detection_type")
    match = [s for s in sections if dst and ('<g class="target" data-host="%s"' % dst) in s and (not dtype or dtype in s)]
    if not match:
        bad.append("no finding on target %s with detection type %s" % (dst, dtype))
        continue
    svg = re.search(r'<svg class="convergence".*?</svg>', match[0], re.S).group(0)
    nodes = sorted(re.findall(r'<g class="source" data-host="([^"]+)"', svg))
    if nodes != sources:
        bad.append("target %s: source nodes %s, expected exactly %s" % (dst, nodes, sources))
    for s in sources:
        if s not in match[0]:
            bad.append("source %s not in the finding's section" % s)
if not truth.get("expected_notices") and '<strong>No staging findings.</strong>' not in dom:
    bad.append("no findings expected, and the page does not say so")
if re.search(r'(src|href|action|poster|srcset|xlink:href)\s*=\s*"\s*(https?:|//)', dom, re.I) or re.search(r'url\(\s*[\'"]?\s*(https?:|//)', dom, re.I):
    bad.append("a resource in the page points outside it")
if "http://" in dom or "https://" in dom:
    bad.append("the page contains an http(s) URL")
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
if [[ -n $shot_out ]]; then cp "$work/shot.png" "$shot_out"; fi
echo "report lab test ($name): findings, targets and sources rendered; no network resources"
