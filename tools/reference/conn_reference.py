#!/usr/bin/env python3
"""Reference conn.log values for one capture, computed from tshark's dissection.

For every TCP conversation tshark finds (tcp.stream) and each direction:
  frames        frames tshark assigns to the direction
  ip_bytes      sum of the IP total length (ip.len, or ipv6.plen + 40) - Zeek's *_ip_bytes
  payload_nr    sum of tcp.len over frames tshark flags neither as retransmission
                nor as keep-alive - the byte count a careful analyst would quote
  seq_span      the sequence space the direction covered, as Zeek defines orig_bytes:
                max(highest seq+len sent, highest ACK the peer sent) - start,
                start being the SYN (or the first seen seq - 1 without a SYN),
                minus one octet for the SYN and one for a FIN
Inner headers are used for tunnelled packets (-E occurrence=l), as stagewatch does.

usage: conn_reference.py CAPTURE > reference.tsv   (needs tshark on PATH)
"""
import subprocess
import sys

FIELDS = ["tcp.stream", "frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len",
          "ip.len", "ipv6.plen", "tcp.analysis.retransmission", "tcp.analysis.keep_alive"]


def s32(x):
    x &= 0xffffffff
    return x - (1 << 32) if x >= (1 << 31) else x


class Dir:
    def __init__(self):
        self.frames = 0
        self.ip_bytes = 0
        self.payload_nr = 0
        self.syn_seq = None
        self.first_seq = None
        self.top = None      # relative to anchor: highest seq end
        self.acked = None    # relative to anchor: highest ack from the peer
        self.anchor = None   # a raw seq to unwrap against
        self.fin = False

    def rel(self, raw):
        # unwrap a 32-bit raw sequence number near the anchor
        return s32(raw - self.anchor)

    def seq_span(self):
        if self.anchor is None:
            return 0
        start = self.rel(self.syn_seq) if self.syn_seq is not None else self.rel(self.first_seq) - 1
        top = max(x for x in (self.top, self.acked, start) if x is not None)
        size = top - start
        if size > 0:
            size -= 1
        if self.fin and size > 0:
            size -= 1
        return max(size, 0)


def main():
    cap = sys.argv[1]
    cmd = ["tshark", "-n", "-r", cap, "-Y", "tcp", "-T", "fields", "-E", "occurrence=l",
           "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.analyze_sequence_numbers:TRUE",
           "-o", "tcp.relative_sequence_numbers:FALSE"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    streams = {}
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        (stream, t, src4, src6, dst4, dst6, sport, dport, flags, seq, ack, tlen, iplen, plen,
         retrans, keepalive) = v
        if not stream:
            continue
        src, dst = src4 or src6, dst4 or dst6
        flags = int(flags, 16)
        seq, ack, tlen = int(seq), int(ack), int(tlen or 0)
        ipb = int(iplen) if iplen else (int(plen) + 40 if plen else 0)
        st = streams.get(stream)
        if st is None:
            syn, ackf = flags & 0x02, flags & 0x10
            # client: SYN sender, else SYN-ACK receiver, else first sender
            if syn and ackf:
                client, server = (dst, dport), (src, sport)
            else:
                client, server = (src, sport), (dst, dport)
            st = streams[stream] = {"client": client, "server": server, "first": t, "last": t,
                                    "c": Dir(), "s": Dir()}
        st["last"] = t
        is_c = (src, sport) == st["client"]
        d, peer = (st["c"], st["s"]) if is_c else (st["s"], st["c"])
        d.frames += 1
        d.ip_bytes += ipb
        if not retrans and not keepalive:
            d.payload_nr += tlen
        if d.anchor is None:
            d.anchor = seq
        if flags & 0x02:
            d.syn_seq = seq if d.syn_seq is None else d.syn_seq
        if d.first_seq is None:
            d.first_seq = seq
        if not flags & 0x04:  # RST data is not stream data
            end = d.rel(seq) + tlen + (1 if flags & 0x02 else 0) + (1 if flags & 0x01 else 0)
            d.top = end if d.top is None else max(d.top, end)
        if flags & 0x01:
            d.fin = True
        if flags & 0x10 and not flags & 0x04 and peer.anchor is not None:
            a = peer.rel(ack)
            peer.acked = a if peer.acked is None else max(peer.acked, a)
    print("#reference\tconn\t" + cap.split("/pcaps/")[-1])
    print("#generator\ttools/reference/conn_reference.py with " +
          subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0])
    cols = ["stream", "client", "client_port", "server", "server_port", "first_time", "last_time"]
    for side in ("c2s", "s2c"):
        cols += [side + "_frames", side + "_ip_bytes", side + "_payload_nr", side + "_seq_span"]
    print("#fields\t" + "\t".join(cols))
    for sid in sorted(streams, key=int):
        st = streams[sid]
        c, s = st["c"], st["s"]
        print("\t".join(str(x) for x in [
            sid, st["client"][0], st["client"][1], st["server"][0], st["server"][1],
            st["first"], st["last"],
            c.frames, c.ip_bytes, c.payload_nr, c.seq_span(),
            s.frames, s.ip_bytes, s.payload_nr, s.seq_span()]))


if __name__ == "__main__":
    main()
