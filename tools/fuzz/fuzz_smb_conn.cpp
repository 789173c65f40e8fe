// The whole SMB dissector (SmbConnection: framers, SMB1/SMB2/SMB3 state,
// GSS/NTLMSSP, file tables, the multichannel directory) over both directions
// of a byte stream (stream_driver.h). The first input byte picks small table
// caps so evictions run as often as ordinary traffic.
//
// Checks after every record: the documented per-connection caps hold (open
// files, pending requests); events keep file names within max_name_length;
// at the end every file handle was emitted once (no open files remain).
// With mode bit 8 the connection also gets a progress tick after every
// record: each handle's close event must then say exactly how many bytes its
// ProgressEvents carried.
#include <map>
#include <memory>
#include <set>

#include "dissectors/smb2/smb_directory.h"
#include "dissectors/smb2/smb_state.h"
#include "stream_driver.h"

namespace {

struct Sink : sw::EventSink {
    std::uint32_t max_name = 0;
    std::set<std::string> fuids;
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> progress;  // fuid -> written, read
    void on_event(const sw::Event& e) override {
        if (const auto* p = std::get_if<sw::ProgressEvent>(&e)) {
            SW_FUZZ_CHECK(p->written || p->read || p->bytes[0] || p->bytes[1], "a progress event without bytes");
            if (p->kind == sw::ProgressEvent::Kind::smb_file) {
                SW_FUZZ_CHECK(!fuids.count(p->fuid), "progress of a handle already emitted");
                progress[p->fuid].first += p->written;
                progress[p->fuid].second += p->read;
            }
        }
        if (const auto* f = std::get_if<sw::SmbFileEvent>(&e)) {
            const auto pr = progress[f->fuid];
            SW_FUZZ_CHECK(f->progress_written == pr.first, "progress_written differs from its progress events");
            SW_FUZZ_CHECK(f->progress_read == pr.second, "progress_read differs from its progress events");
            SW_FUZZ_CHECK(f->name.size() <= max_name, "file name above max_name_length");
            SW_FUZZ_CHECK(f->prev_name.size() <= max_name, "previous name above max_name_length");
            SW_FUZZ_CHECK(fuids.insert(f->fuid).second, "one file handle emitted twice");
        }
    }
};

}  // namespace

SW_FUZZ_ENTRY(fuzz_smb_conn)(const std::uint8_t* data, std::size_t size) {
    sw::fuzz::Input in(data, size);
    const std::uint8_t mode = in.u8();
    sw::SmbConfig cfg;
    if (mode & 1) {
        cfg.max_sessions = 2;
        cfg.max_trees = 2;
        cfg.max_open_files = 4;
        cfg.max_pending = 4;
        cfg.max_name_length = 32;
        cfg.max_pdu_buffer = 1024;
    }
    cfg.log_pipes = mode & 2;
    sw::ConnId id;
    id.orig_h = *sw::IpAddr::parse("10.0.0.1");
    id.resp_h = *sw::IpAddr::parse("10.0.0.2");
    id.orig_p = 49152;
    id.resp_p = 445;
    id.proto = sw::Transport::tcp;
    Sink sink;
    sink.max_name = cfg.max_name_length;
    sw::smb::SmbDirectory dir(4, 8);
    sw::smb::SmbTotals totals;
    auto conn = std::make_unique<sw::smb::SmbConnection>(id, sink, cfg, (mode & 4) ? &dir : nullptr, &totals);
    sw::fuzz::StreamDriver drv(*conn);
    sw::Timestamp tick = 0;
    drv.run(in, [&] {
        if (mode & 8) {
            // Some of the counted bytes may still be to come (pending skips).
            sw::TickState st;
            st.skip_left[0] = (tick * 7919) % 70000;
            st.skip_left[1] = (tick & 1) ? sw::kSkipAll : 0;
            conn->on_tick(++tick, st);
        }
        SW_FUZZ_CHECK(conn->open_files() <= cfg.max_open_files, "open files above max_open_files");
        SW_FUZZ_CHECK(conn->pending_requests() <= cfg.max_pending, "pending requests above max_pending");
    });
    SW_FUZZ_CHECK(conn->open_files() == 0, "file handles left after the flow ended");
    return 0;
}
