// Fans one event stream out to several sinks, in order: analytics first (so
// findings can be computed from an event before it is logged), then output.
#pragma once

#include <vector>

#include "dissectors/event.h"

namespace sw {

class EventBus : public EventSink {
public:
    void subscribe(EventSink* s) { sinks_.push_back(s); }
    void on_event(const Event& e) override {
        for (EventSink* s : sinks_) s->on_event(e);
    }

private:
    std::vector<EventSink*> sinks_;
};

}  // namespace sw
