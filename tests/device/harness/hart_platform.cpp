#include "harness/platform.h"
#include "targets/rv32/hart_team.h"

namespace utrain::device_test {

Team& platform_team(int members) {
  static HartTeam team(members);
  return team;
}

IsaSet platform_isas() { return IsaSet().with(Isa::rv32_f); }

}  // namespace utrain::device_test
