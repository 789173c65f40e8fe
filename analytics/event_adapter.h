// From events to contributions: the one place that reads SMB, SSH and
// connection events and says what data moved where. Each event becomes, in
// this order: a tick of the clock, volume counts (both hosts), then
//   - a write: a contribution to the target's window and, built from it once,
//     the same write as a possible push by its writer (a collector sending on
//     what it pulled);
//   - a read: a contribution to the reader's (collector's) window.
// Connection records count volume only for TCP connections no dissector
// claimed (AppProtocol::none): SMB and SSH volume comes from their events.
// The adapter keeps no state; ContributionSink (StagingAnalytics) does.
#pragma once

#include <cstdint>
#include <string>

#include "analytics/allowlist.h"
#include "analytics/file_classifier.h"
#include "analytics/findings.h"
#include "analytics/peer_window.h"
#include "dissectors/event.h"

namespace sw {

// What one SMB write or rename looked like.
struct WriteFacts {
    const SmbFileEvent* f = nullptr;
    std::string share_path;
    std::string archive_ext;  // "" if the name is not an archive
    std::string content;      // canonical archive content type, "" if none
    bool name_hit = false, content_hit = false, masquerade = false;
    bool admin = false, hidden = false, staging_path = false, renamed = false;
    bool archive() const { return name_hit || content_hit; }
};

class ContributionSink {
public:
    // An event at packet time `t` (moves the clock, counts the event).
    virtual void on_event_time(Timestamp t) = 0;
    // `bytes` from `from` to `to` in the current volume interval.
    virtual void count_volume(const IpAddr& from, const IpAddr& to, VolumeProto p, std::uint64_t bytes,
                              bool file_write, bool file_read) = 0;
    // Data arrived at `target` from c.peer (SMB write, SSH upload, encrypted
    // SMB3 from the client).
    virtual void target_write(const IpAddr& target, const Contribution& c, const ConnId& conn,
                              const std::string& share_path, const WriteFacts* file) = 0;
    // The same write by `collector` to c.peer (counted only after it pulled).
    virtual void collector_push(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                                const WriteFacts* file) = 0;
    // `collector` read from c.peer.
    virtual void collector_read(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                                const std::string& share_path) = 0;
    // A tree connect of `client` to `path` on `server`, and the latest one
    // still in the window at `t` (the share of an encrypted session).
    virtual void map_share(const IpAddr& server, const IpAddr& client, const std::string& path, Timestamp t) = 0;
    virtual std::string mapped_share(const IpAddr& server, const IpAddr& client, Timestamp t) const = 0;
    // A file write still in progress to `target` by `peer` lands at
    // `name` under `share_path` (Convergence's per-user space), before its
    // bytes are added; not counted as a file written.
    virtual void place_in_progress(const IpAddr& /*target*/, const IpAddr& /*peer*/, const std::string& /*share_path*/,
                                   const std::string& /*name*/, const std::string& /*user*/, Timestamp /*t*/) {}
    // A transfer still open moved data (ProgressEvent): to `host` in role
    // `r` (target: written to it; collector: read by it) from `peer`, `bytes`
    // since its last progress; `what` names it (\\srv\share\name, "SSH upload").
    // `key` identifies it until transfer_closed(). For the "in progress" list
    // of notices.
    virtual void transfer_open(Role /*r*/, const IpAddr& /*host*/, const IpAddr& /*peer*/, const std::string& /*key*/,
                               const std::string& /*what*/, std::uint64_t /*bytes*/, Timestamp /*t*/) {}
    virtual void transfer_closed(Role /*r*/, const IpAddr& /*host*/, const std::string& /*key*/) {}
    // `reader` (c.peer is the server) read an executable off an admin share.
    virtual void tool_read(const IpAddr& /*reader*/, const Contribution& /*c*/, const ConnId& /*conn*/,
                           const SmbFileEvent& /*f*/, const std::string& /*share_path*/) {}

protected:
    ~ContributionSink() = default;
};

class EventAdapter {
public:
    EventAdapter(const FileClassifier& classify, const AllowList& allow) : classify_(classify), allow_(allow) {}

    void on_event(const Event& e, ContributionSink& out) const;

    void on_file(const SmbFileEvent& f, ContributionSink& out) const;
    void on_session(const SmbSessionEvent& s, ContributionSink& out) const;
    void on_ssh(const SshEvent& s, ContributionSink& out) const;
    void on_conn(const ConnRecord& c, ContributionSink& out) const;
    void on_mapping(const SmbMappingEvent& m, ContributionSink& out) const;
    // Bytes of a transfer still open: counted now, as the close event would
    // count them (less the file's own facts, which come at close).
    void on_progress(const ProgressEvent& p, ContributionSink& out) const;

private:
    // A write from `source` to `target`: the target's contribution, then the
    // push contribution built from it.
    void write(const IpAddr& source, const IpAddr& target, const Contribution& c, const ConnId& conn,
               const std::string& share_path, const WriteFacts* file, ContributionSink& out) const;

    const FileClassifier& classify_;
    const AllowList& allow_;
};

}  // namespace sw
