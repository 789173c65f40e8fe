#include "dissectors/registry.h"

#include <algorithm>

#include "dissectors/conn/conn_accounting.h"

namespace sw {

// Per-flow: probes until a dissector claims the flow, then forwards.
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

    std::uint64_t on_data(Dir d, Bytes data, Timestamp ts) override {
        if (inner_) return forward(d, data, ts);
        // Still probing: keep the bytes (bounded) in arrival order.
        auto& buf = buf_[idx(d)];
        std::size_t room = reg_.cfg_.max_probe_bytes > buf.size() ? reg_.cfg_.max_probe_bytes - buf.size() : 0;
        std::size_t take = std::min(room, data.size());
        buf.insert(buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
        chunks_.push_back({d, take, ts});
        bool full = take < data.size() || buf.size() >= reg_.cfg_.max_probe_bytes;
        decide(full, ts);
        if (!inner_) return 0;
        // Replay consumed everything we buffered; the part of this chunk we
        // could not buffer goes straight through.
        if (take < data.size()) return forward(d, data.subspan(take), ts);
        return take_carry(d);
    }

    void on_gap(Dir d, std::uint64_t len, bool framing_intact, Timestamp ts) override {
        if (!inner_) {
            gap_ = true;
            decide(true, ts);
        }
        if (!inner_) return;
        std::uint64_t& c = carry_[idx(d)];
        std::uint64_t in_carry = std::min(c, len);
        consume(c, in_carry);
        if (in_carry) inner_->on_gap(d, in_carry, true, ts);
        // Past our carry the reassembler's own verdict holds, but only if the
        // carry did not end inside this gap (then the framing is lost).
        if (len > in_carry) inner_->on_gap(d, len - in_carry, in_carry == 0 && framing_intact, ts);
    }

    void on_flow_end(Timestamp ts) override {
        if (!inner_ && (!buf_[0].empty() || !buf_[1].empty())) decide(true, ts);
        if (inner_) inner_->on_flow_end(ts);
    }

    AppProtocol protocol() const override { return inner_ ? inner_->protocol() : AppProtocol::none; }

private:
    struct Chunk {
        Dir d;
        std::size_t len;
        Timestamp ts;
    };

    // kSkipAll means "everything": it never runs out.
    static void consume(std::uint64_t& c, std::uint64_t n) {
        if (c != kSkipAll) c -= n;
    }

    std::uint64_t take_carry(Dir d) {
        std::uint64_t c = carry_[idx(d)];
        carry_[idx(d)] = 0;
        return c;
    }

    // Bytes the inner consumer asked to skip while we were replaying are
    // dropped here (this direction's reassembler did not know about them).
    std::uint64_t forward(Dir d, Bytes data, Timestamp ts) {
        std::uint64_t& c = carry_[idx(d)];
        if (c) {
            std::uint64_t n = std::min<std::uint64_t>(c, data.size());
            consume(c, n);
            data = data.subspan(static_cast<std::size_t>(n));
            if (data.empty()) return take_carry(d);
        }
        return inner_->on_data(d, data, ts);
    }

    void decide(bool final, Timestamp ts) {
        ProbeInput in{id_, Bytes(buf_[0]), Bytes(buf_[1]), gap_, final};
        bool waiting = false;
        for (std::size_t i : order_) {
            if (rejected_ & (1ull << i)) continue;
            ProbeResult r = reg_.factories_[i]->probe(in);
            if (r == ProbeResult::accept) {
                ++reg_.stats_.claimed[i];
                claim(reg_.factories_[i]->create(id_, reg_.sink_), ts);
                return;
            }
            if (r == ProbeResult::reject || final) rejected_ |= 1ull << i;
            else waiting = true;
        }
        if (!waiting) {
            ++reg_.stats_.declined;
            claim(std::make_unique<ConnAccounting>(), ts);
        }
    }

    void claim(std::unique_ptr<StreamConsumer> c, Timestamp) {
        inner_ = std::move(c);
        // Replay what we held, in arrival order, honouring skips.
        std::size_t pos[2] = {0, 0};
        for (const Chunk& ch : chunks_) {
            auto& buf = buf_[idx(ch.d)];
            Bytes b(buf.data() + pos[idx(ch.d)], ch.len);
            pos[idx(ch.d)] += ch.len;
            if (b.empty()) continue;
            std::uint64_t& c = carry_[idx(ch.d)];
            if (c >= b.size()) {
                consume(c, b.size());
                continue;
            }
            b = b.subspan(static_cast<std::size_t>(c));
            c = inner_->on_data(ch.d, b, ch.ts);
        }
        chunks_.clear();
        chunks_.shrink_to_fit();
        for (auto& b : buf_) {
            b.clear();
            b.shrink_to_fit();
        }
    }

    DissectorRegistry& reg_;
    const ConnId& id_;
    std::vector<std::size_t> order_;
    std::uint64_t rejected_ = 0;
    std::vector<std::uint8_t> buf_[2];
    std::vector<Chunk> chunks_;
    bool gap_ = false;
    std::uint64_t carry_[2] = {0, 0};
    std::unique_ptr<StreamConsumer> inner_;
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
