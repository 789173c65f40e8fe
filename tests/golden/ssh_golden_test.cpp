// Golden tests of the SSH dissector on every SSH capture of the public corpus
// (../shared/pcaps, read in place), against independent references:
// - tshark 4.0 run here on the same capture (banners, all KEXINIT name-lists,
//   KEX message codes for the roles, host key fields), with the decode-as
//   arguments PROVENANCE.md lists for SSH on ports tshark does not map;
// - the corpus' truth files (truth/<capture>.tsv, table `ssh`);
// - HASSH recomputed in the test with libcrypto's MD5 over the tshark lists;
// - host key fingerprints from ssh-keygen on the key blob rebuilt from
//   tshark's key fields.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;
using test::run_command;
using test::shared_pcaps;

struct Capture {
    const char* path;
    const char* decode_as;  // tshark -d arguments ("" if none)
};

// Every capture whose truth file has an `ssh` table. Decode-as as in
// PROVENANCE.md, plus ntop-nDPI/ssh.pcap's second SSH connection on port
// 8000 (Apache MINA SSHD), which the truth file (made without -d) leaves out.
const Capture kCaptures[] = {
    {"OISF-suricata-verify/bug-5633-gre-02/gre-sample.pcap", ""},  // inside GRE
    {"OISF-suricata-verify/ssh-hassh/input.pcap", ""},
    {"OISF-suricata-verify/ssh-newkeys/input.pcap", ""},
    {"OISF-suricata-verify/vxlan-decoder-03/vxlan.pcap", ""},  // inside VXLAN
    {"ntop-nDPI/ssh.pcap", "-d tcp.port==8000,ssh"},
    {"the-tcpdump-group-tcpdump/ssh.pcap", ""},
    {"zeek-zeek/reverse-ssh.pcap", ""},
    {"zeek-zeek/server-pre-banner-data.pcap", ""},
    {"zeek-zeek/single-conn.pcap", ""},
    {"zeek-zeek/ssh-dups.pcap", ""},
    {"zeek-zeek/ssh-on-port-80.pcap", "-d tcp.port==80,ssh"},
    {"zeek-zeek/ssh.client-side-half-duplex.pcap", ""},
    {"zeek-zeek/ssh1-ssh2-fingerprints.pcap", "-d tcp.port==2222,ssh"},
    {"zeek-zeek/ssh_client_sends_first_enc_pkt_with_newkeys.pcap", ""},
    {"zeek-zeek/ssh_kex_curve25519.pcap", ""},
    {"zeek-zeek/ssh_kex_dh_group18.pcap", ""},
    {"zeek-zeek/ssh_version_199.pcap", ""},
    {"zeek-zeek/sshguess.pcap", ""},
    {"zeek-zeek/ssl-and-ssh-using-sslh.pcap", "-d tcp.port==443,ssh"},
};

// gtest prints the parameter in test names and messages.
void PrintTo(const Capture& c, std::ostream* os) { *os << c.path; }

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(cur);
    return out;
}

std::string md5_hex(const std::string& s) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EXPECT_EQ(EVP_Digest(s.data(), s.size(), d, &n, EVP_md5(), nullptr), 1);
    std::string out;
    char buf[3];
    for (unsigned i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", d[i]);
        out += buf;
    }
    return out;
}

// RFC 4253 7.1, written again here: first client name the server also lists.
std::string first_match(const std::string& client, const std::string& server) {
    const auto s = split(server, ',');
    for (const auto& c : split(client, ','))
        for (const auto& x : s)
            if (!c.empty() && c == x) return c;
    return "Algorithm negotiation failed";
}
std::string zeek_pair(const std::string& c2s, const std::string& s2c) {
    return c2s == s2c ? c2s : "To server: " + c2s + ", to client: " + s2c;
}

bool have_tool(const char* name) { return run_command(std::string("command -v ") + name + " >/dev/null") == 0; }

// What tshark says about one side (address + port) of one TCP stream.
struct TsSide {
    std::string ident;
    bool have_kexinit = false;
    std::vector<std::string> lists;  // the ten name-lists
    std::set<int> codes;
    std::vector<std::string> key;    // type, eddsa, rsa e, n, dsa p q g y, ecdsa id, q
};
struct TsStream {
    std::map<std::string, TsSide> sides;  // "addr|port"
};

constexpr const char* kTsFields[] = {
    "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ssh.protocol", "ssh.message_code",
    "ssh.kex_algorithms", "ssh.server_host_key_algorithms",
    "ssh.encryption_algorithms_client_to_server", "ssh.encryption_algorithms_server_to_client",
    "ssh.mac_algorithms_client_to_server", "ssh.mac_algorithms_server_to_client",
    "ssh.compression_algorithms_client_to_server", "ssh.compression_algorithms_server_to_client",
    "ssh.languages_client_to_server", "ssh.languages_server_to_client", "ssh.first_kex_packet_follows",
    "ssh.host_key.type", "ssh.host_key.eddsa.key", "ssh.host_key.rsa.e", "ssh.host_key.rsa.n",
    "ssh.host_key.dsa.p", "ssh.host_key.dsa.q", "ssh.host_key.dsa.g", "ssh.host_key.dsa.y",
    "ssh.host_key.ecdsa.id", "ssh.host_key.ecdsa.q"};

std::string tshark_base(const fs::path& file, const char* decode_as) {
    return "tshark -n -r '" + file.string() + "' -o tcp.desegment_tcp_streams:TRUE -o tcp.analyze_sequence_numbers:TRUE " +
           decode_as;
}

std::map<int, TsStream> tshark_ssh(const fs::path& file, const char* decode_as) {
    std::string cmd = "(" + tshark_base(file, decode_as) + " -Y ssh -T fields -E occurrence=a -E aggregator='|'";
    for (const char* f : kTsFields) cmd += std::string(" -e ") + f;
    cmd += " 2>/dev/null)";
    std::string out;
    EXPECT_EQ(run_command(cmd, &out), 0) << cmd;
    std::map<int, TsStream> streams;
    std::istringstream in(out);
    std::string line;
    const auto last = [](const std::string& v) { return split(v, '|').back(); };
    const auto first = [](const std::string& v) { return split(v, '|').front(); };
    while (std::getline(in, line)) {
        auto f = split(line, '\t');
        if (f.size() != std::size(kTsFields)) continue;
        const std::string addr = !f[1].empty() ? last(f[1]) : last(f[2]);
        TsSide& s = streams[std::stoi(f[0])].sides[addr + "|" + last(f[3])];
        if (s.ident.empty() && !f[4].empty()) s.ident = first(f[4]);
        for (const auto& c : split(f[5], '|'))
            if (!c.empty()) s.codes.insert(std::stoi(c));
        if (!s.have_kexinit && !f[6].empty()) {
            s.have_kexinit = true;
            for (int i = 6; i < 16; ++i) s.lists.push_back(first(f[static_cast<std::size_t>(i)]));
        }
        if (s.key.empty() && !f[17].empty())
            for (int i = 17; i < 27; ++i) s.key.push_back(first(f[static_cast<std::size_t>(i)]));
    }
    return streams;
}

// Per-direction bytes of one TCP stream, from tshark's "follow" (its own
// reassembly); the first line starting with "SSH-" is that side's banner.
std::string follow_banner(const fs::path& file, const char* decode_as, int stream, const std::string& side) {
    std::string out;
    run_command("(" + tshark_base(file, decode_as) + " -q -z follow,tcp,raw," + std::to_string(stream) + " 2>/dev/null)",
                &out);
    std::istringstream in(out);
    std::string line, node0, node1;
    std::string bytes[2];
    while (std::getline(in, line)) {
        if (line.starts_with("Node 0: ")) node0 = line.substr(8);
        else if (line.starts_with("Node 1: ")) node1 = line.substr(8);
        else {
            // Data lines are hex; the second node's are indented by a tab.
            const int n = !line.empty() && line[0] == '\t' ? 1 : 0;
            const std::string hex = n ? line.substr(1) : line;
            const bool is_hex = !hex.empty() && hex.size() % 2 == 0 &&
                                std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
            if (!is_hex) continue;
            for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
                bytes[n].push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        }
    }
    const std::string want = side.substr(0, side.find('|')) + ":" + side.substr(side.find('|') + 1);
    const std::string& b = want == node0 ? bytes[0] : want == node1 ? bytes[1] : bytes[0];
    if (want != node0 && want != node1) return "";
    std::istringstream lines(b);
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.starts_with("SSH-")) return line;
    }
    return "";
}

std::string hex_to_bytes(const std::string& h) {
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}
std::string ssh_string(const std::string& s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    std::string out{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
    return out + s;
}

// The K_S blob (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4) rebuilt from tshark's
// key fields; "" for types tshark does not break down (certificates).
std::string rebuild_blob(const std::vector<std::string>& k) {
    const std::string& type = k[0];
    if (type == "ssh-ed25519") return ssh_string(type) + ssh_string(hex_to_bytes(k[1]));
    if (type == "ssh-rsa") return ssh_string(type) + ssh_string(hex_to_bytes(k[2])) + ssh_string(hex_to_bytes(k[3]));
    if (type == "ssh-dss")
        return ssh_string(type) + ssh_string(hex_to_bytes(k[4])) + ssh_string(hex_to_bytes(k[5])) +
               ssh_string(hex_to_bytes(k[6])) + ssh_string(hex_to_bytes(k[7]));
    if (type.starts_with("ecdsa-sha2-")) return ssh_string(type) + ssh_string(k[8]) + ssh_string(hex_to_bytes(k[9]));
    return "";
}

// ssh-keygen's fingerprint of a public key blob ("" if ssh-keygen refuses
// the key, as OpenSSH 9 does for RSA keys under 1024 bits).
std::string keygen_fingerprint(const std::string& type, const std::string& blob) {
    unsigned char b64[4096];
    const int n = EVP_EncodeBlock(b64, reinterpret_cast<const unsigned char*>(blob.data()), static_cast<int>(blob.size()));
    test::TempDir dir;
    const fs::path f = dir.path() / "key.pub";
    std::ofstream(f) << type << ' ' << std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n)) << '\n';
    std::string out;
    if (run_command("(ssh-keygen -l -E sha256 -f '" + f.string() + "' 2>/dev/null)", &out) != 0) return "";
    return split(out, ' ').size() > 1 ? split(out, ' ')[1] : out;
}

// The same fingerprint computed here with libcrypto: SHA-256, base64, no
// padding (what ssh-keygen -l -E sha256 prints).
std::string sha256_b64(const std::string& blob) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EXPECT_EQ(EVP_Digest(blob.data(), blob.size(), d, &n, EVP_sha256(), nullptr), 1);
    unsigned char b64[128];
    int len = EVP_EncodeBlock(b64, d, static_cast<int>(n));
    while (len > 0 && b64[len - 1] == '=') --len;
    return "SHA256:" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(len));
}

std::string endpoint(const IpAddr& a, std::uint16_t p) { return a.str() + "|" + std::to_string(p); }

// Rows of the truth file's `ssh` table, as column-name -> value maps.
std::vector<std::map<std::string, std::string>> truth_ssh(const std::string& capture) {
    std::ifstream in(shared_pcaps() / "truth" / (capture + ".tsv"));
    std::string line;
    std::vector<std::string> cols;
    std::vector<std::map<std::string, std::string>> rows;
    while (std::getline(in, line)) {
        auto f = split(line, '\t');
        if (f.size() > 2 && f[0] == "#table" && f[1] == "ssh") cols.assign(f.begin() + 2, f.end());
        if (f[0] != "ssh" || cols.empty()) continue;
        std::map<std::string, std::string> r;
        for (std::size_t i = 0; i < cols.size() && i + 1 < f.size(); ++i) r[cols[i].substr(0, cols[i].find('('))] = f[i + 1];
        rows.push_back(r);
    }
    return rows;
}

class SshGolden : public ::testing::TestWithParam<Capture> {};

TEST_P(SshGolden, MatchesTsharkAndTruth) {
    SW_REQUIRE_SHARED_PCAPS();
    if (!have_tool("tshark") || !have_tool("ssh-keygen")) GTEST_SKIP() << "tshark and ssh-keygen are the references";
    const Capture& cap = GetParam();
    const fs::path file = shared_pcaps() / cap.path;
    ASSERT_TRUE(fs::exists(file)) << file;

    const auto events = test::run_pipeline({file.string()}).all<SshEvent>();
    const auto ts = tshark_ssh(file, cap.decode_as);
    ASSERT_FALSE(events.empty());

    // Every tshark SSH stream with a banner is one of our rows, and every row
    // is an SSH stream for tshark: nothing claimed that is not SSH.
    std::size_t ts_streams = 0;
    for (const auto& [n, st] : ts) {
        bool banner = false;
        for (const auto& [k, s] : st.sides) banner |= !s.ident.empty();
        ts_streams += banner;
    }
    EXPECT_EQ(events.size(), ts_streams);

    for (const SshEvent& e : events) {
        SCOPED_TRACE(std::string(cap.path) + " " + std::string(e.id.uid()) + " " + endpoint(e.id.orig_h, e.id.orig_p));
        const std::string orig = endpoint(e.id.orig_h, e.id.orig_p), resp = endpoint(e.id.resp_h, e.id.resp_p);
        int stream = -1;
        for (const auto& [n, st] : ts)
            if (st.sides.count(orig) || st.sides.count(resp)) {
                bool other = true;
                for (const auto& [k, s] : st.sides) other &= k == orig || k == resp;
                if (other) stream = n;
            }
        ASSERT_GE(stream, 0) << "no tshark SSH stream for this row";
        const TsStream& st = ts.at(stream);
        const TsSide none;
        const TsSide& o = st.sides.count(orig) ? st.sides.at(orig) : none;
        const TsSide& r = st.sides.count(resp) ? st.sides.at(resp) : none;

        // Roles: the side sending the KEX reply (31/33) is the server.
        const auto sends = [](const TsSide& s, std::initializer_list<int> c) {
            for (int x : c)
                if (s.codes.count(x)) return true;
            return false;
        };
        const bool reverse = sends(o, {31, 33}) || (!sends(r, {31, 33}) && sends(r, {30, 32, 34}));
        const TsSide& tc = reverse ? r : o;  // SSH client per tshark
        const TsSide& tsv = reverse ? o : r;
        const std::string client_ep = reverse ? resp : orig, server_ep = reverse ? orig : resp;
        EXPECT_EQ(e.client_h, reverse ? e.id.resp_h : e.id.orig_h);
        EXPECT_EQ(e.server_h, reverse ? e.id.orig_h : e.id.resp_h);

        // Identification strings.
        const auto check_banner = [&](const std::string& ours, const TsSide& side, const std::string& ep) {
            if (!side.ident.empty()) {
                EXPECT_EQ(ours, side.ident);
            } else if (!ours.empty()) {
                EXPECT_EQ(ours, follow_banner(file, cap.decode_as, stream, ep));
            }
        };
        check_banner(e.client, tc, client_ep);
        check_banner(e.server, tsv, server_ep);
        EXPECT_FALSE(e.client.empty() && e.server.empty());

        // KEXINIT lists and HASSH, recomputed with MD5 here.
        if (tc.have_kexinit) {
            const auto& l = tc.lists;
            const std::string algs = l[0] + ";" + l[2] + ";" + l[4] + ";" + l[6];
            EXPECT_EQ(e.hassh_algorithms, algs);
            EXPECT_EQ(e.hassh, md5_hex(algs));
        } else {
            EXPECT_EQ(e.hassh, "");
        }
        if (tsv.have_kexinit) {
            const auto& l = tsv.lists;
            const std::string algs = l[0] + ";" + l[3] + ";" + l[5] + ";" + l[7];
            EXPECT_EQ(e.hassh_server_algorithms, algs);
            EXPECT_EQ(e.hassh_server, md5_hex(algs));
        } else if (!e.hassh_server.empty()) {
            // Only where tshark lost the server's side (pre-banner lines, which
            // it does not handle): then its banner must come from the raw stream.
            EXPECT_TRUE(tsv.ident.empty());
            EXPECT_FALSE(e.server.empty());
        }

        // Negotiated algorithms (RFC 4253 7.1), in Zeek's wording.
        if (tc.have_kexinit && tsv.have_kexinit) {
            const auto& c = tc.lists;
            const auto& s = tsv.lists;
            EXPECT_EQ(e.kex_alg, first_match(c[0], s[0]));
            EXPECT_EQ(e.host_key_alg, first_match(c[1], s[1]));
            EXPECT_EQ(e.cipher_alg, zeek_pair(first_match(c[2], s[2]), first_match(c[3], s[3])));
            EXPECT_EQ(e.mac_alg, zeek_pair(first_match(c[4], s[4]), first_match(c[5], s[5])));
            EXPECT_EQ(e.compression_alg, zeek_pair(first_match(c[6], s[6]), first_match(c[7], s[7])));
        }

        // Host key fingerprint against ssh-keygen.
        if (!tsv.key.empty()) {
            const std::string blob = rebuild_blob(tsv.key);
            if (!blob.empty()) {
                const std::string keygen = keygen_fingerprint(tsv.key[0], blob);
                EXPECT_EQ(e.host_key_fingerprint, keygen.empty() ? sha256_b64(blob) : keygen);
                if (keygen.empty()) {
                    EXPECT_EQ(tsv.key[0], "ssh-rsa");  // only short RSA keys are refused
                }
            } else {
                EXPECT_TRUE(e.host_key_fingerprint.starts_with("SHA256:"));  // certificate: not rebuilt
            }
        }
    }

    // The truth file's rows (tshark, made by make_truth.sh).
    for (const auto& t : truth_ssh(cap.path)) {
        SCOPED_TRACE(std::string(cap.path) + " truth stream " + t.at("stream"));
        const SshEvent* e = nullptr;
        for (const auto& ev : events)
            if (ev.id.orig_h.str() == t.at("client") && std::to_string(ev.id.orig_p) == t.at("client_port") &&
                ev.id.resp_h.str() == t.at("server") && std::to_string(ev.id.resp_p) == t.at("server_port"))
                e = &ev;
        ASSERT_NE(e, nullptr);
        const bool reverse = t.at("ssh_server_is") == "tcp_client";
        EXPECT_EQ(e->client_h, reverse ? e->id.resp_h : e->id.orig_h);
        const std::string& orig_banner = reverse ? e->server : e->client;
        const std::string& resp_banner = reverse ? e->client : e->server;
        if (t.at("client_banner") != "-") {
            EXPECT_EQ(orig_banner, t.at("client_banner"));
        }
        if (t.at("server_banner") != "-") {
            EXPECT_EQ(resp_banner, t.at("server_banner"));
        }
        if (t.at("kex") != "-") {
            EXPECT_EQ(e->kex_alg, t.at("kex"));
        }
        if (t.at("cipher_c2s") != "-") {
            EXPECT_TRUE(e->cipher_alg == t.at("cipher_c2s") ||
                                                       e->cipher_alg.starts_with("To server: " + t.at("cipher_c2s") + ","));
        }
        // tshark computes hassh for the TCP client and hasshServer for the TCP
        // server, so its values carry our roles only when they are not reversed.
        if (!reverse) {
            if (t.at("hassh") != "-") {
                EXPECT_EQ(e->hassh, t.at("hassh"));
            }
            if (t.at("hassh_server") != "-") {
                EXPECT_EQ(e->hassh_server, t.at("hassh_server"));
            }
        }
        const std::string& orig_algs = reverse ? e->hassh_server_algorithms : e->hassh_algorithms;
        if (t.at("client_kex_algorithms") != "-") {
            EXPECT_EQ(split(orig_algs, ';')[0], t.at("client_kex_algorithms"));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Corpus, SshGolden, ::testing::ValuesIn(kCaptures), [](const auto& info) {
    std::string n = info.param.path;
    for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
});

// The reverse-SSH trace: the TCP originator (dropbear) is the SSH server.
TEST(SshGoldenCases, ReverseSsh) {
    SW_REQUIRE_SHARED_PCAPS();
    const auto ev = test::run_pipeline({(shared_pcaps() / "zeek-zeek/reverse-ssh.pcap").string()}).all<SshEvent>();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].client, "SSH-2.0-AsyncSSH_2.8.1");
    EXPECT_EQ(ev[0].server, "SSH-2.0-dropbear_2018.76");
    EXPECT_EQ(ev[0].server_h.str(), "10.0.0.1");
    EXPECT_EQ(ev[0].id.orig_h.str(), "10.0.0.1");
}

// sslh: TLS and SSH share port 443; only the SSH connection is ssh.log's.
TEST(SshGoldenCases, OnlySshOfAMultiplexedPort) {
    SW_REQUIRE_SHARED_PCAPS();
    const auto c = test::run_pipeline({(shared_pcaps() / "zeek-zeek/ssl-and-ssh-using-sslh.pcap").string()});
    const auto ev = c.all<SshEvent>();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].client, "SSH-2.0-OpenSSH_6.9");
    std::size_t ssh_conns = 0, tcp_443 = 0;
    for (const auto& r : c.all<ConnRecord>()) {
        if (r.id.resp_p != 443) continue;
        ++tcp_443;
        ssh_conns += r.protocol == AppProtocol::ssh;
    }
    EXPECT_EQ(ssh_conns, 1u);
    EXPECT_GT(tcp_443, 1u);
}

}  // namespace
}  // namespace sw
