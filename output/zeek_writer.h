// Zeek's ASCII log format (TSV with the #-header, or one JSON object per line),
// escaping included, so existing Zeek parsers and SIEM pipelines read our logs
// unchanged.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "output/schema.h"

namespace sw {

// Escapes one string value for a TSV field (not for #-header lines), as Zeek
// does: a backslash becomes two, controls and invalid UTF-8 \xNN, and `in_set`
// additionally escapes the set separator ','.
void zeek_escape_tsv(std::string_view s, bool in_set, std::string& out);
// Escapes one string for inside JSON double quotes, as Zeek's JSON writer does
// (valid UTF-8 passes, other bytes become the text \xNN).
void zeek_escape_json(std::string_view s, std::string& out);
// "%Y-%m-%d-%H-%M-%S" in local time, as Zeek's #open/#close.
std::string zeek_header_time(std::int64_t unix_seconds);

class LogWriter {
public:
    // Opens (truncates) `file`. Throws std::runtime_error on failure.
    LogWriter(const Schema& schema, LogFormat fmt, const std::string& file);
    ~LogWriter();
    LogWriter(const LogWriter&) = delete;
    LogWriter& operator=(const LogWriter&) = delete;

    // Appends one row of `table` (whose schema this writer was opened with).
    template <class Rec>
    void write(const LogTable<Rec>& table, const Rec& rec) {
        table.format(fmt_, rec, buf_);
        ++rows_;
        if (buf_.size() >= (1u << 16)) flush_buffer();
    }
    // Writes #close (TSV) and closes. Idempotent.
    void close();
    // Writes buffered rows to the file now (a live sensor does this when idle).
    void flush();
    // close(), then opens the same path again (appending) with a new header:
    // after an external logrotate moved the file away, rows go to a new file.
    void reopen();

    static std::string header(const Schema& schema, std::int64_t open_time);

    std::uint64_t rows() const { return rows_; }
    const std::string& file() const { return file_; }
    const Schema& schema() const { return schema_; }

private:
    void flush_buffer();

    const Schema& schema_;
    LogFormat fmt_;
    std::string file_;
    std::FILE* fp_ = nullptr;
    std::string buf_;
    std::uint64_t rows_ = 0;
};

}  // namespace sw
