#!/usr/bin/env python3
"""Check stagewatch's staging findings on a lab scenario against its truth file.

    check_scenario.py [--binary build/stagewatch] [--keep DIR] SCENARIO
    check_scenario.py --logs DIR SCENARIO          (check logs already written)

SCENARIO is a scenario directory holding truth.json (and the capture it
names), or the truth.json itself. stagewatch runs on the capture with the
truth's `detector_options` plus its `allowlist`, and the logs are checked:

- every entry of `expected_notices` ({note, dst, src, sources,
  detection_type, min_severity, also_acceptable}) matches at least one
  notice.log row with the same note (or the note named by `also_acceptable`)
  and, where given, the same dst and src. Among the matching rows:
  the latest (updates of a growing finding come last, so it names every
  source) must carry exactly the expected `sources`; the highest severity
  must be at least `min_severity`; and a row at that highest severity must
  carry the expected `detection_type`.
- `forbid_notices_above` ("none", "low", "medium"): no notice is more severe
  ("none": no notice at all).
- every `allowlist.targets` address has a staging.log row with suppressed=T
  and no notice names it as dst.
- every entry of `expected_suppressed` ({note, dst or src, sources}) has a
  suppressed=T staging.log row for that host whose peers are exactly
  `sources` (the finding was counted, not silently dropped).

Exit status: 0 all checks passed; 1 a check failed (each failure is printed
with what was expected and what notice.log holds); 2 bad usage, unreadable
truth file or capture, or stagewatch failed.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SEVERITY = {"none": 0, "low": 1, "medium": 2, "high": 3}

# allowlist keys in truth.json -> stagewatch options
ALLOW_OPTIONS = {
    "targets": "staging.allow-targets",
    "sources": "staging.allow-sources",
    "collectors": "staging.allow-collectors",
    "shares": "staging.allow-shares",
    "times": "staging.allow-times",
}


class UsageError(Exception):
    pass


def zeek_unescape(s):
    """Undoes Zeek's TSV escaping (\\xNN)."""
    if "\\x" not in s:
        return s
    out = bytearray()
    i = 0
    b = s.encode("utf-8", "surrogateescape")
    while i < len(b):
        if b[i] == 0x5C and i + 3 < len(b) and b[i + 1] == 0x78:
            try:
                out.append(int(b[i + 2:i + 4].decode("ascii"), 16))
                i += 4
                continue
            except ValueError:
                pass
        out.append(b[i])
        i += 1
    return out.decode("utf-8", "replace")


def read_log(path):
    """Reads a Zeek log (TSV with #fields, or JSON lines) into dicts of strings/lists."""
    if not os.path.exists(path):
        return []
    rows = []
    fields = None
    set_sep = ","
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("{"):
                rows.append(json.loads(line))
                continue
            if line.startswith("#"):
                parts = line.split("\t")
                if parts[0] == "#fields":
                    fields = parts[1:]
                elif parts[0] == "#set_separator" and len(parts) > 1:
                    set_sep = parts[1]
                continue
            if fields is None:
                raise UsageError("%s: no #fields header" % path)
            values = line.split("\t")
            row = {}
            for name, v in zip(fields, values):
                if v == "-":
                    continue
                row[name] = v
            row["_set_sep"] = set_sep
            rows.append(row)
    return rows


def as_list(row, name):
    v = row.get(name)
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x) for x in v]
    if v == "(empty)":
        return []
    return [zeek_unescape(x) for x in v.split(row.get("_set_sep", ","))]


def as_str(row, name):
    v = row.get(name)
    if v is None:
        return None
    return zeek_unescape(v) if isinstance(v, str) else str(v)


def severity(row):
    return SEVERITY.get(as_str(row, "severity") or "none", 0)


def ip_key(a):
    try:
        return (0, tuple(int(x) for x in a.split(".")))
    except ValueError:
        return (1, a)


def normalize_options(opts):
    """detector_options as a list of "--name=value" strings.

    Accepts ["--a=b", "a=b", ["a", "b"], ...] or {"a": "b", ...}."""
    out = []
    if opts is None:
        return out
    if isinstance(opts, dict):
        opts = [[k, v] for k, v in opts.items()]
    for o in opts:
        if isinstance(o, (list, tuple)):
            if len(o) != 2:
                raise UsageError("detector_options entry %r is not [name, value]" % (o,))
            name, value = str(o[0]), o[1]
            if isinstance(value, list):
                value = ",".join(str(x) for x in value)
            out.append("--%s=%s" % (name.lstrip("-"), value))
        elif isinstance(o, str):
            out.append(o if o.startswith("--") else "--" + o)
        else:
            raise UsageError("detector_options entry %r is not understood" % (o,))
    return out


def build_options(truth):
    opts = normalize_options(truth.get("detector_options"))
    allow = truth.get("allowlist") or {}
    for key, option in ALLOW_OPTIONS.items():
        values = [str(x) for x in (allow.get(key) or [])]
        if not values:
            continue
        # Merge with the same option given in detector_options.
        prefix = "--" + option + "="
        for i, o in enumerate(opts):
            if o.startswith(prefix):
                values = [x for x in o[len(prefix):].split(",") if x] + values
                del opts[i]
                break
        opts.append(prefix + ",".join(values))
    return opts


def describe(row):
    return "%s src=%s dst=%s severity=%s type=%s sources=%s msg=%r" % (
        as_str(row, "note"), as_str(row, "src") or "-", as_str(row, "dst") or "-",
        as_str(row, "severity") or "-", as_str(row, "detection_type") or "-",
        ",".join(as_list(row, "sources")) or "-", as_str(row, "msg") or "")


def check(truth, notices, staging):
    failures = []
    for exp in truth.get("expected_notices") or []:
        note = exp.get("note")
        label = "expected %s" % note
        for k in ("dst", "src"):
            if exp.get(k):
                label += " %s=%s" % (k, exp[k])
        notes = {note, exp.get("also_acceptable") or note}
        matches = [n for n in notices
                   if as_str(n, "note") in notes
                   and (not exp.get("dst") or as_str(n, "dst") == exp["dst"])
                   and (not exp.get("src") or as_str(n, "src") == exp["src"])]
        if not matches:
            same_note = [describe(n) for n in notices if as_str(n, "note") == note]
            failures.append("%s: no such notice; %s" % (
                label, "notices with that note: " + "; ".join(same_note) if same_note
                else "notice.log has %d notices, none with that note" % len(notices)))
            continue
        want_sources = sorted(set(exp.get("sources") or []), key=ip_key)
        if exp.get("sources") is not None and want_sources:
            latest = matches[-1]
            got = sorted(set(as_list(latest, "sources")), key=ip_key)
            if got != want_sources:
                missing = [s for s in want_sources if s not in got]
                extra = [s for s in got if s not in want_sources]
                failures.append("%s: sources %s, expected %s (missing %s, unexpected %s); latest notice: %s" % (
                    label, ",".join(got) or "(none)", ",".join(want_sources), ",".join(missing) or "none",
                    ",".join(extra) or "none", describe(latest)))
        top = max(severity(n) for n in matches)
        if exp.get("min_severity"):
            if exp["min_severity"] not in SEVERITY:
                raise UsageError("%s: unknown min_severity %r" % (label, exp["min_severity"]))
            if top < SEVERITY[exp["min_severity"]]:
                failures.append("%s: highest severity %s, expected at least %s; notices: %s" % (
                    label, [k for k, v in SEVERITY.items() if v == top][0], exp["min_severity"],
                    "; ".join(describe(n) for n in matches)))
        if exp.get("detection_type"):
            at_top = [n for n in matches if severity(n) == top]
            types = sorted({as_str(n, "detection_type") or "-" for n in at_top})
            if exp["detection_type"] not in types:
                failures.append("%s: detection_type %s at its highest severity, expected %s; notices: %s" % (
                    label, ",".join(types), exp["detection_type"], "; ".join(describe(n) for n in matches)))

    limit = truth.get("forbid_notices_above")
    if limit:
        if limit not in SEVERITY:
            raise UsageError("unknown forbid_notices_above %r" % limit)
        over = [n for n in notices if severity(n) > SEVERITY[limit]]
        if limit == "none":
            over = list(notices)
        for n in over:
            failures.append("notice above %s: %s" % (limit, describe(n)))

    for target in (truth.get("allowlist") or {}).get("targets") or []:
        rows = [r for r in staging if as_str(r, "host") == target]
        if not any(as_str(r, "suppressed") in ("T", "True", "true") or r.get("suppressed") is True for r in rows):
            failures.append("allow-listed target %s: no staging.log row with suppressed=T (%d rows for it)" % (
                target, len(rows)))
        for n in notices:
            if as_str(n, "dst") == target:
                failures.append("allow-listed target %s named in a notice: %s" % (target, describe(n)))

    for exp in truth.get("expected_suppressed") or []:
        host = exp.get("dst") or exp.get("src")
        rows = [r for r in staging if as_str(r, "host") == host and
                (as_str(r, "suppressed") in ("T", "True", "true") or r.get("suppressed") is True)]
        want = sorted(set(exp.get("sources") or []), key=ip_key)
        if not rows:
            failures.append("expected a suppressed %s for %s: no staging.log row with suppressed=T" % (
                exp.get("note", "finding"), host))
        elif want and not any(sorted(set(as_list(r, "peers")), key=ip_key) == want for r in rows):
            failures.append("suppressed %s for %s: expected peers %s, staging.log has %s" % (
                exp.get("note", "finding"), host, ",".join(want),
                " | ".join(",".join(as_list(r, "peers")) for r in rows)))
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", help="scenario directory with truth.json, or the truth file")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "..", "..", "build", "stagewatch"))
    ap.add_argument("--logs", help="check the logs in this directory instead of running stagewatch")
    ap.add_argument("--keep", help="write the logs to this directory and keep them")
    a = ap.parse_args()

    try:
        truth_path = a.scenario
        if os.path.isdir(truth_path):
            truth_path = os.path.join(truth_path, "truth.json")
        try:
            with open(truth_path, encoding="utf-8") as f:
                truth = json.load(f)
        except (OSError, ValueError) as e:
            raise UsageError("cannot read truth file %s: %s" % (truth_path, e))
        name = truth.get("scenario") or os.path.basename(os.path.dirname(os.path.abspath(truth_path)))

        tmp = None
        logs = a.logs
        if not logs:
            capture = os.path.join(os.path.dirname(os.path.abspath(truth_path)), truth.get("capture") or "capture.pcap")
            if not os.path.isfile(capture):
                raise UsageError("capture %s not found" % capture)
            if not os.access(a.binary, os.X_OK):
                raise UsageError("stagewatch binary %s not found (build first, or pass --binary)" % a.binary)
            logs = a.keep or tempfile.mkdtemp(prefix="sw-lab-check-")
            tmp = None if a.keep else logs
            cmd = [a.binary, "-r", capture, "-o", logs, "--progress", "never", "--log-level", "warn"]
            cmd += build_options(truth)
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
            if p.returncode != 0:
                raise UsageError("stagewatch failed (exit %d): %s\n  command: %s" % (
                    p.returncode, p.stderr.strip(), " ".join(cmd)))
        try:
            notices = read_log(os.path.join(logs, "notice.log"))
            staging = read_log(os.path.join(logs, "staging.log"))
            failures = check(truth, notices, staging)
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
    except UsageError as e:
        print("check_scenario: %s" % e, file=sys.stderr)
        return 2

    if failures:
        print("FAIL %s: %d problem%s" % (name, len(failures), "" if len(failures) == 1 else "s"))
        for f in failures:
            print("  - " + f)
        return 1
    print("PASS %s: %d expected notice%s found, %d notices in all" % (
        name, len(truth.get("expected_notices") or []),
        "" if len(truth.get("expected_notices") or []) == 1 else "s", len(notices)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
