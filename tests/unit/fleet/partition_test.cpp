// fleet/partition: the partition hash every sensor and correlator must agree
// on, the two partition tokens of a subject, and the filters of each role.
#include "fleet/partition.h"

#include <gtest/gtest.h>

namespace sw::fleet {
namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

TEST(Partition, HashIsFnv1aOfTheAddressText) {
    // FNV-1a 32 of "" is the offset basis; of "a" is 0xe40c292c (published test vector).
    EXPECT_EQ(partition_of("", 0xffffffffu), 2166136261u % 0xffffffffu);
    EXPECT_EQ(partition_of("a", 0xffffffffu), 0xe40c292cu % 0xffffffffu);
    EXPECT_EQ(partition_of("10.74.0.110", 1), 0u);
    EXPECT_LT(partition_of("10.74.0.110", 16), 16u);
}

TEST(Partition, SubjectCarriesServerThenClientPartition) {
    // FNV-1a 32 by hand (python): "10.74.0.37" -> 1, "10.74.0.34" -> 0 (mod 2).
    PartitionHosts h{ip("10.74.0.34"), ip("10.74.0.37")};
    EXPECT_EQ(subject_of("stagewatch", h, "smb_files", 2), "stagewatch.p1.c0.smb_files");
    EXPECT_EQ(partition_for(h, CorrelateRole::target, 2), 1u);
    EXPECT_EQ(partition_for(h, CorrelateRole::both, 2), 1u);
    EXPECT_EQ(partition_for(h, CorrelateRole::collector, 2), 0u);
}

TEST(Partition, FiltersAndConsumersPerRole) {
    EXPECT_EQ(subject_filter("sw", CorrelateRole::target, 3), "sw.p3.>");
    EXPECT_EQ(subject_filter("sw", CorrelateRole::both, 3), "sw.p3.>");
    EXPECT_EQ(subject_filter("sw", CorrelateRole::collector, 3), "sw.*.c3.>");
    EXPECT_EQ(consumer_name("c", CorrelateRole::target, 3), "c-p3");
    EXPECT_EQ(consumer_name("c", CorrelateRole::collector, 3), "c-c3");
    EXPECT_EQ(parse_role("collector"), CorrelateRole::collector);
    EXPECT_EQ(parse_role("target"), CorrelateRole::target);
    EXPECT_EQ(parse_role("both"), CorrelateRole::both);
    EXPECT_FALSE(parse_role("server"));
}

TEST(Partition, SshIsKeyedByItsProtocolRoles) {
    SshEvent s;
    s.id.orig_h = ip("10.0.0.9");  // reverse SSH: the server opened the connection
    s.id.resp_h = ip("10.0.0.1");
    s.client_h = ip("10.0.0.1");
    s.server_h = ip("10.0.0.9");
    PartitionHosts h;
    ASSERT_TRUE(partition_hosts(Event{s}, h));
    EXPECT_EQ(h.client, ip("10.0.0.1"));
    EXPECT_EQ(h.server, ip("10.0.0.9"));
    s.client_h = s.server_h = IpAddr{};  // roles unknown: orig is the client
    ASSERT_TRUE(partition_hosts(Event{s}, h));
    EXPECT_EQ(h.client, ip("10.0.0.9"));
    SmbFileEvent f;
    f.id.orig_h = ip("10.0.0.5");
    f.id.resp_h = ip("10.0.0.6");
    ASSERT_TRUE(partition_hosts(Event{f}, h));
    EXPECT_EQ(h.client, ip("10.0.0.5"));
    EXPECT_EQ(h.server, ip("10.0.0.6"));
}

}  // namespace
}  // namespace sw::fleet
