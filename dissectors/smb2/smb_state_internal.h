// Small helpers shared by the files of SmbConnection (smb_state.cpp,
// smb2_commands.cpp, smb1_commands.cpp, ...). Not part of the dissector's
// interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dissectors/smb2/smb_records.h"

namespace sw::smb::internal {

// Makes `v` a value-initialised T again, keeping the buffers of the listed
// string members (cleared): a reused event or entry then fills its strings
// without allocating. Unlisted members are reset all the same.
template <typename T, typename... M>
T& renew(T& v, M T::*... strings) {
    std::string kept[sizeof...(M) + 1];
    std::size_t i = 0;
    ((kept[i++] = std::move(v.*strings)), ...);
    v = T{};
    i = 0;
    ((kept[i].clear(), v.*strings = std::move(kept[i]), ++i), ...);
    return v;
}

// SMB1 requests are matched to replies by (command, PID, MID); the top bit
// keeps these keys apart from SMB2 MessageIds.
inline std::uint64_t smb1_key(std::uint8_t command, std::uint32_t pid, std::uint16_t mid) {
    return (std::uint64_t{1} << 63) | (std::uint64_t{command} << 48) | (std::uint64_t{pid} << 16) | mid;
}

inline bool smb1_is_andx(std::uint8_t c) {
    switch (c) {
        case smb1::session_setup_andx: case smb1::tree_connect_andx: case smb1::nt_create_andx:
        case smb1::read_andx: case smb1::write_andx: case smb1::logoff_andx:
        case 0x24: /* LOCKING_ANDX */ case smb1::open_andx:
            return true;
        default:
            return false;
    }
}

inline std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

inline std::string last_component(const std::string& path) {
    auto p = path.find_last_of('\\');
    return p == std::string::npos ? path : path.substr(p + 1);
}

inline std::uint8_t smb1_share_type(std::string_view service) {
    if (service == "A:") return share_type::disk;
    if (service == "IPC") return share_type::pipe;
    if (service.substr(0, 3) == "LPT") return share_type::print;
    return 0;
}

inline void sub_sat(std::uint64_t& v, std::uint64_t n) { v = v > n ? v - n : 0; }

}  // namespace sw::smb::internal
