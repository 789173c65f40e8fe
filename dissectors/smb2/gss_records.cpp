#include "dissectors/smb2/gss_records.h"

#include <algorithm>
#include <cstring>

namespace sw::smb {

namespace {

constexpr std::uint8_t kNtlmSig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
// DER contents of the OIDs we recognise.
constexpr std::uint8_t kOidSpnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};                          // 1.3.6.1.5.5.2
constexpr std::uint8_t kOidKrb5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};         // 1.2.840.113554.1.2.2
constexpr std::uint8_t kOidMsKrb5[] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};       // 1.2.840.48018.1.2.2
constexpr std::uint8_t kOidKrb5U2U[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03};  // user-to-user
constexpr std::uint8_t kOidNtlm[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};  // 1.3.6.1.4.1.311.2.2.10

template <std::size_t N>
bool eq(Bytes b, const std::uint8_t (&oid)[N]) {
    return b.size() == N && std::memcmp(b.data(), oid, N) == 0;
}

Mech mech_of_oid(Bytes oid) {
    if (eq(oid, kOidNtlm)) return Mech::ntlmssp;
    if (eq(oid, kOidKrb5) || eq(oid, kOidMsKrb5) || eq(oid, kOidKrb5U2U)) return Mech::kerberos;
    return Mech::other;
}

bool is_ntlmssp(Bytes b) { return b.size() >= 8 && std::memcmp(b.data(), kNtlmSig, 8) == 0; }

// One DER TLV: tag, contents. Fails on long-form tags, indefinite or
// oversized lengths, or contents past the end.
struct Tlv {
    std::uint8_t tag = 0;
    Bytes value;
};
bool read_tlv(ByteReader& r, Tlv& out) {
    ByteReader t = r;
    auto tag = t.read_u8();
    auto l0 = t.read_u8();
    if (!tag || !l0 || (*tag & 0x1f) == 0x1f) return false;
    std::size_t len = *l0;
    if (*l0 & 0x80) {
        int n = *l0 & 0x7f;
        if (n == 0 || n > 4) return false;
        len = 0;
        for (int i = 0; i < n; ++i) {
            auto b = t.read_u8();
            if (!b) return false;
            len = (len << 8) | *b;
        }
    }
    auto v = t.read_bytes(len);
    if (!v) return false;
    out.tag = *tag;
    out.value = *v;
    r = t;
    return true;
}

// A Kerberos GSS token (RFC 4121 4.1) or a bare KRB AP-REQ ([APPLICATION 14]).
bool looks_kerberos(Bytes b) {
    if (b.empty()) return false;
    if (b[0] == 0x6e) return true;  // AP-REQ without the GSS wrapper
    ByteReader r(b);
    Tlv app;
    if (!read_tlv(r, app) || app.tag != 0x60) return false;
    ByteReader in(app.value);
    Tlv oid;
    if (!read_tlv(in, oid) || oid.tag != 0x06) return false;
    return mech_of_oid(oid.value) == Mech::kerberos;
}

// The mechanism a mechToken/responseToken carries.
Mech mech_of_token(Bytes b) {
    if (is_ntlmssp(b)) return Mech::ntlmssp;
    if (looks_kerberos(b)) return Mech::kerberos;
    // KRB AP-REP ([APPLICATION 15]) or KRB-ERROR ([APPLICATION 30]) in a
    // GSS wrapper is also Kerberos; the wrapper check above covers it.
    return b.empty() ? Mech::none : Mech::other;
}

ParseStatus parse_neg_token_init(Bytes seq_value, GssToken& out) {
    ByteReader r(seq_value);
    while (!r.empty()) {
        Tlv f;
        if (!read_tlv(r, f)) return ParseStatus::fail("spnego_bad_der");
        if (f.tag == 0xa0) {  // mechTypes
            ByteReader m(f.value);
            Tlv seq;
            if (!read_tlv(m, seq) || seq.tag != 0x30) return ParseStatus::fail("spnego_bad_der");
            ByteReader oids(seq.value);
            Tlv oid;
            if (read_tlv(oids, oid) && oid.tag == 0x06) out.first_offered = mech_of_oid(oid.value);
        } else if (f.tag == 0xa2) {  // mechToken
            ByteReader m(f.value);
            Tlv os;
            if (!read_tlv(m, os) || os.tag != 0x04) return ParseStatus::fail("spnego_bad_der");
            out.mech = mech_of_token(os.value);
            if (out.mech == Mech::ntlmssp) out.ntlmssp = os.value;
        }
    }
    if (out.mech == Mech::none && out.first_offered != Mech::none) {
        // A negotiate response's hint list names mechanisms but carries no token.
        out.mech = Mech::none;
    }
    return ParseStatus::ok();
}

ParseStatus parse_neg_token_resp(Bytes seq_value, GssToken& out) {
    ByteReader r(seq_value);
    Mech supported = Mech::none;
    while (!r.empty()) {
        Tlv f;
        if (!read_tlv(r, f)) return ParseStatus::fail("spnego_bad_der");
        ByteReader m(f.value);
        Tlv in;
        if (!read_tlv(m, in)) return ParseStatus::fail("spnego_bad_der");
        if (f.tag == 0xa0 && in.tag == 0x0a && in.value.size() == 1) out.neg_state = in.value[0];
        else if (f.tag == 0xa1 && in.tag == 0x06) supported = mech_of_oid(in.value);
        else if (f.tag == 0xa2 && in.tag == 0x04) {
            out.mech = mech_of_token(in.value);
            if (out.mech == Mech::ntlmssp) out.ntlmssp = in.value;
        }
    }
    if (out.mech == Mech::none || out.mech == Mech::other) {
        if (supported != Mech::none) out.mech = supported;
    }
    return ParseStatus::ok();
}

// NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] }
ParseStatus parse_negotiation_token(Bytes b, GssToken& out) {
    ByteReader r(b);
    Tlv choice;
    if (!read_tlv(r, choice)) return ParseStatus::fail("spnego_bad_der");
    ByteReader in(choice.value);
    Tlv seq;
    if (!read_tlv(in, seq) || seq.tag != 0x30) return ParseStatus::fail("spnego_bad_der");
    out.spnego = true;
    if (choice.tag == 0xa0) return parse_neg_token_init(seq.value, out);
    if (choice.tag == 0xa1) return parse_neg_token_resp(seq.value, out);
    return ParseStatus::fail("spnego_unknown_choice");
}

struct Field {
    std::uint16_t len = 0;
    std::uint32_t off = 0;
};
Field read_field(ByteReader& r) {
    Field f;
    f.len = r.read_u16_le().value_or(0);
    r.skip(2);
    f.off = r.read_u32_le().value_or(0);
    return f;
}
bool field_bytes(Bytes msg, const Field& f, Bytes& out) {
    if (f.len == 0) {
        out = {};
        return true;
    }
    if (f.off > msg.size() || f.len > msg.size() - f.off) return false;
    out = msg.subspan(f.off, f.len);
    return true;
}

}  // namespace

std::string_view mech_name(Mech m) {
    switch (m) {
        case Mech::ntlmssp: return "NTLMSSP";
        case Mech::kerberos: return "Kerberos";
        case Mech::other: return "other";
        default: return "none";
    }
}

ParseStatus parse_gss_token(Bytes blob, GssToken& out) {
    out = {};
    if (blob.empty()) return ParseStatus::ok();
    if (is_ntlmssp(blob)) {
        out.mech = Mech::ntlmssp;
        out.ntlmssp = blob;
        return ParseStatus::ok();
    }
    if (blob[0] == 0x60) {
        ByteReader r(blob);
        Tlv app;
        if (!read_tlv(r, app)) return ParseStatus::fail("gss_bad_der");
        ByteReader in(app.value);
        Tlv oid;
        if (!read_tlv(in, oid) || oid.tag != 0x06) return ParseStatus::fail("gss_bad_der");
        if (eq(oid.value, kOidSpnego)) return parse_negotiation_token(in.rest(), out);
        out.mech = mech_of_oid(oid.value);
        if (out.mech == Mech::ntlmssp && is_ntlmssp(in.rest())) out.ntlmssp = in.rest();
        return ParseStatus::ok();
    }
    if (blob[0] == 0xa0 || blob[0] == 0xa1) return parse_negotiation_token(blob, out);
    if (looks_kerberos(blob)) {
        out.mech = Mech::kerberos;
        return ParseStatus::ok();
    }
    return ParseStatus::fail("gss_unknown_token");
}

ParseStatus parse_ntlmssp(Bytes msg, NtlmMessage& out) {
    out = {};
    if (!is_ntlmssp(msg)) return ParseStatus::fail("ntlmssp_bad_signature");
    ByteReader r(msg.subspan(8));
    auto type = r.read_u32_le();
    if (!type) return ParseStatus::fail("ntlmssp_truncated");
    out.type = *type;
    switch (out.type) {
        case ntlm::negotiate: {
            auto f = r.read_u32_le();
            if (!f) return ParseStatus::fail("ntlmssp_truncated");
            out.flags = *f;
            out.unicode = out.flags & ntlm::flag_unicode;
            return ParseStatus::ok();
        }
        case ntlm::challenge: {
            if (r.remaining() < 40) return ParseStatus::fail("ntlmssp_truncated");
            Field target = read_field(r);
            out.flags = r.read_u32_le().value_or(0);
            out.unicode = out.flags & ntlm::flag_unicode;
            r.skip(8 + 8);  // ServerChallenge, Reserved
            Field info = read_field(r);
            if (!field_bytes(msg, target, out.target_name)) return ParseStatus::fail("ntlmssp_field_past_end");
            Bytes ti;
            if (!field_bytes(msg, info, ti)) return ParseStatus::fail("ntlmssp_field_past_end");
            ByteReader av(ti);
            while (av.remaining() >= 4) {
                std::uint16_t id = av.read_u16_le().value_or(0);
                std::uint16_t len = av.read_u16_le().value_or(0);
                auto v = av.read_bytes(len);
                if (!v) return ParseStatus::fail("ntlmssp_av_pair_past_end");
                if (id == 0) break;  // MsvAvEOL
                switch (id) {
                    case 1: out.nb_computer = *v; break;
                    case 2: out.nb_domain = *v; break;
                    case 3: out.dns_computer = *v; break;
                    case 4: out.dns_domain = *v; break;
                    case 5: out.dns_tree = *v; break;
                    default: break;
                }
            }
            return ParseStatus::ok();
        }
        case ntlm::authenticate: {
            if (r.remaining() < 56) return ParseStatus::fail("ntlmssp_truncated");
            Field lm = read_field(r), nt = read_field(r), dom = read_field(r), user = read_field(r),
                  ws = read_field(r);
            read_field(r);  // EncryptedRandomSessionKey
            out.flags = r.read_u32_le().value_or(0);
            out.unicode = out.flags & ntlm::flag_unicode;
            if (!field_bytes(msg, lm, out.lm_response) || !field_bytes(msg, nt, out.nt_response) ||
                !field_bytes(msg, dom, out.domain) || !field_bytes(msg, user, out.user) ||
                !field_bytes(msg, ws, out.workstation))
                return ParseStatus::fail("ntlmssp_field_past_end");
            return ParseStatus::ok();
        }
        default:
            return ParseStatus::fail("ntlmssp_unknown_message_type");
    }
}

}  // namespace sw::smb
