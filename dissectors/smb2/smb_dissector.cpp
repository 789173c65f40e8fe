#include "dissectors/smb2/smb_dissector.h"

#include "dissectors/smb2/smb_directory.h"
#include "dissectors/smb2/smb_framer.h"
#include "dissectors/smb2/smb_state.h"

namespace sw {

namespace {

constexpr std::uint16_t kPorts[] = {445, 139};

bool is_smb_port(std::uint16_t p) { return p == 445 || p == 139; }

enum class Look { yes, no, short_ };

// Does a direction start with an NBSS header that carries SMB?
Look starts_smb(Bytes b) {
    if (b.size() < 8) {
        if (b.empty()) return Look::short_;
        // A keep-alive or a prefix that may still grow into a header.
        return (b[0] == 0x00 || b[0] == 0x81 || b[0] == 0x85) ? Look::short_ : Look::no;
    }
    if (b[0] == 0x00 && smb::magic_of(b.subspan(4)) != smb::Magic::unknown) return Look::yes;
    // NBSS session request (port 139): two encoded NetBIOS names of 32 'A'..'P' chars.
    if (b[0] == 0x81 && b[4] == 0x20 && b[5] >= 'A' && b[5] <= 'P') return Look::yes;
    // A keep-alive first, then a real header.
    if (b[0] == 0x85 && b[1] == 0 && b[2] == 0 && b[3] == 0) return starts_smb(b.subspan(4));
    return Look::no;
}

class SmbFactory : public DissectorFactory {
public:
    explicit SmbFactory(const SmbConfig& cfg)
        : cfg_(cfg), dir_(cfg.max_shared_sessions, cfg.max_open_files, cfg.hash) {}
    std::string_view name() const override { return "smb"; }
    std::span<const std::uint16_t> ports() const override { return kPorts; }
    ProbeResult probe(const ProbeInput& in) const override { return probe_smb(in); }
    std::unique_ptr<StreamConsumer> create(const ConnId& id, EventSink& sink) override {
        return std::make_unique<smb::SmbConnection>(id, sink, cfg_, &dir_, &totals_);
    }
    void for_each_counter(const CounterFn& fn) const override {
        totals_.smb.for_each_counter(fn);
        std::string name;
        totals_.framer.for_each_counter([&](std::string_view counter, std::uint64_t v) {
            name.assign("framer.").append(counter);
            fn(name, v);
        });
        fn("directory.sessions", dir_.sessions());
        fn("directory.evictions", dir_.evictions());
    }

private:
    SmbConfig cfg_;
    smb::SmbDirectory dir_;  // multichannel sessions of this pipeline
    smb::SmbTotals totals_;  // counters of the connections that ended
};

}  // namespace

ProbeResult probe_smb(const ProbeInput& in) {
    Look o = starts_smb(in.orig), r = starts_smb(in.resp);
    if (o == Look::yes || r == Look::yes) return ProbeResult::accept;
    if (smb::find_nbss_sync(in.orig) || smb::find_nbss_sync(in.resp)) return ProbeResult::accept;
    const bool port = is_smb_port(in.id.resp_p) || is_smb_port(in.id.orig_p);
    if (port) {
        // Mid-stream (inside a long WRITE, say): the framer will find the next header.
        if (in.final || in.gap) return ProbeResult::accept;
        return ProbeResult::need_more;
    }
    if (in.final) return ProbeResult::reject;
    return (o == Look::short_ || r == Look::short_) ? ProbeResult::need_more : ProbeResult::reject;
}

std::unique_ptr<DissectorFactory> make_smb_factory(const SmbConfig& cfg) {
    return std::make_unique<SmbFactory>(cfg);
}

}  // namespace sw
