#include "fleet/jetstream_source.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <unordered_map>

#include "fleet/event_codec.h"
#include "fleet/nats_conn.h"
#include "report/log_reader.h"

namespace sw::fleet {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_correlator_stop_signal(int) { g_stop = true; }

struct Sub {
    natsSubscription* sub = nullptr;
    std::string name;
};

}  // namespace

std::vector<std::uint32_t> parse_partitions(const std::string& s, std::uint32_t total) {
    std::vector<bool> on(total, s.empty());
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t j = s.find(',', i);
        if (j == std::string::npos) j = s.size();
        const std::string item = s.substr(i, j - i);
        i = j + 1;
        if (item.empty()) continue;
        const std::size_t dash = item.find('-');
        unsigned long a, b;
        try {
            std::size_t used = 0;
            a = std::stoul(item.substr(0, dash), &used);
            if (used != (dash == std::string::npos ? item.size() : dash)) throw std::invalid_argument(item);
            b = dash == std::string::npos ? a : std::stoul(item.substr(dash + 1), &used);
            if (dash != std::string::npos && used != item.size() - dash - 1) throw std::invalid_argument(item);
        } catch (const std::logic_error&) {
            throw std::invalid_argument("'" + item + "' is not a partition or range (e.g. 0,1,4-7)");
        }
        if (a > b || b >= total)
            throw std::invalid_argument("partition '" + item + "' is outside 0-" + std::to_string(total - 1));
        for (unsigned long p = a; p <= b; ++p) on[p] = true;
    }
    std::vector<std::uint32_t> out;
    for (std::uint32_t p = 0; p < total; ++p)
        if (on[p]) out.push_back(p);
    return out;
}

int run_jetstream(const JetStreamSourceConfig& cfg, Correlator& c) {
    std::vector<std::uint32_t> parts;
    try {
        parts = parse_partitions(cfg.partitions, cfg.nats.partitions);
    } catch (const std::invalid_argument& e) {
        spdlog::error("--correlate.partitions: {}", e.what());
        return 1;
    }
    g_stop = false;
    std::signal(SIGINT, on_correlator_stop_signal);
    std::signal(SIGTERM, on_correlator_stop_signal);

    NatsConn conn;
    std::string err;
    if (!conn.connect(cfg.servers, cfg.nats, err)) {
        spdlog::error("cannot reach NATS: {}", err);
        return 2;
    }
    if (!conn.ensure_stream(cfg.nats, err)) {
        spdlog::error("stream {}: {}", cfg.nats.stream, err);
        return 2;
    }
    // One durable consumer per partition when the correlator owns some of
    // them; one for the whole stream when it owns all.
    const bool all = cfg.partitions.empty();
    std::vector<Sub> subs;
    auto subscribe = [&](const std::string& subject, const std::string& durable) {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = cfg.nats.stream.c_str();
        so.Config.AckPolicy = js_AckExplicit;
        so.Config.DeliverPolicy = js_DeliverAll;
        so.Config.AckWait = (cfg.ack_wait ? cfg.ack_wait : c.keep_for() + 60 * kSecond) * 1000;
        so.Config.MaxAckPending = 1 << 20;
        Sub s;
        s.name = durable;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        natsStatus st = js_PullSubscribe(&s.sub, conn.js(), subject.c_str(), durable.c_str(), nullptr, &so, &jerr);
        if (st != NATS_OK) {
            spdlog::error("consumer {} on {}: {} ({})", durable, subject, natsStatus_GetText(st), static_cast<int>(jerr));
            return false;
        }
        subs.push_back(s);
        return true;
    };
    bool ok = true;
    if (all) ok = subscribe(cfg.nats.subject_prefix + ".>", cfg.consumer);
    else
        for (std::uint32_t p : parts)
            ok = ok && subscribe(subject_filter(cfg.nats.subject_prefix, cfg.role, p),
                                 consumer_name(cfg.consumer, cfg.role, p));
    if (!ok) {
        for (auto& s : subs) natsSubscription_Destroy(s.sub);
        return 2;
    }

    struct Pending {
        natsMsg* msg;
        Timestamp t;
    };
    std::unordered_map<std::uint64_t, Pending> pending;  // by stream sequence
    std::uint64_t received = 0, redelivered = 0, unreadable = 0;
    std::vector<std::string> names;
    report::LogRow row;
    auto last_msg = std::chrono::steady_clock::now();
    auto ack_released = [&](bool everything) {
        // An event is acknowledged once it has left analytics' sliding
        // window: until then a restarted correlator needs it again to
        // rebuild the window's state.
        const Timestamp w = c.released() == INT64_MIN ? INT64_MIN : c.released() - c.window();
        for (auto it = pending.begin(); it != pending.end();) {
            if (everything || it->second.t <= w) {
                natsMsg_Ack(it->second.msg, nullptr);
                natsMsg_Destroy(it->second.msg);
                it = pending.erase(it);
            } else {
                ++it;
            }
        }
    };

    while (!g_stop) {
        bool got = false;
        for (Sub& s : subs) {
            natsMsgList list{};
            natsStatus st = natsSubscription_Fetch(&list, s.sub, 512, subs.size() > 1 ? 50 : 200, nullptr);
            if (st != NATS_OK && st != NATS_TIMEOUT) {
                if (st != NATS_CONNECTION_CLOSED && st != NATS_CONNECTION_DISCONNECTED) spdlog::debug("fetch: {}", natsStatus_GetText(st));
                continue;
            }
            for (int i = 0; i < list.Count; ++i) {
                natsMsg* m = list.Msgs[i];
                list.Msgs[i] = nullptr;
                std::uint64_t seq = 0;
                jsMsgMetaData* meta = nullptr;
                if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
                    seq = meta->Sequence.Stream;
                    jsMsgMetaData_Destroy(meta);
                }
                if (auto it = pending.find(seq); seq && it != pending.end()) {
                    // Redelivered while still held: keep the newer copy to ack.
                    natsMsg_Destroy(it->second.msg);
                    it->second.msg = m;
                    ++redelivered;
                    continue;
                }
                // Only new messages count as activity for --exit-when-idle.
                got = true;
                ++received;
                const std::string_view data(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
                std::optional<Event> e;
                if (report::LogReader::parse_json_line(data, names, row)) e = decode_event(row.str("_path"), row);
                if (!e) {
                    ++unreadable;
                    natsMsg_Term(m, nullptr);
                    natsMsg_Destroy(m);
                    continue;
                }
                const Timestamp t = event_time(*e);
                if (!c.add(std::move(*e), std::string(row.str("_sensor")))) {
                    natsMsg_Ack(m, nullptr);
                    natsMsg_Destroy(m);
                    continue;
                }
                pending.emplace(seq, Pending{m, t});
            }
            natsMsgList_Destroy(&list);
        }
        ack_released(false);
        const auto now = std::chrono::steady_clock::now();
        if (got) {
            last_msg = now;
            continue;
        }
        // A stream quiet for max-lateness of wall time will not bring older
        // events any more: analyse what is held instead of waiting forever.
        if (c.held() && now - last_msg >= std::chrono::microseconds(c.max_lateness())) {
            c.release_until(INT64_MAX);
            ack_released(false);
        }
        if (cfg.exit_when_idle && now - last_msg >= std::chrono::microseconds(cfg.exit_when_idle)) break;
    }
    c.finish();
    ack_released(true);
    spdlog::info("jetstream: {} messages ({} redelivered while held, {} unreadable) from {} consumer{}", received,
                 redelivered, unreadable, subs.size(), subs.size() == 1 ? "" : "s");
    for (auto& s : subs) natsSubscription_Destroy(s.sub);
    // Acks are sent asynchronously: flush them before closing.
    natsConnection_FlushTimeout(conn.nc(), 5000);
    return 0;
}

}  // namespace sw::fleet
