#include "output/finding_writer.h"

namespace sw {

void FindingWriter::on_notice(const Notice& n) {
    logs_.write(notice_log(), n);
}

void FindingWriter::on_staging(const StagingRow& r) {
    prepare_staging(r, scratch_);
    logs_.write(staging_log(), StagingRecord{r, scratch_});
}

void FindingWriter::on_volume(const VolumeRow& r) {
    logs_.write(volume_log(), r);
}

}  // namespace sw
