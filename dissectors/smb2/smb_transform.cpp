// SMB3 transforms of SmbConnection: the encryption TRANSFORM header (counted
// per session, the payload is opaque) and the COMPRESSION_TRANSFORM (what
// can be rebuilt without an LZ decoder is dissected as SMB2).
#include <algorithm>
#include <cstdio>

#include "dissectors/smb2/smb_state.h"
#include "dissectors/smb2/smb_state_internal.h"

namespace sw::smb {

using namespace internal;

void SmbConnection::transform_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    TransformHeader th;
    if (auto st = parse_transform_header(p.bytes, th); !st) {
        weird(st.error, {}, ts);
        return;
    }
    confirmed_ = true;
    ++stats_.transform_msgs;
    const std::uint64_t payload = p.wire_len - kTransformHeaderSize;
    if (th.original_size != payload) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "original %u, on the wire %llu", th.original_size,
                      static_cast<unsigned long long>(payload));
        weird("smb3_transform_size_mismatch", buf, ts);
    }
    SessionState& s = session(th.session_id, ts);
    const int r = d == Dir::orig ? 0 : 1;
    ++s.enc_msgs[r];
    s.enc_bytes[r] += payload;
    transform_[r] = {s.id, payload};
    if (!s.encrypted) {
        s.encrypted = true;
        bool visible = false;
        trees_.for_each([&](const TreeKey&, const TreeState& t) { visible |= t.session_id == s.id && t.encrypt; });
        if (!visible && !s.enc_mapping_done) {
            // The trees of this session are hidden: still say a share is in use.
            SmbMappingEvent ev;
            ev.ts = ts;
            ev.id = id_;
            ev.dialect = dialect_;
            ev.username = s.username;
            ev.encrypted = true;
            sink_.on_event(Event{std::move(ev)});
        }
        s.enc_mapping_done = true;
    }
}

void SmbConnection::compressed_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    CompressionHeader ch;
    if (auto st = parse_compression_header(p.bytes, ch); !st) {
        weird(st.error, {}, ts);
        return;
    }
    confirmed_ = true;
    ++stats_.compressed_msgs;
    // What can be read without an LZ decompressor: the uncompressed part in
    // front (unchained: Offset bytes; chained: NONE payloads) and Pattern_V1
    // runs. Windows leaves the SMB2 header and the WRITE/READ fixed part
    // uncompressed, so the command and its length are known either way.
    std::vector<std::uint8_t>& out = decomp_;
    out.clear();
    bool complete = true;
    if (!ch.chained()) {
        std::size_t n = std::min<std::size_t>(ch.offset_or_length, p.bytes.size() - kCompressionHeaderSize);
        auto pre = p.bytes.subspan(kCompressionHeaderSize, n);
        out.assign(pre.begin(), pre.end());
        complete = ch.algorithm == compression::none && !p.truncated();
    } else {
        auto st = for_each_compression_payload(p.bytes, [&](const CompressionPayload& pl) {
            if (pl.algorithm == compression::none) {
                out.insert(out.end(), pl.data.begin(), pl.data.end());
            } else if (pl.algorithm == compression::pattern_v1) {
                std::uint8_t b = 0;
                std::uint32_t n = 0;
                if (!parse_pattern_v1(pl.data, b, n) || out.size() + n > cfg_.max_pdu_buffer) {
                    complete = false;
                    return false;
                }
                out.insert(out.end(), n, b);
            } else {
                complete = false;  // LZNT1 / LZ77 / LZ77+Huffman / LZ4: not decoded
                return false;
            }
            return true;
        });
        if (!st || p.truncated()) complete = false;
    }
    if (out.size() < kSmb2HeaderSize || magic_of(Bytes(out)) != Magic::smb2) {
        weird("smb3_compressed_not_decoded", compression_name(ch.algorithm).data(), ts);
        return;
    }
    Smb2Header h;
    if (!parse_smb2_header(Bytes(out), h)) return;
    const bool write = !h.response() && h.command == cmd::write;
    const bool read = h.response() && h.command == cmd::read;
    PduInfo inner{Magic::smb2, Bytes(out), static_cast<std::uint32_t>(std::max<std::size_t>(ch.original_size, out.size())),
                  true, &h};
    if (write || read) {
        // The data length comes from the uncompressed header; the data itself
        // is only seen (for sniffing) when the whole message could be rebuilt.
        DataRegion r;
        bool ok;
        if (write) {
            WriteRequest w;
            ok = static_cast<bool>(parse_write_request(Bytes(out), w));
            r = w.data();
        } else {
            ReadResponse rr;
            ok = static_cast<bool>(parse_read_response(Bytes(out), rr));
            r = rr.data();
        }
        if (ok) {
            StreamWants wants = on_stream_begin(d, inner, r, ts);
            if (complete && r.offset < out.size()) {
                Bytes data = Bytes(out).subspan(r.offset, std::min<std::size_t>(r.length, out.size() - r.offset));
                for (int k = 0; k < wants.count; ++k) {
                    std::uint64_t b = std::min<std::uint64_t>(wants.begin[k], data.size());
                    std::uint64_t e = std::min<std::uint64_t>(wants.end[k], data.size());
                    if (b < e) on_stream_data(d, b, data.subspan(b, e - b));
                }
            }
            on_stream_end(d, ts);
            return;
        }
    }
    if (!complete) weird("smb3_compressed_not_decoded", compression_name(ch.algorithm).data(), ts);
    smb2_pdu(inner, ts);
}

}  // namespace sw::smb
