// The NBSS/SMB framer: resumes across any segmentation, skips data it does
// not need by count (the reassembler's skip), keeps framing through gaps
// inside skipped regions, and resynchronises on the next NBSS header + SMB id.
#include <gtest/gtest.h>

#include <numeric>

#include "dissectors/smb2/smb_framer.h"
#include "support.h"

namespace sw::smb {
namespace {

using sw::test::hex;
using Buf = std::vector<std::uint8_t>;

struct Recorder : FramerListener {
    struct Pdu {
        Buf bytes;
        std::uint32_t wire_len;
        bool first;
        Magic magic;
    };
    std::vector<Pdu> pdus;
    std::vector<DataRegion> streams;
    std::vector<std::pair<std::uint64_t, Buf>> data;  // (pos, bytes) delivered
    std::uint64_t missed = 0;
    int stream_ends = 0;
    std::vector<std::pair<std::string, std::uint64_t>> weirds;
    int resyncs = 0;
    StreamWants wants;  // returned by on_stream_begin

    void on_pdu(Dir, const PduInfo& p, Timestamp) override {
        pdus.push_back({Buf(p.bytes.begin(), p.bytes.end()), p.wire_len, p.first_in_message, p.magic});
    }
    StreamWants on_stream_begin(Dir, const PduInfo& p, DataRegion d, Timestamp) override {
        pdus.push_back({Buf(p.bytes.begin(), p.bytes.end()), p.wire_len, p.first_in_message, p.magic});
        streams.push_back(d);
        return wants;
    }
    void on_stream_data(Dir, std::uint64_t pos, Bytes b) override { data.push_back({pos, Buf(b.begin(), b.end())}); }
    void on_stream_missed(Dir, std::uint64_t n) override { missed += n; }
    void on_stream_end(Dir, Timestamp) override { ++stream_ends; }
    void on_framing_weird(Dir, const char* name, std::uint64_t v, Timestamp) override { weirds.push_back({name, v}); }
    void on_resync(Dir, Timestamp) override { ++resyncs; }
    bool has_weird(const std::string& n) const {
        for (auto& w : weirds)
            if (w.first == n) return true;
        return false;
    }
};

// An SMB2 PDU: 64-byte header with `command`, `flags`, `next`, then `body`.
Buf smb2(std::uint16_t command, std::uint32_t flags, std::uint32_t next, const Buf& body, std::uint64_t mid = 1) {
    Buf b = hex("fe 53 4d 42 40 00 01 00 00 00 00 00");
    b.push_back(static_cast<std::uint8_t>(command));
    b.push_back(static_cast<std::uint8_t>(command >> 8));
    b.insert(b.end(), {1, 0});
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(flags >> (8 * i)));
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(next >> (8 * i)));
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(mid >> (8 * i)));
    b.resize(64, 0);
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

Buf nbss(const Buf& payload, std::uint32_t len_override = 0) {
    std::uint32_t len = len_override ? len_override : static_cast<std::uint32_t>(payload.size());
    Buf b = {0, static_cast<std::uint8_t>(len >> 16), static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

// An ECHO request body (StructureSize 4).
Buf echo_body() { return hex("04 00 00 00"); }

// WRITE request head (48 bytes after the header), DataOffset 0x70, `len`
// bytes at file offset `off`.
Buf write_body(std::uint32_t len, std::uint64_t off = 0) {
    Buf b = hex("31 00 70 00");
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(len >> (8 * i)));
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(off >> (8 * i)));
    b.resize(48, 0);
    return b;
}

Buf concat(std::initializer_list<Buf> parts) {
    Buf out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// Feeds `stream` in chunks of `step` bytes, honouring the returned skips the
// way the reassembler does (skipped bytes are never delivered).
std::uint64_t feed(SmbFramer& f, const Buf& stream, std::size_t step) {
    std::size_t pos = 0;
    std::uint64_t skipped = 0;
    while (pos < stream.size()) {
        std::size_t n = std::min(step, stream.size() - pos);
        std::uint64_t skip = f.on_data(Bytes(stream.data() + pos, n), 0);
        pos += n;
        std::uint64_t s = std::min<std::uint64_t>(skip, stream.size() - pos);
        pos += static_cast<std::size_t>(s);
        skipped += s;
    }
    return skipped;
}

TEST(SmbFramer, ResumesAcrossEverySegmentation) {
    const Buf stream = concat({hex("85 00 00 00  # keep-alive"), nbss(smb2(0x0d, 0, 0, echo_body())),
                               nbss(smb2(0x0d, 0, 0, echo_body(), 2))});
    for (std::size_t step : {1u, 2u, 3u, 5u, 7u, 64u, 1000u}) {
        Recorder r;
        SmbFramer f(Dir::orig, 65536, r);
        feed(f, stream, step);
        ASSERT_EQ(r.pdus.size(), 2u) << "step " << step;
        EXPECT_EQ(r.pdus[0].bytes, smb2(0x0d, 0, 0, echo_body()));
        EXPECT_EQ(r.pdus[1].bytes, smb2(0x0d, 0, 0, echo_body(), 2));
        EXPECT_EQ(f.stats().other_nbss, 1u);
        EXPECT_TRUE(r.weirds.empty());
    }
}

TEST(SmbFramer, NetbiosSessionRequestIsSkipped) {
    // Port 139: session request (two 34-byte encoded names), positive response.
    Buf req = {0x81, 0, 0, 68};
    req.resize(4 + 68, 0x41);
    const Buf stream = concat({req, nbss(smb2(0x0d, 0, 0, echo_body()))});
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, stream, 10);
    ASSERT_EQ(r.pdus.size(), 1u);
    EXPECT_TRUE(r.weirds.empty());
}

TEST(SmbFramer, NbssLengthZeroIsCountedAndSkipped) {
    const Buf stream = concat({nbss(smb2(0x0d, 0, 0, echo_body())), hex("00 00 00 00  # session message of length 0"),
                               nbss(smb2(0x0d, 0, 0, echo_body(), 2))});
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, stream, 3);
    EXPECT_TRUE(r.has_weird("nbss_empty_message"));
    ASSERT_EQ(r.pdus.size(), 2u);  // framing intact: the next message is found
    EXPECT_EQ(f.stats().resyncs, 0u);
}

TEST(SmbFramer, HugeNbssLengthBuffersOnlyTheCap) {
    // A QUERY_DIRECTORY response claiming 16 MiB - 1: only 4096 bytes are
    // buffered; the rest is skipped by count, then the next message parses.
    const std::uint32_t huge = 0xffffff;
    Buf big = smb2(0x0e, 1, 0, hex("09 00 48 00 00 00 00 00"));
    big.resize(huge, 0x5a);
    const Buf stream = concat({nbss(big), nbss(smb2(0x0d, 0, 0, echo_body()))});
    Recorder r;
    SmbFramer f(Dir::resp, 4096, r);
    std::uint64_t skipped = feed(f, stream, 1460);
    ASSERT_EQ(r.pdus.size(), 2u);
    EXPECT_EQ(r.pdus[0].bytes.size(), 4096u);
    EXPECT_EQ(r.pdus[0].wire_len, huge);
    EXPECT_GT(skipped, huge - 4096u - 1460u);  // all but the buffered head and the first segment
    EXPECT_EQ(r.pdus[1].bytes, smb2(0x0d, 0, 0, echo_body()));
}

TEST(SmbFramer, WriteBodyIsSkippedNotBuffered) {
    const std::uint32_t len = 8u << 20;  // 8 MiB WRITE
    Buf msg = smb2(0x09, 0, 0, write_body(len));
    Buf data(len);
    std::iota(data.begin(), data.end(), 0);
    msg.insert(msg.end(), data.begin(), data.end());
    const Buf stream = concat({nbss(msg), nbss(smb2(0x0d, 0, 0, echo_body()))});
    Recorder r;
    r.wants.add(0, 512);  // the sniff window at file offset 0
    SmbFramer f(Dir::orig, 65536, r);
    std::uint64_t skipped = feed(f, stream, 1448);
    ASSERT_EQ(r.streams.size(), 1u);
    EXPECT_EQ(r.streams[0].offset, 0x70u);
    EXPECT_EQ(r.streams[0].length, len);
    EXPECT_EQ(r.pdus[0].bytes.size(), 0x70u);  // only the fixed head was buffered
    // The 512 sniffed bytes arrived (in pieces), equal to the data.
    Buf got(512);
    std::uint64_t n = 0;
    for (auto& [pos, b] : r.data) {
        std::copy(b.begin(), b.end(), got.begin() + static_cast<std::ptrdiff_t>(pos));
        n += b.size();
    }
    EXPECT_EQ(n, 512u);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
    // Nearly all of the body went through the skip, not on_data.
    EXPECT_GT(skipped, len - 2 * 1448u);
    EXPECT_EQ(f.stats().data_skipped, skipped);
    EXPECT_EQ(r.stream_ends, 1);
    ASSERT_EQ(r.pdus.size(), 2u);
    EXPECT_EQ(r.pdus[1].bytes, smb2(0x0d, 0, 0, echo_body()));
}

TEST(SmbFramer, SecondWindowFarInsideTheBody) {
    // A window at data offset 32769 (the ISO 9660 magic): the framer skips
    // up to it, takes its 5 bytes, and skips the rest.
    const std::uint32_t len = 70000;
    Buf msg = smb2(0x09, 0, 0, write_body(len));
    Buf data(len, 0);
    const char* cd = "CD001";
    std::copy(cd, cd + 5, data.begin() + 32769);
    msg.insert(msg.end(), data.begin(), data.end());
    Recorder r;
    r.wants.add(32769, 32774);
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, nbss(msg), 1448);
    ASSERT_FALSE(r.data.empty());
    Buf got;
    for (auto& [pos, b] : r.data) got.insert(got.end(), b.begin(), b.end());
    EXPECT_EQ(std::string(got.begin(), got.end()), "CD001");
    EXPECT_EQ(r.data.front().first, 32769u);
}

TEST(SmbFramer, GapInsideSkippedBodyKeepsFraming) {
    const std::uint32_t len = 1 << 20;
    Buf msg = smb2(0x09, 0, 0, write_body(len));
    Buf head_and_first(msg.begin(), msg.end());
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    // NBSS header + WRITE head + 100 data bytes, then the framer asks to skip the rest.
    Buf first = nbss(msg, static_cast<std::uint32_t>(msg.size() + len));
    first.resize(first.size() + 100, 0);
    std::uint64_t skip = f.on_data(first, 0);
    EXPECT_EQ(skip, len - 100u);
    // The reassembler reports that 5000 of the skipped bytes were never seen.
    f.on_gap(5000, /*framing_intact=*/true, 0);
    EXPECT_EQ(r.missed, 5000u);
    // The next message is still found.
    Buf next = nbss(smb2(0x0d, 0, 0, echo_body()));
    EXPECT_EQ(f.on_data(next, 0), 0u);
    ASSERT_EQ(r.pdus.size(), 2u);
    EXPECT_EQ(r.stream_ends, 1);
    EXPECT_EQ(r.resyncs, 0);
}

TEST(SmbFramer, IntactGapsInsideADataSkipAllCountAsMissed) {
    // The reassembler owns how much of the skip is left; each intact gap it
    // reports lies inside the framer's last (data) skip request.
    const std::uint32_t len = 10000;
    Buf msg = smb2(0x09, 0, 0, write_body(len));
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    Buf first = nbss(msg, static_cast<std::uint32_t>(msg.size() + len));
    EXPECT_EQ(f.on_data(first, 0), len);
    f.on_gap(2000, true, 0);
    f.on_gap(3000, true, 0);  // 5000 skipped in order in between, say
    EXPECT_EQ(r.missed, 5000u);
    EXPECT_EQ(f.stats().data_missed, 5000u);
    EXPECT_EQ(f.stats().data_skipped, len);
}

TEST(SmbFramer, IntactGapInsideANonDataSkipIsNotMissedData) {
    // A NetBIOS session request (not a session message) of 64 bytes is
    // skipped by count; a hole in it keeps the framing but is no file data.
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    EXPECT_EQ(f.on_data(hex("81 00 00 40"), 0), 64u);
    f.on_gap(64, true, 0);
    EXPECT_EQ(r.missed, 0u);
    EXPECT_EQ(f.stats().data_missed, 0u);
    EXPECT_EQ(f.on_data(nbss(smb2(0x0d, 0, 0, echo_body())), 0), 0u);
    ASSERT_EQ(r.pdus.size(), 1u);
    EXPECT_EQ(r.resyncs, 0);
}

TEST(SmbFramer, GapInsideStreamedDataBeforeSkipKeepsFraming) {
    // A hole the framer did not ask to skip (its window was open), but that
    // lies inside the data region: counted as missed, framing kept.
    Buf msg = smb2(0x09, 0, 0, write_body(4000));
    Recorder r;
    r.wants.add(0, 4000);  // wants all of it
    SmbFramer f(Dir::orig, 65536, r);
    Buf first = nbss(msg, static_cast<std::uint32_t>(msg.size() + 4000));
    first.resize(first.size() + 1000, 1);
    EXPECT_EQ(f.on_data(first, 0), 0u);
    f.on_gap(1000, false, 0);
    Buf rest(2000, 2);
    f.on_data(rest, 0);
    EXPECT_EQ(r.missed, 1000u);
    f.on_data(nbss(smb2(0x0d, 0, 0, echo_body())), 0);
    EXPECT_EQ(r.pdus.size(), 2u);
    EXPECT_EQ(r.resyncs, 0);
}

TEST(SmbFramer, GapInAHeadDropsTheRestOfTheMessage) {
    Buf a = smb2(0x0d, 0, 0, Buf(200, 7));
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    Buf first = nbss(a);
    first.resize(40);  // NBSS header + 36 bytes of the PDU
    f.on_data(first, 0);
    f.on_gap(50, false, 0);  // 50 bytes lost, still inside this message
    Buf rest(a.begin() + 36 + 50, a.end());
    f.on_data(rest, 0);
    f.on_data(nbss(smb2(0x0d, 0, 0, echo_body())), 0);
    EXPECT_TRUE(r.has_weird("smb_gap_in_message"));
    ASSERT_EQ(r.pdus.size(), 1u);  // the damaged one is dropped, the next one parsed
    EXPECT_EQ(r.pdus[0].bytes, smb2(0x0d, 0, 0, echo_body()));
    EXPECT_EQ(r.resyncs, 0);
}

TEST(SmbFramer, GapAcrossMessagesResyncsOnNextHeader) {
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    Buf a = nbss(smb2(0x0d, 0, 0, echo_body()));
    a.resize(30);
    f.on_data(a, 0);
    f.on_gap(5000, false, 0);  // lost the rest of it and whatever followed
    EXPECT_TRUE(f.hunting());
    EXPECT_EQ(r.resyncs, 1);
    // Garbage, then a header split across two chunks.
    Buf tail = concat({Buf(777, 0x42), nbss(smb2(0x0d, 0, 0, echo_body(), 9))});
    std::size_t split = 777 + 6;  // inside "fe 53 4d 42"
    f.on_data(Bytes(tail.data(), split), 0);
    f.on_data(Bytes(tail.data() + split, tail.size() - split), 0);
    ASSERT_EQ(r.pdus.size(), 1u);
    EXPECT_EQ(r.pdus[0].bytes, smb2(0x0d, 0, 0, echo_body(), 9));
    EXPECT_FALSE(f.hunting());
}

TEST(SmbFramer, MidStreamStartFindsFirstHeader) {
    // The capture starts inside a WRITE body of zeros: "00 00 00 00" looks
    // like an empty NBSS message, and an odd count of them would misalign
    // the real header; the framer finds the header by content instead.
    for (std::size_t zeros : {3000u, 3001u, 3002u, 3003u}) {
        Buf stream = concat({Buf(zeros, 0x00), nbss(smb2(0x0d, 0, 0, echo_body()))});
        Recorder r;
        SmbFramer f(Dir::orig, 65536, r);
        feed(f, stream, 1000);
        ASSERT_EQ(r.pdus.size(), 1u) << zeros;
        EXPECT_EQ(r.resyncs, 0);  // the first hunt is silent: nothing was lost
        EXPECT_TRUE(r.weirds.empty());
    }
}

TEST(SmbFramer, FindSyncRejectsLookalikes) {
    // "00 00 00 40 fe 53 4d 42" but StructureSize 0x41: not an SMB2 header.
    EXPECT_FALSE(find_nbss_sync(hex("00 00 00 50 fe 53 4d 42 41 00 00 00")));
    // NBSS length 16 is too short for an SMB2 header.
    EXPECT_FALSE(find_nbss_sync(hex("00 00 00 10 fe 53 4d 42 40 00 00 00")));
    EXPECT_EQ(find_nbss_sync(hex("11 22 00 00 00 50 fe 53 4d 42 40 00")), 2u);
    EXPECT_EQ(find_nbss_sync(hex("00 00 01 00 fd 53 4d 42 00 00")), 0u);  // transform
    EXPECT_FALSE(find_nbss_sync(hex("00 00 01 00 fd 53 4d 42 00")));    // needs 10 bytes
}

TEST(SmbFramer, CompoundIsSplitByNextCommand) {
    Buf a = smb2(0x05, 0, 0x48, Buf(8, 1));            // 72 bytes, next at 0x48
    Buf b = smb2(0x06, 4, 0x48, Buf(8, 2));            // related
    Buf c = smb2(0x06, 4, 0, Buf(8, 3));               // last
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, nbss(concat({a, b, c})), 13);
    ASSERT_EQ(r.pdus.size(), 3u);
    EXPECT_TRUE(r.pdus[0].first);
    EXPECT_FALSE(r.pdus[1].first);
    EXPECT_FALSE(r.pdus[2].first);
    EXPECT_EQ(r.pdus[0].bytes, a);
    EXPECT_EQ(r.pdus[1].bytes, b);
    EXPECT_EQ(r.pdus[2].bytes, c);
}

TEST(SmbFramer, NextCommandPastEndEndsTheCompound) {
    Buf a = smb2(0x05, 0, 0x400, Buf(8, 1));  // NextCommand 1024 in a 144-byte message
    Buf b = smb2(0x06, 4, 0, Buf(8, 2));
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, concat({nbss(concat({a, b})), nbss(smb2(0x0d, 0, 0, echo_body()))}), 50);
    EXPECT_TRUE(r.has_weird("smb2_next_command_past_end"));
    ASSERT_EQ(r.pdus.size(), 2u);  // the first PDU runs to the end of the message
    EXPECT_EQ(r.pdus[0].bytes, concat({a, b}));
    EXPECT_EQ(r.pdus[1].bytes, smb2(0x0d, 0, 0, echo_body()));
}

TEST(SmbFramer, NextCommandBackwardsEndsTheCompound) {
    Buf a = smb2(0x05, 0, 0x10, Buf(8, 1));  // NextCommand 16: into its own header
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, nbss(concat({a, smb2(0x06, 4, 0, Buf(8, 2))})), 50);
    EXPECT_TRUE(r.has_weird("smb2_next_command_backwards"));
    EXPECT_EQ(r.pdus.size(), 1u);
}

TEST(SmbFramer, UnknownProtocolIdHunts) {
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, concat({nbss(smb2(0x0d, 0, 0, echo_body())), nbss(hex("12 34 56 78 00 00 00 00")),
                    nbss(smb2(0x0d, 0, 0, echo_body(), 3))}),
         9);
    EXPECT_TRUE(r.has_weird("smb_unknown_protocol_id"));
    ASSERT_EQ(r.pdus.size(), 2u);
    EXPECT_EQ(r.pdus[1].bytes, smb2(0x0d, 0, 0, echo_body(), 3));
}

TEST(SmbFramer, WriteLengthBeyondMessageIsClipped) {
    // smb-length-5770 style: WRITE Length 65542 in a 118-byte NBSS message.
    Buf msg = smb2(0x09, 0, 0, write_body(65542));
    msg.resize(msg.size() + 6, 0x61);
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    feed(f, concat({nbss(msg), nbss(smb2(0x0d, 0, 0, echo_body()))}), 1000);
    ASSERT_EQ(r.streams.size(), 1u);
    EXPECT_EQ(r.streams[0].length, 6u);
    ASSERT_FALSE(r.weirds.empty());
    EXPECT_EQ(r.weirds[0].first, "smb_data_length_exceeds_message");
    EXPECT_EQ(r.weirds[0].second, 65542u);
    ASSERT_EQ(r.pdus.size(), 2u);  // and the next message is where it should be
}

TEST(SmbFramer, TransformPayloadIsSkipped) {
    Buf t = hex("fd 53 4d 42");
    t.resize(52, 0);
    t[36] = 0x00;
    t[37] = 0x10;  // OriginalMessageSize 4096
    t[42] = 1;     // Flags
    t.resize(52 + 4096, 0xee);
    Recorder r;
    SmbFramer f(Dir::orig, 65536, r);
    std::uint64_t skipped = feed(f, concat({nbss(t), nbss(smb2(0x0d, 0, 0, echo_body()))}), 1448);
    ASSERT_EQ(r.pdus.size(), 2u);
    EXPECT_EQ(r.pdus[0].magic, Magic::transform);
    EXPECT_EQ(r.pdus[0].bytes.size(), 52u);
    EXPECT_EQ(r.pdus[0].wire_len, 52u + 4096);
    EXPECT_GT(skipped, 4096u - 1448u);
}

}  // namespace
}  // namespace sw::smb
