#include "dissectors/smb2/smb_file_state.h"

#include <algorithm>
#include <cstring>

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

}  // namespace sw::smb
