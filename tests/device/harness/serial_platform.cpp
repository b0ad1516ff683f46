#include "harness/platform.h"

namespace utrain::device_test {

Team& platform_team(int /*members*/) {
  static SerialTeam team;
  return team;
}

// Every kernel a device build has is one its core can run. The Cortex-M4F's FPU, like RV32F,
// has 32 single-precision registers, loads with an immediate offset and a fused multiply-add,
// which is what the rv32 kernels are shaped for (kernels/isa.h).
IsaSet platform_isas() {
#if (defined(__riscv) && defined(__riscv_flen)) || (defined(__ARM_ARCH_7EM__) && defined(__ARM_FP))
  return IsaSet().with(Isa::rv32_f);
#else
  return IsaSet();
#endif
}

}  // namespace utrain::device_test
