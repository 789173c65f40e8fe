// A small staging case written as stagewatch TSV logs, shared by the report
// unit tests: three sources (.59, .182, .131) write five archives to the
// hidden share of 10.74.0.110 within 6 s (values taken from the lab scenario
// smb-fanin-archives, seed 7); .131 speaks SSH to the target as well, and the
// target then writes 2 MB on to 10.9.9.9 and opens a 3 MB connection to
// 10.8.8.8. One file name is hostile markup.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sw::report::fixture {

inline void write_log(const std::filesystem::path& dir, const std::string& path, const std::string& fields,
                      const std::vector<std::string>& rows) {
    std::ofstream o(dir / (path + ".log"), std::ios::binary);
    o << "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t" << path << "\n#fields\t" << fields
      << "\n";
    for (const auto& r : rows) o << r << "\n";
    o << "#close\t2026-12-03-07-53-19\n";
}

inline const char* kHostile = "<script>alert(1)</script>.zip";

inline void write_case(const std::filesystem::path& d) {
    write_log(d, "staging",
              "ts\thost\trole\tperiod_start\twindow_start\tn_peers\tpeers\tpeer_bytes\tpeers_dropped\tbytes\tsmb_bytes\tssh_bytes\t"
              "encrypted_bytes\tfiles\tarchives\tarchive_names\tshares\tpushed_bytes\tpush_targets\tscore\tseverity\t"
              "detection_type\tindicators\tnotices\tsuppressed\tsuppressed_by",
              {"1796283358.160302\t10.74.0.110\ttarget\t1796281200.000000\t1796283352.078956\t3\t10.74.0.59,10.74.0.131,10.74.0.182\t"
               "10.74.0.59=541897,10.74.0.131=2561862,10.74.0.182=1726622\t0\t4830381\t4830381\t0\t0\t5\t5\t"
               "tmp\\x5cws1-hr-1675.zip\t\\x5c\\x5c10.74.0.110\\x5cstage$\t-\t-\t95\thigh\tFanInArchiveStaging\t"
               "fan_in:30,fan_in_archives:15,archive_name:15,archive_content:10,admin_share:15,staging_path:10\t"
               "Staging::Fan_In\tF\t(empty)",
               // An earlier update of the same window: replaced by the row above.
               "1796283358.145673\t10.74.0.110\ttarget\t1796281200.000000\t1796283352.078956\t3\t10.74.0.59,10.74.0.131,10.74.0.182\t"
               "10.74.0.59=541897,10.74.0.131=1722443,10.74.0.182=1726622\t0\t3990962\t3990962\t0\t0\t4\t4\t"
               "-\t-\t-\t-\t95\thigh\tFanInArchiveStaging\tfan_in:30\tStaging::Fan_In\tF\t(empty)",
               // A weaker finding elsewhere.
               "1796283400.000000\t10.74.0.50\ttarget\t1796281200.000000\t1796283399.000000\t1\t10.74.0.51\t10.74.0.51=1000\t0\t"
               "1000\t1000\t0\t0\t1\t1\t-\t-\t-\t-\t25\tlow\tArchiveWrite\tarchive_name:15,archive_content:10\t"
               "Staging::Archive_Write\tF\t(empty)"});
    write_log(d, "notice", "ts\tuid\tfuid\tnote\tmsg\tsub\tsrc\tdst\tscore\tseverity\tdetection_type\tsources\tbytes\tarchives",
              {"1796283358.160302\tC2wwz3CVG7P71w5JzC\t-\tStaging::Fan_In\t10.74.0.110 received 4.8 MB from 3 hosts in 6 s\t"
               "indicators: fan_in:30\t-\t10.74.0.110\t95\thigh\tFanInArchiveStaging\t10.74.0.59,10.74.0.131,10.74.0.182\t4830381\t-",
               // A notice about a host with no staging.log row (a correlator's notice).
               "1796283500.000000\tCzz\t-\tStaging::Fan_In\t10.1.1.1 received 9 MB\tsources: ...; indicators: fan_in:30, ssh_upload:15\t"
               "-\t10.1.1.1\t45\tmedium\tFanInVolume\t10.1.1.2,10.1.1.3\t9000000\t(empty)"});
    const std::string f =
        "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tfuid\taction\tpath\tname\tsize\tclose_ts\tshare\tusername\t"
        "bytes_written\tbytes_read\tcontent_type";
    auto row = [](const std::string& ts, const std::string& uid, const std::string& o, const std::string& r, const std::string& fuid,
                  const std::string& action, const std::string& name, const std::string& size, const std::string& ct) {
        return ts + "\t" + uid + "\t" + o + "\t40000\t" + r + "\t445\t" + fuid + "\t" + action + "\t\\x5c\\x5c" + r + "\\x5cstage$\t" + name +
               "\t" + size + "\t" + ts + "\tstage$\tLAB\\x5cstagelab\t" + size + "\t0\t" + ct;
    };
    write_log(d, "smb_files", f,
              {row("1796283352.070074", "CJnRvBGDx3mU2jR82S", "10.74.0.59", "10.74.0.110", "FHbj", "SMB::FILE_WRITE", "tmp\\x5cws1-hr-1675.zip", "541897", "zip"),
               row("1796283352.250491", "C9wX8K0eMuD41AV47y", "10.74.0.182", "10.74.0.110", "FDH8", "SMB::FILE_WRITE", "tmp\\x5cws2-forecast-8185.7z", "606042", "7z"),
               row("1796283352.259901", "C9wX8K0eMuD41AV47y", "10.74.0.182", "10.74.0.110", "F4CJ", "SMB::FILE_WRITE", kHostile, "1120580", "zip"),
               row("1796283358.108044", "C2wwz3CVG7P71w5JzC", "10.74.0.131", "10.74.0.110", "FAo4", "SMB::FILE_WRITE", "tmp\\x5cws3-finance-5198.rar", "1722443", "rar"),
               row("1796283358.146385", "C2wwz3CVG7P71w5JzC", "10.74.0.131", "10.74.0.110", "FKXk", "SMB::FILE_WRITE", "tmp\\x5cws3-forecast-9261.zip", "839419", "zip"),
               // Not a source of the finding: not joined.
               row("1796283352.500000", "Cbg", "10.74.0.228", "10.74.0.110", "Fbg", "SMB::FILE_WRITE", "notes.txt", "1800", "text"),
               // Out of the window by far: not joined.
               row("1796200000.000000", "Cold", "10.74.0.59", "10.74.0.110", "Fold", "SMB::FILE_WRITE", "old.zip", "100", "zip"),
               // The target writes on afterwards.
               row("1796283360.000000", "Cout", "10.74.0.110", "10.9.9.9", "Fout", "SMB::FILE_WRITE", "all.zip", "2000000", "zip")});
    write_log(d, "ssh", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tclient\ttransfer_bytes\tduration",
              {"1796283355.000000\tCssh\t10.74.0.131\t50000\t10.74.0.110\t22\tSSH-2.0-OpenSSH_9.2\t1000\t1.000000"});
    write_log(d, "conn",
              "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes",
              {"1796283352.060264\tCJnRvBGDx3mU2jR82S\t10.74.0.59\t51420\t10.74.0.110\t445\ttcp\tsmb\t0.018935\t543891\t1595",
               "1796283352.240296\tC9wX8K0eMuD41AV47y\t10.74.0.182\t40060\t10.74.0.110\t445\ttcp\tsmb\t0.042770\t1728820\t1765",
               "1796283358.099022\tC2wwz3CVG7P71w5JzC\t10.74.0.131\t38230\t10.74.0.110\t445\ttcp\tsmb\t0.063179\t2564068\t1842",
               "1796283355.000000\tCssh\t10.74.0.131\t50000\t10.74.0.110\t22\ttcp\tssh\t1.000000\t3000\t2000",
               "1796283361.000000\tCbig\t10.74.0.110\t50001\t10.8.8.8\t443\ttcp\t-\t2.000000\t3000000\t5000"});
    write_log(d, "volume", "ts\thost\tproto\tbytes_in\tbytes_out\tfiles_written\tfiles_read\tpeers_in\tpeers_out",
              {"1796283300.000000\t10.74.0.110\tsmb\t4830381\t0\t5\t0\t3\t0",
               "1796283600.000000\t10.74.0.110\tsmb\t0\t2000000\t0\t0\t0\t1",
               "1796283300.000000\t10.74.0.59\tsmb\t0\t541897\t1\t0\t0\t1"});
}

}  // namespace sw::report::fixture
