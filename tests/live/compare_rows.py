#!/usr/bin/env python3
"""Compares the rows of Zeek TSV logs of a live run with those of the offline
run of the same capture. Columns that must differ are masked: packet times
(a replay shifts and compresses them: ts, close_ts, interval columns other than
the configured suppress_for) and uids (uid, fuid). Everything else - names,
sizes, byte counts, addresses, ports, indicators - must be equal, row by row,
in the same order.

usage: compare_rows.py LIVE_DIR OFFLINE_DIR LOG [LOG ...]
exit 0 equal, 1 different (diff printed), 2 a log missing on one side only."""
import sys

MASK_NAMES = {"ts", "close_ts", "uid", "fuid"}


def rows(path):
    fields, types, out = None, None, []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields\t"):
                fields = line.split("\t")[1:]
            elif line.startswith("#types\t"):
                types = line.split("\t")[1:]
            elif line and not line.startswith("#"):
                vals = line.split("\t")
                masked = []
                for name, typ, v in zip(fields, types, vals):
                    if name in MASK_NAMES or (typ == "interval" and name != "suppress_for"):
                        v = "*"
                    masked.append(v)
                out.append("\t".join(masked))
    return out


def main():
    live, offline, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
    status = 0
    for log in logs:
        import os
        lp, op = os.path.join(live, log + ".log"), os.path.join(offline, log + ".log")
        if not os.path.exists(op) and not os.path.exists(lp):
            print(f"{log}: absent in both runs")
            continue
        if not (os.path.exists(op) and os.path.exists(lp)):
            print(f"{log}: present in only one run (live {os.path.exists(lp)}, offline {os.path.exists(op)})")
            status = max(status, 2)
            continue
        a, b = rows(lp), rows(op)
        if a == b:
            print(f"{log}: {len(a)} rows equal")
            continue
        status = max(status, 1)
        print(f"{log}: DIFFERENT (live {len(a)} rows, offline {len(b)} rows)")
        for i in range(max(len(a), len(b))):
            x = a[i] if i < len(a) else "<none>"
            y = b[i] if i < len(b) else "<none>"
            if x != y:
                print(f"  row {i}:\n    live    {x}\n    offline {y}")
    return status


if __name__ == "__main__":
    sys.exit(main())
