// Names on the wire -> UTF-8 for logs.
//
// SMB names are UTF-16LE (or OEM bytes in old SMB1). Windows allows unpaired
// surrogates in file names, so a strict converter would have to drop or
// replace them. We keep them visible instead: an unpaired surrogate is
// written in its 3-byte generalised UTF-8 form (WTF-8) and an odd trailing
// byte as itself. Both are invalid UTF-8, so the Zeek writer escapes them as
// \xNN and the original code units can be read back from the log.
#pragma once

#include <cstddef>
#include <string>

#include "capture/byte_reader.h"

namespace sw::smb {

// Appends the UTF-8 form of `utf16le` to `out`, stopping before `out` would
// exceed `max_bytes` (on a character boundary). Trailing NULs are dropped.
// Returns false if the name was cut short.
bool append_utf16le(Bytes utf16le, std::string& out, std::size_t max_bytes);

// OEM (8-bit) names: copied as-is up to `max_bytes`; bytes >= 0x80 stay and
// are escaped by the writer. Trailing NULs are dropped. False if cut short.
bool append_oem(Bytes oem, std::string& out, std::size_t max_bytes);

// Either, by flag.
inline bool append_name(Bytes b, bool unicode, std::string& out, std::size_t max_bytes) {
    return unicode ? append_utf16le(b, out, max_bytes) : append_oem(b, out, max_bytes);
}

}  // namespace sw::smb
