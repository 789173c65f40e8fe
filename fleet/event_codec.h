// The fleet's event wire format: one JSON object per event, with the keys of
// the log the event is written to (conn, smb_files, smb_mapping, ssh) plus
// `_path` (that log's name) and `_sensor` (who saw it), and the few fields
// staging analytics needs that the log does not show, under keys starting
// with `_` (`_is_pipe`, `_upload_bytes`, ...). SMB session ends, which no log
// shows, travel as `_path` "smb_session".
//
// decode_event() rebuilds an Event from such an object or from a plain log
// row (TSV or JSON, read by report::LogReader), so the correlator consumes
// JetStream messages and sensors' log directories through one function. From
// a plain log row the `_` fields are missing: see docs/fleet.md for what that
// costs (encrypted SMB volume and SSH upload estimates).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dissectors/event.h"
#include "report/log_reader.h"

namespace sw::fleet {

// The paths analytics consumes, in the order their logs are read.
inline constexpr std::string_view kEventPaths[] = {"conn", "smb_mapping", "smb_files", "ssh", "smb_session"};

// The `_path` of an event staging analytics consumes; "" for the others
// (weird, ntlm), which are not published.
std::string_view event_path(const Event& e);

// Appends the JSON object (no newline) for `e`. Returns false (and appends
// nothing) when the event is not one analytics consumes.
bool encode_event(const Event& e, std::string_view sensor, std::string& out);

// Rebuilds an event of log `path` from a row. nullopt when the row lacks the
// connection identity or the path is not one analytics consumes.
std::optional<Event> decode_event(std::string_view path, const report::LogRow& row);

// When the event happened for analytics' clock: a file's close, a session's
// end, an SSH or TCP connection's last packet, a tree connect.
Timestamp event_time(const Event& e);

// Zeek time text ("1700000000.123456") to microseconds; nullopt if malformed.
std::optional<Timestamp> parse_zeek_time(std::string_view s);

}  // namespace sw::fleet
