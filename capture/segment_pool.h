// Fixed-size blocks for out-of-order TCP data, reused across flows so that
// buffering a reordered segment does not allocate in steady state. One pool
// per worker; never shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "capture/memory_budget.h"

namespace sw {

class SegmentPool {
public:
    static constexpr std::uint32_t kBlockSize = 2048;
    static constexpr std::uint32_t kNone = 0xffffffffu;

    explicit SegmentPool(std::uint64_t max_bytes, MemoryBudget* budget = nullptr)
        : max_blocks_(max_bytes / kBlockSize) {
        charge_.bind(budget, MemoryArea::reassembly);
    }

    // A free block index, or kNone when the pool is at its cap.
    std::uint32_t alloc() {
        if (!free_.empty()) {
            std::uint32_t b = free_.back();
            free_.pop_back();
            ++in_use_;
            charge_.add(kBlockSize);
            return b;
        }
        if (next_ >= max_blocks_) return kNone;
        if (next_ % kBlocksPerChunk == 0)
            chunks_.push_back(std::make_unique<std::uint8_t[]>(std::size_t{kBlockSize} * kBlocksPerChunk));
        ++in_use_;
        charge_.add(kBlockSize);
        return static_cast<std::uint32_t>(next_++);
    }
    void release(std::uint32_t b) {
        free_.push_back(b);
        --in_use_;
        charge_.add(-std::int64_t{kBlockSize});
    }
    std::uint8_t* data(std::uint32_t b) {
        return chunks_[b / kBlocksPerChunk].get() + std::size_t{b % kBlocksPerChunk} * kBlockSize;
    }
    std::uint64_t bytes_in_use() const { return in_use_ * std::uint64_t{kBlockSize}; }
    std::uint64_t bytes_reserved() const { return next_ * std::uint64_t{kBlockSize}; }

private:
    static constexpr std::uint64_t kBlocksPerChunk = 256;  // 512 KiB per chunk
    std::uint64_t max_blocks_;
    std::uint64_t next_ = 0;
    std::uint64_t in_use_ = 0;
    std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
    std::vector<std::uint32_t> free_;
    MemoryCharge charge_;  // blocks in use, kBlockSize each (--memory.limit)
};

}  // namespace sw
