// The device's team (SerialTeam on one core, HartTeam on the rv32 cluster) does what core/team.h
// promises: every member runs each task once with its own number, and a barrier separates the
// phases of a task. Each member writes only its own slots, so no atomics are needed here.
#include "core/team.h"

#include "harness/device_test.h"

namespace utrain {
namespace {

constexpr int kMaxMembers = 16;
constexpr int kRounds = 50;

DEVICE_TEST(team_every_member_runs_once_per_call) {
  Team& team = *device_test::context().team;
  ASSERT_TRUE(team.size() <= kMaxMembers);
  int calls[kMaxMembers] = {};
  int sizes_seen[kMaxMembers] = {};
  for (int round = 0; round < kRounds; ++round)
    team_run(team, [&](int member, int size) {
      ++calls[member];
      sizes_seen[member] = size;
    });
  for (int m = 0; m < team.size(); ++m) {
    device_test::Note note("member %d", m);
    EXPECT_EQ(calls[m], kRounds);
    EXPECT_EQ(sizes_seen[m], team.size());
  }
}

DEVICE_TEST(team_barrier_separates_phases) {
  // Phase 1 writes one slot per member; after the barrier every member reads every slot.
  Team& team = *device_test::context().team;
  ASSERT_TRUE(team.size() <= kMaxMembers);
  volatile int slots[kMaxMembers] = {};
  int stale_reads[kMaxMembers] = {};
  for (int round = 1; round <= kRounds; ++round)
    team_run(team, [&](int member, int size) {
      slots[member] = round;
      team.barrier(member);
      for (int m = 0; m < size; ++m)
        if (slots[m] != round) ++stale_reads[member];
      team.barrier(member);  // two barriers in a row must not mix up their rounds
    });
  for (int m = 0; m < team.size(); ++m) {
    device_test::Note note("member %d", m);
    EXPECT_EQ(stale_reads[m], 0);
  }
}

}  // namespace
}  // namespace utrain
