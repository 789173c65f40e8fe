#!/usr/bin/env python3
"""Scores stagewatch's notice.log against a pcapgen enterprise-day truth.

    fp_eval.py TRUTH.json NOTICE.log [--json]

A notice belongs to the host it names: dst, else src (Pull_Collector and
Notice_Budget name only one). It is on a staging host-day when that host is
the target of an injected staging case and the notice's UTC day is the case's
day; every other notice is on the benign part. Prints, for the benign part,
notices by severity (and per 1000 benign host-days) with the hosts' roles and
notes that raised them, and for every staging case the strongest notice
naming its target (recall: caught at medium or high).
"""
import collections
import json
import sys

SEV = {"low": 1, "medium": 2, "high": 3}


def read_notices(path):
    rows, fields = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
            elif line and not line.startswith("#"):
                rows.append(dict(zip(fields, line.split("\t"))))
    return rows


def sources_of(n):
    return sorted(x for x in n.get("sources", "-").split(",") if x not in ("-", "(empty)", ""))


def evaluate(truth, notices):
    e = truth["enterprise"]
    day0 = e["day0"]
    role = {h["ip"]: h["role"] for h in e["hosts"]}
    staging = {}
    for c in e["staging"]:
        staging.setdefault((c["target"], c["day"]), []).append(c)
    benign = collections.Counter()
    benign_detail = collections.Counter()
    best, widest = {}, {}
    for n in notices:
        host = n.get("dst", "-")
        if host in ("-", ""):
            host = n.get("src", "-")
        day = int(float(n["ts"]) - day0) // 86400
        sev = n.get("severity", "-")
        if (host, day) in staging:
            for c in staging[(host, day)]:
                cur = best.get(c["id"])
                if cur is None or SEV.get(sev, 0) > SEV.get(cur["severity"], 0):
                    best[c["id"]] = n
                # The finding that names the sources: the notice (an update
                # lists them all) with the most of them, from medium up.
                listed = sources_of(n)
                if (SEV.get(sev, 0) >= 2 and n.get("dst") == host and len(listed) > 1
                        and len(listed) >= len(widest.get(c["id"], []))):
                    widest[c["id"]] = listed
            continue
        benign[sev] += 1
        benign_detail[(sev, role.get(host, "?"), n.get("note", "-"), n.get("detection_type", "-"))] += 1
    host_days = e["benign_host_days"]
    cases = []
    for c in e["staging"]:
        n = best.get(c["id"])
        listed = widest.get(c["id"])
        cases.append({
            "id": c["id"], "kind": c["kind"], "speed": c["speed"], "target": c["target"],
            "severity": n["severity"] if n else "none",
            "detection_type": n.get("detection_type", "-") if n else "-",
            "note": n.get("note", "-") if n else "-",
            "caught": bool(n) and SEV.get(n["severity"], 0) >= 2,
            # None: no notice lists several sources (e.g. only per-file notices).
            "sources": listed,
            "sources_match": None if listed is None else listed == sorted(c["sources"]),
        })
    return {
        "benign_host_days": host_days,
        "benign": {s: benign.get(s, 0) for s in ("high", "medium", "low")},
        "benign_per_1000": {s: 1000.0 * benign.get(s, 0) / host_days for s in ("high", "medium", "low")},
        "benign_detail": [{"severity": k[0], "role": k[1], "note": k[2], "detection_type": k[3], "n": v}
                          for k, v in sorted(benign_detail.items(), key=lambda kv: (-SEV.get(kv[0][0], 0), -kv[1]))],
        "cases": cases,
        "recall": sum(c["caught"] for c in cases) / len(cases) if cases else 1.0,
    }


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        truth = json.load(f)
    r = evaluate(truth, read_notices(sys.argv[2]))
    if "--json" in sys.argv:
        print(json.dumps(r))
        return 0
    print("benign host-days %d: high %d, medium %d, low %d (per 1000: %.1f / %.1f / %.1f)" % (
        r["benign_host_days"], r["benign"]["high"], r["benign"]["medium"], r["benign"]["low"],
        r["benign_per_1000"]["high"], r["benign_per_1000"]["medium"], r["benign_per_1000"]["low"]))
    for d in r["benign_detail"]:
        print("  benign %-6s %4d  %-18s %-24s %s" % (d["severity"], d["n"], d["role"], d["note"], d["detection_type"]))
    for c in r["cases"]:
        print("  case %2d %-14s %-4s %-15s %-6s %-22s sources %s" % (
            c["id"], c["kind"], c["speed"], c["target"], c["severity"], c["detection_type"],
            {True: "exact", False: "differ", None: "not listed"}[c["sources_match"]]))
    print("recall (medium or high): %.2f" % r["recall"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
