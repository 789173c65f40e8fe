#include "fleet/sensor_side.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace sw::fleet {

SensorSide::SensorSide(const PublishConfig& cfg, const std::string& log_dir) : cfg_(cfg) {
    if (cfg_.events_log) log_ = std::make_unique<EventLogSink>(log_dir, cfg_.sensor);
    if (cfg_.enabled()) pub_ = std::make_unique<Publisher>(cfg_);
}

SensorSide::~SensorSide() = default;

std::vector<EventSink*> SensorSide::sinks() {
    std::vector<EventSink*> v;
    if (log_) v.push_back(log_.get());
    if (pub_) v.push_back(pub_.get());
    return v;
}

bool SensorSide::finish(bool summary) {
    if (log_) log_->close();
    if (!pub_) return true;
    const bool drained = pub_->close(cfg_.drain_timeout);
    const PublisherStats s = pub_->stats();
    if (summary)
        std::fprintf(stderr, "  published to NATS as %s: %llu events acknowledged, %llu dropped (buffer full), %llu not delivered\n",
                     cfg_.sensor.c_str(), static_cast<unsigned long long>(s.published),
                     static_cast<unsigned long long>(s.dropped),
                     static_cast<unsigned long long>(s.queued - s.published));
    if (!drained) spdlog::warn("publish: {} events not delivered to NATS within {} s", s.queued - s.published,
                               cfg_.drain_timeout / kSecond);
    return drained && s.dropped == 0;
}

}  // namespace sw::fleet
