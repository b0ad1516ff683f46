#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/team.h"
#include "targets/host/thread_pool_team.h"

namespace utrain {
namespace {

TEST(SerialTeam, runs_one_member) {
  SerialTeam team;
  int calls = 0;
  team_run(team, [&](int member, int size) {
    EXPECT_EQ(member, 0);
    EXPECT_EQ(size, 1);
    team.barrier(member);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

class ThreadPoolTeamTest : public ::testing::TestWithParam<int> {};

TEST_P(ThreadPoolTeamTest, every_member_runs_once_per_call) {
  ThreadPoolTeam team(GetParam());
  ASSERT_EQ(team.size(), GetParam());
  std::vector<std::atomic<int>> hits(static_cast<size_t>(GetParam()));
  for (int round = 0; round < 200; ++round)
    team_run(team, [&](int member, int size) {
      ASSERT_EQ(size, GetParam());
      hits[static_cast<size_t>(member)].fetch_add(1);
    });
  for (auto& h : hits) EXPECT_EQ(h.load(), 200);
}

TEST_P(ThreadPoolTeamTest, barrier_separates_phases) {
  // Phase 1 writes one slot per member; after the barrier every member reads all slots.
  const int n = GetParam();
  ThreadPoolTeam team(n);
  std::vector<int> slots(static_cast<size_t>(n));
  std::atomic<int> errors{0};
  for (int round = 1; round <= 100; ++round)
    team_run(team, [&](int member, int size) {
      slots[static_cast<size_t>(member)] = round;
      team.barrier(member);
      for (int m = 0; m < size; ++m)
        if (slots[static_cast<size_t>(m)] != round) errors.fetch_add(1);
      team.barrier(member);
    });
  EXPECT_EQ(errors.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Members, ThreadPoolTeamTest, ::testing::Values(1, 2, 3, 8));

}  // namespace
}  // namespace utrain
