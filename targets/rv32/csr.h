// The machine-mode registers and instructions the rv32 start-up and hart team use.
// "+zicsr": binutils 2.40 wants Zicsr for CSR instructions, and it cannot be in -march (see
// cmake/toolchains/rv32imfc.cmake).
#pragma once
#include <stdint.h>

namespace utrain::rv32 {

constexpr uint32_t kMieSoftware = 1u << 3;  // mie.MSIE: a CLINT msip wake-up ends WFI
constexpr uint32_t kMieTimer = 1u << 7;     // mie.MTIE: reaching mtimecmp ends WFI

inline uint32_t hart_id() {
  uint32_t id;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mhartid\n.option pop" : "=r"(id));
  return id;
}

// Interrupt enables. They only choose what ends WFI: mstatus.MIE stays 0, so none is taken.
inline void enable_wakeups(uint32_t bits) {
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrs mie, %0\n.option pop" ::"r"(bits));
}
inline void disable_wakeups(uint32_t bits) {
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrc mie, %0\n.option pop" ::"r"(bits));
}

// Sleeps until an enabled interrupt is pending (possibly at once, or spuriously).
inline void wait_for_interrupt() { __asm__ volatile("wfi" ::: "memory"); }

// Orders memory and device (CLINT) accesses, which the C++ fences leave unordered.
inline void fence_io() { __asm__ volatile("fence iorw, iorw" ::: "memory"); }

}  // namespace utrain::rv32
