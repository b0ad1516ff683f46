// Teams shared by the tests: created once per process (threads are started once, as in a real
// program) for the team sizes the property tests sweep. 3 and 8 members make shares that are not
// multiples of any tile for most shapes, which is where PULP-TrainLib's tiles write out of bounds.
#pragma once
#include "core/team.h"
#include "targets/host/thread_pool_team.h"

namespace utrain::testing {

inline constexpr int kTeamSizes[] = {1, 2, 3, 8};

// The team with `members` members (one of kTeamSizes).
Team& team_of(int members);

}  // namespace utrain::testing
