// Names (smb_strings): UTF-16LE and OEM to UTF-8, invalid sequences kept
// visible, length caps on character boundaries.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "dissectors/smb2/smb_strings.h"
#include "support.h"

namespace sw::smb {
namespace {

using sw::test::hex;

std::string utf8(Bytes b, bool unicode = true) {
    std::string s;
    append_name(b, unicode, s, 1024);
    return s;
}

TEST(SmbStrings, Utf16ToUtf8) {
    // "Zoë €𝄞" : e-diaeresis (2-byte UTF-8), euro (3-byte), G clef (surrogate pair, 4-byte).
    auto b = hex("5a 00 6f 00 eb 00 20 00 ac 20 34 d8 1e dd");
    EXPECT_EQ(utf8(b), "Zo\xc3\xab \xe2\x82\xac\xf0\x9d\x84\x9e");
    // Trailing NUL terminators are dropped.
    EXPECT_EQ(utf8(hex("61 00 00 00")), "a");
}

TEST(SmbStrings, InvalidSequencesStayVisible) {
    // A lone high surrogate D800 then 'a': kept as the 3 bytes ED A0 80 (WTF-8),
    // which the log writer escapes (\xed\xa0\x80) instead of dropping.
    EXPECT_EQ(utf8(hex("00 d8 61 00")), "\xed\xa0\x80" "a");
    // A lone low surrogate DC00.
    EXPECT_EQ(utf8(hex("00 dc")), "\xed\xb0\x80");
    // An odd trailing byte is kept as it is.
    EXPECT_EQ(utf8(hex("61 00 ff")), "a\xff");
}

TEST(SmbStrings, MaxLengthCutsOnCharacterBoundary) {
    std::string out;
    // "ab€" needs 1+1+3 bytes; a limit of 4 keeps "ab" only.
    EXPECT_FALSE(append_utf16le(hex("61 00 62 00 ac 20"), out, 4));
    EXPECT_EQ(out, "ab");
    out.clear();
    EXPECT_TRUE(append_oem(hex("61 62 e9 00"), out, 16));  // OEM 0xe9 kept for the writer to escape
    EXPECT_EQ(out, "ab\xe9");
}

}  // namespace
}  // namespace sw::smb
