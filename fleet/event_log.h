// fleet_events.log: the events staging analytics consumes, one JSON object a
// line, exactly as they are published to JetStream (event_codec.h). Written
// only with --sensor.events-log, so a correlator reading the sensor's log
// directory (`stagewatch correlate --logs DIR`) sees what the sensor's own
// analytics saw, including what no other log shows (encrypted SMB session
// volume, SSH upload estimates).
#pragma once

#include <cstdio>
#include <string>

#include "dissectors/event.h"

namespace sw::fleet {

inline constexpr const char* kEventsLog = "fleet_events";

class EventLogSink : public EventSink {
public:
    // Opens DIR/fleet_events.log (truncates). Throws std::runtime_error.
    EventLogSink(const std::string& dir, std::string sensor);
    ~EventLogSink() override;
    void on_event(const Event& e) override;
    void close();
    std::uint64_t rows() const { return rows_; }

private:
    std::string file_;
    std::string sensor_;
    std::FILE* fp_ = nullptr;
    std::string buf_;
    std::uint64_t rows_ = 0;
};

}  // namespace sw::fleet
