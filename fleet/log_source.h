// Reads sensors' log directories for the correlator: fleet_events.log (every
// rotated file) when the sensor wrote it, otherwise its conn, smb_mapping,
// smb_files and ssh logs (TSV or JSON, rotated files included), through
// report::LogReader. Events are returned in event-time order across all
// directories (ties keep directory, then file order).
#pragma once

#include <string>
#include <vector>

#include "dissectors/event.h"

namespace sw::fleet {

struct SensorEvent {
    Event event;
    std::string sensor;
};

struct LogSourceStats {
    std::uint64_t rows = 0;
    std::uint64_t events = 0;
    std::uint64_t bad_lines = 0;
    std::uint64_t undecodable = 0;  // rows without a usable connection identity
};

// The sensor name of a directory: its `_sensor` values when present, else the
// directory's last component.
std::vector<SensorEvent> read_log_dirs(const std::vector<std::string>& dirs, LogSourceStats& stats);

}  // namespace sw::fleet
