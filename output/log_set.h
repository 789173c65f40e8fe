// The set of open log files in one output directory. A log file is created
// when its first row is written (as Zeek does), so a run without SSH traffic
// has no ssh.log.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "output/zeek_writer.h"

namespace sw {

class LogSet {
public:
    // Creates `dir` (and parents) if missing. Throws std::runtime_error.
    LogSet(std::string dir, LogFormat fmt);
    ~LogSet();

    template <class Rec>
    void write(const LogTable<Rec>& table, const Rec& rec) {
        writer_for(table.schema).write(table, rec);
    }
    void close_all();

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
};

}  // namespace sw
