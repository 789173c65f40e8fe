#include "analytics/allowlist.h"

#include "analytics/file_classifier.h"

namespace sw {

AllowList::AllowList(const AnalyticsConfig& cfg)
    : targets_(cfg.allow_targets),
      sources_(cfg.allow_sources),
      collectors_(cfg.allow_collectors),
      shares_(cfg.allow_shares),
      times_(cfg.allow_times) {}

const TimeOfDayWindow* AllowList::time_window(Timestamp ts) const {
    for (const auto& w : times_)
        if (w.contains(ts)) return &w;
    return nullptr;
}

std::uint8_t AllowList::bits(const IpAddr& data_source, std::string_view share, Timestamp ts,
                             std::string_view share_path) const {
    std::uint8_t bits = 0;
    if (sources_.contains(data_source)) bits |= kAllowPeer;
    if (!share.empty())
        for (const auto& p : shares_) {
            const bool qualified = p.find('\\') != std::string::npos;
            if (qualified ? (!share_path.empty() && wildcard_match_ci(p, share_path)) : wildcard_match_ci(p, share)) {
                bits |= kAllowShare;
                break;
            }
        }
    if (time_window(ts)) bits |= kAllowTime;
    return bits;
}

std::uint8_t AllowList::push_bits(std::uint8_t write_bits, const IpAddr& target) const {
    return static_cast<std::uint8_t>((write_bits & ~kAllowPeer) | (targets_.contains(target) ? kAllowPeer : 0));
}

std::vector<std::string> AllowList::reasons(std::uint8_t bits, const IpAddr& data_source, std::string_view share,
                                            Timestamp ts) const {
    std::vector<std::string> out;
    if (bits & kAllowPeer) out.push_back("source:" + data_source.str());
    if (bits & kAllowShare) out.push_back("share:" + std::string(share));
    if (bits & kAllowTime)
        if (const TimeOfDayWindow* w = time_window(ts)) out.push_back("time:" + w->text);
    return out;
}

}  // namespace sw
