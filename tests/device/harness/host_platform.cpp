#include "harness/platform.h"
#include "targets/host/cpu_features.h"
#include "targets/host/thread_pool_team.h"

namespace utrain::device_test {

Team& platform_team(int members) {
  static ThreadPoolTeam team(members);
  return team;
}

IsaSet platform_isas() { return host_isas(); }

}  // namespace utrain::device_test
