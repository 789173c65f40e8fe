// SmbConnection, the coordinator: hands framer callbacks to the SMB1, SMB2
// and transform handlers, ends a connection, counts, samples weirds. The
// concerns live beside it: smb2_commands.cpp, smb1_commands.cpp,
// smb_transform.cpp (encryption/compression), smb_auth.cpp (SESSION_SETUP,
// NTLMSSP/GSS), smb_events.cpp (log rows), smb_tables.cpp (the tables).
#include "dissectors/smb2/smb_state.h"
#include "capture/util.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "capture/uid.h"
#include "dissectors/smb2/smb_strings.h"
#include "dissectors/smb2/smb_state_internal.h"

namespace sw::smb {

using namespace internal;

SmbStats& SmbStats::operator+=(const SmbStats& o) {
    requests += o.requests;
    responses += o.responses;
    unmatched_responses += o.unmatched_responses;
    transform_msgs += o.transform_msgs;
    compressed_msgs += o.compressed_msgs;
    smb1_msgs += o.smb1_msgs;
    files_emitted += o.files_emitted;
    session_evictions += o.session_evictions;
    tree_evictions += o.tree_evictions;
    file_evictions += o.file_evictions;
    pending_evictions += o.pending_evictions;
    return *this;
}

void SmbStats::for_each_counter(const CounterFn& fn) const {
    fn("requests", requests);
    fn("responses", responses);
    fn("unmatched_responses", unmatched_responses);
    fn("transform_msgs", transform_msgs);
    fn("compressed_msgs", compressed_msgs);
    fn("smb1_msgs", smb1_msgs);
    fn("files_emitted", files_emitted);
    fn("session_evictions", session_evictions);
    fn("tree_evictions", tree_evictions);
    fn("file_evictions", file_evictions);
    fn("pending_evictions", pending_evictions);
}

SmbConnection::SmbConnection(const ConnId& id, EventSink& sink, const SmbConfig& cfg, SmbDirectory* dir,
                             SmbTotals* totals)
    : id_(id),
      sink_(sink),
      cfg_(cfg),
      dir_(dir),
      totals_(totals),
      framer_{SmbFramer(Dir::orig, cfg.max_pdu_buffer, *this), SmbFramer(Dir::resp, cfg.max_pdu_buffer, *this)},
      sessions_(cfg.max_sessions, U64Hash{cfg.hash}),
      trees_(cfg.max_trees, TreeKeyHash{cfg.hash}),
      files_(cfg.max_open_files, FileKeyHash{cfg.hash}),
      pending_(cfg.max_pending, cfg.hash) {
    // The flow's orientation (conn.log's) is the truth: orig is the client.
    // Until a NEGOTIATE response names the server (its GUID), its address does.
    const auto& a = id.resp_h.bytes();
    std::copy(a.begin(), a.end(), server_key_.bytes.begin());
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : id.uid()) h = (h ^ static_cast<std::uint8_t>(c)) * 0x100000001b3ull;
    uid_hash_ = h;
}

void SmbConnection::attach(SkipHandoff& h) {
    MemoryBudget* b = h.budget();
    charge_.bind(b, MemoryArea::dissectors);
    charge_.set(sizeof(*this));
    for (auto& f : framer_) f.bind_memory(b);
    sessions_.bind_memory(b);
    trees_.bind_memory(b, 2 * 64);
    // A handle's state, its shared_ptr control block and a name at the cap.
    files_.bind_memory(b, sizeof(FileState) + 32 + cfg_.max_name_length);
    pending_.bind_memory(b);
    if (dir_) dir_->bind_memory(b);
}

std::uint64_t SmbConnection::memory() const {
    const std::int64_t m = charge_.charged() + framer_[0].memory() + framer_[1].memory() + sessions_.memory() +
                           trees_.memory() + files_.memory() + pending_.memory();
    return m > 0 ? static_cast<std::uint64_t>(m) : 0;
}

std::uint64_t SmbConnection::shed_detail(Timestamp) {
    // The engine counts and reports the shed (weird memory_shed_dissector_state).
    std::uint64_t freed = pending_.shed();
    for (auto& f : framer_) freed += f.shed_buffer();
    return freed;
}

SmbConnection::~SmbConnection() {
    if (!totals_) return;
    stats_.session_evictions = sessions_.evictions();
    stats_.tree_evictions = trees_.evictions();
    stats_.file_evictions = files_.evictions();
    stats_.pending_evictions = pending_.evictions();
    totals_->smb += stats_;
    totals_->framer += framer_[0].stats();
    totals_->framer += framer_[1].stats();
}

std::uint64_t SmbConnection::on_data(Dir d, Bytes data, Timestamp ts) {
    return framer_[idx(d)].on_data(data, ts);
}

void SmbConnection::on_gap(Dir d, std::uint64_t len, bool framing_intact, Timestamp ts) {
    framer_[idx(d)].on_gap(len, framing_intact, ts);
}

void SmbConnection::on_flow_end(Timestamp ts) {
    framer_[0].finish(ts);
    framer_[1].finish(ts);
    // Authentications whose verdict never came.
    pending_.for_each([&](Pending& p) {
        AuthArgs* a = p.get<AuthArgs>();
        if (!a || !a->ntlm_auth) return;
        emit_ntlm(p, find_session(p.session_id), std::nullopt);
        a->ntlm_auth = false;
    });
    // Handles still open, in the order they were opened.
    files_.for_each_key_if([](const auto&) { return true; }, [&](const FileKey& k) { release_file(k, ts, false); });
    files_.clear();
    // Sessions in the order they began.
    sessions_.for_each([&](std::uint64_t, SessionState& s) { emit_session(s, ts); });
    sessions_.clear();
    trees_.clear();
}

void SmbConnection::on_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    switch (p.magic) {
        case Magic::smb2: smb2_pdu(p, ts); break;
        case Magic::transform: transform_pdu(d, p, ts); break;
        case Magic::compressed: compressed_pdu(d, p, ts); break;
        case Magic::smb1: smb1_pdu(p, ts); break;
        default: break;
    }
}

void SmbConnection::on_framing_weird(Dir d, const char* name, std::uint64_t value, Timestamp ts) {
    char addl[64];
    std::snprintf(addl, sizeof(addl), "%s %llu", d == Dir::orig ? "orig" : "resp",
                  static_cast<unsigned long long>(value));
    weird(name, addl, ts);
}

void SmbConnection::on_resync(Dir d, Timestamp ts) {
    if (d == Dir::orig) chain_ = {};  // the requests' direction
    weird("smb_lost_framing", d == Dir::orig ? "orig" : "resp", ts);
}

StreamWants SmbConnection::on_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts) {
    stream_[idx(d)] = {};
    if (p.magic == Magic::smb2) return smb2_stream_begin(d, p, data, ts);
    if (p.magic == Magic::smb1) return smb1_stream_begin(d, p, data, ts);
    return {};
}

void SmbConnection::on_stream_data(Dir d, std::uint64_t pos, Bytes b) {
    const Stream& st = stream_[idx(d)];
    if (!st.active || !st.has_file) return;
    FileState* f = find_file(st.file);
    if (!f) return;
    SniffSample* s = st.write ? f->sniff.get() : f->read_sniff.get();
    if (s) fill_sniff(*s, st.file_offset + pos, b);
}

void SmbConnection::on_stream_missed(Dir d, std::uint64_t n) {
    const Stream& st = stream_[idx(d)];
    if (!st.active || !st.has_file) return;
    if (FileState* f = find_file(st.file)) f->missed += n;
}

void SmbConnection::on_stream_end(Dir d, Timestamp) { stream_[idx(d)].active = false; }

void SmbConnection::weird(const char* name, std::string addl, Timestamp ts) {
    WeirdCount* wc = nullptr;
    for (auto& w : weirds_)
        if (std::strcmp(w.name, name) == 0) wc = &w;
    if (!wc) {
        weirds_.push_back({name, 0});
        wc = &weirds_.back();
    }
    const std::uint64_t n = ++wc->n;
    // Sampled: the 1st, 10th, 100th, ... occurrence per connection.
    if (!sampled_occurrence(n)) return;
    WeirdEvent w;
    w.ts = ts;
    w.id = id_;
    w.name = name;
    w.addl = std::move(addl);
    if (n > 1) w.addl += (w.addl.empty() ? "" : "; ") + std::to_string(n) + " times";
    w.source = "SMB";
    sink_.on_event(Event{std::move(w)});
}

void SmbConnection::weird_status(const ParseStatus& st, std::string_view what, Timestamp ts) {
    weird(st.error, std::string(what), ts);
}

std::string SmbConnection::name_from(Bytes b, bool unicode, Timestamp ts) {
    std::string out;
    if (!append_name(b, unicode, out, cfg_.max_name_length))
        weird("smb_name_truncated", std::to_string(cfg_.max_name_length), ts);
    return out;
}

void SmbConnection::name_into(std::string& out, Bytes b, bool unicode, Timestamp ts) {
    out.clear();
    if (!append_name(b, unicode, out, cfg_.max_name_length))
        weird("smb_name_truncated", std::to_string(cfg_.max_name_length), ts);
}

void SmbConnection::next_fuid(std::string& out) {
    std::uint64_t x = splitmix(uid_hash_ ^ splitmix(++fuid_counter_));
    std::uint64_t y = splitmix(x);
    char buf[40];
    buf[0] = 'F';
    std::size_t n = 1 + base62(x, buf + 1);
    n += base62(y >> 32, buf + n);
    out.assign(buf, n);
}

}  // namespace sw::smb
