// minstret: instructions retired, read by the program itself around a region of code.
//
// Under QEMU it is exact only with -icount shift=0, and then it is the virtual clock (one
// instruction per nanosecond) shared by all harts: on one hart it counts the hart's
// instructions, on a team it counts all harts together, plus the time they sleep in WFI. Without
// -icount it follows the host's clock. For per-hart counts of a team use the plugin
// (targets/common/region_markers.h, targets/qemu/instruction_count_plugin.c).
#pragma once
#include <stdint.h>

namespace utrain::rv32 {

inline uint64_t retired_instructions() {
  uint32_t high, low, high_again;
  do {  // the two halves are read apart: retry if the low half wrapped in between
    __asm__ volatile(
        ".option push\n.option arch, +zicsr\n"
        "csrr %0, minstreth\ncsrr %1, minstret\ncsrr %2, minstreth\n"
        ".option pop"
        : "=r"(high), "=r"(low), "=r"(high_again));
  } while (high != high_again);
  return (static_cast<uint64_t>(high) << 32) | low;
}

}  // namespace utrain::rv32
