#include "fleet/event_log.h"

#include <stdexcept>

#include "fleet/event_codec.h"

namespace sw::fleet {

EventLogSink::EventLogSink(const std::string& dir, std::string sensor)
    : file_(dir + "/" + kEventsLog + ".log"), sensor_(std::move(sensor)) {
    fp_ = std::fopen(file_.c_str(), "wb");
    if (!fp_) throw std::runtime_error("cannot create " + file_);
    buf_.reserve(1 << 16);
}

EventLogSink::~EventLogSink() { close(); }

void EventLogSink::on_event(const Event& e) {
    if (!fp_ || !encode_event(e, sensor_, buf_)) return;
    buf_ += '\n';
    ++rows_;
    if (buf_.size() >= (1 << 16)) {
        if (std::fwrite(buf_.data(), 1, buf_.size(), fp_) != buf_.size())
            throw std::runtime_error("cannot write " + file_);
        buf_.clear();
    }
}

void EventLogSink::close() {
    if (!fp_) return;
    bool ok = std::fwrite(buf_.data(), 1, buf_.size(), fp_) == buf_.size();
    buf_.clear();
    ok = std::fclose(fp_) == 0 && ok;
    fp_ = nullptr;
    if (!ok) throw std::runtime_error("cannot write " + file_);
}

}  // namespace sw::fleet
