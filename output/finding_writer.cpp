#include "output/finding_writer.h"

namespace sw {

void FindingWriter::on_notice(const Notice& n) {
    notice_row(n, row_);
    logs_.write(notice_schema(), row_);
}

void FindingWriter::on_staging(const StagingRow& r) {
    staging_row(r, row_, scratch_);
    logs_.write(staging_schema(), row_);
}

void FindingWriter::on_volume(const VolumeRow& r) {
    volume_row(r, row_);
    logs_.write(volume_schema(), row_);
}

}  // namespace sw
