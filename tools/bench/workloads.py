#!/usr/bin/env python3
"""The issue-12 benchmark: three workloads, each read by a bare libpcap read
loop (the ceiling), by stagewatch with 1 thread (and N threads when the binary
has --threads), and by tshark with a tap (-z conv,tcp, so that it dissects).
Prints seconds, Mpps, Gbps (sum of frame lengths), stagewatch's share of the
read loop, its speed relative to tshark and peak RSS. A benchmark, not a test:
it never fails on speed.

  tools/bench/workloads.py [--build DIR] [--dir DIR] [--runs N] [--only a,b,c]
                           [--no-tshark] [--threads N]

Workloads (docs/performance.md):
  a  bulk real Samba capture: $BENCH_BULK, else DIR/bulk-1g.pcap, else recorded
     there with tools/lab/record-smb-bulk.sh --size 1G (needs the lab: root,
     Samba, smbclient)
  b  mixed small transfers: pcapgen, 5000 clients, 500 servers, SMB files
     1K..32K written in 4K..64K writes, scp, background (--size 400M: about 640k packets, 365 MB on the wire)
  c  short connections: pcapgen --workload short-conns, 500000 connections
Generated captures go to DIR (default /tmp/sw-bench), never into the tree.
The file is read once first so every run comes from the page cache; the best
of RUNS (default 3) counts; tshark runs once. Run it under the shared build
lock (flock /tmp/sw-build.lock tools/bench/workloads.py): it keeps both
cores busy for a few minutes.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))

MIXED = ["--clients", "5000", "--servers", "500", "--size", "400M", "--file-size", "1K..32K",
         "--write-size", "4K..64K", "--seed", "1", "-q"]
SHORT = ["--workload", "short-conns", "--connections", "500000", "--clients", "5000", "--servers", "500",
         "--seed", "1", "-q"]


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_timed(cmd, runs):
    """Best wall-clock seconds of `runs` runs, the largest peak RSS (KiB) of
    one of them and its stdout. The peak RSS comes from GNU time (%M) when it
    is installed: wait4's own figure for a child forked from Python includes
    Python's pages before the exec (about 30 MB)."""
    best = None
    rss = 0
    out = ""
    for _ in range(runs):
        with tempfile.NamedTemporaryFile("r") as tf:
            full = [GNU_TIME, "-f", "%M", "-o", tf.name] + cmd if GNU_TIME else cmd
            t0 = time.monotonic()
            p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            out = p.stdout.read()
            _, status, ru = os.wait4(p.pid, 0)
            t = time.monotonic() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                sys.exit("bench: %s exited with %d" % (" ".join(cmd), p.returncode))
            peak = int(tf.read().split()[-1]) if GNU_TIME else ru.ru_maxrss
        rss = max(rss, peak)
        best = t if best is None else min(best, t)
    return best, rss, out


def ensure_capture(name, path, build):
    if os.path.exists(path):
        return path
    if name == "a":
        rec = os.path.join(TOP, "tools", "lab", "record-smb-bulk.sh")
        print("bench: recording the bulk capture with %s (lab)" % rec, file=sys.stderr)
        subprocess.run([rec, "--size", "1G", "--out", path, "--no-verify"], check=True)
    else:
        args = MIXED if name == "b" else SHORT
        print("bench: generating %s" % path, file=sys.stderr)
        subprocess.run([os.path.join(build, "tools", "pcapgen"), "--out", path] + args, check=True)
    return path


def has_threads(sw):
    h = subprocess.run([sw, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    return "--threads" in h


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--dir", default="/tmp/sw-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="a,b,c")
    ap.add_argument("--no-tshark", action="store_true")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    o = ap.parse_args()
    sw = os.path.join(o.build, "stagewatch")
    loop = os.path.join(o.build, "tools", "pcap_read_loop")
    for b in (sw, loop, os.path.join(o.build, "tools", "pcapgen")):
        if not os.access(b, os.X_OK):
            sys.exit("bench: %s missing: build stagewatch pcap_read_loop pcapgen first" % b)
    os.makedirs(o.dir, exist_ok=True)
    caps = {
        "a": os.environ.get("BENCH_BULK") or os.path.join(o.dir, "bulk-1g.pcap"),
        "b": os.path.join(o.dir, "mixed-small.pcap"),
        "c": os.path.join(o.dir, "short-conns.pcap"),
    }
    titles = {"a": "(a) bulk real Samba", "b": "(b) mixed small transfers", "c": "(c) short connections"}
    threads = has_threads(sw)
    rows = []
    for w in o.only.split(","):
        cap = ensure_capture(w, caps[w], o.build)
        with open(cap, "rb") as f:  # warm the page cache
            while f.read(1 << 24):
                pass
        t_loop, rss_loop, out = run_timed([loop, cap], o.runs)
        kv = out.split()
        pkts, wire = int(kv[kv.index("packets") + 1]), int(kv[kv.index("bytes") + 1])
        progs = [("read loop", [loop, cap], o.runs)]
        with tempfile.TemporaryDirectory() as logs:
            base = [sw, "-r", cap, "-o", logs, "--seed", "1", "--progress", "never", "--log-level", "warn"]
            if threads:
                progs.append(("stagewatch --threads 1", base + ["--threads", "1"], o.runs))
                progs.append(("stagewatch --threads %d" % o.threads, base + ["--threads", str(o.threads)], o.runs))
            else:
                progs.append(("stagewatch (1 thread)", base, o.runs))
            if not o.no_tshark:
                progs.append(("tshark -z conv,tcp", ["tshark", "-n", "-q", "-r", cap, "-z", "conv,tcp"], 1))
            res = {}
            for name, cmd, runs in progs:
                if name == "read loop":
                    res[name] = (t_loop, rss_loop)
                else:
                    t, rss, _ = run_timed(cmd, runs)
                    res[name] = (t, rss)
        t_ts = res.get("tshark -z conv,tcp", (None, 0))[0]
        rows.append((titles[w], cap, pkts, wire, os.path.getsize(cap), res, t_loop, t_ts))

    for title, cap, pkts, wire, size, res, t_loop, t_ts in rows:
        print("%s: %s, %d packets, %.1f MB on the wire, %.1f MB of pcap" % (title, cap, pkts, wire / 1e6, size / 1e6))
        print("  %-24s %9s %8s %8s %10s %10s %9s" % ("program", "seconds", "Mpps", "Gbps", "of loop", "vs tshark",
                                                     "RSS MB"))
        for name, (t, rss) in res.items():
            vs = "%.1fx" % (t_ts / t) if t_ts else "-"
            print("  %-24s %9.3f %8.2f %8.2f %10.2f %10s %9.1f" % (name, t, pkts / t / 1e6, wire * 8 / t / 1e9,
                                                                  t_loop / t, vs, rss / 1024))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
