// fleet/event_codec: every event analytics consumes survives encode ->
// JSON line -> decode with the fields analytics reads; plain log rows (no `_`
// keys) decode with the documented fallbacks; Zeek time text parses exactly.
#include "fleet/event_codec.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support.h"

namespace sw::fleet {
namespace {

ConnId conn(const char* o, std::uint16_t op, const char* r, std::uint16_t rp) {
    ConnId id;
    id.orig_h = *IpAddr::parse(o);
    id.resp_h = *IpAddr::parse(r);
    id.orig_p = op;
    id.resp_p = rp;
    id.proto = Transport::tcp;
    id.ip_proto = 6;
    const std::string uid = "CabcDEF123";
    std::copy(uid.begin(), uid.end(), id.uid_buf.begin());
    id.uid_len = static_cast<std::uint8_t>(uid.size());
    return id;
}

Event round_trip(const Event& e, std::string* sensor = nullptr, std::string* json = nullptr) {
    std::string out;
    EXPECT_TRUE(encode_event(e, "bldg-2", out));
    EXPECT_EQ(out.find('\n'), std::string::npos);
    std::vector<std::string> names;
    report::LogRow row;
    EXPECT_TRUE(report::LogReader::parse_json_line(out, names, row)) << out;
    if (sensor) *sensor = std::string(row.str("_sensor"));
    if (json) *json = out;
    auto d = decode_event(row.str("_path"), row);
    EXPECT_TRUE(d.has_value()) << out;
    return d ? *d : Event{};
}

TEST(EventCodec, ZeekTime) {
    EXPECT_EQ(parse_zeek_time("1796283352.070074"), 1796283352070074);
    EXPECT_EQ(parse_zeek_time("1796283352.07"), 1796283352070000);
    EXPECT_EQ(parse_zeek_time("12"), 12 * kSecond);
    EXPECT_EQ(parse_zeek_time("0.000001"), 1);
    EXPECT_EQ(parse_zeek_time("3600.000000"), 3600 * kSecond);
    EXPECT_FALSE(parse_zeek_time("").has_value());
    EXPECT_FALSE(parse_zeek_time("12.3x").has_value());
    EXPECT_FALSE(parse_zeek_time("-").has_value());
}

TEST(EventCodec, SmbFileRoundTrip) {
    SmbFileEvent f;
    f.ts = 1796283352070074;
    f.close_ts = 1796283353000001;
    f.id = conn("10.74.0.59", 50123, "10.74.0.110", 445);
    f.fuid = "Fxyz";
    f.action = "SMB::FILE_WRITE";
    f.path = "\\\\fs-stage\\stage$";
    f.share = "stage$";
    f.name = "tmp\\ws1-hr-1675.zip";
    f.prev_name = "tmp\\x.tmp";
    f.size = 541897;
    f.bytes_written = 541897;
    f.write_ranges = 1;
    f.content_type = "zip";
    f.entropy = 7.5;
    f.is_directory = false;
    f.encrypted = true;
    f.archive_name = true;
    std::string sensor, json;
    Event e = round_trip(Event{f}, &sensor, &json);
    EXPECT_EQ(sensor, "bldg-2");
    EXPECT_NE(json.find("\"_path\":\"smb_files\""), std::string::npos);
    const auto& g = std::get<SmbFileEvent>(e);
    EXPECT_EQ(g.ts, f.ts);
    EXPECT_EQ(g.close_ts, f.close_ts);
    EXPECT_EQ(g.id.orig_h, f.id.orig_h);
    EXPECT_EQ(g.id.resp_h, f.id.resp_h);
    EXPECT_EQ(g.id.orig_p, 50123);
    EXPECT_EQ(g.id.resp_p, 445);
    EXPECT_EQ(g.id.uid(), "CabcDEF123");
    EXPECT_EQ(g.action, f.action);
    EXPECT_EQ(g.path, f.path);
    EXPECT_EQ(g.share, f.share);
    EXPECT_EQ(g.name, f.name);
    EXPECT_EQ(g.prev_name, f.prev_name);
    EXPECT_EQ(g.size, f.size);
    EXPECT_EQ(g.bytes_written, 541897u);
    EXPECT_EQ(g.content_type, "zip");
    EXPECT_DOUBLE_EQ(*g.entropy, 7.5);
    EXPECT_TRUE(g.encrypted);
    EXPECT_TRUE(g.archive_name);
    EXPECT_FALSE(g.is_pipe);
    EXPECT_EQ(event_time(e), f.close_ts);
}

TEST(EventCodec, SessionAndSshRoundTrip) {
    SmbSessionEvent s;
    s.ts = 100 * kSecond;
    s.end_ts = 160 * kSecond;
    s.id = conn("10.0.0.5", 40000, "10.0.0.9", 445);
    s.session_id = 0x1122334455667788ull;
    s.encrypted = true;
    s.encrypted_bytes[0] = 1048576;
    s.encrypted_bytes[1] = 4096;
    s.encrypted_msgs[0] = 17;
    const Event back = round_trip(Event{s});
    const auto& t = std::get<SmbSessionEvent>(back);
    EXPECT_EQ(t.session_id, s.session_id);
    EXPECT_EQ(t.encrypted_bytes[0], 1048576u);
    EXPECT_EQ(t.encrypted_bytes[1], 4096u);
    EXPECT_EQ(t.encrypted_msgs[0], 17u);
    EXPECT_EQ(t.end_ts, 160 * kSecond);

    SshEvent h;
    h.ts = 200 * kSecond;
    h.duration = 2500000;
    h.id = conn("10.0.0.7", 40001, "10.0.0.9", 22);
    h.client_h = h.id.resp_h;  // reverse SSH: the responder is the client
    h.server_h = h.id.orig_h;
    h.inferred = "upload";
    h.transfer_bytes = 900000;
    h.upload_bytes = 1000001;
    h.orig_bytes = 1100000;
    Event he = round_trip(Event{h});
    const auto& u = std::get<SshEvent>(he);
    EXPECT_EQ(u.client_h, h.client_h);
    EXPECT_EQ(u.server_h, h.server_h);
    EXPECT_EQ(u.upload_bytes, 1000001u);
    EXPECT_EQ(u.duration, 2500000);
    EXPECT_EQ(event_time(he), 202500000);
}

TEST(EventCodec, NotConsumedEventsAreNotEncoded) {
    WeirdEvent w;
    w.name = "x";
    std::string out;
    EXPECT_FALSE(encode_event(Event{w}, "s", out));
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(event_path(Event{w}), "");
}

TEST(EventCodec, PlainTsvRowsUseFallbacks) {
    test::TempDir d;
    std::ofstream(d.path() / "smb_files.log") << "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                                                 "#unset_field\t-\n#path\tsmb_files\n"
                                                 "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\taction\tshare\tname\tclose_ts\tbytes_written\n"
                                                 "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tstring\ttime\tcount\n"
                                                 "10.5\tC1\t10.0.0.1\t5000\t10.0.0.2\t445\tSMB::FILE_OPEN\tIPC$\tsrvsvc\t11.0\t0\n";
    std::ofstream(d.path() / "ssh.log") << "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                                           "#unset_field\t-\n#path\tssh\n"
                                           "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tinferred\ttransfer_bytes\tduration\n"
                                           "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tcount\tinterval\n"
                                           "20.0\tC2\t10.0.0.3\t5001\t10.0.0.2\t22\tupload\t777\t1.5\n";
    report::LogReader r;
    std::vector<Event> got;
    for (const char* p : {"smb_files", "ssh"})
        r.read_log({d.str()}, p, [&](const report::LogRow& row) { got.push_back(*decode_event(p, row)); });
    ASSERT_EQ(got.size(), 2u);
    const auto& f = std::get<SmbFileEvent>(got[0]);
    EXPECT_TRUE(f.is_pipe);  // a handle on IPC$
    EXPECT_EQ(f.ts, 10500000);
    EXPECT_EQ(event_time(got[0]), 11 * kSecond);
    const auto& s = std::get<SshEvent>(got[1]);
    EXPECT_EQ(s.upload_bytes, 777u);  // only the transfer estimate is in ssh.log
    EXPECT_EQ(s.download_bytes, 0u);
    EXPECT_EQ(event_time(got[1]), 21500000);
}

}  // namespace
}  // namespace sw::fleet

namespace sw::fleet {
namespace {

TEST(EventCodec, ProgressRoundTripAndTheCloseEventsProgressFields) {
    ProgressEvent p;
    p.ts = 1796283359999999;
    p.id = conn("10.74.0.59", 50123, "10.74.0.110", 445);
    p.kind = ProgressEvent::Kind::smb_file;
    p.fuid = "Fxyz";
    p.path = "\\\\fs-stage\\stage$";
    p.share = "stage$";
    p.name = "tmp\\big.zip";
    p.username = "CORP\\bob";
    p.written = 3145728;
    p.read = 12;
    std::string out;
    ASSERT_TRUE(encode_event(Event{p}, "s1", out));
    EXPECT_EQ(event_path(Event{p}), "progress");
    const Event back = round_trip(Event{p});
    const auto& q = std::get<ProgressEvent>(back);
    EXPECT_EQ(q.ts, p.ts);
    EXPECT_EQ(q.kind, p.kind);
    EXPECT_EQ(q.id.orig_h, p.id.orig_h);
    EXPECT_EQ(q.id.resp_p, 445);
    EXPECT_EQ(q.fuid, p.fuid);
    EXPECT_EQ(q.path, p.path);
    EXPECT_EQ(q.share, p.share);
    EXPECT_EQ(q.name, p.name);
    EXPECT_EQ(q.username, p.username);
    EXPECT_EQ(q.written, p.written);
    EXPECT_EQ(q.read, p.read);
    EXPECT_EQ(event_time(back), p.ts);

    ProgressEvent x;
    x.ts = 5 * kSecond;
    x.id = conn("10.0.0.5", 40000, "10.0.0.9", 22);
    x.kind = ProgressEvent::Kind::ssh;
    x.client_h = x.id.resp_h;  // reverse SSH
    x.server_h = x.id.orig_h;
    x.bytes[0] = 100;
    x.bytes[1] = 2000000;
    x.upload = 1900000;
    const Event y_ev = round_trip(Event{x});
    const auto& y = std::get<ProgressEvent>(y_ev);
    EXPECT_EQ(y.kind, ProgressEvent::Kind::ssh);
    EXPECT_EQ(y.client_h, x.client_h);
    EXPECT_EQ(y.server_h, x.server_h);
    EXPECT_EQ(y.bytes[0], 100u);
    EXPECT_EQ(y.bytes[1], 2000000u);
    EXPECT_EQ(y.upload, 1900000u);
    EXPECT_EQ(y.download, 0u);

    ProgressEvent z;
    z.id = conn("10.0.0.5", 40001, "10.0.0.9", 445);
    z.kind = ProgressEvent::Kind::smb_session;
    z.session_id = 0x1122334455667788ull;
    z.bytes[0] = 77;
    const Event w_ev = round_trip(Event{z});
    const auto& w = std::get<ProgressEvent>(w_ev);
    EXPECT_EQ(w.kind, ProgressEvent::Kind::smb_session);
    EXPECT_EQ(w.session_id, z.session_id);
    EXPECT_EQ(w.bytes[0], 77u);

    // The close events say how much of their totals went out in progress.
    SmbFileEvent f;
    f.id = p.id;
    f.bytes_written = 5000000;
    f.progress_written = 3145728;
    f.progress_read = 9;
    const Event g_ev = round_trip(Event{f});
    const auto& g = std::get<SmbFileEvent>(g_ev);
    EXPECT_EQ(g.progress_written, 3145728u);
    EXPECT_EQ(g.progress_read, 9u);
    SshEvent s;
    s.id = x.id;
    s.progress_orig_bytes = 1;
    s.progress_resp_bytes = 2;
    s.progress_upload_bytes = 3;
    s.progress_download_bytes = 4;
    const Event t_ev = round_trip(Event{s});
    const auto& t = std::get<SshEvent>(t_ev);
    EXPECT_EQ(t.progress_orig_bytes, 1u);
    EXPECT_EQ(t.progress_resp_bytes, 2u);
    EXPECT_EQ(t.progress_upload_bytes, 3u);
    EXPECT_EQ(t.progress_download_bytes, 4u);
    SmbSessionEvent e;
    e.id = z.id;
    e.session_id = 3;
    e.progress_encrypted_bytes[0] = 5;
    e.progress_encrypted_bytes[1] = 6;
    const Event u_ev = round_trip(Event{e});
    const auto& u = std::get<SmbSessionEvent>(u_ev);
    EXPECT_EQ(u.progress_encrypted_bytes[0], 5u);
    EXPECT_EQ(u.progress_encrypted_bytes[1], 6u);
}

}  // namespace
}  // namespace sw::fleet
