#!/usr/bin/env python3
"""Build a lab truth file step by step while a capture is recorded.

Scripts call one subcommand per fact; the manifest is a JSON file in the run's
temp dir and `finish` writes the truth file. Byte counts are never passed in:
they are read with stat from the real file that was transferred (--file), and
content types are sniffed from that file's first bytes.

  init      --scenario NAME --seed N [--capture capture.pcap] [--set KEY=JSON]...
  host      --name ws1 --ip 10.74.0.11 --role source
  transfer  --proto smb|ssh --client IP --server IP [--share S] --name PATH
            --op write|read|rename|delete|mkdir [--file LOCAL] [--new-name N]
            [--set KEY=JSON]...
  connection --proto ssh --client IP --server IP --kind upload|download|interactive|failed-auth
            --auth-success true|false [--file LOCAL] [--set KEY=JSON]...
  notice    --note N [--dst IP] [--src IP] [--sources IP,IP] [--detection-type T]
            [--min-severity low|medium|high] [--set KEY=JSON]...
  set       KEY JSON
Every subcommand that takes --set KEY=JSON also takes --set-str KEY=STRING.
  finish    --out FILE
"""

import argparse
import json
import os
import re
import sys

ARCHIVE_EXT = re.compile(
    r"\.(zip|rar|7z|tar|gz|tgz|bz2|tbz2|xz|txz|zst|cab|iso|lzh|arj|"
    r"7z\.\d{3}|zip\.\d{3}|z\d{2}|r\d{2}|part\d+\.rar)$", re.IGNORECASE)


def archive_name(name):
    return bool(name) and bool(ARCHIVE_EXT.search(name))


def sniff(path):
    """(content_type, archive_content) from a file's first bytes."""
    with open(path, "rb") as f:
        head = f.read(512)
    if not head:
        return "empty", None
    if head.startswith(b"PK\x03\x04"):
        # OOXML packages are zips whose first member is [Content_Types].xml.
        name_len = int.from_bytes(head[26:28], "little")
        first = head[30:30 + name_len]
        if first == b"[Content_Types].xml":
            return "ooxml", None
        return "zip", "zip"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z", "7z"
    if head.startswith(b"Rar!\x1a\x07\x01\x00"):
        return "rar5", "rar"
    if head.startswith(b"Rar!\x1a\x07\x00"):
        return "rar4", "rar"
    if head.startswith(b"\x1f\x8b"):
        return "gzip", "gzip"
    if head.startswith(b"%PDF-"):
        return "pdf", None
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "text", None
    return "data", None


def parse_sets(pairs, strs=None):
    out = {}
    for p in strs or []:
        key, sep, val = p.partition("=")
        if not sep:
            raise SystemExit("truth: --set-str needs KEY=STRING, got %r" % p)
        out[key] = val
    for p in pairs or []:
        key, sep, val = p.partition("=")
        if not sep:
            raise SystemExit("truth: --set needs KEY=JSON, got %r" % p)
        out[key] = json.loads(val)
    return out


def load(path):
    with open(path) as f:
        return json.load(f)


def save(path, m):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(m, f, indent=1)
    os.replace(tmp, path)


def file_facts(path):
    if path is None:
        return {"bytes": None, "content_type": None, "archive_content": None}
    st = os.stat(path)
    ctype, arch = sniff(path)
    return {"bytes": st.st_size, "content_type": ctype, "archive_content": arch}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd")
    ap.add_argument("rest", nargs="*")
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--scenario")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--capture", default="capture.pcap")
    ap.add_argument("--name")
    ap.add_argument("--ip")
    ap.add_argument("--role")
    ap.add_argument("--proto")
    ap.add_argument("--client")
    ap.add_argument("--server")
    ap.add_argument("--share")
    ap.add_argument("--op")
    ap.add_argument("--file")
    ap.add_argument("--new-name")
    ap.add_argument("--kind")
    ap.add_argument("--auth-success", choices=["true", "false"])
    ap.add_argument("--note")
    ap.add_argument("--dst")
    ap.add_argument("--src")
    ap.add_argument("--sources")
    ap.add_argument("--detection-type")
    ap.add_argument("--min-severity", choices=["low", "medium", "high"])
    ap.add_argument("--set", action="append", dest="sets")
    ap.add_argument("--set-str", action="append", dest="set_strs")
    ap.add_argument("--out")
    a = ap.parse_intermixed_args()

    if a.cmd == "init":
        m = {"scenario": a.scenario, "seed": a.seed, "capture": a.capture,
             "hosts": [], "transfers": [], "expected_notices": [],
             "forbid_notices_above": None, "allowlist": {"targets": []},
             "detector_options": []}
        m.update(parse_sets(a.sets, a.set_strs))
        save(a.manifest, m)
        return 0

    m = load(a.manifest)
    if a.cmd == "host":
        if any(h["name"] == a.name or h["ip"] == a.ip for h in m["hosts"]):
            raise SystemExit("truth: duplicate host %s/%s" % (a.name, a.ip))
        m["hosts"].append({"name": a.name, "ip": a.ip, "role": a.role})
    elif a.cmd == "transfer":
        if a.op not in ("write", "read", "rename", "delete", "mkdir"):
            raise SystemExit("truth: bad op %r" % a.op)
        if a.op != "mkdir" and not a.file:
            raise SystemExit("truth: --file is required for %s (bytes come from stat)" % a.op)
        t = {"proto": a.proto, "client": a.client, "server": a.server,
             "share": a.share if a.proto == "smb" else None,
             "name": a.name, "op": a.op}
        facts = file_facts(a.file)
        t["bytes"] = facts["bytes"]
        t["archive_name"] = archive_name(a.name)
        t["archive_content"] = facts["archive_content"]
        t["content_type"] = facts["content_type"]
        t["new_name"] = a.new_name
        if a.new_name is not None:
            t["new_name_archive"] = archive_name(a.new_name)
        t.update(parse_sets(a.sets, a.set_strs))
        m["transfers"].append(t)
    elif a.cmd == "connection":
        if a.kind not in ("upload", "download", "interactive", "failed-auth"):
            raise SystemExit("truth: bad kind %r" % a.kind)
        c = {"proto": a.proto or "ssh", "client": a.client, "server": a.server,
             "kind": a.kind, "bytes": file_facts(a.file)["bytes"],
             "auth_success": a.auth_success == "true"}
        c.update(parse_sets(a.sets, a.set_strs))
        m.setdefault("connections", []).append(c)
    elif a.cmd == "notice":
        n = {"note": a.note, "dst": a.dst, "src": a.src,
             "sources": sorted(a.sources.split(","), key=ip_key) if a.sources else [],
             "detection_type": a.detection_type, "min_severity": a.min_severity}
        n.update(parse_sets(a.sets, a.set_strs))
        m["expected_notices"].append(n)
    elif a.cmd == "set":
        if len(a.rest) != 2:
            raise SystemExit("truth: set KEY JSON")
        m[a.rest[0]] = json.loads(a.rest[1])
    elif a.cmd == "finish":
        check(m)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(m, f, indent=2)
            f.write("\n")
        os.replace(tmp, a.out)
        return 0
    else:
        raise SystemExit("truth: unknown command %r" % a.cmd)
    save(a.manifest, m)
    return 0


def ip_key(ip):
    return tuple(int(x) for x in ip.split("."))


def check(m):
    ips = {h["ip"] for h in m["hosts"]}
    for t in m["transfers"] + m.get("connections", []):
        for k in ("client", "server"):
            if t[k] not in ips:
                raise SystemExit("truth: %s %s is not a lab host" % (k, t[k]))
    for n in m["expected_notices"]:
        for ip in n["sources"] + [x for x in (n["dst"], n["src"]) if x]:
            if ip not in ips:
                raise SystemExit("truth: notice names unknown host %s" % ip)


if __name__ == "__main__":
    sys.exit(main())
