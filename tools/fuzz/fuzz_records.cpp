// Every pure record parser of the SMB (SMB1, SMB2/3, NBSS), GSS-API /
// SPNEGO / NTLMSSP and SSH dissectors, plus the name converters and the
// content sniffer. The first input byte picks the parser; the rest is its
// input. One target keeps one corpus in which a mutation of one record type
// can turn into another (the dictionaries hold the magics and codes).
//
// Checks: every span a parser returns lies inside its input (records hold
// views into the bytes they were given); converters respect their byte cap;
// parsers that consume from a ByteReader consume nothing on failure.
#include <string>
#include <vector>

#include "dissectors/smb2/gss_records.h"
#include "dissectors/smb2/smb_records.h"
#include "dissectors/smb2/smb_sniff.h"
#include "dissectors/smb2/smb_strings.h"
#include "dissectors/ssh/ssh_records.h"
#include "fuzz_common.h"

namespace {

using sw::Bytes;
namespace smb = sw::smb;
namespace ssh = sw::ssh;

Bytes g_in;  // the parser's input, for within()

void within(Bytes b, const char* what) {
    if (b.empty()) return;
    SW_FUZZ_CHECK(b.data() >= g_in.data() && b.data() + b.size() <= g_in.data() + g_in.size(), what);
}
void within(std::string_view s, const char* what) {
    within(Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), what);
}

void smb2(std::uint8_t sel, Bytes b) {
    switch (sel % 24) {
        case 0: { smb::NbssHeader h; (void)smb::parse_nbss_header(b.first(std::min<std::size_t>(4, b.size())), h); break; }
        case 1: {
            smb::Smb2Header h;
            if (smb::parse_smb2_header(b, h)) {
                std::optional<std::uint32_t> next;
                (void)smb::next_command_offset(h, b.size(), next);
                if (next) SW_FUZZ_CHECK(*next >= smb::kSmb2HeaderSize && *next <= b.size(), "NextCommand outside the message");
            }
            break;
        }
        case 2: (void)smb::body_structure_size(b); (void)smb::request_file_id(static_cast<std::uint16_t>(b.empty() ? 0 : b[0] % 0x13), b); break;
        case 3: { smb::ErrorResponse r; (void)smb::parse_error_response(b, r); break; }
        case 4: { smb::NegotiateRequest r; if (smb::parse_negotiate_request(b, r)) within(r.dialects, "dialects"); break; }
        case 5: { smb::NegotiateResponse r; if (smb::parse_negotiate_response(b, r)) within(r.security_blob, "negotiate blob"); break; }
        case 6: { smb::SessionSetupRequest r; if (smb::parse_session_setup_request(b, r)) within(r.security_blob, "setup blob"); break; }
        case 7: { smb::SessionSetupResponse r; if (smb::parse_session_setup_response(b, r)) within(r.security_blob, "setup resp blob"); break; }
        case 8: { smb::TreeConnectRequest r; if (smb::parse_tree_connect_request(b, r)) within(r.path, "tree path"); break; }
        case 9: { smb::TreeConnectResponse r; (void)smb::parse_tree_connect_response(b, r); break; }
        case 10: { smb::CreateRequest r; if (smb::parse_create_request(b, r)) within(r.name, "create name"); break; }
        case 11: { smb::CreateResponse r; (void)smb::parse_create_response(b, r); break; }
        case 12: { smb::CloseRequest r; (void)smb::parse_close_request(b, r); smb::CloseResponse q; (void)smb::parse_close_response(b, q); break; }
        case 13: { smb::ReadRequest r; (void)smb::parse_read_request(b, r); break; }
        case 14: {
            smb::ReadResponse r;
            (void)smb::parse_read_response(b, r);
            break;
        }
        case 15: {
            smb::WriteRequest r;
            if (smb::parse_write_request(b, r))
                SW_FUZZ_CHECK(r.data_offset >= smb::kWriteRequestHead - 1 || r.length == 0, "WRITE data inside the fixed part");
            smb::WriteResponse q;
            (void)smb::parse_write_response(b, q);
            break;
        }
        case 16: { smb::SetInfoRequest r; if (smb::parse_set_info_request(b, r)) within(r.buffer, "set_info buffer"); break; }
        case 17: { smb::RenameInfo r; if (smb::parse_rename_info(b, sel & 0x80, r)) within(r.name, "rename name"); break; }
        case 18: { bool del = false; (void)smb::parse_disposition_info(b, sel & 0x80, del); std::uint64_t eof; (void)smb::parse_end_of_file_info(b, eof); break; }
        case 19: { smb::TransformHeader r; (void)smb::parse_transform_header(b, r); break; }
        case 20: {
            smb::CompressionHeader r;
            (void)smb::parse_compression_header(b, r);
            (void)smb::for_each_compression_payload(b, [](const smb::CompressionPayload& p) {
                within(p.data, "compression payload");
                std::uint8_t pat;
                std::uint32_t rep;
                (void)smb::parse_pattern_v1(p.data, pat, rep);
                return true;
            });
            break;
        }
        case 21: {
            smb::GssToken t;
            if (smb::parse_gss_token(b, t)) within(t.ntlmssp, "gss ntlmssp");
            break;
        }
        case 22: {
            smb::NtlmMessage m;
            if (smb::parse_ntlmssp(b, m)) {
                for (Bytes x : {m.target_name, m.nb_computer, m.nb_domain, m.dns_computer, m.dns_domain, m.dns_tree,
                                m.domain, m.user, m.workstation, m.lm_response, m.nt_response})
                    within(x, "ntlmssp field");
            }
            break;
        }
        case 23: {
            // Names and content: UTF-16LE / OEM to UTF-8 under a cap, sniffing.
            const std::size_t cap = sel;
            std::string out;
            (void)smb::append_utf16le(b, out, cap);
            SW_FUZZ_CHECK(out.size() <= cap, "UTF-16 name above its cap");
            out.clear();
            (void)smb::append_oem(b, out, cap);
            SW_FUZZ_CHECK(out.size() <= cap, "OEM name above its cap");
            (void)smb::sniff_content_type(b.first(std::min<std::size_t>(b.size(), smb::kSniffBytes)),
                                          b.size() > 5 ? b.last(5) : Bytes{});
            std::string_view name(reinterpret_cast<const char*>(b.data()), b.size());
            (void)smb::is_archive_name(name);
            break;
        }
    }
}

void smb1(std::uint8_t sel, Bytes msg) {
    smb::Smb1Header h;
    if (!smb::parse_smb1_header(msg, h)) return;
    const bool andx = sel & 0x80;
    smb::Smb1Block blk;
    if (!smb::parse_smb1_block(msg, smb::kSmb1HeaderSize, andx, blk)) return;
    within(blk.words, "smb1 words");
    within(blk.bytes, "smb1 bytes");
    // An AndX chain: the next block, as the state machine walks it.
    if (andx && blk.andx_command != smb::smb1::no_andx) {
        smb::Smb1Block next;
        if (smb::parse_smb1_block(msg, blk.andx_offset, true, next)) within(next.bytes, "smb1 andx bytes");
    }
    switch (sel % 16) {
        case 0: {
            smb::Smb1NegotiateRequest r;
            if (smb::parse_smb1_negotiate_request(blk, r)) {
                std::size_t pos = 0;
                std::string_view name;
                for (int i = 0; i < 1000 && r.next_dialect(pos, name); ++i) within(name, "smb1 dialect");
            }
            break;
        }
        case 1: { smb::Smb1NegotiateResponse r; (void)smb::parse_smb1_negotiate_response(blk, r); break; }
        case 2: {
            smb::Smb1SessionSetupRequest r;
            if (smb::parse_smb1_session_setup_request(msg, h, blk, r)) {
                within(r.security_blob, "smb1 setup blob");
                within(r.account, "smb1 account");
                within(r.domain, "smb1 domain");
            }
            break;
        }
        case 3: { smb::Smb1SessionSetupResponse r; if (smb::parse_smb1_session_setup_response(blk, r)) within(r.security_blob, "smb1 setup resp blob"); break; }
        case 4: {
            smb::Smb1TreeConnectRequest r;
            if (smb::parse_smb1_tree_connect_request(msg, h, blk, r)) within(r.path, "smb1 tree path");
            break;
        }
        case 5: {
            smb::Smb1TreeConnectResponse r;
            if (smb::parse_smb1_tree_connect_response(msg, h, blk, r)) within(r.native_fs, "smb1 native fs");
            break;
        }
        case 6: { smb::Smb1NtCreateRequest r; if (smb::parse_smb1_nt_create_request(msg, h, blk, r)) within(r.name, "smb1 create name"); break; }
        case 7: { smb::Smb1NtCreateResponse r; (void)smb::parse_smb1_nt_create_response(blk, r); break; }
        case 8: { smb::Smb1OpenRequest r; if (smb::parse_smb1_open_andx_request(msg, h, blk, r)) within(r.name, "smb1 open name"); break; }
        case 9: { smb::Smb1OpenResponse r; (void)smb::parse_smb1_open_andx_response(blk, r); break; }
        case 10: { smb::Smb1WriteRequest r; (void)smb::parse_smb1_write_andx_request(msg, blk, r); break; }
        case 11: { smb::Smb1WriteResponse r; (void)smb::parse_smb1_write_andx_response(blk, r); break; }
        case 12: { smb::Smb1ReadRequest r; (void)smb::parse_smb1_read_andx_request(blk, r); break; }
        case 13: { smb::Smb1ReadResponse r; (void)smb::parse_smb1_read_andx_response(msg, blk, r); break; }
        case 14: { smb::Smb1CloseRequest r; (void)smb::parse_smb1_close_request(blk, r); break; }
        default: break;
    }
}

void ssh_records(std::uint8_t sel, Bytes b) {
    switch (sel % 6) {
        case 0: {
            auto scan = ssh::scan_line(b, 255);
            if (scan.status == ssh::LineScan::Status::complete) {
                SW_FUZZ_CHECK(scan.total_len <= b.size() && scan.content_len < scan.total_len, "line scan past input");
                std::string_view line(reinterpret_cast<const char*>(b.data()), scan.content_len);
                (void)ssh::is_ident_line(line);
                if (auto id = ssh::parse_ident(line)) {
                    within(id->proto_version, "ident version");
                    within(id->software, "ident software");
                    within(id->comments, "ident comments");
                    (void)ssh::ident_protocol(id->proto_version);
                }
            }
            break;
        }
        case 1: {
            auto c = ssh::check_packet_header(b, 35000);
            sw::ByteReader r(b);
            auto p = ssh::parse_binary_packet(r, 35000);
            if (p) {
                SW_FUZZ_CHECK(c.status == ssh::PacketHeaderCheck::Status::ok && c.total == b.size() - r.remaining(),
                              "binary packet parse disagrees with its header check");
                within(p->payload, "ssh payload");
                within(p->padding, "ssh padding");
            } else {
                SW_FUZZ_CHECK(r.remaining() == b.size(), "failed binary packet parse consumed bytes");
            }
            break;
        }
        case 2: {
            if (auto k = ssh::parse_kexinit(b)) {
                within(k->cookie, "kexinit cookie");
                for (auto l : k->lists) within(l, "kexinit list");
                auto n = ssh::negotiate(k->lists[ssh::kKexAlgorithms], k->lists[ssh::kServerHostKeyAlgorithms]);
                if (!n.empty()) {
                    within(n, "negotiated name");
                    SW_FUZZ_CHECK(ssh::name_list_contains(k->lists[ssh::kServerHostKeyAlgorithms], n),
                                  "negotiated name not on the server list");
                }
            }
            break;
        }
        case 3: {
            if (auto k = ssh::parse_kex_reply_host_key(b)) {
                within(k->host_key, "host key");
                within(k->key_type, "host key type");
            }
            break;
        }
        case 4: {
            // Two name-lists split at the first NUL.
            std::string_view all(reinterpret_cast<const char*>(b.data()), b.size());
            auto cut = all.find('\0');
            std::string_view c = all.substr(0, cut), s = cut == std::string_view::npos ? "" : all.substr(cut + 1);
            auto n = ssh::negotiate(c, s);
            if (!n.empty())
                SW_FUZZ_CHECK(ssh::name_list_contains(c, n) && ssh::name_list_contains(s, n), "negotiated name not on both lists");
            break;
        }
        default: break;
    }
}

}  // namespace

SW_FUZZ_ENTRY(fuzz_records)(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t sel = data[1 % size];
    // Copy so that reads past the end are caught exactly (no slack after it).
    std::vector<std::uint8_t> buf(data + std::min<std::size_t>(2, size), data + size);
    g_in = Bytes(buf);
    switch (data[0] % 3) {
        case 0: smb2(sel, g_in); break;
        case 1: smb1(sel, g_in); break;
        default: ssh_records(sel, g_in); break;
    }
    return 0;
}
