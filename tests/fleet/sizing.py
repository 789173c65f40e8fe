#!/usr/bin/env python3
"""Measures how many events per second one correlator handles (docs/fleet.md).

    sizing.py --binary build/stagewatch --events FLEET_EVENTS_LOG [--copies N]

FLEET_EVENTS_LOG is a sensor's fleet_events.log (stagewatch -r X.pcap
--sensor.events-log). It is replicated N times, each copy shifted in time
past the previous one and with its own source ports, and dealt to three
sensor directories. Then:
  - `stagewatch correlate --logs` over the three directories is timed;
  - the same events are published into a fresh nats-server -js (free port,
    temporary store; plain NATS PUB, stored by the stream) and
    `stagewatch correlate --from ... --exit-when-idle 2s` is timed (the 2 s
    idle wait is subtracted).
Prints events/s for both. Run it under the build lock: it is CPU-heavy.
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--copies", type=int, default=50)
    a = ap.parse_args()
    base = [json.loads(l) for l in open(a.events)]
    times = [r["ts"] for r in base]
    span = max(times) - min(times) + 3600
    work = tempfile.mkdtemp(prefix="sw-sizing-")
    dirs = [os.path.join(work, "s%d" % i) for i in range(3)]
    for d in dirs:
        os.makedirs(d)
    outs = [open(os.path.join(d, "fleet_events.log"), "w") for d in dirs]
    msgs = []
    n = 0
    for k in range(a.copies):
        for r in base:
            r = dict(r)
            for key in ("ts", "close_ts", "end_ts"):
                if key in r:
                    r[key] = round(r[key] + k * span, 6)
            r["id.orig_p"] = (r["id.orig_p"] + k * 7) % 65536
            i = n % 3
            r["_sensor"] = "sensor%d" % i
            line = json.dumps(r, separators=(",", ":"))
            outs[i].write(line + "\n")
            msgs.append(("stagewatch.p0.c0." + r["_path"], line))
            n += 1
    for f in outs:
        f.close()
    B = a.binary
    t = time.time()
    p = subprocess.run([B, "correlate", "-o", os.path.join(work, "c1")] + sum([["--logs", d] for d in dirs], []),
                       capture_output=True, text=True)
    logs_s = time.time() - t
    print(p.stderr.strip().splitlines()[-1])
    print("correlate --logs: %d events in %.2f s = %.0f events/s" % (n, logs_s, n / logs_s))

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    ns = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", os.path.join(work, "js")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        url = "nats://127.0.0.1:%d" % port
        # The correlator creates the stream (STAGEWATCH, subjects stagewatch.>) and its consumer.
        subprocess.run([B, "correlate", "--from", url, "-o", os.path.join(work, "c0"), "--exit-when-idle", "1s"],
                       capture_output=True)
        c = socket.create_connection(("127.0.0.1", port))
        c.recv(4096)
        c.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n')
        buf = []
        for subj, line in msgs:
            data = line.encode()
            buf.append(b"PUB %s %d\r\n%s\r\n" % (subj.encode(), len(data), data))
            if len(buf) >= 1000:
                c.sendall(b"".join(buf))
                buf = []
        c.sendall(b"".join(buf) + b"PING\r\n")
        got = b""
        while b"PONG" not in got:
            got += c.recv(4096)
        c.close()
        time.sleep(1)
        t = time.time()
        p = subprocess.run([B, "correlate", "--from", url, "-o", os.path.join(work, "c2"), "--exit-when-idle", "2s"],
                           capture_output=True, text=True)
        js_s = time.time() - t - 2
        m = re.search(r"jetstream: (\d+) messages", p.stderr)
        got_n = int(m.group(1)) if m else 0
        print("correlate --from: %d messages in %.2f s = %.0f events/s" % (got_n, js_s, got_n / js_s))
    finally:
        ns.send_signal(signal.SIGTERM)
        ns.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
