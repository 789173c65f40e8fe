// The set of open log files in one output directory. A log file is created
// when its first row is written (as Zeek does), so a run without SSH traffic
// has no ssh.log.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "output/zeek_writer.h"

namespace sw {

class LogSet {
public:
    // Creates `dir` (and parents) if missing. Throws std::runtime_error.
    LogSet(std::string dir, LogFormat fmt);
    ~LogSet();

    template <class Rec>
    void write(const LogTable<Rec>& table, const Rec& rec) {
        LogWriter& w = writer_for(table.schema);
        w.write(table, rec);
        if (!w.error().empty() && error_.empty()) error_ = w.error();
    }
    // "" while every log could be written; else the first failure
    // ("<file>: <error>"), after which the run should stop reading.
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    void close_all();
    // Every open log: #close, then a fresh file at the same path (SIGHUP).
    void reopen_all();
    // Writes every buffered row out now.
    void flush_all();
    // Rotation with Zeek's naming: every open log is closed (#close) and
    // renamed <path>.<open time>.log (local time, as #open), e.g.
    // conn.2026-11-22-13-00-00.log; the next row of a log opens a fresh
    // <path>.log. Returns the rotated files. Throws std::runtime_error.
    std::vector<std::string> rotate(std::int64_t opened_unix_seconds);

    const std::string& dir() const { return dir_; }
    LogFormat format() const { return fmt_; }
    // path -> rows written, for the run summary.
    std::map<std::string, std::uint64_t> row_counts() const;
    std::string file_for(std::string_view path) const;

private:
    LogWriter& writer_for(const Schema& schema);

    std::string dir_;
    LogFormat fmt_;
    std::map<std::string, std::unique_ptr<LogWriter>, std::less<>> writers_;
    std::map<std::string, std::uint64_t> rotated_rows_;  // rows in files rotated away
    std::string error_;
    void note_error(const LogWriter& w) {
        if (error_.empty() && !w.error().empty()) error_ = w.error();
    }
};

}  // namespace sw
