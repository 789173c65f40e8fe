#include "output/log_set.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace sw {

LogSet::LogSet(std::string dir, LogFormat fmt) : dir_(std::move(dir)), fmt_(fmt) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw std::runtime_error(dir_ + ": cannot create output directory: " + ec.message());
    if (!std::filesystem::is_directory(dir_, ec)) throw std::runtime_error(dir_ + ": not a directory");
}

LogSet::~LogSet() { close_all(); }

std::string LogSet::file_for(std::string_view path) const {
    return (std::filesystem::path(dir_) / (std::string(path) + ".log")).string();
}

LogWriter& LogSet::writer_for(const Schema& schema) {
    auto it = writers_.find(schema.path);
    if (it == writers_.end()) {
        it = writers_
                 .emplace(std::string(schema.path),
                          std::make_unique<LogWriter>(schema, fmt_, file_for(schema.path)))
                 .first;
    }
    // One table per path: a second declaration of the same log is a bug.
    if (&it->second->schema() != &schema)
        throw std::logic_error(std::string(schema.path) + ".log: written with two different schemas");
    return *it->second;
}

void LogSet::close_all() {
    for (auto& [_, w] : writers_) {
        w->close();
        note_error(*w);
    }
}

void LogSet::reopen_all() {
    for (auto& [_, w] : writers_) {
        w->reopen();
        note_error(*w);
    }
}

void LogSet::flush_all() {
    for (auto& [_, w] : writers_) {
        w->flush();
        note_error(*w);
    }
}

std::vector<std::string> LogSet::rotate(std::int64_t opened_unix_seconds) {
    std::vector<std::string> rotated;
    const std::string stamp = zeek_header_time(opened_unix_seconds);
    for (auto& [path, w] : writers_) {
        w->close();
        note_error(*w);
        std::string to = (std::filesystem::path(dir_) / (path + "." + stamp + ".log")).string();
        if (std::rename(w->file().c_str(), to.c_str()) != 0)
            throw std::runtime_error(w->file() + ": cannot rotate to " + to + ": " + std::strerror(errno));
        rotated_rows_[path] += w->rows();
        rotated.push_back(std::move(to));
    }
    writers_.clear();
    return rotated;
}

std::map<std::string, std::uint64_t> LogSet::row_counts() const {
    std::map<std::string, std::uint64_t> out = rotated_rows_;
    for (const auto& [p, w] : writers_) out[p] += w->rows();
    return out;
}

}  // namespace sw
