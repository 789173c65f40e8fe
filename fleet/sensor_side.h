// What a sensor run adds for the fleet, in one object main() holds: the
// events log (--sensor.events-log) and the JetStream publisher (--publish).
// Both are EventSinks the pipeline feeds; with neither option this object
// holds nothing and the run is unchanged.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fleet/event_log.h"
#include "fleet/fleet_config.h"
#include "fleet/publisher.h"

namespace sw::fleet {

class SensorSide {
public:
    SensorSide(const PublishConfig& cfg, const std::string& log_dir);
    ~SensorSide();
    // The sinks to subscribe to the pipeline's event bus.
    std::vector<EventSink*> sinks();
    // End of run: closes the events log, waits for the publisher to drain
    // (publish.drain-timeout) and prints one summary line on stderr.
    // Returns false when events were dropped or not delivered.
    bool finish(bool summary);

private:
    PublishConfig cfg_;
    std::unique_ptr<EventLogSink> log_;
    std::unique_ptr<Publisher> pub_;
};

}  // namespace sw::fleet
