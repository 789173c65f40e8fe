// Acceptance on real OpenSSH: pcaps/ssh-ops.pcap, recorded by tools/lab (sshd
// and the clients in network namespaces), with its truth file written by the
// recording script from what it ran (client/server addresses, the kind of
// each connection, the size of each transferred file, whether the login was
// meant to succeed).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;

struct LabConn {
    std::string client, server, kind;
    std::uint64_t bytes = 0;  // file size for transfers, 0 otherwise
    bool auth_success = false;
};

// The truth file's `connections`, flattened by python3 (a test dependency)
// into "client server kind bytes auth" lines.
std::vector<LabConn> lab_connections(const fs::path& truth) {
    const std::string cmd =
        "(python3 -c 'import json,sys\n"
        "for c in json.load(open(sys.argv[1]))[\"connections\"]:\n"
        "    print(c[\"client\"], c[\"server\"], c[\"kind\"], c[\"bytes\"] or 0, int(bool(c[\"auth_success\"])))' '" +
        truth.string() + "' 2>/dev/null)";
    std::string out;
    EXPECT_EQ(test::run_command(cmd, &out), 0) << out;
    std::vector<LabConn> conns;
    std::istringstream in(out);
    LabConn c;
    int auth = 0;
    while (in >> c.client >> c.server >> c.kind >> c.bytes >> auth) {
        c.auth_success = auth != 0;
        conns.push_back(c);
    }
    return conns;
}

const SshEvent* by_client(const std::vector<SshEvent>& ev, const std::string& client) {
    const SshEvent* found = nullptr;
    for (const auto& e : ev)
        if (e.client_h.str() == client) {
            EXPECT_EQ(found, nullptr) << "several connections from " << client;
            found = &e;
        }
    return found;
}

TEST(SshLab, OpenSshOperations) {
    const fs::path pcap = test::project_pcaps() / "ssh-ops.pcap";
    const auto conns = lab_connections(test::project_pcaps() / "ssh-ops.truth.json");
    ASSERT_EQ(conns.size(), 4u);
    const auto events = test::run_pipeline({pcap.string()}).all<SshEvent>();
    ASSERT_EQ(events.size(), conns.size());

    int uploads = 0, downloads = 0, interactive = 0, failed = 0;
    for (const LabConn& c : conns) {
        SCOPED_TRACE(c.client + " " + c.kind);
        const SshEvent* e = by_client(events, c.client);
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->server_h.str(), c.server);
        EXPECT_EQ(e->version, 2u);
        if (c.auth_success) {
            EXPECT_EQ(e->auth_success, std::optional<bool>(true));
        } else {
            EXPECT_NE(e->auth_success, std::optional<bool>(true));
            EXPECT_EQ(e->auth_success, std::optional<bool>(false));  // Zeek's rule sees the repeated failure
            EXPECT_GE(e->auth_attempts, 1u);
            EXPECT_EQ(e->inferred, "");  // no session to classify
            ++failed;
        }
        if (c.kind == "upload" || c.kind == "download") {
            EXPECT_EQ(e->inferred, c.kind);
            const double err = std::abs(static_cast<double>(e->transfer_bytes) - static_cast<double>(c.bytes));
            EXPECT_LE(err, 0.05 * static_cast<double>(c.bytes)) << "transfer_bytes " << e->transfer_bytes;
            // The analytics volume in SSH roles follows the direction.
            if (c.kind == "upload") {
                EXPECT_GE(e->upload_bytes, e->transfer_bytes);
                EXPECT_LT(e->download_bytes, e->transfer_bytes / 10);
                ++uploads;
            } else {
                EXPECT_GE(e->download_bytes, e->transfer_bytes);
                EXPECT_LT(e->upload_bytes, e->transfer_bytes / 10);
                ++downloads;
            }
        }
        if (c.kind == "interactive") {
            EXPECT_EQ(e->inferred, "interactive");
            ++interactive;
        }
    }
    EXPECT_EQ(uploads, 1);
    EXPECT_EQ(downloads, 1);
    EXPECT_EQ(interactive, 1);
    EXPECT_EQ(failed, 1);
}

// The binary writes ssh.log with Zeek's header and our extension columns.
TEST(SshLab, BinaryWritesSshLog) {
    test::TempDir dir;
    std::string out;
    const std::string cmd = test::binary() + " -r '" + (test::project_pcaps() / "ssh-ops.pcap").string() + "' -o '" +
                            dir.str() + "' --seed 1 --local-nets 10.74.0.50/32 --private-is-local=false";
    ASSERT_EQ(test::run_command(cmd, &out), 0) << out;
    std::ifstream in(dir.path() / "ssh.log");
    std::string line, fields;
    while (std::getline(in, line))
        if (line.starts_with("#fields\t")) fields = line;
    EXPECT_EQ(fields,
              "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tauth_success\tauth_attempts\t"
              "direction\tclient\tserver\tcipher_alg\tmac_alg\tcompression_alg\tkex_alg\thost_key_alg\t"
              "host_key_fingerprint\thassh\thasshServer\thasshAlgorithms\thasshServerAlgorithms\torig_bytes\tresp_bytes\t"
              "orig_pkts\tresp_pkts\tauth_note\tinferred\ttransfer_bytes\tduration");
    const auto rows = test::read_tsv_log(dir.path() / "ssh.log");
    ASSERT_EQ(rows.size(), 4u);
    std::map<std::string, std::vector<std::string>> by_client;
    for (const auto& r : rows) by_client[r.at(2)] = r;
    // The server is the only local host: every client logs in from outside.
    for (const auto& r : rows) EXPECT_EQ(r.at(9), "INBOUND");
    EXPECT_EQ(by_client.at("10.74.0.51").at(27), "upload");
    EXPECT_EQ(by_client.at("10.74.0.52").at(27), "interactive");
    EXPECT_EQ(by_client.at("10.74.0.53").at(27), "download");
    EXPECT_EQ(by_client.at("10.74.0.54").at(7), "F");
    EXPECT_EQ(by_client.at("10.74.0.54").at(27), "-");
    EXPECT_EQ(by_client.at("10.74.0.51").at(7), "T");
    // conn.log names the service.
    for (const auto& r : test::read_tsv_log(dir.path() / "conn.log")) EXPECT_EQ(r.at(7), "ssh");
}

}  // namespace
}  // namespace sw
