// Helpers shared by the tests: where captures are, hex fixtures, running the
// pipeline in-process and collecting its events.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "app/pipeline.h"
#include "config/config.h"
#include "dissectors/event.h"

namespace sw::test {

// The public capture corpus (../shared/pcaps), read in place; override with
// STAGEWATCH_SHARED_PCAPS.
inline std::filesystem::path shared_pcaps() {
    if (const char* e = std::getenv("STAGEWATCH_SHARED_PCAPS")) return e;
    return std::filesystem::path(STAGEWATCH_SOURCE_DIR) / ".." / "shared" / "pcaps";
}
// Captures the project recorded itself.
inline std::filesystem::path project_pcaps() {
    return std::filesystem::path(STAGEWATCH_SOURCE_DIR) / "pcaps";
}
inline std::filesystem::path source_dir() { return STAGEWATCH_SOURCE_DIR; }
inline std::string binary() { return STAGEWATCH_BINARY; }

// Skips the calling test, loudly, when the shared corpus is not there.
#define SW_REQUIRE_SHARED_PCAPS()                                                              \
    do {                                                                                       \
        if (!std::filesystem::is_directory(::sw::test::shared_pcaps()))                        \
            GTEST_SKIP() << "shared capture corpus not found at " << ::sw::test::shared_pcaps() \
                         << " (set STAGEWATCH_SHARED_PCAPS)";                                  \
    } while (0)

// "45 00 00 3c ..." -> bytes. Whitespace, '|' and '#'-to-end-of-line comments
// are ignored so fixtures can be annotated field by field.
std::vector<std::uint8_t> hex(const std::string& s);

// A fresh empty temporary directory, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return p_; }
    std::string str() const { return p_.string(); }

private:
    std::filesystem::path p_;
};

// Collects every event the pipeline emits.
class Collector : public EventSink {
public:
    void on_event(const Event& e) override { events.push_back(e); }
    template <typename T>
    std::vector<T> all() const {
        std::vector<T> out;
        for (const auto& e : events)
            if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
        return out;
    }
    std::vector<Event> events;
};

// Runs the whole pipeline on capture files with `cfg` (logs go to a temp dir)
// and returns the events.
Collector run_pipeline(const std::vector<std::string>& files, Config cfg = {});

// A line's tab-separated fields (an empty last field after a trailing tab is dropped).
std::vector<std::string> split_tabs(const std::string& line);

// Reads a Zeek TSV log into rows of fields (header lines dropped).
std::vector<std::vector<std::string>> read_tsv_log(const std::filesystem::path& file);

// Runs a shell command, returns its exit status (0..255) and stdout+stderr.
int run_command(const std::string& cmd, std::string* output = nullptr);

}  // namespace sw::test
