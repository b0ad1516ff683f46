#include "harness/platform.h"

namespace utrain::device_test {

Team& platform_team(int /*members*/) {
  static SerialTeam team;
  return team;
}

// Every kernel a device build has is one its core can run.
IsaSet platform_isas() {
#if defined(__riscv) && defined(__riscv_flen)
  return IsaSet().with(Isa::rv32_f);
#else
  return IsaSet();
#endif
}

}  // namespace utrain::device_test
