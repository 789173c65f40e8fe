#!/usr/bin/env python3
"""Turns a one-connection SMB2 capture into an SMB multichannel one.

   make_multichannel.py IN.pcap OUT.pcap

The SMB2 messages of IN (one TCP connection, Ethernet, no loss) are spread
over two TCP connections from the same client to the same server, as a
multichannel client does: the first channel negotiates, sets up the session
and connects the tree; the second channel negotiates too (same server GUID)
and then carries every other request/response exchange (by MessageId), so a
file is created on one channel and written or closed on the other. Only the
multichannel directory (dissectors/smb2/smb_directory.h) can then name the
files of the second channel. Used by tests/cli/threads_test.sh.
"""
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "classic little-endian pcap expected"
    nano = magic == 0xA1B23C4D
    linktype = struct.unpack("<I", data[20:24])[0]
    assert linktype == 1, "Ethernet expected"
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack("<IIII", data[off:off + 16])
        off += 16
        yield sec + frac / (1e9 if nano else 1e6), data[off:off + incl]
        off += incl


def tcp_payloads(path):
    """(ts, from_client, payload) for the one TCP connection to port 445, in order."""
    client = None
    next_seq = {}
    for ts, frame in read_pcap(path):
        if struct.unpack("!H", frame[12:14])[0] != 0x0800:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6:
            continue
        total = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:total]
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        payload = tcp[doff:]
        key = (ip[12:16], sport)
        if client is None and dport == 445:
            client = key
        if flags & 0x02:
            next_seq[key] = seq + 1
            continue
        if not payload:
            continue
        expect = next_seq.get(key, seq)
        if seq != expect:
            continue  # a retransmission (the recording has no loss)
        next_seq[key] = seq + len(payload)
        yield ts, key == client, payload


def nbss_frames(chunks):
    """Splits each direction's byte stream into NBSS frames: (ts, from_client, frame)."""
    buf = {True: b"", False: b""}
    first_ts = {True: None, False: None}
    for ts, c, payload in chunks:
        if not buf[c]:
            first_ts[c] = ts
        buf[c] += payload
        while len(buf[c]) >= 4:
            n = struct.unpack("!I", buf[c][:4])[0] & 0xFFFFFF
            if len(buf[c]) < 4 + n:
                break
            yield first_ts[c], c, buf[c][:4 + n]
            buf[c] = buf[c][4 + n:]
            first_ts[c] = ts


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Conn:
    def __init__(self, out, cmac, smac, cip, sip, cport, sport, isn):
        self.out, self.cmac, self.smac, self.cip, self.sip = out, cmac, smac, cip, sip
        self.cport, self.sport = cport, sport
        self.seq = {True: isn, False: isn + 0x10000000}

    def packet(self, ts, from_client, flags, payload=b""):
        src, dst = (self.cip, self.sip) if from_client else (self.sip, self.cip)
        sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        seq = self.seq[from_client]
        ack = self.seq[not from_client] if flags & 0x10 else 0
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        eth = (self.smac + self.cmac if not from_client else self.cmac + self.smac) + b"\x08\x00"
        frame = eth + ip + tcp
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        self.out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
        self.seq[from_client] = (seq + len(payload) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

    def handshake(self, ts):
        self.packet(ts, True, 0x02)
        self.packet(ts + 1e-5, False, 0x12)
        self.packet(ts + 2e-5, True, 0x10)

    def send(self, ts, from_client, frame):
        for i in range(0, len(frame), 1448):
            self.packet(ts, from_client, 0x18, frame[i:i + 1448])
            self.packet(ts, not from_client, 0x10)  # ACK

    def close(self, ts):
        self.packet(ts, True, 0x11)
        self.packet(ts + 1e-5, False, 0x11)
        self.packet(ts + 2e-5, True, 0x10)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    frames = list(nbss_frames(tcp_payloads(src)))
    out = []
    cip, sip = bytes([10, 74, 0, 31]), bytes([10, 74, 0, 30])
    cmac, smac = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
    a = Conn(out, cmac, smac, cip, sip, 50001, 445, 1000)
    b = Conn(out, cmac, smac, cip, sip, 50002, 445, 5000)
    t0 = frames[0][0]
    a.handshake(t0 - 0.01)
    # Channel A: everything up to the first TREE_CONNECT response, then
    # every second exchange; channel B: NEGOTIATE, then the others.
    def command(f):
        return struct.unpack("<H", f[4 + 12:4 + 14])[0] if f[4:8] == b"\xfeSMB" else None

    def message_id(f):
        return struct.unpack("<Q", f[4 + 24:4 + 32])[0]

    setup_done = False
    negotiate = []
    channel = {}
    turn = 0
    for ts, from_client, f in frames:
        cmd = command(f)
        if cmd == 0 and len(negotiate) < 2:
            negotiate.append((from_client, f))
        if not setup_done:
            a.send(ts, from_client, f)
            if cmd == 3 and not from_client:  # TREE_CONNECT response
                setup_done = True
                b.handshake(ts + 1e-4)
                for c, nf in negotiate:
                    b.send(ts + 2e-4, c, nf)
            continue
        mid = message_id(f)
        if from_client and mid not in channel:
            channel[mid] = (a, b)[turn % 2]
            turn += 1
        channel.get(mid, a).send(ts, from_client, f)
    end = frames[-1][0]
    a.close(end + 0.01)
    b.close(end + 0.02)
    with open(dst, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        f.write(b"".join(out))


main()
