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
    // Once the file cannot be written (disk full, I/O error) error() says so,
    // the file ends with its last whole line and later rows are dropped.
    template <class Rec>
    void write(const LogTable<Rec>& table, const Rec& rec) {
        if (!error_.empty()) return;
        table.format(fmt_, rec, buf_);
        ++buffered_rows_;
        if (buf_.size() >= (1u << 16)) flush_buffer();
    }
    // Writes #close (TSV) and closes. Idempotent; a failure is kept in error().
    void close();
    // Writes buffered rows to the file now (a live sensor does this when idle).
    void flush();
    // "" while every write succeeded; else "<file>: <strerror>" of the first failure.
    const std::string& error() const { return error_; }
    // close(), then opens the same path again (appending) with a new header:
    // after an external logrotate moved the file away, rows go to a new file.
    // Not after a write failure. Throws std::runtime_error if it cannot open.
    void reopen();

    static std::string header(const Schema& schema, std::int64_t open_time);

    // Rows that reached the file (not those lost to a write failure).
    std::uint64_t rows() const { return rows_; }
    const std::string& file() const { return file_; }
    const Schema& schema() const { return schema_; }

private:
    // Writes buf_ (whole lines only) to the file; false on failure, after
    // which the file is cut back to its last whole line.
    bool flush_buffer();
    void open(const char* mode);

    const Schema& schema_;
    LogFormat fmt_;
    std::string file_;
    std::FILE* fp_ = nullptr;
    std::string buf_;              // whole lines only
    std::uint64_t buffered_rows_ = 0;  // rows in buf_
    std::uint64_t rows_ = 0;
    std::uint64_t size_ = 0;       // bytes of the file (all whole lines)
    std::string error_;
};

}  // namespace sw
