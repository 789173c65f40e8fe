#include "fleet/publisher.h"

#include <spdlog/spdlog.h>

#include <bit>
#include <chrono>

#include "fleet/event_codec.h"
#include "fleet/nats_conn.h"

namespace sw::fleet {

namespace {

constexpr std::size_t kBatch = 512;

std::string make_run_id() {
    return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

}  // namespace

Publisher::Publisher(const PublishConfig& cfg) : cfg_(cfg), run_id_(make_run_id()) {
    thread_ = std::thread([this] { run(); });
}

Publisher::~Publisher() { close(0); }

void Publisher::on_event(const Event& e) {
    PartitionHosts hosts;
    if (!partition_hosts(e, hosts)) return;
    enc_.clear();
    if (!encode_event(e, cfg_.sensor, enc_)) return;
    Msg m;
    m.subject = subject_of(cfg_.subject_prefix, hosts, event_path(e), cfg_.partitions);
    m.data = enc_;
    const std::size_t size = m.data.size() + m.subject.size() + 64;
    std::uint64_t dropped = 0;
    {
        std::lock_guard lk(mu_);
        if (queued_bytes_ + size > cfg_.buffer) {
            dropped = ++stats_.dropped;
        } else {
            m.id = cfg_.sensor + "-" + run_id_ + "-" + std::to_string(++seq_);
            queued_bytes_ += size;
            queue_.push_back(std::move(m));
            ++stats_.queued;
        }
    }
    if (dropped) {
        if (std::has_single_bit(dropped))
            spdlog::warn("publish: buffer full ({} bytes): {} event{} dropped so far", cfg_.buffer, dropped,
                         dropped == 1 ? "" : "s");
        return;
    }
    cv_.notify_all();
}

PublisherStats Publisher::stats() const {
    std::lock_guard lk(mu_);
    return stats_;
}

bool Publisher::close(Duration timeout) {
    if (!thread_.joinable()) return true;
    {
        std::unique_lock lk(mu_);
        cv_.wait_for(lk, std::chrono::microseconds(timeout), [&] { return queue_.empty(); });
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    std::lock_guard lk(mu_);
    return queue_.empty();
}

void Publisher::run() {
    NatsConn conn;
    std::uint64_t nacks = 0;
    conn.on_publish_error(
        [](jsCtx*, jsPubAckErr*, void* closure) { ++*static_cast<std::uint64_t*>(closure); }, &nacks);
    bool have_stream = false;
    std::string last_error;
    std::vector<Msg> batch;
    auto sleep_unless_stopped = [&](int ms) {
        std::unique_lock lk(mu_);
        return !cv_.wait_for(lk, std::chrono::milliseconds(ms), [&] { return stop_; });
    };
    for (;;) {
        {
            std::unique_lock lk(mu_);
            if (stop_) break;
        }
        std::string err;
        if (!conn.connected()) {
            if (!conn.connect(cfg_.servers, cfg_, err)) {
                if (err != last_error) spdlog::warn("publish: NATS not reachable ({}); buffering events", err);
                last_error = err;
                if (!sleep_unless_stopped(500)) break;
                continue;
            }
            std::lock_guard lk(mu_);
            ++stats_.connects;
        }
        if (!have_stream) {
            if (!conn.ensure_stream(cfg_, err)) {
                if (err != last_error) spdlog::warn("publish: stream {} not available ({})", cfg_.stream, err);
                last_error = err;
                if (natsConnection_Status(conn.nc()) == NATS_CONN_STATUS_CLOSED) conn.close();
                if (!sleep_unless_stopped(500)) break;
                continue;
            }
            if (!last_error.empty()) spdlog::info("publish: connected to NATS, stream {}", cfg_.stream);
            last_error.clear();
            have_stream = true;
        }
        batch.clear();
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
            if (stop_) break;
            for (std::size_t i = 0; i < queue_.size() && i < kBatch; ++i) batch.push_back(queue_[i]);
        }
        natsStatus s = NATS_OK;
        for (const Msg& m : batch) {
            jsPubOptions po;
            jsPubOptions_Init(&po);
            po.MsgId = m.id.c_str();
            s = js_PublishAsync(conn.js(), m.subject.c_str(), m.data.data(), static_cast<int>(m.data.size()), &po);
            if (s != NATS_OK) break;
        }
        jsPubOptions wait;
        jsPubOptions_Init(&wait);
        wait.MaxWait = 5000;
        nacks = 0;
        if (s == NATS_OK) s = js_PublishAsyncComplete(conn.js(), &wait);
        if (s != NATS_OK || nacks) {
            // Not all acknowledged: forget what is in flight and send the
            // batch again (the message ids make JetStream store it once).
            natsMsgList pending{};
            if (js_PublishAsyncGetPendingList(&pending, conn.js()) == NATS_OK) natsMsgList_Destroy(&pending);
            {
                std::lock_guard lk(mu_);
                ++stats_.resent;
            }
            if (natsConnection_Status(conn.nc()) == NATS_CONN_STATUS_CLOSED) {
                conn.close();
                have_stream = false;
            }
            if (!sleep_unless_stopped(200)) break;
            continue;
        }
        std::lock_guard lk(mu_);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            queued_bytes_ -= queue_.front().data.size() + queue_.front().subject.size() + 64;
            queue_.pop_front();
        }
        stats_.published += batch.size();
        if (queue_.empty()) cv_.notify_all();
    }
}

}  // namespace sw::fleet
