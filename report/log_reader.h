// Reads Zeek-style logs as written by stagewatch (or Zeek): TSV with its
// header (#separator, #set_separator, #empty_field, #unset_field, #fields) or
// JSON lines, one file or a whole directory with rotated files
// (conn.log, conn.2026-11-22-13-00-00.log, conn__<open>__<close>__.log).
//
// Rows are handed to a callback one at a time; the reader keeps only the row
// being read, so a million-row log costs one row of memory. Values are
// unescaped (TSV \xNN and \\, JSON \uXXXX) and looked up by field name, so
// the reader does not depend on any schema version: extra or missing columns
// are fine.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sw::report {

// One row. A field is unset (absent), a string, or a list (set/vector).
class LogRow {
public:
    // The field's value; nullopt when the field is unset or not in this log.
    // A list comes back with its elements joined by ','.
    std::optional<std::string_view> get(std::string_view name) const;
    std::string_view str(std::string_view name) const { return get(name).value_or(std::string_view{}); }
    // Numbers: 0 when unset or not a number.
    double num(std::string_view name) const;
    std::uint64_t count(std::string_view name) const;
    bool flag(std::string_view name) const;  // T/true
    // A list field's elements (a plain string field gives one element).
    std::vector<std::string> list(std::string_view name) const;

    // Building (used by the reader and by tests).
    void reset(const std::vector<std::string>* names);
    void set(std::size_t i, std::string value);
    void set_list(std::size_t i, std::vector<std::string> elems);

    const std::string& file() const { return file_; }
    std::uint64_t line() const { return line_; }

private:
    friend class LogReader;
    const std::vector<std::string>* names_ = nullptr;
    struct Slot {
        bool present = false;
        bool is_list = false;
        std::string value;                // the string, or the list joined by ','
        std::vector<std::string> elems;  // list elements
    };
    std::vector<Slot> slots_;
    std::string file_;
    std::uint64_t line_ = 0;
    int index(std::string_view name) const;
};

struct ReadStats {
    std::uint64_t files = 0;
    std::uint64_t rows = 0;
    std::uint64_t bad_lines = 0;  // lines that could not be parsed (counted, skipped)
};

using RowFn = std::function<void(const LogRow&)>;

// Every file of the log `path` ("conn", "smb_files", ...) in `dir`, the
// current one and the rotated ones, sorted by name (the current file last).
std::vector<std::string> log_files(const std::string& dir, std::string_view path);

class LogReader {
public:
    // Reads one file (TSV or JSON, decided by its first byte).
    // Returns false when the file cannot be opened.
    bool read_file(const std::string& file, const RowFn& fn);
    // Reads every file of `path` in every directory, in order.
    void read_log(const std::vector<std::string>& dirs, std::string_view path, const RowFn& fn);
    const ReadStats& stats() const { return stats_; }

    // Parsing one line (exposed for tests).
    static bool parse_json_line(std::string_view line, std::vector<std::string>& names, LogRow& row);

private:
    ReadStats stats_;
};

// Zeek's TSV escaping undone: "\xNN" becomes the byte, "\\" a backslash.
std::string zeek_unescape(std::string_view s);

}  // namespace sw::report
