#include "fleet/correlator.h"
#include "capture/util.h"

#include <stdexcept>
#include <utility>

#include <algorithm>

#include "fleet/event_codec.h"

namespace sw::fleet {

namespace {


const ConnId* conn_of(const Event& e) {
    return std::visit(overloaded{
                          [](const ConnRecord& c) -> const ConnId* { return &c.id; },
                          [](const WeirdEvent& w) -> const ConnId* { return w.id ? &*w.id : nullptr; },
                          [](const auto& x) -> const ConnId* { return &x.id; },
                      },
                      e);
}

Timestamp start_of(const Event& e) {
    return std::visit(overloaded{
                          [](const ConnRecord& c) { return c.ts; },
                          [](const auto& x) { return x.ts; },
                      },
                      e);
}

// Path, 5-tuple and the identity of the event inside its flow.
std::string dedup_key(const Event& e, const ConnId& id) {
    std::string k(event_path(e));
    k += '|';
    k += id.orig_h.str();
    k += '|';
    k += std::to_string(id.orig_p);
    k += '|';
    k += id.resp_h.str();
    k += '|';
    k += std::to_string(id.resp_p);
    k += '|';
    k += std::to_string(static_cast<int>(id.proto));
    if (const auto* f = std::get_if<SmbFileEvent>(&e)) {
        k += '|';
        k += f->action;
        k += '|';
        k += f->name;
        k += '|';
        k += f->prev_name;
    } else if (const auto* s = std::get_if<SmbSessionEvent>(&e)) {
        k += '|';
        k += std::to_string(s->session_id);
    } else if (const auto* p = std::get_if<ProgressEvent>(&e)) {
        // fuids are each sensor's own: the file's name tells handles apart.
        k += '|';
        k += std::to_string(static_cast<int>(p->kind));
        k += '|';
        k += p->name;
        k += '|';
        k += std::to_string(p->session_id);
        k += '|';
        k += std::to_string(p->ts);
    } else if (const auto* m = std::get_if<SmbMappingEvent>(&e)) {
        k += '|';
        k += m->path;
    }
    return k;
}

}  // namespace

namespace {

// notice.log's columns, each read from the wrapped Notice, then `sensors`.
// A column's accessor is a plain function pointer, so each base column gets
// its own instantiation that forwards to it by index.
template <std::size_t I>
void notice_column(const FleetNotice& r, FieldWriter& w) {
    notice_log().columns[I].emit(*r.notice, w);
}
template <std::size_t... I>
std::vector<Column<FleetNotice>> notice_columns(std::index_sequence<I...>) {
    const auto& base = notice_log().columns;
    if (base.size() > sizeof...(I)) throw std::logic_error("fleet notice: notice.log has more columns than forwarded");
    std::vector<Column<FleetNotice>> c;
    ((I < base.size() ? c.push_back(Column<FleetNotice>{base[I].name, base[I].type, &notice_column<I>}) : void()), ...);
    return c;
}

}  // namespace

const LogTable<FleetNotice>& fleet_notice_log() {
    static const LogTable<FleetNotice> t = [] {
        auto c = notice_columns(std::make_index_sequence<64>{});
        c.push_back(col<FieldType::set_string>("sensors", [](const FleetNotice& r) { return r.sensors; }));
        return LogTable<FleetNotice>("notice", std::move(c));
    }();
    return t;
}

Correlator::Correlator(const CorrelatorConfig& cfg, LogSet& logs)
    : cfg_(cfg), logs_(logs), analytics_(cfg_.analytics, *this, cfg_.roles) {}

Correlator::~Correlator() = default;

bool Correlator::add(Event e, const std::string& sensor) {
    const ConnId* id = conn_of(e);
    if (!id || event_path(e).empty()) return false;
    const Timestamp t = event_time(e);
    const Timestamp start = start_of(e);
    auto& seen = seen_[dedup_key(e, *id)];
    for (const Seen& s : seen)
        if (s.sensor != sensor && std::max(s.start, start) - std::min(s.start, start) <= cfg_.dedup_tolerance) {
            ++stats_.duplicates;
            note_sensor(id->orig_h, id->resp_h, sensor);
            return false;
        }
    seen.push_back({start, t, sensor});
    note_sensor(id->orig_h, id->resp_h, sensor);
    ++stats_.events;
    if (t < released_) ++stats_.late;
    heap_.push(Held{t, seq_++, std::move(e)});
    newest_ = std::max(newest_, t);
    if (newest_ > INT64_MIN + cfg_.max_lateness) release_until(newest_ - cfg_.max_lateness);
    return true;
}

void Correlator::release(Held& h) {
    if (h.t >= next_tick_) {
        analytics_.advance(std::max(h.t, released_));
        next_tick_ = h.t + kSecond;
    }
    released_ = std::max(released_, h.t);
    analytics_.on_event(h.e);
    ++stats_.released;
}

void Correlator::release_until(Timestamp t) {
    while (!heap_.empty() && heap_.top().t <= t) {
        Held h = std::move(const_cast<Held&>(heap_.top()));
        heap_.pop();
        release(h);
    }
    // Forget dedup entries by what was analysed (t may be INT64_MAX: all).
    const Timestamp pt = std::min(t, released_);
    if (pt >= next_prune_ && pt > INT64_MIN + 2 * cfg_.max_lateness + cfg_.dedup_tolerance + kMinute) {
        prune_seen(pt - cfg_.max_lateness - cfg_.dedup_tolerance - kMinute);
        next_prune_ = pt + kMinute;
    }
}

void Correlator::prune_seen(Timestamp before) {
    for (auto it = seen_.begin(); it != seen_.end();) {
        auto& v = it->second;
        std::erase_if(v, [&](const Seen& s) { return s.t < before; });
        it = v.empty() ? seen_.erase(it) : std::next(it);
    }
}

void Correlator::finish() {
    if (finished_) return;
    finished_ = true;
    while (!heap_.empty()) {
        Held h = std::move(const_cast<Held&>(heap_.top()));
        heap_.pop();
        release(h);
    }
    analytics_.finish();
}

void Correlator::note_sensor(const IpAddr& a, const IpAddr& b, const std::string& sensor) {
    pair_sensors_[std::minmax(a, b)].insert(sensor);
}

void Correlator::on_notice(const Notice& n) {
    std::set<std::string> s;
    auto add_pair = [&](const IpAddr& a, const IpAddr& b) {
        if (auto it = pair_sensors_.find(std::minmax(a, b)); it != pair_sensors_.end())
            s.insert(it->second.begin(), it->second.end());
    };
    // Target findings name the sources that wrote to dst; collector
    // findings the servers src read from.
    const std::optional<IpAddr> hub = n.dst ? n.dst : n.src;
    if (hub)
        for (const IpAddr& p : n.sources) add_pair(p, *hub);
    if (n.src && n.dst) add_pair(*n.src, *n.dst);
    if (n.conn) add_pair(n.conn->orig_h, n.conn->resp_h);
    sensors_.assign(s.begin(), s.end());
    logs_.write(fleet_notice_log(), FleetNotice{&n, sensors_});
}

void Correlator::on_staging(const StagingRow& r) {
    prepare_staging(r, scratch_);
    logs_.write(staging_log(), StagingRecord{r, scratch_});
}

void Correlator::on_volume(const VolumeRow& r) {
    logs_.write(volume_log(), r);
}

}  // namespace sw::fleet
