#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, extracted from captures at build time.

Usage: seeds.py OUT_DIR CAPTURE_DIR...

Reads every pcap/pcapng under the capture directories (pcapng converted with
editcap when present) and writes one directory per target under OUT_DIR:
  fuzz_engine        the first packets of each capture, as a small pcap
  fuzz_decode        runs of frames in fuzz_decode's record format
  fuzz_smb_conn,     TCP payloads of SMB (445/139) and SSH (22 or "SSH-")
  fuzz_smb_framer,   connections in capture order, both directions, in
  fuzz_ssh           stream_driver.h's record format (retransmissions dropped)
  fuzz_probes        the first bytes of each direction of every TCP connection
  fuzz_records       single SMB2/SMB1 PDUs, security blobs, NTLMSSP messages,
                     SSH identification lines, binary packets, KEXINIT and
                     host-key payloads, each with its selector bytes
  fuzz_reassembler, fuzz_escape   small synthetic inputs
Nothing derived from public captures is committed: the output lives in the
build directory.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

MAX_STREAM = 48 * 1024   # bytes of one connection kept in a stream seed
MAX_ENGINE_PACKETS = 40
MAX_ENGINE_BYTES = 64 * 1024


def out(dirname, data):
    os.makedirs(dirname, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)


def read_pcap(path):
    """(linktype, [(ts_sec, ts_usec, caplen_bytes, wirelen)]) of a classic pcap."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 24:
        return None
    magic = blob[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    linktype = struct.unpack(e + "I", blob[20:24])[0] & 0x0FFFFFFF
    pkts = []
    i = 24
    while i + 16 <= len(blob):
        sec, usec, incl, orig = struct.unpack(e + "IIII", blob[i:i + 16])
        i += 16
        if incl > 262144 or i + incl > len(blob):
            break
        pkts.append((sec, usec, blob[i:i + incl], orig))
        i += incl
    return linktype, pkts, blob[:24]


def captures(dirs, tmp):
    for d in dirs:
        for root, _, files in os.walk(d):
            for fn in sorted(files):
                p = os.path.join(root, fn)
                if "truth" in root.split(os.sep):
                    continue
                if fn.endswith(".pcapng"):
                    conv = os.path.join(tmp, hashlib.sha1(p.encode()).hexdigest() + ".pcap")
                    r = subprocess.run(["editcap", "-F", "pcap", p, conv], capture_output=True)
                    if r.returncode != 0:
                        continue
                    p = conv
                elif not (fn.endswith(".pcap") or fn.endswith(".cap") or fn.endswith(".trace")):
                    continue
                got = read_pcap(p)
                if got:
                    yield p, got


def l3_offset(linktype, frame):
    """Offset of the IP header and its version, or None."""
    if linktype == 1:
        off = 12
        while off + 2 <= len(frame):
            et = struct.unpack(">H", frame[off:off + 2])[0]
            if et in (0x8100, 0x88A8):
                off += 4
                continue
            if et == 0x0800:
                return off + 2
            if et == 0x86DD:
                return off + 2
            return None
        return None
    if linktype in (101, 12, 228, 229):
        return 0
    if linktype == 113:
        return 16
    if linktype == 276:
        return 20
    if linktype in (0, 108):
        return 4
    return None


def tcp_of(linktype, frame):
    """(src, dst, sport, dport, seq, flags, payload) or None."""
    off = l3_offset(linktype, frame)
    if off is None or off >= len(frame):
        return None
    v = frame[off] >> 4
    if v == 4:
        ihl = (frame[off] & 15) * 4
        if len(frame) < off + ihl + 20 or frame[off + 9] != 6:
            return None
        total = struct.unpack(">H", frame[off + 2:off + 4])[0]
        fragoff = struct.unpack(">H", frame[off + 6:off + 8])[0] & 0x3FFF
        if fragoff:
            return None
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        t = off + ihl
        end = min(len(frame), off + total) if total else len(frame)
    elif v == 6:
        if len(frame) < off + 60 or frame[off + 6] != 6:
            return None
        plen = struct.unpack(">H", frame[off + 4:off + 6])[0]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        t = off + 40
        end = min(len(frame), t + plen)
    else:
        return None
    sport, dport, seq = struct.unpack(">HHI", frame[t:t + 8])
    doff = (frame[t + 12] >> 4) * 4
    flags = frame[t + 13]
    return src, dst, sport, dport, seq, flags, frame[t + doff:end]


def record(direction, data):
    return bytes([direction & 1]) + struct.pack("<H", len(data)) + data


def streams(linktype, pkts):
    """Per TCP connection: list of (dir, payload) in capture order, retransmissions dropped."""
    conns = {}
    for _, _, frame, _ in pkts:
        t = tcp_of(linktype, frame)
        if not t:
            continue
        src, dst, sport, dport, seq, flags, payload = t
        key = (src, sport, dst, dport)
        rkey = (dst, dport, src, sport)
        if key in conns:
            c, d = conns[key], 0
        elif rkey in conns:
            c, d = conns[rkey], 1
        else:
            c = conns[key] = {"recs": [], "next": [None, None], "ports": (sport, dport)}
            d = 0
        if not payload:
            continue
        nxt = c["next"][d]
        if nxt is not None:
            delta = (seq - nxt) & 0xFFFFFFFF
            if delta >= 0x80000000:  # old data
                back = (nxt - seq) & 0xFFFFFFFF
                if back >= len(payload):
                    continue
                payload = payload[back:]
                seq = nxt
        c["next"][d] = (seq + len(payload)) & 0xFFFFFFFF
        c["recs"].append((d, payload))
    return conns.values()


def stream_bytes(recs, limit=MAX_STREAM):
    outb = b""
    for d, p in recs:
        while p:
            chunk, p = p[:65535], p[65535:]
            outb += record(d, chunk)
        if len(outb) > limit:
            break
    return outb


def kind_of(c):
    ports = c["ports"]
    first = [b"".join(p for d, p in c["recs"] if d == k)[:8] for k in (0, 1)]
    if any(f.startswith(b"SSH-") for f in first) or 22 in ports:
        return "ssh"
    if 445 in ports or 139 in ports or any(f[4:8] in (b"\xfeSMB", b"\xffSMB", b"\xfdSMB") for f in first):
        return "smb"
    return "other"


SMB2_CASE = {  # (command, response) -> fuzz_records case (SMB2 family)
    (0, 0): 4, (0, 1): 5, (1, 0): 6, (1, 1): 7, (3, 0): 8, (3, 1): 9, (5, 0): 10, (5, 1): 11,
    (6, 0): 12, (6, 1): 12, (8, 0): 13, (8, 1): 14, (9, 0): 15, (9, 1): 15, (0x11, 0): 16,
}
SMB1_CASE = {  # (command, reply) -> case; AndX commands get bit 7
    (0x72, 0): 0, (0x72, 1): 1, (0x73, 0): 2, (0x73, 1): 3, (0x75, 0): 4, (0x75, 1): 5,
    (0xA2, 0): 6, (0xA2, 1): 7, (0x2D, 0): 8, (0x2D, 1): 9, (0x2F, 0): 10, (0x2F, 1): 11,
    (0x2E, 0): 12, (0x2E, 1): 13, (0x04, 0): 14,
}
ANDX = {0x73, 0x75, 0xA2, 0x2D, 0x2F, 0x2E, 0x74}


PER_PARSER = 150  # fuzz_records seeds kept per parser selector
_per_sel = {}


def emit_record(outdir, b):
    key = b[:2]
    if _per_sel.get(key, 0) >= PER_PARSER:
        return
    _per_sel[key] = _per_sel.get(key, 0) + 1
    out(os.path.join(outdir, "fuzz_records"), b)


def smb_records(data, emit):
    """NBSS messages of one direction's bytes -> fuzz_records seeds."""
    i = 0
    while i + 4 <= len(data):
        typ = data[i]
        ln = int.from_bytes(data[i + 1:i + 4], "big")
        msg = data[i + 4:i + 4 + ln]
        i += 4 + ln
        if typ != 0 or len(msg) < 4:
            continue
        emit(bytes([0, 0]) + msg[:4])  # NBSS header parser gets the 4 header-ish bytes
        if msg[:4] == b"\xfeSMB" and len(msg) >= 64:
            pos = 0
            while pos + 64 <= len(msg):
                pdu = msg[pos:]
                cmd = struct.unpack("<H", pdu[12:14])[0]
                flags = struct.unpack("<I", pdu[16:20])[0]
                nxt = struct.unpack("<I", pdu[20:24])[0]
                one = pdu[:nxt] if nxt else pdu
                emit(bytes([0, 1]) + one[:4096])
                case = SMB2_CASE.get((cmd, flags & 1))
                if case is not None:
                    emit(bytes([0, case]) + one[:4096])
                if cmd == 1 and len(one) >= 64 + 16:
                    boff = struct.unpack("<H", one[64 + 12:64 + 14])[0] if not flags & 1 else struct.unpack("<H", one[64 + 4:64 + 6])[0]
                    blen = struct.unpack("<H", one[64 + 14:64 + 16])[0] if not flags & 1 else struct.unpack("<H", one[64 + 6:64 + 8])[0]
                    blob = one[boff:boff + blen]
                    if blob:
                        emit(bytes([0, 21]) + blob)
                at = one.find(b"NTLMSSP\x00")
                if at >= 0:
                    emit(bytes([0, 22]) + one[at:])
                if not nxt:
                    break
                pos += nxt
        elif msg[:4] == b"\xffSMB" and len(msg) >= 33:
            case = SMB1_CASE.get((msg[4], 1 if msg[9] & 0x80 else 0))
            if case is not None:
                sel = case | (0x80 if msg[4] in ANDX else 0)
                emit(bytes([1, sel]) + msg[:4096])
            at = msg.find(b"NTLMSSP\x00")
            if at >= 0:
                emit(bytes([0, 22]) + msg[at:])
        elif msg[:4] in (b"\xfdSMB", b"\xfcSMB"):
            emit(bytes([0, 19 if msg[0] == 0xFD else 20]) + msg[:4096])


def ssh_records(data, emit):
    """One direction of SSH: identification line, then cleartext packets."""
    nl = data.find(b"\n")
    if nl < 0:
        return
    emit(bytes([2, 0]) + data[:nl + 1])
    i = nl + 1
    for _ in range(12):
        if i + 5 > len(data):
            return
        plen = struct.unpack(">I", data[i:i + 4])[0]
        if plen > 35000 or i + 4 + plen > len(data):
            return
        pkt = data[i:i + 4 + plen]
        emit(bytes([2, 1]) + pkt)
        pad = pkt[4]
        payload = pkt[5:4 + plen - pad] if pad < plen else b""
        if payload[:1] == b"\x14":
            emit(bytes([2, 2]) + payload)
            # the kex and host-key lists as two name-lists
            try:
                j, lists = 17, []
                for _ in range(2):
                    n = struct.unpack(">I", payload[j:j + 4])[0]
                    lists.append(payload[j + 4:j + 4 + n])
                    j += 4 + n
                emit(bytes([2, 4]) + lists[0] + b"\x00" + lists[1])
            except struct.error:
                pass
        elif payload[:1] in (b"\x1f", b"\x21"):
            emit(bytes([2, 3]) + payload)
        elif payload[:1] == b"\x15":
            return
        i += 4 + plen


def synthetic(outdir):
    # Reassembler: in order, reversed, overlapping with different data, skips.
    def add(off, data):
        return bytes([0]) + struct.pack("<HH", off, len(data)) + data
    base = bytes((i * 7) & 0xFF for i in range(3000))
    out(os.path.join(outdir, "fuzz_reassembler"), b"\x00" + b"".join(add(o, base[o:o + 500]) for o in range(0, 3000, 500)))
    out(os.path.join(outdir, "fuzz_reassembler"), b"\x01" + b"".join(add(o, base[o:o + 500]) for o in reversed(range(0, 3000, 500))))
    out(os.path.join(outdir, "fuzz_reassembler"), b"\x00" + add(100, b"X" * 100) + add(0, base[:300]) + bytes([1]) + struct.pack("<H", 300))
    out(os.path.join(outdir, "fuzz_reassembler"), b"\x00" + bytes([2]) + struct.pack("<H", 200) + add(0, base[:100]) + add(400, base[400:900]) + add(100, base[100:400]) + bytes([3]) + struct.pack("<H", 50) + add(900, base[900:1000]))
    out(os.path.join(outdir, "fuzz_reassembler"), b"\x00" + add(2000, base[:10]) + bytes([4]) + struct.pack("<HH", 0, 1000) + bytes([1]) + struct.pack("<H", 2100))
    # Escaping: names as they show up in logs, separators, controls, bad UTF-8.
    for s in ["stage$\\archive.zip", "-", "(empty)", "a,b\tc\nd\\e", "caf\u00e9 \u65e5\u672c \U0001f600",
              "\u2028\u2029\u0085\u202e\u2066", "\x00\x01\x1f\x7f"]:
        out(os.path.join(outdir, "fuzz_escape"), s.encode("utf-8"))
    for b in [b"\xff\xfe", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x80", b"ok\xc3"]:
        out(os.path.join(outdir, "fuzz_escape"), b)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = sys.argv[1]
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path, (linktype, pkts, header) in captures(sys.argv[2:], tmp):
            # Whole engine: the first packets as a pcap of their own.
            blob = bytearray(header)
            for sec, usec, frame, orig in pkts[:MAX_ENGINE_PACKETS]:
                if len(blob) + 16 + len(frame) > MAX_ENGINE_BYTES:
                    break
                blob += struct.pack("<IIII" if header[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">IIII",
                                    sec, usec, len(frame), orig) + frame
            out(os.path.join(outdir, "fuzz_engine"), bytes(blob))
            # Decode: runs of 8 frames with the link type selector.
            sel = {1: 0, 101: 1, 113: 2, 276: 3, 0: 4, 108: 5, 228: 6, 229: 7, 12: 8}.get(linktype)
            if sel is not None:
                for k in range(0, min(len(pkts), 64), 8):
                    recs = b""
                    for _, _, frame, orig in pkts[k:k + 8]:
                        recs += bytes([sel]) + struct.pack("<H", len(frame)) + b"\x01" + frame[:65535]
                    out(os.path.join(outdir, "fuzz_decode"), recs)
            for c in streams(linktype, pkts):
                if not c["recs"]:
                    continue
                kind = kind_of(c)
                s = stream_bytes(c["recs"])
                dirs = [b"".join(p for d, p in c["recs"] if d == k) for k in (0, 1)]
                o, r = dirs[0][:512], dirs[1][:512]
                out(os.path.join(outdir, "fuzz_probes"), b"\x00" + struct.pack("<H", len(o)) + o + r)
                if kind == "smb":
                    out(os.path.join(outdir, "fuzz_smb_conn"), b"\x00" + s)
                    out(os.path.join(outdir, "fuzz_smb_framer"), b"\x00" + s)
                    for d in dirs:
                        smb_records(d[:1 << 20], lambda b: emit_record(outdir, b))
                elif kind == "ssh":
                    out(os.path.join(outdir, "fuzz_ssh"), s)
                    for d in dirs:
                        ssh_records(d[:1 << 20], lambda b: emit_record(outdir, b))
    synthetic(outdir)
    for t in sorted(os.listdir(outdir)):
        counts[t] = len(os.listdir(os.path.join(outdir, t)))
    print("seeds: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
