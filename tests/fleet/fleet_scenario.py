#!/usr/bin/env python3
"""Fleet acceptance on a lab staging scenario (issue 15).

    fleet_scenario.py --binary B --mode MODE SCENARIO_DIR

SCENARIO_DIR holds capture.pcap and truth.json (tools/lab/cached-scenario.sh).
The capture is split with tcpdump into three sensor views by source host
(sources dealt round-robin; view 0 also keeps every non-source host, view 2
also sees view 1's first source, so views 1 and 2 overlap). Every run uses
the truth's detector_options. The reference is one sensor on the whole
capture.

Checks, by MODE:
  logs        each view alone does not flag the full fan-in; `stagewatch
              correlate --logs` over the three views' log directories
              produces the reference run's notices (note, src, dst, sources,
              bytes, archives, score, severity, detection type), and its last
              Fan_In names all three sensors.
  logs-plain  as logs, but the sensors write plain JSON logs (--format json, no
              fleet_events.log): the correlator rebuilds events from conn,
              smb_mapping, smb_files and ssh logs (enough for cleartext SMB).
  jetstream   the same through nats-server -js: three sensors --publish,
              `stagewatch correlate --from`.
  restart     two views published, correlator killed (SIGKILL) after it
              consumed them, third view published, correlator restarted on
              the same durable consumer: reference notices, and as many
              events analysed (and duplicates dropped) as `correlate --logs`
              over the same three views: nothing lost, nothing twice.
  server-late view 0's sensor starts while nats-server is down: it writes the
              same local logs as without --publish, and once the server is
              started all its events (rows of its fleet_events.log) reach the
              stream.
  partitions  two correlators on disjoint subject partitions produce, together,
              the notices of one correlator on all of them.
  roles       the scenario's main finding (Fan_In or Pull_Collector) split by
              its sources; sensors publish on 2 partitions. Two correlators
              with --correlate.role target (partitions 0 and 1, keyed by
              server) and two with --correlate.role collector (keyed by
              client) produce together the notices and staging.log rows of
              one correlator on everything, which equal the single sensor's;
              through JetStream and through --logs. For a Pull_Collector whose
              servers fall in both server partitions it also checks that the
              old split (role both, partitions keyed by server) does NOT give
              the single sensor's notices: the test can tell.

nats-server runs on 127.0.0.1, a free port and a temporary store directory,
and is stopped by its PID. Exit status 0 pass, 1 fail, 2 usage/setup error.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ANALYTICS_PREFIXES = ("--staging.", "--baseline.", "--weight.", "--severity.", "--notice.")


def fail(msg):
    print("FLEET TEST FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def read_log(path):
    """Rows of a Zeek TSV or JSON log as dicts of strings (empty list when missing)."""
    if not os.path.exists(path):
        return []
    fields, rows = None, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("{"):
                r = json.loads(line)
                rows.append({k: ",".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in r.items()})
            elif line.startswith("#fields"):
                fields = line.split("\t")[1:]
            elif line and not line.startswith("#"):
                rows.append(dict(zip(fields, line.split("\t"))))
    return rows


def notice_key(r):
    return (r["note"], r["src"], r["dst"], r["sources"], r["bytes"], r["archives"], r["score"], r["severity"],
            r["detection_type"])


def notices(d):
    return sorted(notice_key(r) for r in read_log(os.path.join(d, "notice.log")))


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        fail("%s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stderr


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class NatsServer:
    def __init__(self, port, store):
        self.port, self.store, self.proc = port, store, None

    def start(self):
        self.proc = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", self.store],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        fail("nats-server did not start on port %d" % self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def url(self):
        return "nats://127.0.0.1:%d" % self.port


def correlated(stderr):
    m = re.search(r"correlated (\d+) events \((\d+) seen by two sensors", stderr)
    if not m:
        fail("no 'correlated N events' line in:\n" + stderr)
    return int(m.group(1)), int(m.group(2))


def fnv_partition(addr, n):
    """fleet/partition.cpp: FNV-1a 32 of the address text, mod n."""
    h = 2166136261
    for c in addr.encode():
        h = ((h ^ c) * 16777619) & 0xffffffff
    return h % n


def staging_key(r):
    return (r["host"], r["role"], r["score"], r["severity"], r["detection_type"], r["notices"])


def staging_rows(d):
    return sorted(staging_key(r) for r in read_log(os.path.join(d, "staging.log")))


def roles_mode(a, B, work, nats, sensor, corr_opts, ref, full, main_note, host, sources):
    """Four correlators, two per role on disjoint partitions = one correlator = one sensor."""
    nats.start()
    for i in range(3):
        run(sensor(i, publish=nats.url(), extra=["--sensor.events-log", "--publish.partitions", "2"])[0])
    dirs = [os.path.join(work, "s%d" % i) for i in range(3)]
    split = [("all", None, None), ("t0", "target", "0"), ("t1", "target", "1"), ("c0", "collector", "0"),
             ("c1", "collector", "1"), ("b0", "both", "0"), ("b1", "both", "1")]
    ref_staging = staging_rows(full)
    for source in ("jetstream", "logs"):
        got, rows = {}, {}
        for name, role, parts in split:
            out = os.path.join(work, "%s-%s" % (source, name))
            cmd = [B, "correlate", "-o", out, "--publish.partitions", "2"] + corr_opts
            if source == "jetstream":
                cmd += ["--from", nats.url(), "--exit-when-idle", "3s", "--correlate.consumer", "c-" + name]
            else:
                cmd += sum([["--logs", d] for d in dirs], [])
            if role:
                cmd += ["--correlate.role", role, "--correlate.partitions", parts]
            run(cmd)
            got[name], rows[name] = notices(out), staging_rows(out)
        if got["all"] != ref:
            fail("%s: one correlator differs from the single sensor\n  expected %s\n  got      %s" %
                 (source, ref, got["all"]))
        if rows["all"] != ref_staging:
            fail("%s: one correlator's staging.log differs from the single sensor's" % source)
        four = sorted(got["t0"] + got["t1"] + got["c0"] + got["c1"])
        if four != ref:
            fail("%s: target t0+t1 %s + collector c0+c1 %s != one correlator %s" %
                 (source, got["t0"] + got["t1"], got["c0"] + got["c1"], ref))
        four_rows = sorted(rows["t0"] + rows["t1"] + rows["c0"] + rows["c1"])
        if four_rows != ref_staging:
            fail("%s: staging.log rows of the four correlators %s != one correlator %s" %
                 (source, four_rows, ref_staging))
        for name in ("t0", "t1"):
            if any(r[1] != "target" for r in rows[name]):
                fail("%s: a target correlator wrote a collector row" % source)
        for name in ("c0", "c1"):
            if any(r[1] != "collector" for r in rows[name]) or \
                    read_log(os.path.join(work, "%s-%s" % (source, name), "volume.log")):
                fail("%s: a collector correlator wrote target rows or volume" % source)
        if main_note == "Staging::Pull_Collector":
            # The servers fall in both server partitions: keyed by server only,
            # neither half sees the whole collector.
            if len({fnv_partition(s, 2) for s in sources}) != 2:
                fail("the scenario's servers %s are all in one partition: the test would not tell" % sources)
            if sorted(got["b0"] + got["b1"]) == ref:
                fail("%s: partitions keyed by server alone already give the Pull_Collector: "
                     "the test cannot tell" % source)
            mains = [n for n in four if n[0] == main_note and n[1] == host]
            if not mains or sorted(mains[-1][3].split(",")) != sources:
                fail("%s: the collector correlators do not name %s with %s" % (source, host, sources))
    print("fleet roles: 2 target + 2 collector correlators = one correlator = one sensor (%d notices, %d staging "
          "rows), JetStream and --logs" % (len(ref), len(ref_staging)))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--mode", required=True, choices=["logs", "logs-plain", "jetstream", "restart", "server-late", "partitions", "roles"])
    ap.add_argument("--keep")
    ap.add_argument("scenario")
    a = ap.parse_args()

    try:
        truth = json.load(open(os.path.join(a.scenario, "truth.json")))
    except OSError as e:
        print("fleet_scenario: %s" % e, file=sys.stderr)
        return 2
    pcap = os.path.join(a.scenario, truth.get("capture", "capture.pcap"))
    if not os.path.exists(pcap):
        pcap = os.path.join(a.scenario, "capture.pcap")
    opts = list(truth.get("detector_options") or [])
    corr_opts = [o for o in opts if o.startswith(ANALYTICS_PREFIXES)]
    main_note = "Staging::Pull_Collector" if a.mode == "roles" and not any(
        n["note"] == "Staging::Fan_In" for n in truth["expected_notices"]) else "Staging::Fan_In"
    fan = [n for n in truth["expected_notices"] if n["note"] == main_note][0]
    # A Pull_Collector's "sources" are the servers it read from; its host is src.
    target = fan["dst"] if main_note == "Staging::Fan_In" else fan["src"]
    sources = sorted(fan["sources"])
    if len(sources) < 3:
        print("fleet_scenario: the main finding has fewer than 3 sources", file=sys.stderr)
        return 2

    work = a.keep or tempfile.mkdtemp(prefix="sw-fleet-")
    os.makedirs(work, exist_ok=True)
    B = a.binary
    nats = None
    try:
        # Three views by source host; view 2 overlaps view 1.
        views = [sources[i::3] for i in range(3)]
        views[2] = sorted(set(views[2]) | {views[1][0]})
        others = [s for s in sources if s not in views[0]]
        filters = ["not (" + " or ".join("host " + s for s in others) + ")"] + \
                  ["(" + " or ".join("host " + s for s in v) + ")" for v in views[1:]]
        for i, flt in enumerate(filters):
            run(["tcpdump", "-r", pcap, "-w", os.path.join(work, "v%d.pcap" % i), flt])
        full = os.path.join(work, "full")
        run([B, "-r", pcap, "-o", full, "--seed", "1"] + opts)
        ref = notices(full)
        host_col = "dst" if main_note == "Staging::Fan_In" else "src"
        ref_fan = [r for r in read_log(os.path.join(full, "notice.log"))
                   if r["note"] == main_note and r[host_col] == target]
        if not ref_fan or sorted(ref_fan[-1]["sources"].split(",")) != sources:
            fail("the single-sensor run does not flag %s with %s" % (target, sources))

        def sensor(i, publish=None, extra=("--sensor.events-log",)):
            out = os.path.join(work, "s%d" % i)
            cmd = [B, "-r", os.path.join(work, "v%d.pcap" % i), "-o", out, "--seed", "1", "--sensor.name",
                   "sensor%d" % i] + opts + list(extra)
            if publish:
                cmd += ["--publish", publish, "--publish.drain-timeout", "30s"]
            return cmd, out

        def check_views_alone(dirs):
            for d in dirs:
                for r in read_log(os.path.join(d, "notice.log")):
                    if r["note"] == "Staging::Fan_In" and r["dst"] == target and \
                            set(sources) <= set(r["sources"].split(",")):
                        fail("sensor %s alone flags the full fan-in" % d)

        def check_correlated(d, label, names="sensor0,sensor1,sensor2"):
            got = notices(d)
            if got != ref:
                fail("%s: notices differ from the single sensor's\n  expected %s\n  got      %s" % (label, ref, got))
            fan_rows = [r for r in read_log(os.path.join(d, "notice.log"))
                        if r["note"] == "Staging::Fan_In" and r["dst"] == target]
            if fan_rows[-1]["sensors"] != names:
                fail("%s: Fan_In names sensors %s" % (label, fan_rows[-1]["sensors"]))

        def logs_correlation():
            dirs = [os.path.join(work, "s%d" % i) for i in range(3)]
            err = run([B, "correlate", "-o", os.path.join(work, "corr-logs")] +
                      sum([["--logs", d] for d in dirs], []) + corr_opts)
            return dirs, err

        if a.mode in ("logs", "logs-plain"):
            for i in range(3):
                run(sensor(i, extra=("--format", "json") if a.mode == "logs-plain" else ("--sensor.events-log",))[0])
                if a.mode == "logs-plain" and os.path.exists(os.path.join(work, "s%d" % i, "fleet_events.log")):
                    fail("--format json without --sensor.events-log wrote fleet_events.log")
            dirs, _ = logs_correlation()
            check_views_alone(dirs)
            # Plain logs carry no _sensor: a directory's name is its sensor's.
            check_correlated(os.path.join(work, "corr-logs"), "correlate --logs",
                             "s0,s1,s2" if a.mode == "logs-plain" else "sensor0,sensor1,sensor2")
            print("fleet %s:" % a.mode + " %s flagged with %s, bytes %s, as by one sensor" % (target, sources, ref_fan[-1]["bytes"]))
            return 0

        nats = NatsServer(free_port(), os.path.join(work, "jsstore"))
        if a.mode == "roles":
            return roles_mode(a, B, work, nats, sensor, corr_opts, ref, full, main_note, target, sources)
        if a.mode == "server-late":
            cmd, out = sensor(0, publish=nats.url())
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(2)
            if p.poll() is not None and p.returncode != 0:
                fail("the sensor failed without NATS: " + p.stderr.read())
            nats.start()
            _, err = p.communicate(timeout=120)
            if p.returncode != 0:
                fail("sensor exited %d: %s" % (p.returncode, err))
            plain = os.path.join(work, "plain")
            run([B, "-r", os.path.join(work, "v0.pcap"), "-o", plain, "--seed", "1"] + opts)
            def strip(f):
                rows = [l for l in open(f) if not l.startswith(("#open", "#close"))]
                if os.path.basename(f) != "stats.log":
                    return rows
                # stats.log's gauges of this process's own memory (mem:
                # resident MiB; memory_used: the budget) are not the analysis:
                # the publisher's thread and buffer change them.
                masked = []
                for l in rows:
                    if l.startswith("#"):
                        masked.append(l)
                        continue
                    c = l.rstrip("\n").split("\t")
                    c[2] = "(mem)"
                    c[-2] = "(memory_used)"
                    masked.append("\t".join(c))
                return masked
            for log in sorted(os.listdir(plain)):
                if strip(os.path.join(plain, log)) != strip(os.path.join(out, log)):
                    fail("%s differs from the run without --publish" % log)
            want = sum(1 for _ in open(os.path.join(out, "fleet_events.log")))
            err = run([B, "correlate", "--from", nats.url(), "-o", os.path.join(work, "corr"), "--exit-when-idle", "3s"]
                      + corr_opts)
            m = re.search(r"jetstream: (\d+) messages", err)
            if not m or int(m.group(1)) != want:
                fail("the stream holds %s events, the sensor logged %d" % (m.group(1) if m else "?", want))
            print("fleet server-late: %d events reached the stream after the server started" % want)
            return 0

        nats.start()
        if a.mode == "jetstream":
            for i in range(3):
                run(sensor(i, publish=nats.url())[0])
            err = run([B, "correlate", "--from", nats.url(), "-o", os.path.join(work, "corr"), "--exit-when-idle",
                       "3s"] + corr_opts)
            check_views_alone([os.path.join(work, "s%d" % i) for i in range(3)])
            check_correlated(os.path.join(work, "corr"), "correlate --from")
            print("fleet jetstream: %s flagged with %s, bytes %s, as by one sensor" % (target, sources,
                                                                                    ref_fan[-1]["bytes"]))
            return 0

        if a.mode == "restart":
            for i in range(2):
                run(sensor(i, publish=nats.url())[0])
            corr = os.path.join(work, "corr")
            cmd = [B, "correlate", "--from", nats.url(), "-o", corr, "--correlate.ack-wait", "2s"] + corr_opts
            p = subprocess.Popen(cmd + ["--exit-when-idle", "60s"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(3)
            if p.poll() is not None:
                fail("the first correlator stopped before it was killed")
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            run(sensor(2, publish=nats.url())[0])
            err = run(cmd + ["--exit-when-idle", "5s"])
            check_correlated(corr, "restarted correlator")
            _, lerr = logs_correlation()
            if correlated(err) != correlated(lerr):
                fail("restarted correlator analysed %s events (analysed, duplicates), correlate --logs %s" %
                     (correlated(err), correlated(lerr)))
            print("fleet restart: %d events analysed once each after a kill" % correlated(err)[0])
            return 0

        if a.mode == "partitions":
            for i in range(3):
                run(sensor(i, publish=nats.url(), extra=["--sensor.events-log", "--publish.partitions", "2"])[0])
            outs = {}
            for name, parts in (("all", None), ("p0", "0"), ("p1", "1")):
                out = os.path.join(work, "corr-" + name)
                cmd = [B, "correlate", "--from", nats.url(), "-o", out, "--exit-when-idle", "3s",
                       "--publish.partitions", "2", "--correlate.consumer", "c-" + name] + corr_opts
                if parts:
                    cmd += ["--correlate.partitions", parts]
                run(cmd)
                outs[name] = notices(out)
            if outs["all"] != ref:
                fail("one correlator on all partitions differs from the single sensor")
            if sorted(outs["p0"] + outs["p1"]) != outs["all"]:
                fail("two partitioned correlators: %s + %s, one correlator: %s" % (outs["p0"], outs["p1"], outs["all"]))
            print("fleet partitions: two correlators on disjoint partitions = one (%d notices)" % len(outs["all"]))
            return 0
    finally:
        if nats:
            nats.stop()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
