#include "fleet/log_source.h"

#include <algorithm>
#include <filesystem>

#include "fleet/event_codec.h"
#include "fleet/event_log.h"
#include "report/log_reader.h"

namespace sw::fleet {

std::vector<SensorEvent> read_log_dirs(const std::vector<std::string>& dirs, LogSourceStats& stats) {
    std::vector<SensorEvent> out;
    report::LogReader reader;
    for (const std::string& dir : dirs) {
        std::string fallback = std::filesystem::path(dir).lexically_normal().filename().string();
        if (fallback.empty()) fallback = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
        auto take = [&](std::string_view path, const report::LogRow& row) {
            ++stats.rows;
            auto e = decode_event(path, row);
            if (!e) {
                ++stats.undecodable;
                return;
            }
            std::string_view s = row.str("_sensor");
            out.push_back({std::move(*e), s.empty() ? fallback : std::string(s)});
            ++stats.events;
        };
        if (!report::log_files(dir, kEventsLog).empty()) {
            reader.read_log({dir}, kEventsLog, [&](const report::LogRow& row) { take(row.str("_path"), row); });
            continue;
        }
        for (std::string_view path : kEventPaths)
            reader.read_log({dir}, path, [&](const report::LogRow& row) { take(path, row); });
    }
    stats.bad_lines = reader.stats().bad_lines;
    std::stable_sort(out.begin(), out.end(), [](const SensorEvent& a, const SensorEvent& b) {
        return event_time(a.event) < event_time(b.event);
    });
    return out;
}

}  // namespace sw::fleet
