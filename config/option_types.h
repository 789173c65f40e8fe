// Boost.Program_options value types for durations, sizes and CIDR lists, so
// that bad values are rejected by the parser with the option's name.
#pragma once

#include <boost/any.hpp>
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "config/config.h"

namespace sw {

struct DurationArg {
    Duration v = 0;
    std::string text;
};
struct SizeArg {
    std::uint64_t v = 0;
    std::string text;
};
// A non-negative integer; unlike a plain uint64_t option, "-3" is an error
// instead of wrapping around to 18446744073709551613.
struct CountArg {
    std::uint64_t v = 0;
};
struct CidrListArg {
    std::vector<Cidr> v;
    std::string text;
};

void validate(boost::any& v, const std::vector<std::string>& values, DurationArg*, int);
void validate(boost::any& v, const std::vector<std::string>& values, SizeArg*, int);
void validate(boost::any& v, const std::vector<std::string>& values, CidrListArg*, int);
void validate(boost::any& v, const std::vector<std::string>& values, CountArg*, int);

std::ostream& operator<<(std::ostream& os, const DurationArg& d);
std::ostream& operator<<(std::ostream& os, const SizeArg& d);
std::ostream& operator<<(std::ostream& os, const CidrListArg& d);
std::ostream& operator<<(std::ostream& os, const CountArg& d);
inline CountArg count_arg(std::uint64_t v) { return {v}; }

inline DurationArg dur(Duration v, std::string text) { return {v, std::move(text)}; }
inline SizeArg size_arg(std::uint64_t v, std::string text) { return {v, std::move(text)}; }

}  // namespace sw
