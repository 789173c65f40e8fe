#!/usr/bin/env python3
"""Check a lab capture against its truth file with Wireshark's tshark.

Exit status 0 only if every check passes. Checks:
  capture   tshark reads it; no frame above 1514 bytes (offloads were off);
            no bad IPv4/TCP checksum; every TCP byte of every stream is in the
            capture (no sequence hole left unfilled).
  smb       for every truth transfer (unencrypted): WRITE/READ lengths per
            file handle sum to the truth bytes and cover [0, bytes) without
            gaps; renames (SET_INFO FileRenameInformation with the new name),
            deletes (delete-on-close CREATE or SET_INFO disposition) and
            mkdirs (directory CREATE) are present and succeeded; the tree
            connect to the share succeeded. Encrypted transfers: the session
            between client and server is SMB3-encrypted (transform headers),
            the file name never appears in cleartext, and the client sent at
            least the file's bytes.
  bulk      (--bulk) one large upload: every WRITE request of the file
            answered with success, lengths summing to the truth bytes and
            covering [0, bytes), none above the server's max write size.
  ssh       per truth connection (matched in time order per client/server
            pair): the banner exchange happened and the byte counts fit the
            kind (upload/download within 8% + 64 KiB of the file size,
            interactive and failed-auth small). Truth transfers with proto ssh
            are checked as sums per client/server pair.
"""

import argparse
import collections
import json
import subprocess
import sys

TSHARK_ENV_OPTS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"]
SMB_CREATE, SMB_CLOSE, SMB_READ, SMB_WRITE, SMB_SETINFO = 5, 6, 8, 9, 17
DELETE_ON_CLOSE, DIRECTORY_FILE = 0x1000, 0x1
STATUS_PENDING = 0x00000103


class Report:
    def __init__(self):
        self.fail = 0
        self.lines = []

    def ok(self, msg):
        self.lines.append("ok    " + msg)

    def bad(self, msg):
        self.fail += 1
        self.lines.append("FAIL  " + msg)

    def check(self, cond, msg):
        (self.ok if cond else self.bad)(msg)
        return cond


def tshark(args):
    p = subprocess.run(["tshark", "-n"] + TSHARK_ENV_OPTS + args, capture_output=True, text=True)
    if p.returncode != 0:
        err = "\n".join(l for l in p.stderr.splitlines() if "Running as user" not in l)
        raise SystemExit("verify: tshark failed (%d): %s" % (p.returncode, err))
    return p.stdout


FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "tcp.stream",
          "tcp.srcport", "tcp.dstport", "tcp.len", "tcp.flags.syn", "tcp.flags.ack",
          "ip.checksum.status", "tcp.checksum.status", "tcp.seq", "tcp.analysis.retransmission",
          "tcp.analysis.out_of_order", "ssh.protocol"]


BULK_FIELDS = ["smb2.cmd", "smb2.flags.response", "smb2.msg_id", "smb2.nt_status", "smb2.write_length",
               "smb2.file_offset", "smb2.fid", "smb2.filename", "smb2.dialect", "smb2.max_write_size"]


def iter_frames(cap, fields):
    """One tshark pass, one dict per frame (first occurrence of each field),
    streamed so a multi-GB capture never sits in memory."""
    cmd = ["tshark", "-n"] + TSHARK_ENV_OPTS + ["-r", cap, "-T", "fields", "-E", "separator=\t",
                                                "-E", "occurrence=f"] + [x for f in fields for x in ("-e", f)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
        for line in p.stdout:
            yield dict(zip(fields, line.rstrip("\n").split("\t")))
        err = p.stderr.read()
    if p.returncode != 0:
        err = "\n".join(l for l in err.splitlines() if "Running as user" not in l)
        raise SystemExit("verify: tshark failed (%d): %s" % (p.returncode, err))


class Stream:
    def __init__(self, sid):
        self.sid = sid
        self.client = self.server = None
        self.cport = self.sport = None
        self.start = None
        self.bytes_cs = self.bytes_sc = 0
        self.pkts_cs = self.pkts_sc = 0
        self.small_cs = 0
        self.banners = 0


def is_set(v):
    return v in ("1", "True")


class CaptureScan:
    """Everything verify needs from the per-frame fields, gathered in one
    streaming pass: capture health, TCP streams, sequence coverage."""

    def __init__(self):
        self.frames = 0
        self.biggest = 0
        self.bad_ip = self.bad_tcp = 0
        self.retx = self.ooo = 0
        self.streams = {}
        self.spans = collections.defaultdict(list)   # (stream, src, sport) -> merged [start, end) runs
        self.syn = set()
        self.index = {}                               # frame number -> (stream, src, dst)

    def feed(self, f, keep_index):
        self.frames += 1
        self.biggest = max(self.biggest, int(f["frame.len"]))
        self.bad_ip += f["ip.checksum.status"] == "0"
        self.bad_tcp += f["tcp.checksum.status"] == "0"
        self.retx += bool(f["tcp.analysis.retransmission"])
        self.ooo += bool(f["tcp.analysis.out_of_order"])
        if keep_index:
            self.index[f["frame.number"]] = (f["tcp.stream"], f["ip.src"], f["ip.dst"])
        sid = f["tcp.stream"]
        if not sid:
            return
        s = self.streams.get(sid)
        if s is None:
            s = self.streams[sid] = Stream(sid)
        src, dst = f["ip.src"], f["ip.dst"]
        if s.client is None:
            # The SYN's sender is the client; without a SYN, the lower port serves.
            syn_only = is_set(f["tcp.flags.syn"]) and not is_set(f["tcp.flags.ack"])
            if syn_only or int(f["tcp.srcport"]) > int(f["tcp.dstport"]):
                s.client, s.server, s.cport, s.sport = src, dst, f["tcp.srcport"], f["tcp.dstport"]
            else:
                s.client, s.server, s.cport, s.sport = dst, src, f["tcp.dstport"], f["tcp.srcport"]
            s.start = float(f["frame.time_epoch"])
        n = int(f["tcp.len"] or 0)
        if src == s.client and f["tcp.srcport"] == s.cport:
            s.bytes_cs += n
            s.pkts_cs += 1 if n else 0
            s.small_cs += 1 if 0 < n <= 128 else 0
        else:
            s.bytes_sc += n
            s.pkts_sc += 1 if n else 0
        if f.get("ssh.protocol"):
            s.banners += 1
        key = (sid, src, f["tcp.srcport"])
        if is_set(f["tcp.flags.syn"]):
            self.syn.add(key)
        if n:
            seq = int(f["tcp.seq"])
            runs = self.spans[key]
            if runs and runs[-1][0] <= seq <= runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], seq + n)
            else:
                runs.append([seq, seq + n])

    def holes(self):
        """Sequence-space holes per stream direction that no segment fills
        (relative sequence numbers; data starts at 1 after the SYN)."""
        holes = 0
        for key, runs in self.spans.items():
            runs.sort()
            end = 1 if key in self.syn else runs[0][0]
            for a, b in runs:
                if a > end:
                    holes += 1
                end = max(end, b)
        return holes

    def report(self, rep):
        rep.check(self.frames > 0, "capture has %d frames" % self.frames)
        rep.check(self.biggest <= 1514, "largest frame %d bytes (offloads off: <= 1514)" % self.biggest)
        rep.check(self.bad_ip == 0 and self.bad_tcp == 0,
                  "bad checksums: ip %d, tcp %d" % (self.bad_ip, self.bad_tcp))
        holes = self.holes()
        rep.check(holes == 0, "every byte of %d TCP streams captured (holes: %d)"
                  % (len({k[0] for k in self.spans}), holes))
        rep.ok("info: %d retransmitted and %d out-of-order segments" % (self.retx, self.ooo))


class BulkScan:
    """Large single uploads: WRITE requests from the per-frame fields."""

    def __init__(self):
        self.creates = {}
        self.fid_named = {}
        self.writes = {}
        self.final = {}
        self.negotiated = set()

    def feed(self, f):
        cmd = f["smb2.cmd"]
        if cmd == "5":
            if not is_set(f["smb2.flags.response"]):
                self.creates[(f["tcp.stream"], f["smb2.msg_id"])] = f["smb2.filename"]
            elif f["smb2.fid"]:
                self.fid_named[f["smb2.fid"]] = self.creates.get((f["tcp.stream"], f["smb2.msg_id"]))
        elif cmd == "9":
            if not is_set(f["smb2.flags.response"]):
                self.writes[f["smb2.msg_id"]] = (f["smb2.fid"], int(f["smb2.file_offset"]),
                                                 int(f["smb2.write_length"]))
            elif i(f["smb2.nt_status"]) != STATUS_PENDING:
                self.final[f["smb2.msg_id"]] = i(f["smb2.nt_status"]) == 0
        if f["smb2.dialect"] and f["smb2.max_write_size"]:
            self.negotiated.add((f["smb2.dialect"], f["smb2.max_write_size"]))

    def report(self, truth, rep):
        (t,) = [x for x in truth["transfers"] if x["op"] == "write"]
        for d, m in sorted(self.negotiated):
            rep.ok("negotiated dialect %s, max write %s" % (d, m))
        fids = {fid for fid, name in self.fid_named.items() if name == t["name"]}
        rep.check(len(fids) == 1, "CREATE of %s seen" % t["name"])
        spans = [(o, n, self.final.get(m, False)) for m, (fid, o, n) in self.writes.items() if fid in fids]
        total = sum(n for o, n, ok in spans if ok)
        biggest = max((n for _, n, _ in spans), default=0)
        rep.check(all(ok for *_, ok in spans), "%d WRITE requests, all answered with success" % len(spans))
        rep.check(total == t["bytes"] and covered(spans, t["bytes"]),
                  "WRITE lengths sum to %d and cover the file contiguously (truth %d); largest WRITE %d"
                  % (total, t["bytes"], biggest))
        if truth.get("smb_max_write"):
            rep.check(biggest <= truth["smb_max_write"], "no WRITE above %d bytes" % truth["smb_max_write"])


# --- SMB ---------------------------------------------------------------------

def flatten(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                flatten(v, out)
            else:
                out.setdefault(k, v)
    elif isinstance(obj, list):
        for v in obj:
            flatten(v, out)


def read_smb(cap, frame_index):
    out = tshark(["-r", cap, "-Y", "smb2", "-T", "json", "--no-duplicate-keys", "-J", "frame smb2"])
    pdus = []
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        num = layers["frame"]["frame.number"]
        if isinstance(num, list):
            num = num[0]
        stream, src, dst = frame_index[num]
        smbs = layers.get("smb2", [])
        if isinstance(smbs, dict):
            smbs = [smbs]
        for pdu in smbs:
            flat = {}
            flatten(pdu, flat)
            flat["_frame"] = int(num)
            flat["_stream"] = stream
            flat["_src"] = src
            flat["_dst"] = dst
            pdus.append(flat)
    return pdus


def i(v, default=0):
    if v is None or v == "":
        return default
    return int(v, 0) if isinstance(v, str) else int(v)


class Handle:
    def __init__(self, stream, fid, name, tree, frame, disposition, options, ok, eof):
        self.stream, self.fid, self.name, self.tree = stream, fid, name, tree
        self.frame, self.disposition, self.options, self.ok, self.eof = frame, disposition, options, ok, eof
        self.writes = []   # (offset, length, ok)
        self.reads = []    # (length, ok)
        self.renames = []  # (new name, ok)
        self.delete_disp = False


def smb_model(pdus, streams):
    reqs = {}            # (stream, msg_id) -> request pdu
    handles = {}         # fid -> Handle
    order = []
    trees = collections.defaultdict(list)   # stream -> [(tree, ok)]
    dialects = collections.defaultdict(set)
    users = collections.defaultdict(set)
    encrypted = collections.defaultdict(int)  # stream -> transform PDUs
    for p in pdus:
        if p.get("smb2.protocol_id") == "0xfd534d42":
            encrypted[p["_stream"]] += 1
            continue
        if "smb2.cmd" not in p:
            continue
        cmd = i(p["smb2.cmd"])
        resp = i(p.get("smb2.flags", "0")) & 1
        key = (p["_stream"], p.get("smb2.msg_id"))
        if not resp:
            reqs[key] = p
            continue
        status = i(p.get("smb2.nt_status", "0"))
        if status == STATUS_PENDING:
            continue   # interim async response; the final one follows
        req = reqs.get(key, {})
        ok = status == 0
        if cmd == 0 and p.get("smb2.dialect"):
            dialects[p["_stream"]].add(p["smb2.dialect"])
        elif cmd == 1 and ok and p.get("smb2.acct"):
            users[p["_stream"]].add(p["smb2.acct"])
        elif cmd == 3:
            trees[p["_stream"]].append((req.get("smb2.tree", ""), ok))
        elif cmd == SMB_CREATE and p.get("smb2.fid"):
            h = Handle(p["_stream"], p["smb2.fid"], req.get("smb2.filename", ""), req.get("smb2.tree", ""),
                       p["_frame"], i(req.get("smb2.create.disposition")), i(req.get("smb.create_options")),
                       ok, i(p.get("smb2.eof"), None))
            if ok:
                handles[p["smb2.fid"]] = h
                order.append(h)
        elif cmd == SMB_WRITE:
            h = handles.get(req.get("smb2.fid"))
            if h:
                h.writes.append((i(req.get("smb2.file_offset")), i(req.get("smb2.write_length")), ok))
        elif cmd == SMB_READ:
            h = handles.get(req.get("smb2.fid"))
            if h:
                h.reads.append((i(p.get("smb2.olb.length")), ok))
        elif cmd == SMB_SETINFO:
            h = handles.get(req.get("smb2.fid"))
            level = i(req.get("smb2.file_info.infolevel"))
            if h and i(req.get("smb2.class")) == 1:
                if level == 0x0a:
                    h.renames.append((req.get("smb2.filename", ""), ok))
                elif level in (0x0d, 0x40) and ok:
                    h.delete_disp = True
    return order, trees, dialects, users, encrypted


def share_of(tree):
    return tree.rsplit("\\", 1)[-1] if tree else ""


def covered(writes, size):
    """True if the successful writes cover exactly [0, size)."""
    spans = sorted((o, o + n) for o, n, ok in writes if ok and n)
    end = 0
    for a, b in spans:
        if a > end:
            return False
        end = max(end, b)
    return end == size


def check_smb(truth, pdus, streams, rep):
    handles, trees, dialects, users, encrypted = smb_model(pdus, streams)

    def pair_streams(c, s):
        return {sid for sid, st in streams.items() if st.client == c and st.server == s and st.sport == "445"}

    used = set()
    enc_pairs = collections.defaultdict(int)
    want_dialect = truth.get("dialect")
    seen_pairs = set()
    for t in [t for t in truth["transfers"] if t["proto"] == "smb"]:
        c, s, share, name, op = t["client"], t["server"], t["share"], t["name"], t["op"]
        sids = pair_streams(c, s)
        label = "smb %s %s->%s %s %s" % (op, c, s, share, name)
        if not sids:
            rep.bad("%s: no SMB connection between them" % label)
            continue
        if (c, s, share) not in seen_pairs:
            seen_pairs.add((c, s, share))
            tc = [(tr, ok) for sid in sids for tr, ok in trees[sid] if share_of(tr) == share]
            if not t.get("encrypted"):  # else the tree connect is encrypted too
                rep.check(any(ok for _, ok in tc), "tree connect %s -> \\\\%s\\%s succeeded" % (c, s, share))
            want = t.get("dialect") or want_dialect
            if want:
                got = set().union(*(dialects[sid] for sid in sids))
                rep.check(got == {dialect_code(want)},
                          "dialect %s->%s %s (want %s)" % (c, s, sorted(got), want))
        if t.get("encrypted"):
            clear = [h for h in handles if h.stream in sids and h.name == name]
            rep.check(not clear, "%s: name not in cleartext" % label)
            enc_pairs[(c, s)] += t["bytes"] or 0
            continue
        cands = [h for h in handles if h.stream in sids and h.name == name and share_of(h.tree) == share
                 and id(h) not in used]
        if op == "write":
            cands = [h for h in cands if h.writes or h.disposition in (2, 3, 4, 5)]
            if not rep.check(bool(cands), "%s: CREATE for writing found" % label):
                continue
            h = cands[0]
            used.add(id(h))
            total = sum(n for _, n, ok in h.writes if ok)
            rep.check(total == t["bytes"] and covered(h.writes, t["bytes"]) and all(ok for *_, ok in h.writes),
                      "%s: %d WRITEs, %d bytes written contiguously (truth %d)"
                      % (label, len(h.writes), total, t["bytes"]))
        elif op == "read":
            if t["bytes"] == 0:
                cands = [h for h in cands if not h.reads and h.disposition == 1 and h.eof == 0]
            else:
                cands = [h for h in cands if h.reads]
            if not rep.check(bool(cands), "%s: opened for reading" % label):
                continue
            h = cands[0]
            used.add(id(h))
            total = sum(n for n, ok in h.reads if ok)
            rep.check(total == t["bytes"], "%s: %d READs, %d bytes read (truth %d)"
                      % (label, len(h.reads), total, t["bytes"]))
        elif op == "rename":
            hit = [h for h in cands if (t["new_name"], True) in h.renames]
            rep.check(bool(hit), "%s: SET_INFO rename to %s succeeded" % (label, t["new_name"]))
            if hit:
                used.add(id(hit[0]))
        elif op == "delete":
            hit = [h for h in cands if (h.options & DELETE_ON_CLOSE) or h.delete_disp]
            rep.check(bool(hit), "%s: delete-on-close / disposition seen" % label)
            if hit:
                used.add(id(hit[0]))
        elif op == "mkdir":
            hit = [h for h in cands if (h.options & DIRECTORY_FILE) and h.disposition == 2]
            rep.check(bool(hit), "%s: directory CREATE succeeded" % label)
            if hit:
                used.add(id(hit[0]))
    for (c, s), want in sorted(enc_pairs.items()):
        sids = pair_streams(c, s)
        enc = sum(encrypted[sid] for sid in sids)
        sent = sum(streams[sid].bytes_cs for sid in sids)
        rep.check(enc > 0 and want <= sent <= want * 1.08 + 65536 * len(sids),
                  "smb encrypted %s->%s: %d TRANSFORM PDUs, client sent %d bytes for %d bytes of files"
                  % (c, s, enc, sent, want))
    expected_users = collections.defaultdict(set)
    for t in truth["transfers"]:
        if t["proto"] == "smb" and (t.get("user") or truth.get("smb_user")):
            expected_users[(t["client"], t["server"])].add(t.get("user") or truth["smb_user"])
    for (c, s), want in sorted(expected_users.items()):
        # Session setup precedes encryption, so the user is visible even then.
        got = set().union(*(users[sid] for sid in pair_streams(c, s)))
        rep.check(got == want, "NTLMSSP user %s->%s: %s (want %s)" % (c, s, sorted(got), sorted(want)))


def dialect_code(d):
    return {"2.0.2": "0x0202", "2.1": "0x0210", "3.0": "0x0300", "3.0.2": "0x0302",
            "3.1.1": "0x0311"}[d]


# --- SSH ---------------------------------------------------------------------

def ssh_streams(streams, c, s):
    return sorted((st for st in streams.values() if st.client == c and st.server == s and st.sport == "22"),
                  key=lambda st: st.start)


def within(got, want):
    return want <= got <= want * 1.08 + 65536


def check_ssh(truth, streams, rep):
    conns = truth.get("connections", [])
    by_pair = collections.defaultdict(list)
    for cn in conns:
        by_pair[(cn["client"], cn["server"])].append(cn)
    for (c, s), lst in by_pair.items():
        sts = ssh_streams(streams, c, s)
        rep.check(len(sts) == len(lst), "ssh %s->%s: %d TCP connections (truth %d)" % (c, s, len(sts), len(lst)))
        for cn, st in zip(lst, sts):
            label = "ssh %s %s:%s->%s:22" % (cn["kind"], c, st.cport, s)
            rep.check(st.banners >= 2, "%s: both identification strings seen" % label)
            k = cn["kind"]
            if k == "upload":
                rep.check(within(st.bytes_cs, cn["bytes"]), "%s: client sent %d bytes for a %d-byte file"
                          % (label, st.bytes_cs, cn["bytes"]))
            elif k == "download":
                rep.check(within(st.bytes_sc, cn["bytes"]), "%s: server sent %d bytes for a %d-byte file"
                          % (label, st.bytes_sc, cn["bytes"]))
            elif k == "interactive":
                rep.check(st.bytes_cs < 65536 and st.small_cs >= 10,
                          "%s: %d small client packets, %d/%d bytes" % (label, st.small_cs, st.bytes_cs, st.bytes_sc))
            elif k == "failed-auth":
                rep.check(st.bytes_cs < 16384 and st.bytes_sc < 16384,
                          "%s: short session, %d/%d bytes" % (label, st.bytes_cs, st.bytes_sc))
    # Scenario transfers over SSH: sums per client/server pair.
    sums = collections.defaultdict(lambda: [0, 0])
    for t in truth["transfers"]:
        if t["proto"] == "ssh" and t["op"] in ("write", "read"):
            sums[(t["client"], t["server"])][0 if t["op"] == "write" else 1] += t["bytes"]
    for (c, s), (up, down) in sums.items():
        sts = ssh_streams(streams, c, s)
        cs = sum(st.bytes_cs for st in sts)
        sc = sum(st.bytes_sc for st in sts)
        slack = 65536 * max(1, len(sts))
        ok = up <= cs <= up * 1.08 + slack and down <= sc <= down * 1.08 + slack
        rep.check(ok, "ssh %s->%s: %d connections, client sent %d (uploads %d), server sent %d (downloads %d)"
                  % (c, s, len(sts), cs, up, sc, down))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--bulk", action="store_true",
                    help="large single-upload capture: check WRITEs from per-frame fields (no JSON pass)")
    a = ap.parse_args()
    with open(a.truth) as f:
        truth = json.load(f)
    rep = Report()
    scan = CaptureScan()
    bulk = BulkScan() if a.bulk else None
    for f in iter_frames(a.capture, FIELDS + BULK_FIELDS if a.bulk else FIELDS):
        scan.feed(f, keep_index=not a.bulk)
        if bulk:
            bulk.feed(f)
    scan.report(rep)
    if bulk:
        bulk.report(truth, rep)
        return finish(rep, a.capture)
    if any(t["proto"] == "smb" for t in truth["transfers"]):
        check_smb(truth, read_smb(a.capture, scan.index), scan.streams, rep)
    check_ssh(truth, scan.streams, rep)
    return finish(rep, a.capture)


def finish(rep, capture):
    for line in rep.lines:
        print(line)
    print("verify: %s: %d checks, %d failed" % (capture, len(rep.lines), rep.fail))
    return 1 if rep.fail else 0


if __name__ == "__main__":
    sys.exit(main())
