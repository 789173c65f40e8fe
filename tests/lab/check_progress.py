#!/usr/bin/env python3
"""Check that stagewatch counts slow SMB uploads as they move (issue 11).

    check_progress.py [--binary build/stagewatch] [--keep DIR] SCENARIO
    check_progress.py --logs DIR SCENARIO        (check logs already written)
    check_progress.py --cache CACHEDIR [--seed N] [--binary B] NAME
                                                 (record NAME, or reuse it, with
                                                  tools/lab/cached-scenario.sh)

SCENARIO is a recording of tools/lab/scenarios/slow-upload.sh (a directory
holding truth.json and capture.pcap): sources upload one file each to one
target over links throttled with tc. stagewatch runs on the capture with the
truth's `detector_options` (which set --volume.interval) and the logs are
checked against the truth and against tshark's reading of the capture:

  files     smb_files.log has one row per truth upload to the target, and
            its bytes_written is the truth's file size (stat of the file).
  total     the target's smb bytes_in in volume.log, summed over intervals,
            equals the sum of those bytes_written exactly (volume.log's smb
            counts WRITE data only, see docs/detection.md).
  spread    the intervals the uploads span run from the one holding the
            earliest open (smb_files ts) to the one holding the latest
            close_ts, N of them. Every target smb row lies in that span, no
            interval carries more than total/N plus one interval's worth at
            the throttled rate (sources x rate x interval), and every
            interval strictly inside the span carries bytes.
  wire      tshark's WRITE data bytes per interval: for every WRITE request
            to the target, the data range in its TCP stream (from the PDU's
            length, NBSS header and Data Offset), intersected with the
            segments each frame carried (first transmission of each byte),
            binned by frame time. Each interval of volume.log must carry
            exactly those bytes: the bytes that moved in it.
  notice    a Staging::Fan_In notice for the target has a ts before the
            earliest close_ts of the uploads (raised while every upload was
            still open), and its msg or sub says "in progress".

Exit status: 0 all checks passed; 1 a check failed; 2 bad usage, unreadable
input, or stagewatch/tshark failed.
"""

import argparse
import collections
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_scenario import UsageError, as_str, build_options, read_log  # noqa: E402

DURATION_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def option_value(opts, name):
    prefix = "--%s=" % name
    vals = [o[len(prefix):] for o in opts if o.startswith(prefix)]
    return vals[-1] if vals else None


def parse_duration(text):
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*", text)
    if not m or (m.group(2) or "s") not in DURATION_UNITS:
        raise UsageError("cannot read duration %r" % text)
    return float(m.group(1)) * DURATION_UNITS[m.group(2) or "s"]


def tsv_name(row, name):
    """A string column with Zeek's TSV escapes undone: \\\\ is a backslash, \\xNN a byte."""
    v = row.get(name)
    if v is None or "_set_sep" not in row:  # unset, or a JSON row (not escaped)
        return None if v is None else str(v)
    out = bytearray()
    b = v.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(b):
        if b[i] == 0x5C and b[i + 1:i + 2] == b"\\":
            out.append(0x5C)
            i += 2
        elif b[i] == 0x5C and b[i + 1:i + 2] == b"x" and re.fullmatch(rb"[0-9a-fA-F]{2}", b[i + 2:i + 4]):
            out.append(int(b[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(b[i])
            i += 1
    return out.decode("utf-8", "replace")


def interval_of(ts, interval):
    return math.floor(ts / interval)


def tshark_fields(capture, display_filter, fields):
    cmd = ["tshark", "-n", "-r", capture, "-Y", display_filter, "-T", "fields", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    if p.returncode != 0:
        raise UsageError("tshark failed (exit %d): %s" % (p.returncode, p.stderr.strip()))
    for line in p.stdout.splitlines():
        yield dict(zip(fields, line.split("\t")))


def single(row, name):
    v = row.get(name, "")
    if "," in v:
        raise UsageError("frame %s: several values of %s (%s); the checker expects one WRITE per "
                         "frame" % (row.get("frame.number"), name, v))
    if v == "":
        return None
    return int(v, 0)


def wire_write_bytes(capture, target, interval):
    """Per interval: WRITE data bytes to target:445 as they crossed the wire."""
    ranges = collections.defaultdict(list)  # tcp.stream -> [(start, end)] of WRITE data (relative seq)
    writes = 0
    for r in tshark_fields(capture, "ip.dst==%s && tcp.dstport==445 && smb2.cmd==9 && smb2.flags.response==0"
                           % target, ["frame.number", "tcp.stream", "tcp.seq", "tcp.len",
                                      "tcp.reassembled.length", "nbss.length", "smb2.data_offset",
                                      "smb2.write_length"]):
        stream, seq, seglen = single(r, "tcp.stream"), single(r, "tcp.seq"), single(r, "tcp.len")
        nbss, off, n = single(r, "nbss.length"), single(r, "smb2.data_offset"), single(r, "smb2.write_length")
        pdu = single(r, "tcp.reassembled.length") or 4 + nbss
        if pdu != 4 + nbss:
            raise UsageError("frame %s: reassembled %d bytes, NBSS says %d" % (r["frame.number"], pdu, 4 + nbss))
        # The PDU ends where this frame's segment ends (a client sends a
        # WRITE and waits for its answer); it starts pdu bytes earlier.
        start = seq + seglen - pdu
        ranges[stream].append((start + 4 + off, start + 4 + off + n))
        writes += 1
    per = collections.Counter()
    high = {}  # tcp.stream -> end of the bytes already seen (a retransmission counts once)
    for r in tshark_fields(capture, "ip.dst==%s && tcp.dstport==445 && tcp.len>0" % target,
                           ["frame.time_epoch", "tcp.stream", "tcp.seq", "tcp.len"]):
        stream, seq, seglen = int(r["tcp.stream"]), int(r["tcp.seq"]), int(r["tcp.len"])
        lo = max(seq, high.get(stream, 0))
        hi = seq + seglen
        if hi <= lo:
            continue
        high[stream] = hi
        k = interval_of(float(r["frame.time_epoch"]), interval)
        for a, b in ranges.get(stream, ()):
            if min(b, hi) > max(a, lo):
                per[k] += min(b, hi) - max(a, lo)
    return per, writes


def fmt_intervals(per, first, last, interval):
    return ", ".join("%d:%d" % (int(k * interval), per.get(k, 0)) for k in range(first, last + 1))


def check(truth, logs, capture, tshark_on):
    failures = []
    info = []
    opts = build_options(truth)
    interval = parse_duration(option_value(opts, "volume.interval") or "60s")
    throttle = truth.get("throttle") or {}
    if not throttle.get("rate_bits_per_s"):
        raise UsageError("truth has no throttle.rate_bits_per_s (not a slow-upload recording?)")
    targets = [h["ip"] for h in truth.get("hosts") or [] if h.get("role") == "target"]
    if len(targets) != 1:
        raise UsageError("truth names %d targets, expected one" % len(targets))
    target = targets[0]
    uploads = [t for t in truth.get("transfers") or [] if t["op"] == "write" and t["server"] == target]
    if not uploads:
        raise UsageError("truth has no uploads to %s" % target)
    nsrc = len({t["client"] for t in uploads})

    files = read_log(os.path.join(logs, "smb_files.log"))
    rows = [f for f in files if as_str(f, "id.resp_h") == target and int(f.get("bytes_written", "0")) > 0]
    got = sorted((as_str(f, "id.orig_h"), tsv_name(f, "name"), int(f["bytes_written"])) for f in rows)
    want = sorted((t["client"], t["name"], t["bytes"]) for t in uploads)
    if got != want:
        failures.append("files: smb_files rows (client, name, bytes_written) %s, truth %s" % (got, want))
    if not rows:
        return failures, info
    total = sum(int(f["bytes_written"]) for f in rows)
    first_open = min(float(f["ts"]) for f in rows)
    first_close = min(float(f["close_ts"]) for f in rows)
    last_close = max(float(f["close_ts"]) for f in rows)
    first, last = interval_of(first_open, interval), interval_of(last_close, interval)
    nint = last - first + 1
    info.append("%d uploads, %d bytes, open %.3f .. close %.3f .. %.3f (%.1f-%.1f s), %d intervals of %g s" % (
        len(rows), total, first_open, first_close, last_close, first_close - first_open,
        last_close - first_open, nint, interval))

    volume = read_log(os.path.join(logs, "volume.log"))
    per = collections.Counter()
    for v in volume:
        if as_str(v, "host") == target and as_str(v, "proto") == "smb":
            per[interval_of(float(v["ts"]), interval)] += int(v.get("bytes_in", "0"))
    info.append("volume.log %s smb bytes_in per interval: %s" % (target, fmt_intervals(per, first, last, interval)))
    vsum = sum(per.values())
    if vsum != total:
        failures.append("total: volume.log smb bytes_in of %s sums to %d, smb_files bytes_written to %d" % (
            target, vsum, total))
    outside = {k: b for k, b in per.items() if b and not first <= k <= last}
    if outside:
        failures.append("spread: bytes outside the uploads' intervals: %s" % fmt_intervals(
            outside, min(outside), max(outside), interval))
    worth = nsrc * throttle["rate_bits_per_s"] / 8.0 * interval
    bound = total / nint + worth
    for k in range(first, last + 1):
        if per.get(k, 0) > bound:
            failures.append("spread: interval %d carries %d bytes, more than its share %.0f plus one interval's "
                            "worth %.0f (%d sources at %d bit/s)" % (int(k * interval), per[k], total / nint,
                                                                       worth, nsrc, throttle["rate_bits_per_s"]))
        if first < k < last and not per.get(k, 0):
            failures.append("spread: interval %d, inside the uploads, carries no bytes" % int(k * interval))

    if tshark_on:
        wire, writes = wire_write_bytes(capture, target, interval)
        info.append("tshark WRITE data per interval (%d WRITEs): %s" % (
            writes, fmt_intervals(wire, min(first, min(wire, default=first)), max(last, max(wire, default=last)),
                                  interval)))
        if sum(wire.values()) != total:
            failures.append("wire: tshark sees %d WRITE data bytes to %s, smb_files %d" % (
                sum(wire.values()), target, total))
        for k in sorted(set(wire) | set(per)):
            if wire.get(k, 0) != per.get(k, 0):
                failures.append("wire: interval %d: volume.log %d bytes, the wire carried %d" % (
                    int(k * interval), per.get(k, 0), wire.get(k, 0)))

    notices = [n for n in read_log(os.path.join(logs, "notice.log"))
               if as_str(n, "note") == "Staging::Fan_In" and as_str(n, "dst") == target]
    info.append("fan-in notices for %s at %s" % (target, ", ".join(
        "%s (+%.1f s)" % (n["ts"], float(n["ts"]) - first_open) for n in notices) or "none"))
    early = [n for n in notices if float(n["ts"]) < first_close]
    if not early:
        failures.append("notice: no Staging::Fan_In for %s before the first upload closed at %.6f; notices at %s" % (
            target, first_close, ", ".join(n["ts"] for n in notices) or "none"))
    else:
        text = (as_str(early[0], "msg") or "") + " | " + (as_str(early[0], "sub") or "")
        info.append("first fan-in notice: %s" % text)
        if "in progress" not in text:
            failures.append("notice: the fan-in notice at %s does not say 'in progress': %r" % (early[0]["ts"], text))
    return failures, info


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", help="scenario directory with truth.json and capture.pcap")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "..", "..", "build", "stagewatch"))
    ap.add_argument("--logs", help="check the logs in this directory instead of running stagewatch")
    ap.add_argument("--keep", help="write the logs to this directory and keep them")
    ap.add_argument("--cache", help="SCENARIO is a scenario name: record it (or reuse the recording) here "
                    "with tools/lab/cached-scenario.sh; needs root and network namespaces")
    ap.add_argument("--seed", type=int, default=7, help="seed of the recording with --cache (default 7)")
    ap.add_argument("--no-tshark", action="store_true", help="skip the per-interval comparison with tshark")
    a = ap.parse_args()

    tmp = None
    try:
        if a.cache:
            recorder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "lab",
                                    "cached-scenario.sh")
            p = subprocess.run([recorder, a.scenario, a.cache, "--seed", str(a.seed)], stdout=subprocess.PIPE,
                               text=True, timeout=900)
            if p.returncode != 0 or not p.stdout.strip():
                raise UsageError("recording %s failed (exit %d); the lab needs root and network namespaces" % (
                    a.scenario, p.returncode))
            a.scenario = p.stdout.strip().splitlines()[-1]
        truth_path = os.path.join(a.scenario, "truth.json") if os.path.isdir(a.scenario) else a.scenario
        try:
            with open(truth_path, encoding="utf-8") as f:
                truth = json.load(f)
        except (OSError, ValueError) as e:
            raise UsageError("cannot read truth file %s: %s" % (truth_path, e))
        capture = os.path.join(os.path.dirname(os.path.abspath(truth_path)), truth.get("capture") or "capture.pcap")
        if not os.path.isfile(capture):
            raise UsageError("capture %s not found" % capture)
        logs = a.logs
        if not logs:
            if not os.access(a.binary, os.X_OK):
                raise UsageError("stagewatch binary %s not found (build first, or pass --binary)" % a.binary)
            logs = a.keep or tempfile.mkdtemp(prefix="sw-lab-progress-")
            tmp = None if a.keep else logs
            cmd = [a.binary, "-r", capture, "-o", logs, "--seed", "7", "--progress", "never", "--log-level", "warn"]
            cmd += build_options(truth)
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
            if p.returncode != 0:
                raise UsageError("stagewatch failed (exit %d): %s\n  command: %s" % (
                    p.returncode, p.stderr.strip(), " ".join(cmd)))
        failures, info = check(truth, logs, capture, not a.no_tshark)
    except UsageError as e:
        print("check_progress: %s" % e, file=sys.stderr)
        return 2
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    name = truth.get("scenario") or "scenario"
    for line in info:
        print("  " + line)
    if failures:
        print("FAIL %s (progress): %d problem%s" % (name, len(failures), "" if len(failures) == 1 else "s"))
        for f in failures:
            print("  - " + f)
        return 1
    print("PASS %s (progress): bytes counted interval by interval, fan-in raised while the uploads ran" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
