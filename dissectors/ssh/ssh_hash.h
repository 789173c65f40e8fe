// Fingerprints of the SSH handshake: HASSH (salesforce/hassh) and the host
// key fingerprint as OpenSSH prints it. Hashing is OpenSSL's libcrypto.
#pragma once

#include <string>
#include <string_view>

#include "capture/byte_reader.h"
#include "dissectors/ssh/ssh_records.h"

namespace sw::ssh {

// Lower-case hex MD5 of `text`.
std::string md5_hex(std::string_view text);

// "SHA256:" + unpadded base64 of SHA-256(blob), as `ssh-keygen -l` prints it.
std::string sha256_fingerprint(Bytes blob);

// salesforce/hassh: "kex;enc;mac;cmp" from the client's KEXINIT with its
// client->server lists (hasshAlgorithms), or from the server's KEXINIT with
// its server->client lists (hasshServerAlgorithms). Lists are used as sent.
std::string hassh_algorithms(const Kexinit& k, bool client);

}  // namespace sw::ssh
