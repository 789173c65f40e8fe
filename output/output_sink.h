// The sink layer's last stop: events become log rows.
#pragma once

#include "dissectors/event.h"
#include "output/log_set.h"

namespace sw {

class OutputSink : public EventSink {
public:
    explicit OutputSink(LogSet& logs) : logs_(logs) {}
    void on_event(const Event& e) override;

private:
    LogSet& logs_;
};

}  // namespace sw
