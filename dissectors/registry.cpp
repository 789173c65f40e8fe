#include "dissectors/registry.h"

#include <algorithm>

#include "capture/memory_budget.h"
#include "dissectors/conn/conn_accounting.h"

namespace sw {

// Per-flow: probes until a dissector claims the flow, then forwards. It keeps
// no skip count of its own: what the winner wants skipped beyond the replayed
// bytes goes to the reassemblers (on_data's return value for the direction
// being delivered, the flow's SkipHandoff for the other one).
class FlowDispatcher : public StreamConsumer {
public:
    FlowDispatcher(DissectorRegistry& reg, const ConnId& id) : reg_(reg), id_(id) {
        // Factories whose port matches the responder's port are asked first.
        for (std::size_t i = 0; i < reg_.factories_.size(); ++i) {
            auto ports = reg_.factories_[i]->ports();
            bool hit = std::find(ports.begin(), ports.end(), id.resp_p) != ports.end();
            if (hit) order_.insert(order_.begin(), i);
            else order_.push_back(i);
        }
    }

    void attach(SkipHandoff& h) override {
        skips_ = &h;
        charge_.bind(h.budget(), MemoryArea::dissectors);
        charge_.set(sizeof(*this));
    }

    std::uint64_t on_data(Dir d, Bytes data, Timestamp ts) override {
        if (inner_) return inner_->on_data(d, data, ts);
        // Still probing: keep the bytes (bounded) in arrival order.
        auto& buf = buf_[idx(d)];
        std::size_t room = reg_.cfg_.max_probe_bytes > buf.size() ? reg_.cfg_.max_probe_bytes - buf.size() : 0;
        std::size_t take = std::min(room, data.size());
        buf.insert(buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
        chunks_.push_back({d, take, ts});
        charge_.set(static_cast<std::int64_t>(sizeof(*this) + buf_[0].capacity() + buf_[1].capacity() +
                                              chunks_.capacity() * sizeof(Chunk)));
        bool full = take < data.size() || buf.size() >= reg_.cfg_.max_probe_bytes;
        Pending left = decide(full, ts);
        if (!inner_) return 0;
        hand_off(other(d), left.n[idx(other(d))]);
        // Replay consumed everything we buffered; the part of this chunk we
        // could not buffer goes straight through, less what is still to skip.
        std::uint64_t s = left.n[idx(d)];
        if (take == data.size()) return s;
        Bytes rest = data.subspan(take);
        if (s >= rest.size()) return less(s, rest.size());
        return inner_->on_data(d, rest.subspan(static_cast<std::size_t>(s)), ts);
    }

    void on_gap(Dir d, std::uint64_t len, bool framing_intact, Timestamp ts) override {
        if (inner_) {
            inner_->on_gap(d, len, framing_intact, ts);
            return;
        }
        gap_ = true;
        Pending left = decide(true, ts);
        if (!inner_) return;
        hand_off(other(d), left.n[idx(other(d))]);
        // The reassembler had no skip for this direction (we asked for none
        // while probing), so the gap is split here: the part the replay's
        // last skip request covers keeps the framing, the rest does not.
        // What the request covers past the gap goes to the reassembler,
        // which has already moved past the gap.
        std::uint64_t s = left.n[idx(d)];
        std::uint64_t in = std::min(s, len);
        hand_off(d, less(s, in));
        if (in) inner_->on_gap(d, in, true, ts);
        if (len > in) inner_->on_gap(d, len - in, in == 0 && framing_intact, ts);
    }

    void on_flow_end(Timestamp ts) override {
        // A claim now replays the probed bytes; nothing follows them, so
        // whatever the winner asks to skip has nothing to apply to.
        if (!inner_ && (!buf_[0].empty() || !buf_[1].empty())) decide(true, ts);
        if (inner_) inner_->on_flow_end(ts);
    }

    void on_tick(Timestamp t, const TickState& s) override {
        if (inner_) inner_->on_tick(t, s);
    }

    AppProtocol protocol() const override { return inner_ ? inner_->protocol() : AppProtocol::none; }
    std::uint64_t memory() const override {
        return static_cast<std::uint64_t>(charge_.charged()) + (inner_ ? inner_->memory() : 0);
    }
    std::uint64_t shed_detail(Timestamp ts) override { return inner_ ? inner_->shed_detail(ts) : 0; }

private:
    struct Chunk {
        Dir d;
        std::size_t len;
        Timestamp ts;
    };
    // Per direction: bytes after the replayed ones the winner does not want.
    struct Pending {
        std::uint64_t n[2] = {0, 0};
    };

    // `s` less `n` bytes; kSkipAll means "everything": it never runs out.
    static std::uint64_t less(std::uint64_t s, std::uint64_t n) { return s == kSkipAll ? s : s - n; }

    void hand_off(Dir d, std::uint64_t n) {
        if (n && skips_) skips_->skip(d, n);
    }

    Pending decide(bool final, Timestamp ts) {
        ProbeInput in{id_, Bytes(buf_[0]), Bytes(buf_[1]), gap_, final};
        bool waiting = false;
        for (std::size_t i : order_) {
            if (rejected_ & (1ull << i)) continue;
            ProbeResult r = reg_.factories_[i]->probe(in);
            if (r == ProbeResult::accept) {
                ++reg_.stats_.claimed[i];
                return claim(reg_.factories_[i]->create(id_, reg_.sink_), ts);
            }
            if (r == ProbeResult::reject || final) rejected_ |= 1ull << i;
            else waiting = true;
        }
        if (!waiting) {
            ++reg_.stats_.declined;
            return claim(std::make_unique<ConnAccounting>(), ts);
        }
        return {};
    }

    Pending claim(std::unique_ptr<StreamConsumer> c, Timestamp) {
        inner_ = std::move(c);
        if (skips_) inner_->attach(*skips_);
        // Replay what we held, in arrival order, honouring skips: a skip the
        // winner asks for while the replay lasts applies to the held bytes
        // first; what reaches past them is returned.
        Pending left;
        std::size_t pos[2] = {0, 0};
        for (const Chunk& ch : chunks_) {
            auto& buf = buf_[idx(ch.d)];
            Bytes b(buf.data() + pos[idx(ch.d)], ch.len);
            pos[idx(ch.d)] += ch.len;
            if (b.empty()) continue;
            std::uint64_t& s = left.n[idx(ch.d)];
            if (s >= b.size()) {
                s = less(s, b.size());
                continue;
            }
            b = b.subspan(static_cast<std::size_t>(s));
            s = inner_->on_data(ch.d, b, ch.ts);
        }
        chunks_.clear();
        chunks_.shrink_to_fit();
        for (auto& b : buf_) {
            b.clear();
            b.shrink_to_fit();
        }
        charge_.set(sizeof(*this));
        return left;
    }

    DissectorRegistry& reg_;
    const ConnId& id_;
    std::vector<std::size_t> order_;
    std::uint64_t rejected_ = 0;
    std::vector<std::uint8_t> buf_[2];
    std::vector<Chunk> chunks_;
    bool gap_ = false;
    SkipHandoff* skips_ = nullptr;  // the flow's; null outside an engine
    std::unique_ptr<StreamConsumer> inner_;
    MemoryCharge charge_;  // itself and the probe buffers (--memory.limit)
};

void DissectorRegistry::add(std::unique_ptr<DissectorFactory> f) {
    factories_.push_back(std::move(f));
    stats_.claimed.push_back(0);
}

std::unique_ptr<StreamConsumer> DissectorRegistry::create(const ConnId& id) {
    ++stats_.flows;
    return std::make_unique<FlowDispatcher>(*this, id);
}

std::vector<std::uint16_t> DissectorRegistry::server_ports() const {
    std::vector<std::uint16_t> out;
    for (const auto& f : factories_)
        for (std::uint16_t p : f->ports()) out.push_back(p);
    return out;
}

void DissectorRegistry::for_each_counter(const CounterFn& fn) const {
    fn("registry.flows", stats_.flows);
    fn("registry.declined", stats_.declined);
    std::string name;
    for (std::size_t i = 0; i < factories_.size(); ++i) {
        name.assign("registry.claimed.").append(factories_[i]->name());
        fn(name, stats_.claimed[i]);
    }
    for (const auto& f : factories_) {
        f->for_each_counter([&](std::string_view counter, std::uint64_t v) {
            name.assign(f->name()).append(".").append(counter);
            fn(name, v);
        });
    }
}

}  // namespace sw
