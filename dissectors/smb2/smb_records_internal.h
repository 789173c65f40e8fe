// Field readers shared by the SMB2 and SMB1 record parsers (a short read
// yields 0; the callers check lengths first). Not part of the interface.
#pragma once

#include "dissectors/smb2/smb_records.h"

namespace sw::smb::records_internal {

inline std::uint64_t rd64(ByteReader& r) { return r.read_u64_le().value_or(0); }
inline std::uint32_t rd32(ByteReader& r) { return r.read_u32_le().value_or(0); }
inline std::uint16_t rd16(ByteReader& r) { return r.read_u16_le().value_or(0); }
inline std::uint8_t rd8(ByteReader& r) { return r.read_u8().value_or(0); }

inline FileId rd_fid(ByteReader& r) {
    FileId f;
    f.persistent = rd64(r);
    f.volatile_ = rd64(r);
    return f;
}

inline FileTimes rd_times(ByteReader& r) {
    FileTimes t;
    t.created = rd64(r);
    t.accessed = rd64(r);
    t.written = rd64(r);
    t.changed = rd64(r);
    return t;
}

}  // namespace sw::smb::records_internal
