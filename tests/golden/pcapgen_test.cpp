// tools/pcapgen: the synthetic corpus must be byte-for-byte reproducible and
// must dissect cleanly in Wireshark's tshark (the independent reference), and
// its truth sidecar must agree with what tshark reads off the wire: SMB2
// WRITE/READ counts and lengths per file (paired through CREATE/FileId),
// tree paths, NTLMSSP identities, SSH banners and per-direction TCP bytes,
// retransmission/out-of-order counts, checksums, packet and byte totals.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "support.h"

namespace {

using sw::test::run_command;
using sw::test::TempDir;

// ---------------------------------------------------------------------------
// A small JSON reader, enough for the truth sidecar (objects, arrays, strings
// with \" \\ \uXXXX escapes, integers, decimals, true/false/null).
struct Json;
using JsonObject = std::map<std::string, Json>;
using JsonArray = std::vector<Json>;
struct Json {
    std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<JsonArray>,
                 std::shared_ptr<JsonObject>>
        v;
    std::string raw_number;  // numbers keep their text so 64-bit values stay exact

    const Json& operator[](const std::string& k) const {
        static const Json null_json{};
        const auto* o = std::get_if<std::shared_ptr<JsonObject>>(&v);
        if (!o) return null_json;
        auto it = (*o)->find(k);
        return it == (*o)->end() ? null_json : it->second;
    }
    const JsonArray& array() const {
        static const JsonArray empty;
        const auto* a = std::get_if<std::shared_ptr<JsonArray>>(&v);
        return a ? **a : empty;
    }
    std::string str() const {
        const auto* s = std::get_if<std::string>(&v);
        return s ? *s : std::string();
    }
    std::uint64_t u64() const { return raw_number.empty() ? 0 : std::stoull(raw_number); }
    bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
};

class JsonParser {
public:
    explicit JsonParser(const std::string& s) : s_(s) {}
    Json parse() {
        Json j = value();
        ws();
        if (i_ != s_.size()) throw std::runtime_error("trailing data at " + std::to_string(i_));
        return j;
    }

private:
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
    }
    char peek() {
        ws();
        if (i_ >= s_.size()) throw std::runtime_error("unexpected end");
        return s_[i_];
    }
    void expect(char c) {
        if (peek() != c) throw std::runtime_error(std::string("expected ") + c + " at " + std::to_string(i_));
        ++i_;
    }
    std::string string() {
        expect('"');
        std::string out;
        while (i_ < s_.size() && s_[i_] != '"') {
            char c = s_[i_++];
            if (c == '\\') {
                const char e = s_.at(i_++);
                if (e == 'u') {
                    out.push_back(static_cast<char>(std::stoi(s_.substr(i_, 4), nullptr, 16)));
                    i_ += 4;
                } else {
                    out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
                }
            } else {
                out.push_back(c);
            }
        }
        expect('"');
        return out;
    }
    Json value() {
        const char c = peek();
        Json j;
        if (c == '{') {
            ++i_;
            auto o = std::make_shared<JsonObject>();
            if (peek() != '}') {
                for (;;) {
                    std::string k = string();
                    expect(':');
                    (*o)[k] = value();
                    if (peek() == ',') {
                        ++i_;
                        continue;
                    }
                    break;
                }
            }
            expect('}');
            j.v = o;
        } else if (c == '[') {
            ++i_;
            auto a = std::make_shared<JsonArray>();
            if (peek() != ']') {
                for (;;) {
                    a->push_back(value());
                    if (peek() == ',') {
                        ++i_;
                        continue;
                    }
                    break;
                }
            }
            expect(']');
            j.v = a;
        } else if (c == '"') {
            j.v = string();
        } else if (s_.compare(i_, 4, "true") == 0) {
            i_ += 4;
            j.v = true;
        } else if (s_.compare(i_, 5, "false") == 0) {
            i_ += 5;
            j.v = false;
        } else if (s_.compare(i_, 4, "null") == 0) {
            i_ += 4;
        } else {
            const std::size_t start = i_;
            while (i_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[i_]) != std::string_view::npos) ++i_;
            if (start == i_) throw std::runtime_error("bad value at " + std::to_string(i_));
            j.raw_number = s_.substr(start, i_ - start);
            j.v = std::stod(j.raw_number);
        }
        return j;
    }
    const std::string& s_;
    std::size_t i_ = 0;
};

Json read_json(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    return JsonParser(text).parse();
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

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

// ---------------------------------------------------------------------------

const std::string kPcapgen = SW_PCAPGEN_BINARY;

// The corpus every tshark test reads: small, several hosts, every protocol
// feature present (SMB 3.1.1 and 2.1, multi-PDU writes and reads, archive
// magic, a hidden share, SSH upload and download, background flows) and 1 %
// reordered / 1 % retransmitted segments. The tests assert that coverage, so
// if a generator change loses it they fail and another seed must be chosen.
const std::string kCorpusArgs =
    "--clients 3 --servers 2 --size 4M --file-size 32K..2M --write-size 64K..512K "
    "--reorder-rate 0.01 --retransmit-rate 0.01 --read-fraction 0.2 --smb21-fraction 0.3";

struct Corpus {
    TempDir dir;
    std::filesystem::path pcap, truth_path;
    Json truth;
};

void generate(Corpus& c, std::string args, const std::string& seed = "9") {
    args += " --seed " + seed;
    c.pcap = c.dir.path() / "corpus.pcap";
    c.truth_path = c.dir.path() / "corpus.json";
    std::string out;
    const int rc = run_command(kPcapgen + " " + args + " -q --out " + c.pcap.string() + " --truth " +
                                   c.truth_path.string(),
                               &out);
    ASSERT_EQ(rc, 0) << out;
    ASSERT_TRUE(std::filesystem::exists(c.pcap));
    c.truth = read_json(c.truth_path);
}

bool have_tshark() { return run_command("tshark -v >/dev/null") == 0; }

#define REQUIRE_TSHARK()                                                                        \
    do {                                                                                        \
        if (!have_tshark())                                                                     \
            FAIL() << "tshark (the independent reference) is not installed: apt-get install tshark"; \
    } while (0)

// Runs tshark with two-pass TCP reassembly (so out-of-order segments are put
// back in order) and returns the requested fields, one row per frame.
std::vector<std::vector<std::string>> tshark_fields(const std::filesystem::path& pcap, const std::string& filter,
                                                    const std::vector<std::string>& fields,
                                                    const std::string& extra = "") {
    std::string cmd = "(tshark -n -r " + pcap.string() +
                      " -o tcp.desegment_tcp_streams:TRUE -o tcp.reassemble_out_of_order:TRUE " + extra +
                      " -Y '" + filter + "' -T fields -E occurrence=a -E 'aggregator=|'";
    for (const auto& f : fields) cmd += " -e " + f;
    cmd += " 2>/dev/null)";
    std::string out;
    EXPECT_EQ(run_command(cmd, &out), 0) << cmd;
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : split(out, '\n'))
        if (!line.empty()) rows.push_back(split(line, '\t'));
    return rows;
}

// Wireshark prints a 16-byte SMB2 FileId as a GUID (little-endian fields).
std::string fid_guid(const std::string& hex32) {
    auto byte = [&](int i) { return hex32.substr(static_cast<std::size_t>(i) * 2, 2); };
    // truth holds persistent then volatile, each as a big-endian 64-bit hex
    // number; on the wire each is little-endian.
    std::string le;
    for (int half = 0; half < 2; ++half)
        for (int i = 7; i >= 0; --i) le += byte(half * 8 + i);
    auto b = [&](int i) { return le.substr(static_cast<std::size_t>(i) * 2, 2); };
    return b(3) + b(2) + b(1) + b(0) + "-" + b(5) + b(4) + "-" + b(7) + b(6) + "-" + b(8) + b(9) + "-" + b(10) +
           b(11) + b(12) + b(13) + b(14) + b(15);
}

// ---------------------------------------------------------------------------

TEST(Pcapgen, SameSeedAndOptionsGiveIdenticalBytes) {
    Corpus a, b, c;
    ASSERT_NO_FATAL_FAILURE(generate(a, kCorpusArgs));
    ASSERT_NO_FATAL_FAILURE(generate(b, kCorpusArgs));
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs, "10"));
    const std::string pa = read_file(a.pcap), pb = read_file(b.pcap), pc = read_file(c.pcap);
    ASSERT_GT(pa.size(), 4000000u);
    EXPECT_TRUE(pa == pb) << "two runs with the same seed differ";
    EXPECT_EQ(read_file(a.truth_path), read_file(b.truth_path));
    EXPECT_FALSE(pa == pc) << "a different seed gave the same corpus";
}

TEST(Pcapgen, TotalsMatchTheFileAndTheRequestedSize) {
    Corpus c;
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs));
    const Json& t = c.truth["totals"];
    // The pcap itself: 24-byte header plus 16 bytes per record plus frames.
    EXPECT_EQ(std::filesystem::file_size(c.pcap), t["pcap_bytes"].u64());
    EXPECT_EQ(t["pcap_bytes"].u64(), 24 + 16 * t["packets"].u64() + t["wire_bytes"].u64());
    // --size 4M is the target for bytes on the wire; pcapgen stops reserving
    // new work at the budget, so the result lands within a few percent.
    const double target = 4.0 * 1024 * 1024;
    EXPECT_NEAR(static_cast<double>(t["wire_bytes"].u64()), target, target * 0.05);
    EXPECT_EQ(t["smb_wire_bytes"].u64() + t["ssh_wire_bytes"].u64() + t["background_wire_bytes"].u64(),
              t["wire_bytes"].u64());
}

TEST(Pcapgen, TsharkFindsNoMalformedPacketsOrErrors) {
    REQUIRE_TSHARK();
    Corpus c;
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs));
    auto bad = tshark_fields(c.pcap, "_ws.malformed || _ws.expert.severity >= error",
                             {"frame.number", "_ws.expert.message"});
    EXPECT_TRUE(bad.empty()) << bad.size() << " frames, first: frame " << bad[0][0] << ": " << bad[0][1];

    // Warnings are only the ones the injected reordering causes, and tshark
    // 4.0's short decoding of an ed25519 host signature (it shows the same
    // warning on real OpenSSH captures, e.g. zeek's ssh_kex_curve25519.pcap).
    const std::set<std::string> expected = {
        "This frame is a (suspected) out-of-order segment",
        "Previous segment(s) not captured (common at capture start)",
        "Decoded 19 bytes, but packet legnth is 83 bytes",
    };
    std::map<std::string, std::uint64_t> counts;
    // A frame can carry several expert items (HTTP adds chat-level ones);
    // count only the warnings. Wireshark's PI_WARN is 0x00600000.
    for (const auto& row : tshark_fields(c.pcap, "_ws.expert.severity == warning",
                                         {"_ws.expert.message", "_ws.expert.severity"})) {
        ASSERT_EQ(row.size(), 2u);
        const auto msgs = split(row[0], '|'), sev = split(row[1], '|');
        ASSERT_EQ(msgs.size(), sev.size());
        for (std::size_t i = 0; i < msgs.size(); ++i)
            if (sev[i] == "6291456") ++counts[msgs[i]];
    }
    for (const auto& [msg, n] : counts) EXPECT_TRUE(expected.count(msg)) << "unexpected warning: " << msg << " x" << n;
    const std::uint64_t reordered = c.truth["totals"]["reordered_pairs"].u64();
    ASSERT_GT(reordered, 0u);
    EXPECT_EQ(counts["This frame is a (suspected) out-of-order segment"], reordered);
    EXPECT_EQ(counts["Previous segment(s) not captured (common at capture start)"], reordered);
    EXPECT_EQ(counts["Decoded 19 bytes, but packet legnth is 83 bytes"], c.truth["ssh_sessions"].array().size());

    const std::uint64_t retransmitted = c.truth["totals"]["retransmitted_segments"].u64();
    ASSERT_GT(retransmitted, 0u);
    EXPECT_EQ(tshark_fields(c.pcap, "tcp.analysis.retransmission", {"frame.number"}).size(), retransmitted);
}

// Checks every frame of a corpus: checksums (tshark verifies them when
// asked), Ethernet/IP/TCP length consistency, segment sizes against the MTU,
// and that flows interleave rather than follow one another.
void check_frames(const Corpus& c, std::uint32_t mtu) {
    const std::string checks = "-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE";
    const auto rows = tshark_fields(c.pcap, "frame", {"frame.number", "ip.checksum.status", "tcp.checksum.status",
                                                      "frame.len", "ip.len", "tcp.len", "tcp.hdr_len", "tcp.stream"},
                                    checks);
    ASSERT_EQ(rows.size(), c.truth["totals"]["packets"].u64());
    std::uint64_t wire = 0, at_mtu = 0, bad_ip = 0, bad_tcp = 0, bad_len = 0, switches = 0;
    std::string first_bad, prev_stream;
    for (const auto& r : rows) {
        ASSERT_EQ(r.size(), 8u);
        const std::uint64_t frame_len = std::stoull(r[3]), ip_len = std::stoull(r[4]);
        const bool ip_ok = r[1] == "1", tcp_ok = r[2] == "1";  // 1 = good
        // Frames are the IP datagram plus Ethernet, padded to 60 bytes.
        const bool len_ok = frame_len == std::max<std::uint64_t>(60, 14 + ip_len) &&
                            ip_len == 20 + std::stoull(r[6]) + std::stoull(r[5]) && ip_len <= mtu;
        bad_ip += !ip_ok;
        bad_tcp += !tcp_ok;
        bad_len += !len_ok;
        if ((!ip_ok || !tcp_ok || !len_ok) && first_bad.empty()) first_bad = r[0];
        wire += frame_len;
        at_mtu += ip_len == mtu;
        switches += r[7] != prev_stream;
        prev_stream = r[7];
    }
    EXPECT_EQ(bad_ip, 0u) << "bad IPv4 checksums, first in frame " << first_bad;
    EXPECT_EQ(bad_tcp, 0u) << "bad TCP checksums, first in frame " << first_bad;
    EXPECT_EQ(bad_len, 0u) << "inconsistent lengths, first in frame " << first_bad;
    EXPECT_EQ(wire, c.truth["totals"]["wire_bytes"].u64());
    EXPECT_GT(at_mtu, rows.size() / 2) << "bulk data should ride in MTU-sized segments";
    EXPECT_GT(switches, rows.size() / 40) << "flows should interleave like on a SPAN port";
}

TEST(Pcapgen, ChecksumsAndLengthsAreCorrect) {
    REQUIRE_TSHARK();
    Corpus c;
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs));
    check_frames(c, 1500);
    Corpus small_mtu;
    ASSERT_NO_FATAL_FAILURE(generate(small_mtu, "--clients 4 --servers 2 --size 1M --file-size 8K..256K --mtu 1280"));
    check_frames(small_mtu, 1280);
}

TEST(Pcapgen, SmbWritesAndReadsPerFileMatchTruth) {
    REQUIRE_TSHARK();
    Corpus c;
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs));

    // CREATE request name and CREATE response FileId, paired by MessageId.
    std::map<std::pair<std::string, std::string>, std::string> create_name;  // (stream, msg_id) -> name
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 5 && smb2.flags.response == 0",
                                       {"tcp.stream", "smb2.msg_id", "smb2.filename"}))
        create_name[{r[0], r[1]}] = r[2];
    std::map<std::pair<std::string, std::string>, std::string> fid_name;  // (stream, fid) -> name
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 5 && smb2.flags.response == 1",
                                       {"tcp.stream", "smb2.msg_id", "smb2.fid", "smb2.nt_status"})) {
        ASSERT_TRUE(create_name.count({r[0], r[1]})) << "CREATE response without request, msg_id " << r[1];
        EXPECT_EQ(r[3], "0x00000000");
        fid_name[{r[0], r[2]}] = create_name[{r[0], r[1]}];
    }
    // Stream -> client address and port, from the SYNs.
    std::map<std::string, std::string> stream_client;
    for (const auto& r : tshark_fields(c.pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0",
                                       {"tcp.stream", "ip.src", "tcp.srcport"}))
        stream_client[r[0]] = r[1] + ":" + r[2];

    struct Io {
        std::uint64_t writes = 0, written = 0, reads = 0, read = 0;
        std::string fid;
    };
    std::map<std::string, Io> seen;  // "client:port name" -> I/O
    auto key = [&](const std::string& stream, const std::string& fid) {
        EXPECT_TRUE(fid_name.count({stream, fid})) << "I/O on unknown FileId " << fid;
        return stream_client[stream] + " " + fid_name[{stream, fid}];
    };
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 9 && smb2.flags.response == 0",
                                       {"tcp.stream", "smb2.fid", "smb2.write_length"})) {
        Io& io = seen[key(r[0], r[1])];
        ++io.writes;
        io.written += std::stoull(r[2]);
        io.fid = r[1];
    }
    // READ responses carry the data (its length is the response's blob
    // length) but no FileId: pair them with their request by MessageId.
    std::map<std::pair<std::string, std::string>, std::string> read_fid;  // (stream, msg_id) -> fid
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 8 && smb2.flags.response == 0",
                                       {"tcp.stream", "smb2.msg_id", "smb2.fid"}))
        read_fid[{r[0], r[1]}] = r[2];
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 8 && smb2.flags.response == 1",
                                       {"tcp.stream", "smb2.msg_id", "smb2.olb.length"})) {
        ASSERT_TRUE(read_fid.count({r[0], r[1]})) << "READ response without request, msg_id " << r[1];
        const std::string fid = read_fid[{r[0], r[1]}];
        Io& io = seen[key(r[0], fid)];
        ++io.reads;
        io.read += std::stoull(r[2]);
        io.fid = fid;
    }

    const auto& sessions = c.truth["smb_sessions"].array();
    std::uint64_t files_with_io = 0, archives = 0, reads = 0, multi_pdu = 0;
    std::set<std::string> dialects;
    for (const auto& f : c.truth["smb_files"].array()) {
        const Json& s = sessions.at(f["session"].u64());
        dialects.insert(s["dialect"].str());
        const std::string k = s["client"].str() + ":" + std::to_string(s["client_port"].u64()) + " " + f["name"].str();
        const Io io = seen.count(k) ? seen[k] : Io{};
        seen.erase(k);
        EXPECT_EQ(io.writes, f["writes"].u64()) << k;
        EXPECT_EQ(io.written, f["bytes_written"].u64()) << k;
        EXPECT_EQ(io.reads, f["reads"].u64()) << k;
        EXPECT_EQ(io.read, f["bytes_read"].u64()) << k;
        EXPECT_EQ(f["action"].str() == "write" ? io.written : io.read, f["size"].u64()) << k;
        if (io.writes > 1 || io.reads > 1) ++multi_pdu;
        if (io.writes + io.reads) {
            ++files_with_io;
            EXPECT_EQ(io.fid, fid_guid(f["file_id"].str())) << k;
        }
        if (f["magic"].str() == "zip" || f["magic"].str() == "7z" || f["magic"].str() == "rar") ++archives;
        if (f["action"].str() == "read") ++reads;
    }
    EXPECT_TRUE(seen.empty()) << "tshark saw I/O on a file the truth does not list: " << seen.begin()->first;
    // The corpus really exercises what this test is about.
    EXPECT_GE(files_with_io, 4u);
    EXPECT_GE(multi_pdu, 3u);
    EXPECT_GE(archives, 1u);
    EXPECT_GE(reads, 1u);
    EXPECT_EQ(dialects, (std::set<std::string>{"3.1.1", "2.1"}));
}

TEST(Pcapgen, SmbSessionsTreesAndIdentitiesMatchTruth) {
    REQUIRE_TSHARK();
    Corpus c;
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs));
    std::map<std::string, std::string> stream_client;
    for (const auto& r : tshark_fields(c.pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 445",
                                       {"tcp.stream", "ip.src", "tcp.srcport"}))
        stream_client[r[0]] = r[1] + ":" + r[2];
    std::map<std::string, std::string> tree, dialect, user;
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 3 && smb2.flags.response == 0", {"tcp.stream", "smb2.tree"}))
        tree[stream_client[r[0]]] = r[1];
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 0 && smb2.flags.response == 1", {"tcp.stream", "smb2.dialect"}))
        dialect[stream_client[r[0]]] = r[1];
    for (const auto& r : tshark_fields(c.pcap, "ntlmssp.messagetype == 3",
                                       {"tcp.stream", "ntlmssp.auth.domain", "ntlmssp.auth.username",
                                        "ntlmssp.auth.hostname"}))
        user[stream_client[r[0]]] = r[1] + "\\" + r[2] + "@" + r[3];

    const auto& sessions = c.truth["smb_sessions"].array();
    ASSERT_EQ(stream_client.size(), sessions.size());
    bool hidden_share = false;
    for (const auto& s : sessions) {
        const std::string k = s["client"].str() + ":" + std::to_string(s["client_port"].u64());
        EXPECT_EQ(tree[k], s["tree"].str()) << k;
        EXPECT_EQ(dialect[k], s["dialect"].str() == "3.1.1" ? "0x0311" : "0x0210") << k;
        EXPECT_EQ(user[k], s["domain"].str() + "\\" + s["user"].str() + "@" + s["workstation"].str()) << k;
        if (!s["tree"].str().empty() && s["tree"].str().back() == '$') hidden_share = true;
    }
    EXPECT_TRUE(hidden_share) << "no share ending in $ in the test corpus";

    // Every request has exactly one response with the same MessageId; the
    // second SESSION_SETUP response asks for more processing, the rest succeed.
    std::map<std::string, int> pending;
    for (const auto& r : tshark_fields(c.pcap, "smb2", {"tcp.stream", "smb2.msg_id", "smb2.flags.response",
                                                       "smb2.cmd", "smb2.nt_status"})) {
        const std::string k = r[0] + "/" + r[1];
        if (r[2] == "False" || r[2] == "0") {
            EXPECT_EQ(pending[k]++, 0) << "MessageId reused: " << k;
        } else {
            EXPECT_EQ(pending[k]--, 1) << "response without request: " << k;
            EXPECT_TRUE(r[4] == "0x00000000" || (r[3] == "1" && r[4] == "0xc0000016")) << k << " " << r[4];
        }
    }
    for (const auto& [k, n] : pending) EXPECT_EQ(n, 0) << "request without response: " << k;
}

TEST(Pcapgen, ArchiveFilesStartWithTheirMagicBytes) {
    REQUIRE_TSHARK();
    Corpus c;
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs));
    std::map<std::string, std::string> first_bytes;  // FileId -> first 8 data bytes (hex)
    // tshark shows the reassembled WRITE payload as the PDU's data.
    for (const auto& r : tshark_fields(c.pcap, "smb2.cmd == 9 && smb2.flags.response == 0 && smb2.file_offset == 0",
                                       {"smb2.fid", "data.data"}))
        first_bytes[r[0]] = r[1].substr(0, 16);
    const std::map<std::string, std::string> magic = {
        {"zip", "504b0304"}, {"ooxml", "504b0304"}, {"7z", "377abcaf271c"}, {"rar", "526172211a070100"},
        {"pdf", "255044462d"}};
    int checked = 0;
    for (const auto& f : c.truth["smb_files"].array()) {
        const auto m = magic.find(f["magic"].str());
        if (m == magic.end() || f["action"].str() != "write") continue;
        const std::string fid = fid_guid(f["file_id"].str());
        ASSERT_TRUE(first_bytes.count(fid)) << f["name"].str();
        EXPECT_EQ(first_bytes[fid].substr(0, m->second.size()), m->second) << f["name"].str();
        ++checked;
    }
    EXPECT_GE(checked, 2);
}

TEST(Pcapgen, SshBannersAndBytesMatchTruth) {
    REQUIRE_TSHARK();
    Corpus c;
    ASSERT_NO_FATAL_FAILURE(generate(c, kCorpusArgs));
    std::map<std::string, std::string> stream_client;
    for (const auto& r : tshark_fields(c.pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 22",
                                       {"tcp.stream", "ip.src", "tcp.srcport"}))
        stream_client[r[0]] = r[1] + ":" + r[2];
    std::map<std::string, std::string> client_banner, server_banner;
    for (const auto& r : tshark_fields(c.pcap, "ssh.protocol", {"tcp.stream", "tcp.dstport", "ssh.protocol"}))
        (r[1] == "22" ? client_banner : server_banner)[stream_client[r[0]]] = r[2];
    // TCP payload per direction, retransmitted copies not counted.
    std::map<std::string, std::uint64_t> orig, resp;
    for (const auto& r : tshark_fields(c.pcap, "tcp.port == 22 && tcp.len > 0 && !tcp.analysis.retransmission",
                                       {"tcp.stream", "tcp.dstport", "tcp.len"}))
        (r[1] == "22" ? orig : resp)[stream_client[r[0]]] += std::stoull(r[2]);

    const auto& sessions = c.truth["ssh_sessions"].array();
    ASSERT_GE(sessions.size(), 2u) << "the test corpus lacks SSH sessions";
    bool download = false;
    for (const auto& s : sessions) download |= s["direction"].str() == "download";
    EXPECT_TRUE(download) << "the test corpus has no scp download";
    ASSERT_EQ(stream_client.size(), sessions.size());
    for (const auto& s : sessions) {
        const std::string k = s["client"].str() + ":" + std::to_string(s["client_port"].u64());
        EXPECT_EQ(client_banner[k], s["client_banner"].str()) << k;
        EXPECT_EQ(server_banner[k], s["server_banner"].str()) << k;
        EXPECT_EQ(orig[k], s["orig_bytes"].u64()) << k;
        EXPECT_EQ(resp[k], s["resp_bytes"].u64()) << k;
        // The file rides in 32 KiB channel-data packets: the upload direction
        // carries it plus a small, bounded protocol overhead.
        const std::uint64_t up = s["direction"].str() == "upload" ? orig[k] : resp[k];
        EXPECT_GE(up, s["file_bytes"].u64()) << k;
        EXPECT_LE(up, s["file_bytes"].u64() + s["file_bytes"].u64() / 500 + 4096) << k;
    }
}

TEST(Pcapgen, RejectsBadOptionsWithAClearMessage) {
    std::string out;
    EXPECT_EQ(run_command(kPcapgen + " --help", &out), 0);
    EXPECT_NE(out.find("--retransmit-rate"), std::string::npos);
    EXPECT_EQ(run_command(kPcapgen + " --size 10G", &out), 2);
    EXPECT_NE(out.find("--out is required"), std::string::npos) << out;
    EXPECT_EQ(run_command(kPcapgen + " --out /dev/null --size lots", &out), 2);
    EXPECT_NE(out.find("--size"), std::string::npos) << out;
    EXPECT_EQ(run_command(kPcapgen + " --out /dev/null --write-size 1M..16M", &out), 2);
    EXPECT_NE(out.find("--write-size"), std::string::npos) << out;
    EXPECT_EQ(run_command(kPcapgen + " --out /dev/null --smb-fraction 0.8 --ssh-fraction 0.5", &out), 2);
    EXPECT_EQ(run_command(kPcapgen + " --out /nonexistent-dir/x.pcap --size 1M", &out), 1);
    EXPECT_NE(out.find("cannot create"), std::string::npos) << out;
}

}  // namespace
