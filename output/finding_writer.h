// Writes staging analytics findings to notice.log, staging.log and volume.log.
#pragma once

#include "analytics/findings.h"
#include "output/log_set.h"
#include "output/logs.h"

namespace sw {

class FindingWriter : public FindingSink {
public:
    explicit FindingWriter(LogSet& logs) : logs_(logs) {}
    void on_notice(const Notice& n) override;
    void on_staging(const StagingRow& r) override;
    void on_volume(const VolumeRow& r) override;

private:
    LogSet& logs_;
    StagingScratch scratch_;
};

}  // namespace sw
