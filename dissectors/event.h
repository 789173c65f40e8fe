// The typed events dissectors emit, and the one narrow sink they go through.
//
// Events are plain values (they own their strings) so that a later version
// can queue them from worker threads to a single analytics thread. Analytics
// and output see only these types, never dissector internals.
//
// Contract: fields are only ever added, with defaults; meanings don't change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "capture/conn.h"
#include "capture/types.h"

namespace sw {

// One SMB file handle, emitted when it is closed (or when its session, tree or
// connection ends first). Feeds smb_files.log and staging analytics.
struct SmbFileEvent {
    Timestamp ts = 0;            // when the handle was opened (CREATE response)
    Timestamp close_ts = 0;      // when it was closed / given up
    ConnId id;                   // TCP connection; orig = SMB client
    std::string fuid;            // "F" + base62, unique per handle
    std::string action;          // "SMB::FILE_WRITE", "SMB::FILE_READ", "SMB::FILE_OPEN", ...
    std::string path;            // tree path as the client sent it, e.g. \\FS01\stage$
    std::string share;           // last component of path, e.g. stage$
    std::string name;            // file name relative to the share, e.g. dir\x.zip
    std::string prev_name;       // set if the handle renamed the file (old name)
    std::optional<std::uint64_t> size;  // final end-of-file size when known
    std::optional<Timestamp> t_modified, t_accessed, t_created, t_changed;
    std::uint64_t bytes_written = 0;    // sum of WRITE lengths (requested on the wire)
    std::uint64_t bytes_read = 0;       // sum of READ response data lengths
    std::uint32_t write_ranges = 0;     // non-contiguous written ranges
    std::uint64_t missed_bytes = 0;     // body bytes lost to capture gaps
    std::string content_type;    // sniffed from the first bytes written at offset 0 ("zip", "7z", ...)
    std::optional<double> entropy;      // Shannon entropy (bits/byte) of that sample
    std::string read_content_type;      // sniffed from the first bytes read at offset 0 ("pe", "elf", ...)
    std::string username;        // session user (DOMAIN\user or user)
    std::string dialect;         // "3.1.1", "2.1", "SMB1", ...
    bool is_directory = false;
    bool is_pipe = false;        // IPC$ named pipe
    bool deleted = false;        // delete-on-close / disposition delete
    bool encrypted = false;      // session was encrypted (then most fields are unknown)
    bool archive_name = false;   // name or prev_name ends in an archive extension (.zip, .7z, .rar, .tar.gz, ...)
    // How much of bytes_written / bytes_read already went out in
    // ProgressEvents while the handle was open (not logged).
    std::uint64_t progress_written = 0, progress_read = 0;
};

// A tree connect (share mapping). Feeds smb_mapping.log.
struct SmbMappingEvent {
    Timestamp ts = 0;
    ConnId id;
    std::string path;            // \\server\share ("" if unknown, e.g. encrypted)
    std::string service;         // Zeek's service: "DISK", "IPC", ... as returned
    std::string native_file_system;
    std::string share_type;      // "DISK", "PIPE", "PRINT"
    std::string dialect;
    std::string username;
    bool encrypted = false;
};

// NTLM authentication seen in SMB session setup. Feeds ntlm.log.
struct NtlmEvent {
    Timestamp ts = 0;
    ConnId id;
    std::string username, hostname, domainname;
    std::string server_nb_computer_name, server_dns_computer_name, server_tree_name;
    std::optional<bool> success;
};

// An SMB session at its end (logoff, connection end): who, which dialect, and
// how much went by in encrypted form. Analytics uses it for encrypted volume.
struct SmbSessionEvent {
    Timestamp ts = 0;            // session setup time
    Timestamp end_ts = 0;
    ConnId id;
    std::uint64_t session_id = 0;
    std::string username;
    std::string dialect;
    bool kerberos = false;
    bool encrypted = false;
    std::uint64_t encrypted_msgs[2] = {0, 0};   // per Dir (orig = client)
    std::uint64_t encrypted_bytes[2] = {0, 0};  // transform payload bytes per Dir
    std::uint64_t bytes_written = 0;            // cleartext WRITE bytes in this session
    std::uint64_t bytes_read = 0;
    std::uint64_t progress_encrypted_bytes[2] = {0, 0};  // of encrypted_bytes, already in ProgressEvents
};

// One SSH connection at its end. Feeds ssh.log and analytics.
struct SshEvent {
    Timestamp ts = 0;
    ConnId id;
    Duration duration = 0;
    // SSH roles; normally client = orig, but reverse SSH swaps them.
    IpAddr client_h, server_h;
    std::optional<std::uint32_t> version;       // 1 or 2
    std::optional<bool> auth_success;
    std::uint32_t auth_attempts = 0;
    std::string direction;                      // "INBOUND" / "OUTBOUND" / ""
    std::string client, server;                 // identification strings
    std::string cipher_alg, mac_alg, compression_alg, kex_alg, host_key_alg;
    std::string host_key_fingerprint;           // "SHA256:..."
    std::string hassh, hassh_server, hassh_algorithms, hassh_server_algorithms;
    std::uint64_t orig_bytes = 0, resp_bytes = 0;  // payload after NEWKEYS, per TCP direction
    std::uint64_t orig_pkts = 0, resp_pkts = 0;    // payload chunks (TCP segments) after NEWKEYS
    std::string auth_note;                      // why auth_success is unset ("" when inferred)
    std::string inferred;                       // "upload", "download", "interactive", "tunnel/other"
                                                // ("" = no session to classify, e.g. failed login)
    std::uint64_t transfer_bytes = 0;
    std::uint64_t upload_bytes = 0;             // client -> server (SSH roles)
    std::uint64_t download_bytes = 0;           // server -> client
    // Of the above, already in ProgressEvents while the connection was open.
    std::uint64_t progress_orig_bytes = 0, progress_resp_bytes = 0;
    std::uint64_t progress_upload_bytes = 0, progress_download_bytes = 0;
};

// Bytes that moved while something was still open, since its previous
// ProgressEvent: emitted at each analytics.volume-interval boundary of packet
// time for every SMB handle, encrypted SMB session and SSH connection that
// moved data, so that volumes and findings grow while a long transfer runs.
// Not logged. The close event (SmbFileEvent, SmbSessionEvent, SshEvent) still
// carries the totals, and in its progress_* fields how much of them went out
// here: a consumer counts the totals minus that at close, so the sum of the
// progress contributions and the close contribution equals the totals.
struct ProgressEvent {
    enum class Kind : std::uint8_t { smb_file, smb_session, ssh };
    Timestamp ts = 0;            // the last instant of the interval the bytes were seen in
    ConnId id;                   // TCP connection (SMB: the handle's opening channel; orig = client)
    Kind kind = Kind::smb_file;
    // smb_file: the handle, as its smb_files row will name it.
    std::string fuid, path, share, name, username;
    std::string content_type, read_content_type;  // smb_file: sniffed so far, as in SmbFileEvent
    std::uint64_t written = 0, read = 0;  // smb_file: WRITE / READ bytes
    std::uint64_t session_id = 0;         // smb_session
    // smb_session: transform bytes per Dir; ssh: encrypted payload per Dir.
    std::uint64_t bytes[2] = {0, 0};
    // ssh: SSH roles, and the application bytes of a transfer as the
    // inference sees it so far (0 while it looks interactive).
    IpAddr client_h, server_h;
    std::uint64_t upload = 0, download = 0;
};

// A protocol or capture anomaly (weird.log).
using WeirdEvent = WeirdRecord;

using Event = std::variant<ConnRecord, WeirdEvent, SmbFileEvent, SmbMappingEvent, NtlmEvent,
                           SmbSessionEvent, SshEvent, ProgressEvent>;

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(const Event& e) = 0;
};

}  // namespace sw
