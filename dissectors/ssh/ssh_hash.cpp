#include "dissectors/ssh/ssh_hash.h"

#include <openssl/evp.h>

#include <array>

namespace sw::ssh {

namespace {

// One-shot digest; false only if libcrypto fails (it does not for MD5/SHA-256
// unless the library is broken or MD5 is disabled by a FIPS policy).
bool digest(const EVP_MD* md, const void* data, std::size_t len, unsigned char* out, unsigned* out_len) {
    return md && EVP_Digest(data, len, out, out_len, md, nullptr) == 1;
}

}  // namespace

std::string md5_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
    unsigned n = 0;
    if (!digest(EVP_md5(), text.data(), text.size(), d.data(), &n)) return {};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (unsigned i = 0; i < n; ++i) {
        out.push_back(kHex[d[i] >> 4]);
        out.push_back(kHex[d[i] & 0xf]);
    }
    return out;
}

std::string sha256_fingerprint(Bytes blob) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
    unsigned n = 0;
    if (!digest(EVP_sha256(), blob.data(), blob.size(), d.data(), &n)) return {};
    // EVP_EncodeBlock writes 4 characters per 3 input bytes plus a NUL.
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
    int len = EVP_EncodeBlock(b64.data(), d.data(), static_cast<int>(n));
    while (len > 0 && b64[static_cast<std::size_t>(len) - 1] == '=') --len;  // OpenSSH drops the padding
    std::string out = "SHA256:";
    out.append(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(len));
    return out;
}

std::string hassh_algorithms(const Kexinit& k, bool client) {
    const auto& l = k.lists;
    std::string out;
    if (client) {
        out.append(l[kKexAlgorithms]).append(";").append(l[kEncryptionC2S]).append(";");
        out.append(l[kMacC2S]).append(";").append(l[kCompressionC2S]);
    } else {
        out.append(l[kKexAlgorithms]).append(";").append(l[kEncryptionS2C]).append(";");
        out.append(l[kMacS2C]).append(";").append(l[kCompressionS2C]);
    }
    return out;
}

}  // namespace sw::ssh
