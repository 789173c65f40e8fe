#include "dissectors/smb2/smb_file_state.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace sw::smb {

void RangeSet::add(std::uint64_t b, std::uint64_t e) {
    if (e <= b) return;
    // Fast path: extends (or lies inside) the last range touched.
    for (std::size_t i = n_; i-- > 0;) {
        if (b <= end_[i] && e >= begin_[i]) {
            begin_[i] = std::min(begin_[i], b);
            end_[i] = std::max(end_[i], e);
            // Merge neighbours the grown range now touches.
            for (std::size_t j = 0; j < n_;) {
                if (j != i && begin_[j] <= end_[i] && end_[j] >= begin_[i]) {
                    begin_[i] = std::min(begin_[i], begin_[j]);
                    end_[i] = std::max(end_[i], end_[j]);
                    begin_[j] = begin_[n_ - 1];
                    end_[j] = end_[n_ - 1];
                    if (i == n_ - 1) i = j;
                    --n_;
                    --count_;
                    continue;
                }
                ++j;
            }
            return;
        }
    }
    ++count_;
    if (n_ < kMax) {
        begin_[n_] = b;
        end_[n_] = e;
        ++n_;
    } else {
        // Too many to track: remember the newest in place of the oldest slot.
        std::memmove(begin_, begin_ + 1, (kMax - 1) * sizeof(begin_[0]));
        std::memmove(end_, end_ + 1, (kMax - 1) * sizeof(end_[0]));
        begin_[kMax - 1] = b;
        end_[kMax - 1] = e;
    }
}

std::size_t SniffSample::contiguous() const {
    std::size_t n = 0;
    while (n < kSniffBytes && have[n]) ++n;
    return n;
}

void FileState::recycle() {
    std::string* const strings[] = {&fuid, &name, &prev_name, &path, &share, &username, &dialect};
    std::string kept[std::size(strings)];
    for (std::size_t i = 0; i < std::size(strings); ++i) kept[i] = std::move(*strings[i]);
    std::unique_ptr<SniffSample> samples[3] = {std::move(sniff), std::move(read_sniff), std::move(spare_)};
    *this = FileState{};
    for (std::size_t i = 0; i < std::size(strings); ++i) {
        kept[i].clear();
        *strings[i] = std::move(kept[i]);
    }
    for (auto& p : samples)  // one is kept: a handle sniffs its writes, seldom its reads too
        if (p && !spare_) spare_ = std::move(p);
}

std::unique_ptr<SniffSample> FileState::new_sample() {
    if (spare_) {
        *spare_ = SniffSample{};
        return std::move(spare_);
    }
    return std::make_unique<SniffSample>();
}

}  // namespace sw::smb
